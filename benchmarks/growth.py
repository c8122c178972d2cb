"""How one daemon grows with waiting workchains: 1k, 10k, 100k (1M if you have the time).

For each size N it starts a daemon (``--workers`` hosts, default 2) in a fresh home and
measures, from this client process:

- ``submit_many`` of N ``Waiter`` workchains (each WAITING on one child that waits on
  nothing: 2N processes), in chunks of ``--chunk``: workchains per second, from the
  first submit until all 2N are WAITING;
- ``status`` round trips on 500 random workchains: p50 and p99;
- the first page of ``process list`` (2,000 rows, ``Client.list_page``): milliseconds;
- the daemon's summed RSS and PSS, then a restart (stop, start, time until it answers),
  then RSS and PSS again;
- ``kill`` of every workchain (one request per tree, cascading to its child): seconds.

Prints a table and writes ``benchmarks/results/growth.json``.
Run: ``python benchmarks/growth.py [--sizes 1000 10000 100000] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the workloads module, here and (via PYTHONPATH) in the daemon

import _procfs  # noqa: E402
from _prunus_workloads import Waiter  # noqa: E402

import prunus  # noqa: E402
from prunus.control import daemon_pids, daemon_status, start_daemon, stop_daemon  # noqa: E402


def memory_mib(home: Path) -> dict[str, float]:
    info = json.loads((home / "daemon.json").read_text())
    kib = _procfs.memory_kib(daemon_pids(info))
    return {kind: value / 1024 for kind, value in kib.items()}


def waiting(home: Path) -> int:
    return int(daemon_status(home, timeout=60).get("processes", {}).get("WAITING", 0))


def one_size(n: int, workers: int, chunk: int) -> dict[str, Any]:
    row: dict[str, Any] = {"n": n, "processes": 2 * n}
    with tempfile.TemporaryDirectory(prefix="prunus-growth-") as where:
        home = Path(where)
        start_daemon(home, workers=workers)
        try:
            with prunus.Client.connect(home, timeout=300) as client:
                started = time.perf_counter()
                pids: list[str] = []
                for first in range(0, n, chunk):
                    pids += client.submit_many([(Waiter, None)] * min(chunk, n - first))
                row["submitted_s"] = time.perf_counter() - started
                while waiting(home) < 2 * n:
                    time.sleep(0.2)
                row["submit_rate"] = n / (time.perf_counter() - started)
                samples = []
                for pid in random.Random(16).sample(pids, min(500, n)):
                    begun = time.perf_counter()
                    client.status(pid)
                    samples.append(time.perf_counter() - begun)
                samples.sort()
                row["status_p50_ms"] = 1000 * statistics.median(samples)
                row["status_p99_ms"] = (
                    1000 * samples[min(len(samples) - 1, int(0.99 * len(samples)))]
                )
                begun = time.perf_counter()
                client.list_page(prunus.ListQuery(), limit=2000)
                row["list_first_page_ms"] = 1000 * (time.perf_counter() - begun)
            row["before_restart_mib"] = memory_mib(home)
            stop_daemon(home)
            begun = time.perf_counter()
            start_daemon(home, workers=workers)
            row["restart_s"] = time.perf_counter() - begun
            time.sleep(2.0)  # let hosts passivate what the restart re-activated
            row["after_restart_mib"] = memory_mib(home)
            with prunus.Client.connect(home, timeout=300) as client:
                begun = time.perf_counter()
                for pid in pids:
                    client.kill(pid)
                row["kill_all_s"] = time.perf_counter() - begun
        finally:
            stop_daemon(home)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--json", type=Path, default=HERE / "results" / "growth.json")
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(HERE), os.environ.get("PYTHONPATH")])
    )
    rows = []
    for n in args.sizes:
        row = one_size(n, args.workers, args.chunk)
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    header = ["workchains", "submit/s", "status p50", "p99 ms", "list page ms", "restart s"]
    header += ["RSS MiB before", "after", "kill all s"]
    print("  ".join(f"{h:>14}" for h in header))
    for row in rows:
        cells = [
            f"{row['n']:,}",
            f"{row['submit_rate']:,.0f}",
            f"{row['status_p50_ms']:.2f}",
            f"{row['status_p99_ms']:.2f}",
            f"{row['list_first_page_ms']:.0f}",
            f"{row['restart_s']:.1f}",
            f"{row['before_restart_mib']['rss']:,.0f}",
            f"{row['after_restart_mib']['rss']:,.0f}",
            f"{row['kill_all_s']:.1f}",
        ]
        print("  ".join(f"{c:>14}" for c in cells))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"workers": args.workers, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
