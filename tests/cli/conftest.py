"""Fixtures of the CLI tests: a daemon per module, and no ambient PRUNUS_HOME."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import running_daemon


@pytest.fixture(scope="module")
def daemon_home(tmp_path_factory) -> Iterator[Path]:
    """A daemon of its own for each test module (started in 0.5 s; none left after)."""
    home = tmp_path_factory.mktemp("cli-daemon")
    with running_daemon(home):
        yield home


@pytest.fixture(autouse=True)
def _no_ambient_home(monkeypatch) -> None:
    """A PRUNUS_HOME of the developer's must not leak into what a test opens."""
    monkeypatch.delenv("PRUNUS_HOME", raising=False)
