"""Turning command-line text into process classes and input values.

Input files are read within limits by ``_data_files`` (the CLI's only YAML import).
Every problem here is a :class:`ProcessClassError` or a :class:`CliError`: one line
naming what to fix.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from prunus._text import shorten
from prunus.cli._data_files import read_data_file
from prunus.cli._errors import CliError
from prunus.engine import Process
from prunus.errors import ProcessClassError

__all__ = [
    "check_reference",
    "import_from_working_directory",
    "load_inputs_file",
    "load_process_class",
    "merge_inputs",
    "parse_inputs",
]


def load_process_class(reference: str) -> type[Process]:
    """``package.module:ClassName`` -> the class.

    Raises:
        ProcessClassError: malformed reference, a module that fails to import (for any
            reason: its own bugs included), or a name that is not a Process class.
    """
    module_name, _, class_name = reference.partition(":")
    if not module_name or not class_name:
        raise ProcessClassError(f"expected MODULE:CLASS, got '{shorten(reference)}'")
    import_from_working_directory()
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # a module's own bugs too: SyntaxError, NameError...
        raise ProcessClassError(
            f"cannot import module '{shorten(module_name)}': "
            f"{type(error).__name__}: {shorten(str(error), 300)}"
        ) from None
    target: Any = module
    for part in class_name.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise ProcessClassError(
                f"module '{shorten(module_name)}' has no '{shorten(class_name)}'"
            )
    if not (isinstance(target, type) and issubclass(target, Process)):
        raise ProcessClassError(f"'{shorten(reference)}' is not a prunus Process class")
    return target


def import_from_working_directory() -> None:
    """Let modules in the working directory import, like ``python -m`` and the daemon.

    Every command needs it, not only ``run``: ``watch``, ``pause``, ``play``, ``kill``
    and the console resume a home's processes, whose classes (``flows:Square``) must
    import here as they did where the processes were started.
    """
    try:
        here = os.getcwd()
    except OSError:  # the working directory was removed: nothing there to import
        return
    if here not in sys.path:
        sys.path.insert(0, here)


def check_reference(reference: str) -> str:
    """A ``MODULE:CLASS`` reference, checked for form only (a daemon imports it)."""
    module_name, _, class_name = reference.partition(":")
    if not module_name or not class_name:
        raise ProcessClassError(f"expected MODULE:CLASS, got '{shorten(reference)}'")
    return reference


def parse_inputs(pairs: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """``key=value`` pairs -> nested dict; values parse as JSON when they can.

    Dotted keys reach into namespaces: ``params.cutoff=30`` -> ``{'params': {'cutoff': 30}}``.
    A value that is not JSON stays a string, so ``name=run1`` needs no quotes. A later
    value replaces an earlier one of the same key, but a key given both as a value and
    as a namespace is an error in either order (``-i v.a=1 -i v=2`` must not drop
    ``v.a``), and so is an empty part of a dotted key (``v..a``).
    """
    inputs: dict[str, Any] = {}
    namespaces: set[tuple[str, ...]] = set()  # made by dotted keys
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise CliError(f"-i: expected key=value, got '{shorten(pair)}'")
        *parents, leaf = parts = key.split(".")
        if not all(parts):
            raise CliError(f"-i {shorten(key)}: a dotted key has an empty part")
        value = _json_or_text(key, text)
        target = inputs
        for depth, part in enumerate(parents):
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                name = ".".join(parts[: depth + 1])
                raise CliError(f"-i {shorten(name)}: given both as a value and as a namespace")
            namespaces.add(tuple(parts[: depth + 1]))
        if tuple(parts) in namespaces:
            raise CliError(f"-i {shorten(key)}: given both as a namespace and as a value")
        target[leaf] = value
    return inputs


def _json_or_text(key: str, text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise CliError(f"-i {shorten(key)}: the JSON value is nested too deeply") from None
    except ValueError:
        return text


def load_inputs_file(path: str) -> dict[str, Any]:
    """The inputs in a ``.json``, ``.yaml`` or ``.yml`` file: one mapping at the top."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise CliError(f"--inputs {path}: expected a .json, .yaml or .yml file")
    try:
        data = read_data_file(Path(path), "json" if suffix == ".json" else "yaml")
    except OSError as error:
        raise CliError(f"--inputs {path}: {error.strerror or error}") from None
    except ValueError as error:
        raise CliError(f"--inputs {path}: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CliError(f"--inputs {path}: expected a mapping of inputs, got {type(data).__name__}")
    return data


def merge_inputs(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` on top, merging nested namespaces key by key, so
    ``-i params.cutoff=30`` changes one value of a file's ``params``."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_inputs(merged[key], value)
        else:
            merged[key] = value
    return merged
