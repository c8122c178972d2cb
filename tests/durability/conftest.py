"""The durability tests that take a mode run in three: embedded, on a daemon, and on
a client's private pool of hosts (``Client(home, workers=2)``, a third hosting of the
same home that must keep the same promises)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from prunus import Client
from tests.conftest import MODES, running_daemon

WORKERS = 2


@pytest.fixture(params=[*MODES, "workers"])
def mode(request) -> str:
    return request.param


@pytest.fixture
def client(mode, request, tmp_path) -> Iterator[Client]:
    if mode == "embedded":
        with Client() as embedded:
            yield embedded
    elif mode == "workers":
        with Client(tmp_path / "pool-home", workers=WORKERS) as pooled:
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
