"""Turning command-line text into process classes and input values."""

from __future__ import annotations

import importlib
import json
from typing import Any

import click

from prunus.engine import Process

__all__ = ["load_process_class", "parse_inputs"]


def load_process_class(reference: str) -> type[Process]:
    """``package.module:ClassName`` -> the class, or a one-line click error."""
    module_name, _, class_name = reference.partition(":")
    if not module_name or not class_name:
        raise click.BadParameter(f"expected MODULE:CLASS, got '{reference}'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise click.BadParameter(f"cannot import module '{module_name}': {error}") from None
    target: Any = module
    for part in class_name.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise click.BadParameter(f"module '{module_name}' has no '{class_name}'")
    if not (isinstance(target, type) and issubclass(target, Process)):
        raise click.BadParameter(f"'{reference}' is not a prunus Process class")
    return target


def parse_inputs(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``key=value`` pairs -> nested dict; values parse as JSON when they can.

    Dotted keys reach into namespaces: ``params.cutoff=30`` -> ``{'params': {'cutoff': 30}}``.
    """
    inputs: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected key=value, got '{pair}'")
        try:
            value = json.loads(text)
        except ValueError:
            value = text
        *parents, leaf = key.split(".")
        target = inputs
        for part in parents:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise click.BadParameter(f"'{part}' is given both as a value and a namespace")
        target[leaf] = value
    return inputs
