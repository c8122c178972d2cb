"""Durable timers: N processes each sleeping S seconds (``self.sleep``) on a daemon.

The supervisor keeps one heap of deadlines and one Thespian wake-up for the earliest,
and a sleeping process is passivated: the wall time from ``submit_many`` to the last
result should be S plus the cost of launching and finishing N processes, not N * S.
Also runs the same N embedded (``Client(home)``), in the same run.

Prints a table and writes ``benchmarks/results/sleepers.json``.
Run: ``python benchmarks/sleepers.py [--n 100] [--seconds 2] [--workers 2]``.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the workload module, here and (via PYTHONPATH) in the daemon

from _sleep_workloads import Nap  # noqa: E402

import prunus  # noqa: E402
from prunus.control import start_daemon, stop_daemon  # noqa: E402


def measure(client: prunus.Client, n: int, seconds: float) -> float:
    started = time.perf_counter()
    pids = client.submit_many([(Nap, {"seconds": seconds})] * n)
    results = client.wait_many(pids, timeout=600)
    elapsed = time.perf_counter() - started
    assert all(result.is_finished_ok for result in results)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(HERE), os.environ.get("PYTHONPATH")])
    )
    rows = {}
    with tempfile.TemporaryDirectory() as home:
        start_daemon(home, workers=args.workers)
        try:
            with prunus.Client.connect(home) as client:
                rows["daemon"] = measure(client, args.n, args.seconds)
        finally:
            stop_daemon(home)
    with tempfile.TemporaryDirectory() as home, prunus.Client(home) as client:
        rows["embedded"] = measure(client, args.n, args.seconds)
    print(f"{args.n} processes sleeping {args.seconds:g} s each ({args.workers} hosts)")
    print(f"{'mode':<10}{'wall s':>10}{'overhead s':>12}")
    for mode, wall in rows.items():
        print(f"{mode:<10}{wall:>10.2f}{wall - args.seconds:>12.2f}")
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "sleepers.json").write_text(
        json.dumps(
            {
                "n": args.n,
                "seconds": args.seconds,
                "workers": args.workers,
                "wall_seconds": rows,
                "python": platform.python_version(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
