"""The daemon's collector settings (``_collector``), in a fresh interpreter each: they
are process-wide, so the test process keeps its own."""

from __future__ import annotations

import os
import subprocess
import sys

_PROBE = (
    "import gc; from prunus.actors._collector import tune_for_daemon; "
    "before = gc.get_freeze_count(); tune_for_daemon(); "
    "print(gc.get_threshold()[0], gc.get_freeze_count() > before)"
)


def _probe(**env: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_a_daemon_collects_young_objects_rarely_and_freezes_what_it_imported():
    from prunus.actors._collector import YOUNG_THRESHOLD

    assert _probe() == [str(YOUNG_THRESHOLD), "True"]


def test_prunus_gc_default_keeps_cpythons_collector_as_it_is():
    assert _probe(PRUNUS_GC="default") == ["700", "False"]
