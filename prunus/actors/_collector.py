"""The cyclic garbage collector in a daemon's OS processes: fewer, cheaper passes.

A daemon's supervisor keeps one registry entry per process (200k at 100k waiting
workchains) and its hosts build and drop many small objects per step, most of them
free of reference cycles and freed by reference counting. With CPython's default
thresholds (700 allocations per young pass) the collector ran every few hundred
events: measured in process (the supervisor's part of ``submit_many`` with host events,
10k workchains), 20% of its CPU went to collection, and that share grows with the
registry. So before the daemon's actor system forks its actor processes, everything
imported and built so far is moved out of the collector's sight (``gc.freeze``: it is
never garbage, and forked processes then also keep those pages shared instead of
writing to them in every pass), and the young generation is collected every
:data:`YOUNG_THRESHOLD` allocations instead of 700. Cycles are still collected (a
dropped process's own cycles), only in bigger, rarer passes.
"""

from __future__ import annotations

import gc
import os

__all__ = ["YOUNG_THRESHOLD", "tune_for_daemon"]

#: Net allocations of container objects between two young passes (CPython: 700).
YOUNG_THRESHOLD = 50_000


def tune_for_daemon() -> None:
    """Set this OS process's collector for a daemon (see the module docstring); the
    actor processes it forks inherit it. ``PRUNUS_GC=default`` keeps CPython's."""
    if os.environ.get("PRUNUS_GC") == "default":
        return
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
