"""Pending ``when=`` conditions survive a SIGKILL of every daemon OS process, and of an
embedded runtime's OS process; on restart each is decided against the stored states."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from prunus import Client, ProcessState
from prunus.control import daemon_pids
from tests.conditions.jobs import Job, stamps
from tests.conftest import running_daemon
from tests.modes import eventually


def check_chain(client: Client, folder: Path, a: str, b: str, c: str, d: str) -> None:
    """a ran, b after a, c (on b.failed) cancelled without a step, d (on c.completed) ran."""
    assert client.wait(d, timeout=60).state is ProcessState.FINISHED
    assert client.wait(a).state is ProcessState.FINISHED
    assert client.wait(b).state is ProcessState.FINISHED
    cancelled = client.wait(c)
    assert cancelled.state is ProcessState.KILLED
    assert (
        cancelled.status
        == f"cancelled: {b} FINISHED with exit status 0, so {b}.failed can never hold"
    )
    assert stamps(folder / "c") == {}
    assert stamps(folder / "b")["start"] >= stamps(folder / "a")["end"]
    assert stamps(folder / "d")["start"] >= stamps(folder / "b")["end"]


def test_pending_conditions_survive_a_sigkill_of_every_daemon_process(tmp_path):
    home, folder = tmp_path / "home", tmp_path / "jobs"
    folder.mkdir()
    with running_daemon(home, workers=2) as info:
        with Client.connect(home) as client:
            a = client.submit(Job, witness=str(folder / "a"), seconds=2.0)
            b = client.submit(Job, witness=str(folder / "b"), when=a.finished_ok)
            c = client.submit(Job, witness=str(folder / "c"), when=b.failed)
            d = client.submit(Job, witness=str(folder / "d"), when=c.completed)
            eventually(lambda: "start" in stamps(folder / "a"))
        for pid in daemon_pids(info):  # every OS process of the daemon, by pid
            os.kill(pid, signal.SIGKILL)
        eventually(lambda: not daemon_pids(info))
    assert stamps(folder / "b") == {}  # nothing held had started
    with running_daemon(home, workers=2), Client.connect(home) as client:
        check_chain(client, folder, a, b, c, d)


EMBEDDED = """
import sys, time
from prunus import Client
from tests.conditions.jobs import Job
home, folder = sys.argv[1], sys.argv[2]
client = Client(home)
a = client.submit(Job, witness=folder + "/a", seconds=0.2, paused=True)
b = client.submit(Job, witness=folder + "/b", when=a.finished_ok)
c = client.submit(Job, witness=folder + "/c", when=b.failed)
d = client.submit(Job, witness=folder + "/d", when=c.completed)
print(a, b, c, d, flush=True)
time.sleep(60)
"""


def test_pending_conditions_survive_a_sigkill_of_an_embedded_runtime(tmp_path):
    home, folder = tmp_path / "home", tmp_path / "jobs"
    folder.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", EMBEDDED, str(home), str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        a, b, c, d = holder.stdout.readline().split()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert stamps(folder / "b") == {}
    deadline = time.monotonic() + 10
    while True:  # the killed runtime's lock is released by the kernel
        try:
            client = Client(home)
            break
        except Exception:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    with client:
        assert client.status(b).status == f"waiting for: {a}.finished_ok"
        client.play(a)
        check_chain(client, folder, a, b, c, d)
