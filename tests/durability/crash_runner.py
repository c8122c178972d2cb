"""Subprocess entry for the crash tests: resume what the home holds, or start fresh.

Usage: python -m tests.durability.crash_runner HOME N
Prints the final outputs as JSON on success.
"""

from __future__ import annotations

import json
import sys

from prunus import Client
from tests.workflows import SumOfSquares


def main() -> None:
    home, n = sys.argv[1], int(sys.argv[2])
    with Client(home) as client:
        tops = [s.pid for s in client.list() if s.parent is None]
        pid = tops[0] if tops else client.submit(SumOfSquares, n=n)
        result = client.wait(pid)
        print(json.dumps({"pid": pid, "state": result.state.name, "outputs": result.outputs}))


if __name__ == "__main__":
    main()
