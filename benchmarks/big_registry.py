"""Restart and listing at sizes submission cannot reach in an hour: 200k and 1M.

For each size N it writes N WAITING registry records straight into a fresh home (no
checkpoints: nothing is ever activated, which is the point of a restart that loads
the registry, not the processes), then starts a daemon on it and measures: the start
(wall and the CPU seconds of its OS processes), their RSS and PSS, and three first
pages and one second page of the listing (2,000 rows, ``Client.list_page``, what
``prunus process list`` asks for). Prints one JSON line per size.
Run: ``python benchmarks/big_registry.py [--sizes 200000 1000000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _procfs  # noqa: E402

import prunus  # noqa: E402
from prunus.actors._persisting import status_record  # noqa: E402
from prunus.control import daemon_pids, daemon_status, start_daemon, stop_daemon  # noqa: E402
from prunus.engine import ProcessState, ProcessStatus  # noqa: E402
from prunus.persistence import LmdbStore  # noqa: E402


def write_waiting(home: Path, n: int) -> None:
    now = time.time()
    with LmdbStore(home, sync=False) as store:
        for first in range(0, n, 20000):
            items = []
            for i in range(first, min(n, first + 20000)):
                pid = f"{i:012x}"
                status = ProcessStatus(
                    pid, "_prunus_workloads:Gate", ProcessState.WAITING, False, "waiting",
                    "run", (), None, created=now + i * 1e-6,
                )  # fmt: skip
                items.append((pid, {"record": status_record(status, None)}))
            store.write_many(items)
        store.flush()


def one_size(n: int, workers: int) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="prunus-big-registry-"))
    try:
        write_waiting(home, n)
        begun = time.perf_counter()
        start_daemon(home, workers=workers, timeout=900)
        row: dict[str, Any] = {"n": n, "start_s": time.perf_counter() - begun}
        pids = daemon_pids(json.loads((home / "daemon.json").read_text()))
        row["start_cpu_s"] = _procfs.cpu_seconds(pids)
        row.update({f"{k}_mib": v / 1024 for k, v in _procfs.memory_kib(pids).items()})
        with prunus.Client.connect(home, timeout=600) as client:
            firsts = []
            for _ in range(3):
                begun = time.perf_counter()
                page = client.list_page(prunus.ListQuery(), limit=2000)
                firsts.append(1000 * (time.perf_counter() - begun))
            begun = time.perf_counter()
            client.list_page(prunus.ListQuery(), after=page.next, limit=2000)
            row["second_page_ms"] = 1000 * (time.perf_counter() - begun)
        row["first_page_ms"] = firsts
        row["active"] = daemon_status(home, timeout=120)["active"]
        row["load"] = os.getloadavg()[0]
        stop_daemon(home)
        return row
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200000, 1000000])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(HERE), os.environ.get("PYTHONPATH")])
    )
    for n in args.sizes:
        print(json.dumps(one_size(n, args.workers)), flush=True)


if __name__ == "__main__":
    main()
