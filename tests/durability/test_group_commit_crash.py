"""SIGKILL an embedded runtime while many workflows share its group commits.

The embedded runtime commits steps without fsync and fsyncs them in groups; a SIGKILL
(unlike a power cut) loses no commit, so the promise of the single-workflow crash test
holds for each of many interleaved workflows: right outputs, no step lost, a step
repeated only if a kill interrupted it, no child launched twice.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from prunus.persistence import LmdbStore
from tests.durability.test_crash import KILL, segments
from tests.workflows import expected_total

ROOT = Path(__file__).resolve().parents[2]
N, TOPS, KILLS = 2, 6, 12


def start(home: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PRUNUS_CRASH_LOG": str(log)}
    command = [sys.executable, "-m", "tests.durability.crash_runner", str(home), str(N), str(TOPS)]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )


@pytest.mark.slow
def test_sigkills_during_group_commits_of_many_workflows_lose_nothing(tmp_path):
    rng = random.Random(20261202)
    home, log = tmp_path / "home", tmp_path / "steps.log"
    log.touch()
    kills = 0
    for _ in range(KILLS):
        lines_before = len(log.read_text().splitlines())
        proc = start(home, log)
        target = lines_before + rng.randint(0, 2)
        deadline = time.monotonic() + 30
        while len(log.read_text().splitlines()) < target and proc.poll() is None:
            assert time.monotonic() < deadline, "the workflows made no progress"
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.03))
        if proc.poll() is not None:
            break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        with log.open("a") as f:
            f.write(KILL + "\n")
    final = start(home, log)
    out, err = final.communicate(timeout=180)
    assert final.returncode == 0, err
    summary = json.loads(out)
    assert len(summary) == TOPS
    for state, outputs in summary.values():
        assert state == "FINISHED"
        assert outputs == {"total": expected_total(N)}
    assert kills >= 8, f"only {kills} kills landed before the work finished"

    seen: dict[str, list[str]] = defaultdict(list)
    last_run: dict[str, int] = {}
    for index, run in enumerate(segments(log)):
        for position, (pid, what) in enumerate(run):
            if what in seen[pid]:
                assert seen[pid][-1] == what, (pid, what, seen[pid])
                assert last_run[pid] < index, (pid, what, "repeated without a kill")
                assert all(p != pid for p, _ in run[:position]), (pid, what)
            else:
                seen[pid].append(what)
            last_run[pid] = index
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
