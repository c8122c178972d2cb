"""SIGKILL an embedded runtime while many workflows share its group commits.

The embedded runtime commits steps without fsync and fsyncs them in groups; a SIGKILL
(unlike a power cut) loses no commit, so the promise of the single-workflow crash test
holds for each of many interleaved workflows: right outputs, no step lost, a step
repeated only if a kill interrupted it, no child launched twice. In workers mode the
same, with the runner's pool of hosts (the daemon's group commit) killed with it.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from prunus.persistence import LmdbStore
from tests.durability.test_crash import crash_env, kill_by_progress, steps_checked_for_repeats
from tests.workflows import expected_total

ROOT = Path(__file__).resolve().parents[2]
N, TOPS, KILLS = 2, 6, 12
#: mode -> (workers, kills to try, kills that must land): a pool takes seconds to start
MODES = {"embedded": (0, KILLS, 8), "workers": (2, 6, 4)}


def start(home: Path, log: Path, workers: int = 0) -> subprocess.Popen:
    env = crash_env(log, workers)
    command = [sys.executable, "-m", "tests.durability.crash_runner", str(home), str(N), str(TOPS)]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )


@pytest.mark.slow
@pytest.mark.parametrize("mode", list(MODES))
def test_sigkills_during_group_commits_of_many_workflows_lose_nothing(tmp_path, mode):
    workers, tries, least = MODES[mode]
    rng = random.Random(20261202)
    home, log = tmp_path / "home", tmp_path / "steps.log"
    log.touch()
    kills = kill_by_progress(
        lambda: start(home, log, workers),
        log,
        rng,
        kills=tries,
        lines=2,
        seconds=0.03,
        workers=workers,
    )
    final = start(home, log, workers)
    out, err = final.communicate(timeout=180)
    assert final.returncode == 0, err
    summary = json.loads(out)
    assert len(summary) == TOPS
    for state, outputs in summary.values():
        assert state == "FINISHED"
        assert outputs == {"total": expected_total(N)}
    assert kills >= least, f"only {kills} kills landed before the work finished"

    seen = steps_checked_for_repeats(log)
    for top in summary:
        assert seen[top] == (
            ["start"]
            + [f"{kind} {i}" for i in range(1, N + 1) for kind in ("launch", "add")]
            + ["launch_batch", "finish"]
        )
    with LmdbStore(home) as store:
        stored = sorted(pid for pid, _ in store.records())
    expected = sorted([*summary, *(f"{top}.{k}" for top in summary for k in range(N + 2))])
    assert stored == expected  # no duplicate child was ever recorded
