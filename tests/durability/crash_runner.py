"""Subprocess entry for the crash tests: resume what the home holds, or start fresh.

Usage: python -m tests.durability.crash_runner HOME N [TOPS]
Prints the final outputs as JSON on success. With TOPS, that many workflows are
submitted at once (``submit_many``: they share group commits) and awaited together.
With $PRUNUS_CRASH_WORKERS (a count), the home runs on a private pool of that many
host processes (``Client(home, workers=N)``).
"""

from __future__ import annotations

import json
import os
import sys

from prunus import Client
from tests.workflows import SumOfSquares


def open_client(home: str) -> Client:
    return Client(home, workers=int(os.environ.get("PRUNUS_CRASH_WORKERS", "0")))


def main() -> None:
    home, n = sys.argv[1], int(sys.argv[2])
    if len(sys.argv) > 3:
        return batch(home, n, int(sys.argv[3]))
    with open_client(home) as client:
        tops = [s.pid for s in client.list() if s.parent is None]
        pid = tops[0] if tops else client.submit(SumOfSquares, n=n)
        result = client.wait(pid)
        print(json.dumps({"pid": pid, "state": result.state.name, "outputs": result.outputs}))


def batch(home: str, n: int, tops: int) -> None:
    with open_client(home) as client:
        pids = [s.pid for s in client.list() if s.parent is None]
        # A kill during submit_many may leave part of the batch (its pids were never
        # answered): submit what is missing.
        pids += client.submit_many([(SumOfSquares, {"n": n})] * (tops - len(pids)))
        results = client.wait_many(pids)
        print(json.dumps({r.pid: [r.state.name, r.outputs] for r in results}))


if __name__ == "__main__":
    main()
