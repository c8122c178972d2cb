"""The daemon's sweep of a dead actor system leaves its session empty, even when a
process of it forks while the sweep kills (the fault matrix's ``supervisor`` kind left
an actor process of the old system alive after a restart, for good)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

from prunus.control._daemon_process import _sweep
from prunus.control._proc_table import session_pids

# A session: its leader forks 30 sleepers, then a forker that, once the leader is
# SIGKILLed (PR_SET_PDEATHSIG), forks a new sleeper at once: a process the sweep's
# first list of the session did not have.
_SESSION = r"""
import ctypes, os, signal, sys, time
os.setsid()
for _ in range(30):
    if os.fork() == 0:
        time.sleep(600); os._exit(0)
if os.fork() == 0:
    def fork_one(*_):
        if os.fork() == 0:
            time.sleep(600); os._exit(0)
    signal.signal(signal.SIGUSR1, fork_one)
    ctypes.CDLL(None).prctl(1, signal.SIGUSR1)  # PR_SET_PDEATHSIG
    while True:
        signal.pause()
print(os.getpid(), flush=True)
time.sleep(600)
"""


def test_a_sweep_kills_what_a_dying_session_forks_while_it_is_being_swept():
    for _ in range(5):
        leader = subprocess.Popen([sys.executable, "-c", _SESSION], stdout=subprocess.PIPE)
        assert leader.stdout is not None
        session = int(leader.stdout.readline())
        try:
            deadline = time.monotonic() + 10
            while len(session_pids(session)) < 32 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(session_pids(session)) == 32
            _sweep(session, grace=0.0)
            assert session_pids(session) == []
        finally:
            for pid in session_pids(session):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            leader.wait(timeout=10)
