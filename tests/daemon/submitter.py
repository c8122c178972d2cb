"""A client OS process for the scale test: submit N leaves to a daemon, wait for all.

Usage: python -m tests.daemon.submitter HOME N OFFSET; prints one JSON line.
"""

from __future__ import annotations

import json
import sys

from prunus import Client
from tests.workflows import Leaf


def main() -> None:
    home, count, offset = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with Client.connect(home) as client:
        pids = {client.submit(Leaf, x=offset + i): offset + i for i in range(count)}
        wrong = [pid for pid, x in pids.items() if client.wait(pid, timeout=120)["y"] != 2 * x]
    print(json.dumps({"submitted": len(pids), "wrong": wrong}))


if __name__ == "__main__":
    main()
