"""The durability tests that take a mode run in three: embedded, on a daemon, and on
a client's private pool of hosts (``Client(home, workers=2)``, a third hosting of the
same home that must keep the same promises). The root conftest's ``client`` and
``open_runtime`` know all three; this folder only widens ``mode``."""

from __future__ import annotations

import pytest

from tests.conftest import MODES


@pytest.fixture(params=[*MODES, "workers"])
def mode(request) -> str:
    return request.param
