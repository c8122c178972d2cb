"""Checks on launch inputs that need a walk of their own: too deep, or recursive, and
which input paths a default filled in. Kept out of :mod:`._process` (the user's API).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prunus.errors import PortValidationError

__all__ = ["defaulted_paths", "nesting_error"]

_MAX_INPUT_DEPTH = 500  # the store keeps no deeper values (msgpack stops at 511)


def nesting_error(inputs: Mapping[str, Any]) -> PortValidationError:
    """Why ``inputs`` are too deep to walk: a dict that contains itself, or nesting past
    what the store keeps. Looked for only after a RecursionError, without recursion."""
    active: set[int] = set()
    stack: list[tuple[Any, tuple[str, ...]]] = [(inputs, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, int):  # only dicts are pushed: this marks leaving one
            active.discard(value)
            continue
        if id(value) in active:
            return PortValidationError("the value contains itself (a recursive structure)", path)
        if len(path) > _MAX_INPUT_DEPTH:
            where = (*path[:6], "...")  # (the port, and enough to recognise the value)
            return PortValidationError(f"nested more than {_MAX_INPUT_DEPTH} levels deep", where)
        active.add(id(value))
        stack.append((id(value), path))
        for key, item in value.items():
            if isinstance(item, dict):
                stack.append((item, (*path, str(key)[:40])))
    return PortValidationError("the value is nested too deeply")


def defaulted_paths(
    given: Mapping[str, Any], parsed: Mapping[str, Any], prefix: str = ""
) -> list[str]:
    """Dotted paths that are in ``parsed`` (defaults filled) but were not ``given``."""
    paths: list[str] = []
    for key, value in parsed.items():
        path = f"{prefix}{key}"
        if key not in given:
            paths.append(path)
        elif isinstance(value, Mapping) and isinstance(given[key], Mapping):
            paths.extend(defaulted_paths(given[key], value, path + "."))
    return paths
