"""Fixtures of the CLI tests: a daemon per module, and no ambient PRUNUS_HOME."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import ROOT
from tests.conftest import running_daemon


@pytest.fixture(scope="module")
def daemon_home(tmp_path_factory) -> Iterator[Path]:
    """A daemon of its own for each test module (started in 0.5 s; none left after)."""
    home = tmp_path_factory.mktemp("cli-daemon")
    with running_daemon(home):
        yield home


@pytest.fixture(autouse=True)
def _no_ambient_home(monkeypatch, tmp_path) -> None:
    """A PRUNUS_HOME of the developer's must not leak into what a test opens, and the
    default home (./.prunus, where `prunus run` records) is the test's own."""
    monkeypatch.delenv("PRUNUS_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    # Daemons started here import test workflows through PYTHONPATH, not the cwd.
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
