"""Where a durable one-at-a-time run's time goes, against the raw fsync (issue 16, item 1).

Why: ``compare.py`` puts durable ``Client(home).run`` of ``loop3`` against a limit made
of one raw fsync (one small record, one transaction) plus plumpy's CPU. This script
says how far a run's own fsync is from that raw one and why, measured in one process
with the two interleaved (run, raw, run, raw ...) so the machine's load hits both
alike:

- per run: wall time, CPU time (``time.thread_time``), write transactions, time and
  CPU inside them, fsyncs, the fsync's wall time, bytes the fsync sent to the disk
  (``write_bytes`` of ``/proc/self/io``: the kernel counts a page when a write makes
  it dirty, so across a run and its fsync that is the distinct pages the fsync
  writes), growth of ``data.mdb``, and the
  reader slots open while the runtime is idle (a reader left open would pin old pages
  and make the file grow by every transaction);
- the same for the raw fsynced commit of ``compare.py``;
- a ladder on bare stores: K commits of a run's three rows (record, live row,
  checkpoint) and then one fsync, K = 1..7, to show how the fsync's bytes grow with
  the transactions it covers (LMDB copies every page a transaction touches, and a
  page freed by transaction T is reused from T + 2 on, so the copies rotate through
  about three sets).

Usage (from the repository root, in the project's virtualenv)::

    python benchmarks/fsync_layout.py [--n 500] [--json]

Wraps ``LmdbStore._commit_locked``, ``journal_staged`` and ``flush`` to count and time them (a
benchmark, not a test). Prints the load average next to the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _prunus_workloads as workloads  # benchmarks/ is on the path: the script's folder

import prunus
from prunus.persistence import LmdbStore, _lmdb_store, stage_writes


def disk_bytes() -> int:
    """Bytes this process has sent to the block layer so far (0 where unknown)."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Meter:
    """Counts and times ``LmdbStore`` write transactions (the journal's publishing one
    included), step-journal appends and fsyncs while installed."""

    def __init__(self) -> None:
        self.reset()
        self._commit = _lmdb_store.LmdbStore._commit_locked
        self._journal = _lmdb_store.LmdbStore.journal_staged
        self._flush = _lmdb_store.LmdbStore.flush

    def reset(self) -> None:
        self.txns, self.txn_wall, self.txn_cpu, self.appends = 0, 0.0, 0.0, 0
        self.syncs: list[float] = []  # wall seconds of each fsync

    def install(self) -> None:
        meter, commit, append, flush = self, self._commit, self._journal, self._flush

        def timed_commit(store: Any, shared: Any, body: Callable[..., Any]) -> None:
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                commit(store, shared, body)
            finally:
                meter.txns += 1
                meter.txn_wall += time.perf_counter() - wall
                meter.txn_cpu += time.thread_time() - cpu

        def counted_append(store: Any, staged: Any) -> None:
            meter.appends += 1
            append(store, staged)

        def timed_flush(store: Any, unless_within: float = 0.0) -> None:
            shared = store._environment()
            pending = shared.unsynced
            wall = time.perf_counter()
            flush(store, unless_within)
            if pending and not shared.unsynced:  # an fsync happened
                meter.syncs.append(time.perf_counter() - wall)

        _lmdb_store.LmdbStore._commit_locked = timed_commit
        _lmdb_store.LmdbStore.journal_staged = counted_append
        _lmdb_store.LmdbStore.flush = timed_flush

    def uninstall(self) -> None:
        _lmdb_store.LmdbStore._commit_locked = self._commit
        _lmdb_store.LmdbStore.journal_staged = self._journal
        _lmdb_store.LmdbStore.flush = self._flush


def summary(samples: list[dict[str, float]]) -> dict[str, float]:
    keys = samples[0].keys()
    return {key: statistics.mean(sample[key] for sample in samples) for key in keys} | {
        "fsync_ms_p50": statistics.median(sample["fsync_ms"] for sample in samples)
    }


def interleaved(n: int, meter: Meter) -> dict[str, Any]:
    """``n`` durable runs and ``n`` raw fsynced commits, alternately."""
    runs, raws = [], []
    with (
        tempfile.TemporaryDirectory() as home,
        tempfile.TemporaryDirectory() as raw_home,
        prunus.Client(home=home) as client,
        LmdbStore(raw_home, sync=False) as raw,
    ):
        data = Path(home) / "data.mdb"
        for _ in range(30):  # warm: classes imported, the store's first pages
            client.run(workloads.Loop3)
        readers = client_readers(home)
        size_before = data.stat().st_size
        for _ in range(n):
            runs.append(one(meter, lambda: client.run(workloads.Loop3)))
            raws.append(one(meter, lambda: raw_commit(raw)))
        growth = (data.stat().st_size - size_before) / n
    return {
        "run": summary(runs),
        "raw": summary(raws),
        "data_mdb_growth_bytes_per_run": growth,
        "reader_slots_while_idle": readers,
    }


def raw_commit(store: LmdbStore) -> None:
    """compare.py's ``fsync.raw``: one small record, one commit, one fsync."""
    store.write("p", record={"state": 1})
    store.flush()


def client_readers(home: str) -> int:
    """Reader slots in use on the home while nothing runs (lines of ``mdb_reader_list``
    past its header)."""
    with LmdbStore(home, sync=False) as store:  # shares the runtime's environment
        table = store._environment().env.readers()
    return max(0, len(table.strip().splitlines()) - 1)


def one(meter: Meter, body: Callable[[], Any]) -> dict[str, float]:
    meter.reset()
    wall, cpu, dirtied = time.perf_counter(), time.thread_time(), disk_bytes()
    body()
    wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    dirtied = disk_bytes() - dirtied
    return {
        "wall_ms": wall * 1e3,
        "cpu_ms": cpu * 1e3,
        "txns": meter.txns,
        "appends": meter.appends,
        "txn_cpu_ms": meter.txn_cpu * 1e3,
        "txn_wall_ms": meter.txn_wall * 1e3,
        "fsyncs": len(meter.syncs),
        "fsync_ms": sum(meter.syncs) * 1e3,
        "dirtied_kib": dirtied / 1024,
    }


def ladder(n: int, meter: Meter, journaled: bool = False) -> list[dict[str, float]]:
    """K commits of one run's rows (record, live row, checkpoint: the sizes of a
    ``loop3`` step) then one fsync, K = 1..7; a new pid for every group. ``journaled``:
    each commit an append to the step journal, as an embedded runtime commits a step;
    the fsync puts them into LMDB in one transaction first."""
    rows = []
    record = {"state": "running", "step": "advance", "padding": "x" * 100}
    checkpoint = {"ctx": {"i": 1, "total": 1}, "padding": "y" * 380}
    for commits in range(1, 8):
        with tempfile.TemporaryDirectory() as home, LmdbStore(home, sync=False) as store:
            samples = []
            for index in range(n + 30):

                def group(pid: str = f"p{index:08d}", commits: int = commits) -> None:
                    for _ in range(commits):
                        if journaled:
                            staged = stage_writes(
                                [(pid, {"record": record, "checkpoint": checkpoint})]
                            )
                            store.journal_staged(staged)
                        else:
                            store.write(pid, record=record, checkpoint=checkpoint)
                    store.flush()

                sample = one(meter, group)
                if index >= 30:
                    samples.append(sample)
        rows.append({"commits": commits} | summary(samples))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=500, help="runs (and raw commits) to time")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    meter = Meter()
    meter.install()
    try:
        load = os.getloadavg()
        result = {
            "interleaved": interleaved(args.n, meter),
            "ladder": ladder(args.n // 2, meter),
            "journaled_ladder": ladder(args.n // 2, meter, journaled=True),
        }
        result["load_average"] = [load, os.getloadavg()]
    finally:
        meter.uninstall()
    if args.json:
        print(json.dumps(result))
        return
    show(result)


def show(result: dict[str, Any]) -> None:
    columns = ("wall_ms", "cpu_ms", "txns", "appends", "txn_cpu_ms", "fsyncs", "fsync_ms")
    columns += ("fsync_ms_p50",)
    columns += ("dirtied_kib",)
    print("load average before / after:", result["load_average"])
    print(f"{'':14}" + "".join(f"{c:>13}" for c in columns))
    for name in ("run", "raw"):
        row = result["interleaved"][name]
        print(f"{name:14}" + "".join(f"{row[c]:13.3f}" for c in columns))
    inter = result["interleaved"]
    print(f"data.mdb growth per run: {inter['data_mdb_growth_bytes_per_run']:.0f} bytes;", end=" ")
    print(f"reader slots while idle: {inter['reader_slots_while_idle']}")
    for key, title in (("ladder", "commits"), ("journaled_ladder", "journal appends")):
        print(f"ladder: K {title} of a run's rows, then one fsync")
        for row in result[key]:
            print(f"K={row['commits']:<12}" + "".join(f"{row[c]:13.3f}" for c in columns))


if __name__ == "__main__":
    main()
