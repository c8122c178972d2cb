"""A step that tries to change its inputs, SIGKILLed after it: the resumed run gives the
answer the uninterrupted run gives, and the write is refused in both (issue 13)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _start(home: Path, log: Path, hold: float) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PRUNUS_CRASH_LOG": str(log),
        "PRUNUS_HOLD_SECONDS": str(hold),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.durability.inputs_runner", str(home)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return json.loads(out)


def _steps(log: Path) -> list[str]:
    return [line.split(" ", 1)[1] for line in log.read_text().splitlines()]


@pytest.mark.slow
def test_a_sigkill_after_a_step_that_tried_to_change_its_inputs_changes_nothing(tmp_path):
    straight_log = tmp_path / "straight.log"
    straight = _finish(_start(tmp_path / "straight", straight_log, hold=0))
    assert straight["state"] == "FINISHED"
    assert _steps(straight_log) == ["rewrite refused 2", "hold refused 2", "answer"]

    home, log = tmp_path / "crashed", tmp_path / "crashed.log"
    log.touch()
    proc = _start(home, log, hold=60)
    deadline = time.monotonic() + 30
    while "hold refused 2" not in _steps(log):  # rewrite is committed once hold runs
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    resumed = _finish(_start(home, log, hold=0))

    assert resumed["outputs"] == straight["outputs"] == {"answer": 11}
    assert resumed["state"] == "FINISHED"
    # rewrite ran once (it was committed); hold, interrupted, ran again and was refused
    # again; the answer read the inputs as launched.
    assert _steps(log) == ["rewrite refused 2", "hold refused 2", "hold refused 2", "answer"]
