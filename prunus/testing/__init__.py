"""A pytest plugin for testing workflows written with prunus (entry point ``prunus``).

Installed with prunus, it gives every test suite these fixtures:

- ``prunus_home``: a fresh, empty home directory (a temporary path) for one test.
- ``prunus_client``: a durable embedded ``Client`` on ``prunus_home``: every process is
  checkpointed to LMDB, exactly as in production, with no daemon to start.
- ``prunus_daemon``: a real daemon, started once per test session in a temporary home
  and stopped at its end; the session fails if any of its OS processes is left. The
  daemon imports process classes by module path from the session's ``sys.path`` (so
  modules next to your tests work) and from ``PYTHONPATH``. Its number of host actors
  is the ``prunus_daemon_workers`` ini option (default 2).
- ``prunus_daemon_client``: a client connected to that daemon, for one test.

and these helpers (importable from ``prunus.testing``): :func:`run_to_end`,
:func:`assert_finished_ok`, :func:`tree_outline`, :func:`assert_tree`,
:func:`tree_statuses`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from prunus.control import Client, daemon_pids, start_daemon, stop_daemon
from prunus.testing._helpers import (
    assert_finished_ok,
    assert_tree,
    run_to_end,
    tree_outline,
    tree_statuses,
)

__all__ = [
    "DaemonHandle",
    "assert_finished_ok",
    "assert_tree",
    "run_to_end",
    "tree_outline",
    "tree_statuses",
]


@dataclass(frozen=True)
class DaemonHandle:
    """The session's daemon: its home, and its ``daemon.json`` record (pid, port...)."""

    home: Path
    info: dict[str, Any]

    def connect(self, timeout: float = 10.0) -> Client:
        """A new client of this daemon (close it, or use it in a ``with``)."""
        return Client.connect(self.home, timeout=timeout)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "prunus_daemon_workers",
        "host actors of the prunus_daemon fixture's daemon",
        default="2",
    )


@pytest.fixture
def prunus_home(tmp_path: Path) -> Path:
    """A fresh home directory for one test (nothing is created in it yet)."""
    return tmp_path / "prunus-home"


@pytest.fixture
def prunus_client(prunus_home: Path) -> Iterator[Client]:
    """A durable embedded client on ``prunus_home``, closed after the test."""
    with Client(prunus_home) as client:
        yield client


@pytest.fixture(scope="session")
def prunus_daemon(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[DaemonHandle]:
    """A daemon for the whole session; stopped at its end, leaving no OS process."""
    home = tmp_path_factory.mktemp("prunus-daemon")
    workers = int(pytestconfig.getini("prunus_daemon_workers"))
    info = _start_with_session_path(home, workers)
    try:
        yield DaemonHandle(home, info)
    finally:
        started = daemon_pids(info)
        if daemon_pids(info):
            stop_daemon(home)
        left = daemon_pids(info)
        assert not left, f"prunus daemon processes left behind: {left} (of {started})"


@pytest.fixture
def prunus_daemon_client(prunus_daemon: DaemonHandle) -> Iterator[Client]:
    """A client of the session's daemon, closed after the test."""
    with prunus_daemon.connect() as client:
        yield client


def _start_with_session_path(home: Path, workers: int) -> dict[str, Any]:
    """Start the daemon with this session's import path, so that the daemon imports
    process classes from the same places the tests do (pytest adds test directories
    to ``sys.path``, which a child process would not otherwise see)."""
    saved = os.environ.get("PYTHONPATH")
    prefixes = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    paths = [p for p in sys.path if p and os.path.isdir(p) and not p.startswith(prefixes)]
    os.environ["PYTHONPATH"] = os.pathsep.join([*paths, *filter(None, [saved])])
    try:
        return start_daemon(home, workers=workers)
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved
