"""Fixtures that run the actor tests in both hosting modes.

``client`` is parametrized: every test that takes it runs once on the embedded runtime
and once against a real daemon (a Thespian TCP actor system on loopback, started for
the session in a temporary home and stopped at the end, with a check that none of its
OS processes is left). ``open_runtime(home)`` opens a runtime on a home for restart
tests: a ``Client(home)`` embedded, or a daemon started on that home and connected to.
Both also know the ``workers`` mode (``Client(home, workers=2)``, a client's private
pool of hosts), which a folder turns on by overriding ``mode`` (tests/durability).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

from prunus import Client
from prunus.control import daemon_pids, start_daemon, stop_daemon
from prunus.control._daemon_files import read_daemon_file
from prunus.control._proc_table import pid_alive

MODES = ["embedded", "daemon"]

# A property's examples are not timed: with two pytest workers on a shared 2-core machine
# one example of a pure function took 287 ms against hypothesis' 200 ms deadline. Speed
# is measured in benchmarks/, not by a deadline here.
settings.register_profile("prunus-suite", deadline=None)
settings.load_profile("prunus-suite")

# pytest-xdist's workers set COLUMNS=80 and LINES=24; a terminal a test opens (pexpect,
# 200 columns) would inherit them and rich would wrap its lines at 80. In a worker the
# tests see the environment they see in one pytest process.
if "PYTEST_XDIST_WORKER" in os.environ:
    os.environ.pop("COLUMNS", None)
    os.environ.pop("LINES", None)
WORKERS = 2  # hosts of a client's pool in the ``workers`` mode


@contextmanager
def running_daemon(home: Path, **options) -> Iterator[dict]:
    """A daemon on ``home`` for the duration; afterwards none of its processes is left."""
    info = start_daemon(home, **{"workers": 2, **options})
    try:
        yield info
    finally:
        pids = daemon_pids(info)
        if read_daemon_file(home) is not None and pid_alive(int(info["pid"])):
            stop_daemon(home)  # (a test may have SIGKILLed it)
        left = [pid for pid in pids if pid_alive(pid)]
        assert not left, f"daemon processes left behind: {left}"


@pytest.fixture(scope="session")
def shared_daemon(tmp_path_factory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("daemon-home")
    with running_daemon(home):
        yield home


@pytest.fixture(params=MODES)
def mode(request) -> str:
    return request.param


@pytest.fixture
def client(mode, request) -> Iterator[Client]:
    if mode == "embedded":
        with Client() as embedded:
            yield embedded
    elif mode == "workers":
        pool_home = request.getfixturevalue("tmp_path") / "pool-home"
        with Client(pool_home, workers=WORKERS) as pooled:
            yield pooled
    else:
        with Client.connect(request.getfixturevalue("shared_daemon")) as remote:
            yield remote


@pytest.fixture
def open_runtime(mode) -> Callable[[Path], AbstractContextManager[Client]]:
    @contextmanager
    def open_(home: Path) -> Iterator[Client]:
        if mode == "embedded":
            with Client(home) as embedded:
                yield embedded
        elif mode == "workers":
            with Client(home, workers=WORKERS) as pooled:
                yield pooled
        else:
            with running_daemon(home), Client.connect(home) as remote:
                yield remote

    return open_
