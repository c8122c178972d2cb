"""A function workflow SIGKILLed between its two nested calls, embedded (a durable home
in a subprocess), in a daemon (every OS process of it), and on a client's pool of
workers (the client and its pool): after the resume the first call is not run again,
the second runs once, and the result is right."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from prunus import Client, ProcessState
from prunus.control import daemon_pids
from prunus.persistence import LmdbStore
from tests.conftest import running_daemon
from tests.durability.pool_kill import kill_with_pool
from tests.functions import two_calls
from tests.modes import eventually

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
HOLD = 30.0  # seconds between the two calls in the first run: the kill lands there


def lines(witness: Path) -> list[str]:
    return witness.read_text().splitlines() if witness.exists() else []


def runner(home: Path, hold: float, witness: Path, workers: int = 0) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PRUNUS_WITNESS": str(witness),
        "PRUNUS_HOLD": str(hold),
        "PRUNUS_CRASH_WORKERS": str(workers),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.durability.nested_runner", str(home)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def assert_resumed_without_rerunning_the_first_call(home: Path, witness: Path, pid: str):
    # first run: "add 1 1", "between"; after the kill: "between" (the step replays up
    # to the second call) and "add 2 10"; never "add 1 1" again
    assert lines(witness) == ["add 1 1", "between", "between", "add 2 10"]
    with LmdbStore(home) as store:
        records = dict(store.records())
    assert sorted(records) == [pid, f"{pid}.0", f"{pid}.1"]
    assert list(records[pid]["children"]) == [f"{pid}.0", f"{pid}.1"]
    assert records[f"{pid}.1"]["result"]["outputs"] == {"result": 12}


@pytest.mark.parametrize("workers", [0, 2], ids=["embedded", "workers"])
def test_embedded_a_sigkill_between_nested_calls_does_not_rerun_the_first(tmp_path, workers):
    home, witness = tmp_path / "home", tmp_path / "witness.log"
    first = runner(home, HOLD, witness, workers)
    eventually(lambda: lines(witness) == ["add 1 1", "between"], timeout=30)
    if workers:
        kill_with_pool(first)
    else:
        first.send_signal(signal.SIGKILL)
        first.wait()
    resumed = runner(home, 0.0, witness, workers)
    out, err = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, err
    summary = json.loads(out)
    assert summary["state"] == "FINISHED" and summary["outputs"] == {"result": 12}
    assert_resumed_without_rerunning_the_first_call(home, witness, summary["pid"])


def test_daemon_a_sigkill_between_nested_calls_does_not_rerun_the_first(tmp_path, monkeypatch):
    witness = tmp_path / "witness.log"
    monkeypatch.setenv("PRUNUS_WITNESS", str(witness))  # inherited by the daemon
    monkeypatch.setenv("PRUNUS_HOLD", str(HOLD))
    home = tmp_path / "home"
    with running_daemon(home) as info:
        with Client.connect(home) as client:
            pid = client.submit(two_calls, x=1)
        eventually(lambda: lines(witness) == ["add 1 1", "between"], timeout=30)
        for os_pid in daemon_pids(info):  # every OS process of the daemon, by pid
            os.kill(os_pid, signal.SIGKILL)
        eventually(lambda: not daemon_pids(info))
    monkeypatch.setenv("PRUNUS_HOLD", "0")
    with running_daemon(home), Client.connect(home) as client:
        result = client.wait(pid, timeout=60)
        assert result.state is ProcessState.FINISHED and result["result"] == 12
    assert_resumed_without_rerunning_the_first_call(home, witness, pid)
