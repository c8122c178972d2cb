"""Subprocess entry for the read-only inputs crash test: resume what the home holds,
or start ``RewritesItsInputs``. Prints the pid, final state and outputs as JSON.

Usage: python -m tests.durability.inputs_runner HOME
"""

from __future__ import annotations

import json
import sys

from prunus import Client
from tests.workflows import RewritesItsInputs


def main() -> None:
    with Client(sys.argv[1]) as client:
        tops = [s.pid for s in client.list() if s.parent is None]
        pid = tops[0] if tops else client.submit(RewritesItsInputs, a=1, sub={"one": 10})
        result = client.wait(pid)
        print(json.dumps({"pid": pid, "state": result.state.name, "outputs": result.outputs}))


if __name__ == "__main__":
    main()
