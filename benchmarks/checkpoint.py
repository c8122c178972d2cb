"""Checkpoints per second through the prunus store, against raw LMDB in the same run.

Rows (all on one fresh temporary directory, same machine, same run):

- ``prunus write, sync``: ``LmdbStore.write(pid, record=..., checkpoint=...)`` with a
  ~1 KB checkpoint, one transaction each, fsync on commit. The runtime's default: a
  committed step survives a power cut.
- ``raw lmdb put, sync``: py-lmdb ``put`` of the same already-encoded bytes (record and
  checkpoint), one transaction each, fsync on commit. The floor we pay for durability.
- ``prunus write_many x100, sync`` / ``raw lmdb x100 per txn, sync``: group commit,
  100 checkpoints per transaction; as durable, one fsync per batch.
- ``prunus write, no sync``: ``sync=False``: survives a crash of the process (SIGKILL),
  may lose the last commits on a power cut; never corrupts.

Ratios are against ``raw lmdb put, sync``. Run: ``python benchmarks/checkpoint.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import lmdb

from prunus.persistence import LmdbStore, encode, encode_checkpoint

HERE = Path(__file__).resolve().parent


def sample_checkpoint(i: int) -> dict[str, Any]:
    """A realistic ~1 KB WorkChain checkpoint."""
    return {
        "class": "examples.tutorial:ControlledWorkChain",
        "pid": f"bench{i:08d}",
        "parent": None,
        "state": "running",
        "paused": False,
        "status": None,
        "next_step": "_prunus_do_step",
        "next_args": [],
        "next_kwargs": {},
        "step_name": "loop_step",
        "inputs": {"steps": 10, "params": {"cutoff": 30.5, "mode": "fast", "tags": ("a", "b")}},
        "outputs": {"partial": [1.5, 2.5, 3.5]},
        "ctx": {"iterator": i, "history": list(range(40)), "label": "x" * 200},
        "outline_cursor": [1, [0, True]],
        "children": [f"bench{i:08d}.{k}" for k in range(8)],
        "launch_count": 8,
        "consumed": [],
        "awaiting": [],
        "child_results": {},
        "exit_code": None,
        "exception": None,
        "traceback": None,
        "result": None,
        "listeners": [],
    }


def record(i: int) -> dict[str, Any]:
    return {"pid": f"bench{i:08d}", "state": "running", "paused": False, "step": "loop_step"}


def timed(n: int, body) -> float:
    start = time.perf_counter()
    body()
    return n / (time.perf_counter() - start)


def run(n: int) -> list[dict[str, Any]]:
    rows = []
    checkpoints = [sample_checkpoint(i) for i in range(n)]
    records = [record(i) for i in range(n)]
    blobs = [(encode(r), encode_checkpoint(c)) for r, c in zip(records, checkpoints, strict=True)]
    size = len(blobs[0][1])
    with tempfile.TemporaryDirectory() as tmp:

        def prunus_single(sync: bool, name: str) -> float:
            with LmdbStore(Path(tmp) / name, sync=sync, map_size=256 << 20) as store:

                def body() -> None:
                    for i in range(n):
                        store.write(f"p{i}", record=records[i], checkpoint=checkpoints[i])

                return timed(n, body)

        def prunus_batched() -> float:
            with LmdbStore(Path(tmp) / "batched", map_size=256 << 20) as store:

                def body() -> None:
                    for start in range(0, n, 100):
                        store.write_many(
                            [
                                (f"p{i}", {"record": records[i], "checkpoint": checkpoints[i]})
                                for i in range(start, min(n, start + 100))
                            ]
                        )

                return timed(n, body)

        def raw(batch: int) -> float:
            env = lmdb.open(str(Path(tmp) / f"raw{batch}"), map_size=256 << 20, max_dbs=4)
            procs, cps = env.open_db(b"processes"), env.open_db(b"checkpoints")

            def body() -> None:
                for start in range(0, n, batch):
                    with env.begin(write=True) as txn:
                        for i in range(start, min(n, start + batch)):
                            key = f"p{i}".encode()
                            txn.put(key, blobs[i][0], db=procs)
                            txn.put(key, blobs[i][1], db=cps)

            try:
                return timed(n, body)
            finally:
                env.close()

        measured = [
            ("raw lmdb put, sync", raw(1)),
            ("prunus write, sync", prunus_single(True, "sync")),
            ("raw lmdb x100 per txn, sync", raw(100)),
            ("prunus write_many x100, sync", prunus_batched()),
            ("prunus write, no sync", prunus_single(False, "nosync")),
        ]
    base = measured[0][1]
    for name, rate in measured:
        rows.append({"name": name, "ops_per_s": round(rate), "ratio_vs_raw_sync": rate / base})
    rows.append({"name": "checkpoint size (bytes)", "ops_per_s": size, "ratio_vs_raw_sync": None})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--json", type=Path, default=HERE / "results" / "checkpoint.json")
    args = parser.parse_args()
    rows = run(args.n)
    print(f"{'benchmark':34} {'ops/s':>10} {'ratio':>7}")
    for row in rows:
        ratio = "" if row["ratio_vs_raw_sync"] is None else f"{row['ratio_vs_raw_sync']:.2f}"
        print(f"{row['name']:34} {row['ops_per_s']:>10} {ratio:>7}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "benchmark": "checkpoint",
                "n": args.n,
                "machine": {
                    "platform": platform.platform(),
                    "python": sys.version.split()[0],
                    "cpus": os.cpu_count(),
                },
                "rows": rows,
            },
            indent=2,
        )
    )
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
