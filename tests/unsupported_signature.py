"""A module whose function cannot be a process: importing it fails (on purpose), as a
user's module would; tests/cli/test_signal_and_waits.py runs it through the CLI."""

from __future__ import annotations

import prunus


@prunus.function
def total(*values):
    return sum(values)
