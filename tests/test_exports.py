"""The public API is exactly ``prunus.__all__``, and every name in it exists."""

from __future__ import annotations

import importlib

import pytest

import prunus

PACKAGES = [
    "prunus",
    "prunus.spec",
    "prunus.engine",
    "prunus.actors",
    "prunus.control",
    "prunus.persistence",
    "prunus.conditions",
    "prunus.ui",
    "prunus.testing",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_name_in_all_is_defined(name):
    module = importlib.import_module(name)
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert missing == []
    assert len(set(module.__all__)) == len(module.__all__)


def test_plumpy_names_are_all_public():
    plumpy_names = {
        "Process",
        "WorkChain",
        "ProcessSpec",
        "WorkChainSpec",
        "Port",
        "InputPort",
        "OutputPort",
        "PortNamespace",
        "PortValidationError",
        "ProcessState",
        "Continue",
        "Wait",
        "Stop",
        "Kill",
        "if_",
        "while_",
        "return_",
        "ToContext",
        "ProcessListener",
        "KilledError",
        "AttributesDict",
        "ClosedError",
        "InvalidStateError",
        "UnsuccessfulResult",
    }
    assert plumpy_names <= set(prunus.__all__)


def test_the_version_is_a_string():
    assert isinstance(prunus.__version__, str) and prunus.__version__.count(".") == 2
