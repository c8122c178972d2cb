"""SIGKILL a real OS process at random moments; a fresh Client(home) finishes the work.

In workers mode the runner is ``Client(home, workers=2)`` and each kill takes its pool of
host processes too (``pool_kill``).

What must hold (DESIGN.md section 3): every run ends with the right outputs; every step
ran at least once; a step ran again only if it was the last thing its process did
before a kill (its checkpoint had not committed); no child was launched twice.
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
from tests.durability.pool_kill import kill_with_pool
from tests.workflows import expected_total

ROOT = Path(__file__).resolve().parents[2]
N = 8
KILLS = 24
KILL = "---KILL---"
#: mode -> (workers, kills to try, kills that must land): a pool takes seconds to start
MODES = {"embedded": (0, KILLS, 20), "workers": (2, 8, 6)}


def crash_env(log: Path, workers: int) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PRUNUS_CRASH_LOG": str(log),
        "PRUNUS_CRASH_WORKERS": str(workers),
    }


def start(home: Path, log: Path, workers: int = 0) -> subprocess.Popen:
    env = crash_env(log, workers)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.durability.crash_runner", str(home), str(N)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def segments(log: Path) -> list[list[tuple[str, str]]]:
    """The log split at kills: per run, the (pid, step) lines in order."""
    runs: list[list[tuple[str, str]]] = [[]]
    for line in log.read_text().splitlines():
        if line == KILL:
            runs.append([])
        else:
            pid, what = line.split(" ", 1)
            runs[-1].append((pid, what))
    return runs


def kill_by_progress(
    start_runner,
    log: Path,
    rng: random.Random,
    *,
    kills: int,
    lines: int,
    seconds: float,
    workers: int = 0,
) -> int:
    """Start the runner ``kills`` times and SIGKILL it at a point chosen by progress, not
    wall-clock time: after 0 to ``lines`` new step lines (0: during start-up or resume),
    then up to ``seconds`` more. Each kill is marked in the log; returns how many landed
    (a runner that finished first has done the work). With ``workers`` the runner's
    pool is killed with it."""
    landed = 0
    for _ in range(kills):
        lines_before = len(log.read_text().splitlines())
        proc = start_runner()
        target = lines_before + rng.randint(0, lines)
        deadline = time.monotonic() + 30
        while len(log.read_text().splitlines()) < target and proc.poll() is None:
            assert time.monotonic() < deadline, "the workflows made no progress"
            time.sleep(0.002)
        time.sleep(rng.uniform(0, seconds))
        if proc.poll() is not None:
            break  # it finished before we could kill it: the work is done
        if workers:
            kill_with_pool(proc)
        else:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        landed += 1
        with log.open("a") as f:
            f.write(KILL + "\n")
    return landed


def steps_checked_for_repeats(log: Path) -> dict[str, list[str]]:
    """Each process's steps in order, once each, asserting that a repeat is only the
    step a kill interrupted: the last step the process ran, run again as its first
    step after a later restart."""
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
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("mode", list(MODES))
def test_random_sigkills_lose_nothing_and_repeat_only_the_interrupted_step(tmp_path, mode):
    workers, tries, least = MODES[mode]
    rng = random.Random(20261123)
    home, log = tmp_path / "home", tmp_path / "steps.log"
    log.touch()
    kills = kill_by_progress(
        lambda: start(home, log, workers),
        log,
        rng,
        kills=tries,
        lines=1,
        seconds=0.02,
        workers=workers,
    )
    final = start(home, log, workers)
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    summary = json.loads(out)
    assert summary["state"] == "FINISHED"
    assert summary["outputs"] == {"total": expected_total(N)}
    assert kills >= least, f"only {kills} kills landed before the work finished"

    seen = steps_checked_for_repeats(log)

    top = summary["pid"]
    assert seen[top] == (
        ["start"]
        + [f"{kind} {i}" for i in range(1, N + 1) for kind in ("launch", "add")]
        + ["launch_batch", "finish"]
    )
    children = sorted(pid for pid in seen if pid != top)
    assert children == sorted(f"{top}.{k}" for k in range(N + 2))
    assert all(seen[child] == ["run"] for child in children)

    with LmdbStore(home) as store:
        stored = sorted(pid for pid, _ in store.records())
    assert stored == sorted([top, *children])  # no duplicate child was ever recorded
