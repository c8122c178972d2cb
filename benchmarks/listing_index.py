"""Supervisor CPU to index the processes a host batch registers, as the registry grows.

After every message the supervisor adds the ``(created, pid)`` keys of what registered
to its listing index (``prunus/actors/_listing_index.py``). In a ``submit_many`` two
hosts report children in batches, so a batch is often older than the newest keys (the
other host's children). This builds a registry of N waiting processes, then adds 50
such pairs of batches (100 children a little older than the newest keys, 100 newer)
and times ``catch_up`` per pair (``time.process_time``, median of ``--rounds``).

Run: ``python benchmarks/listing_index.py [--sizes 20000 200000 2000000]``; prints a
table and writes ``benchmarks/results/listing_index.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from types import SimpleNamespace

from prunus.actors._listing_index import ListingIndex
from prunus.engine import ProcessState, ProcessStatus

HERE = Path(__file__).resolve().parent
PAIRS, BATCH = 50, 100


def entry(pid: str, created: float) -> SimpleNamespace:
    """What the index reads of a registry entry: its status."""
    return SimpleNamespace(status=ProcessStatus(pid, "m:C", ProcessState.WAITING, created=created))


def ms_per_pair(n: int) -> float:
    entries = {f"p{i}": entry(f"p{i}", i * 1e-4) for i in range(n)}
    index = ListingIndex(entries)
    index.catch_up()
    newest, spent = n * 1e-4, 0.0
    for pair in range(PAIRS):
        for older in (True, False):
            for k in range(BATCH):
                pid = f"c{len(entries)}"
                entries[pid] = entry(pid, newest + pair * 0.02 - (0.03 if older else 0) + k * 1e-5)
        began = time.process_time()
        index.catch_up()
        spent += time.process_time() - began
    return 1000 * spent / PAIRS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000, 2_000_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=HERE / "results" / "listing_index.json")
    args = parser.parse_args()
    rows = []
    print(f"load {os.getloadavg()[0]:.1f}")
    print(f"{'processes':>10} | {'ms per pair of batches (median)':>32}")
    for n in args.sizes:
        ms = statistics.median(ms_per_pair(n) for _ in range(args.rounds))
        rows.append({"processes": n, "ms_per_pair": round(ms, 3)})
        print(f"{n:>10,} | {ms:>32.3f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"load": os.getloadavg()[0], "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
