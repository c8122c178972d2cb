"""Subprocess entry for the nested-call crash test: resume what the home holds, or
submit ``two_calls`` (x=1; it holds $PRUNUS_HOLD seconds between its calls).

Usage: python -m tests.durability.nested_runner HOME
Prints the final result as JSON. $PRUNUS_CRASH_WORKERS as for ``crash_runner``.
"""

from __future__ import annotations

import json
import sys

from tests.durability.crash_runner import open_client
from tests.functions import two_calls


def main() -> None:
    home = sys.argv[1]
    with open_client(home) as client:
        tops = [s.pid for s in client.list() if s.parent is None]
        pid = tops[0] if tops else client.submit(two_calls, x=1)
        result = client.wait(pid)
        print(json.dumps({"pid": pid, "state": result.state.name, "outputs": result.outputs}))


if __name__ == "__main__":
    main()
