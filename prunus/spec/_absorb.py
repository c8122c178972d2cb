"""Copying one namespace's ports into another: the core of ``expose_inputs``/``outputs``.

Kept apart from :class:`PortNamespace` because the include/exclude rules (dotted names,
a namespace named whole or in part) are their own small language.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from prunus.errors import _describe

if TYPE_CHECKING:
    from prunus.spec._namespace import PortNamespace

__all__ = ["absorb_ports"]

SEPARATOR = "."  # PortNamespace.NAMESPACE_SEPARATOR

# The properties ``absorb`` copies from the absorbed namespace and ``namespace_options``
# may override. ``dynamic`` comes before ``valid_type`` so that a valid_type, which
# implies dynamic, wins over an explicit ``dynamic=False`` as it does in the constructor.
NAMESPACE_PROPERTIES = (
    "help",
    "required",
    "validator",
    "default",
    "populate_defaults",
    "dynamic",
    "valid_type",
)


def absorb_ports(
    target: PortNamespace,
    source: PortNamespace,
    exclude: Sequence[str] | None,
    include: Sequence[str] | None,
    namespace_options: Mapping[str, Any] | None,
    copy_properties: bool,
) -> list[str]:
    """See :meth:`PortNamespace.absorb`."""
    from prunus.spec._namespace import PortNamespace  # (imports this module)

    if not isinstance(source, PortNamespace):
        raise TypeError(f"can only absorb a PortNamespace, got {_describe(source)}")
    if exclude is not None and include is not None:
        raise ValueError("exclude and include are mutually exclusive; give one of them")
    for rules in (exclude, include):
        if isinstance(rules, str):
            raise TypeError(f"exclude and include take a list of names, got {rules!r}")
    options = dict(namespace_options or {})
    unknown = sorted(set(options) - set(NAMESPACE_PROPERTIES))
    if unknown:
        raise ValueError(
            f"unknown namespace_options {unknown}; supported: {', '.join(NAMESPACE_PROPERTIES)}"
        )
    for prop in NAMESPACE_PROPERTIES:
        if prop in options:
            setattr(target, prop, options[prop])
        elif copy_properties:
            setattr(target, prop, getattr(source, prop))

    absorbed: list[str] = []
    for name, port in source.items():
        if exclude is not None and name in exclude:
            continue
        if include is not None and not _is_selected(name, include):
            continue
        if isinstance(port, PortNamespace):
            whole = include is None or name in include
            clone = copy.copy(port)
            clone._ports = {}
            clone.absorb(
                port,
                exclude=_strip_prefix(name, exclude),
                include=None if whole else _strip_prefix(name, include),
            )
            target[name] = clone
        else:
            target[name] = copy.deepcopy(port)
        absorbed.append(name)
    return absorbed


def _is_selected(name: str, include: Sequence[str]) -> bool:
    """Whether ``include`` names ``name`` itself or something inside it."""
    prefix = name + SEPARATOR
    return name in include or any(rule.startswith(prefix) for rule in include)


def _strip_prefix(namespace: str, rules: Sequence[str] | None) -> list[str] | None:
    """The rules below ``namespace``, relative to it: ``base.sub.a`` -> ``sub.a``."""
    if rules is None:
        return None
    prefix = namespace + SEPARATOR
    return [rule[len(prefix) :] for rule in rules if rule.startswith(prefix)]
