"""Which Python types the codec converts before packing, and how: the tables behind
:func:`register_type` and :func:`store_as_str`.

Kept apart from :mod:`._codec` (the only msgpack import) because this is the part a user
meets: the rules for declaring a type storable, and their errors. The codec's packer
looks up ``ENCODERS`` (filled by :mod:`._codec` with its built-in extension encoders,
and here with ``store_as_str`` types) and then ``NAMES``: one dict lookup each on the hot
path, so these are the codec's own dicts, not copies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from prunus.persistence._codec_problems import type_name

__all__ = ["ENCODERS", "NAMES", "NATIVE", "REGISTRY", "register_type", "registered", "store_as_str"]

NATIVE = (type(None), bool, int, float, str, bytes, bytearray, memoryview, list, dict)


class Registered(NamedTuple):
    """How a registered user type is converted to encodable data and back."""

    cls: type
    to_data: Callable[[Any], Any]
    from_data: Callable[[Any], Any]


REGISTRY: dict[str, Registered] = {}  # stored name -> how to convert
NAMES: dict[type, str] = {}  # class -> the name its values are stored under
# Exact type -> its encoder into something msgpack packs (the codec's built-in
# extension types, then store_as_str types). Invariant: no class is both here and in NAMES.
ENCODERS: dict[type, Callable[[Any], Any]] = {}


def register_type(
    cls: type,
    to_data: Callable[[Any], Any],
    from_data: Callable[[Any], Any],
    name: str | None = None,
) -> None:
    """Let values of exactly ``cls`` be stored (subclasses need their own registration).

    ``to_data(value)`` must return encodable data and ``from_data(data)`` rebuild the
    value. ``name`` (default ``module.QualName``) is what the stored bytes carry, so
    keep it stable across versions of your code; registering a class again under a new
    name keeps the old name decodable, which is how a stored type is renamed.

    Raises:
        ValueError: ``name`` is taken by another class, or ``cls`` is stored natively.
    """
    if not isinstance(cls, type):
        raise TypeError(f"register_type needs a class, got {cls!r}")
    if cls in NATIVE or cls in ENCODERS:
        raise ValueError(f"{cls.__qualname__} is stored natively and cannot be registered")
    if not (callable(to_data) and callable(from_data)):
        raise TypeError("to_data and from_data must be callables")
    key = name if name is not None else f"{cls.__module__}.{cls.__qualname__}"
    if not isinstance(key, str) or not key:
        raise ValueError(f"a registered type needs a non-empty str name, got {key!r}")
    existing = REGISTRY.get(key)
    if existing is not None and existing.cls is not cls:
        if type_name(existing.cls) != type_name(cls):  # a redefined class replaces
            raise ValueError(f"the name {key!r} is already registered for {existing.cls!r}")
        NAMES.pop(existing.cls, None)
    REGISTRY[key] = Registered(cls, to_data, from_data)
    NAMES[cls] = key


def store_as_str(cls: type) -> None:
    """Store values of ``cls``, a ``str`` subclass, as plain ``str`` (they decode as str).

    For wrappers that add behaviour but no data, such as ``prunus.Pid``: the stored
    text is the pid, and a reader without the wrapper loses nothing.
    """
    if not (isinstance(cls, type) and issubclass(cls, str)) or cls is str:
        raise TypeError(f"store_as_str needs a subclass of str, got {cls!r}")
    if cls in NAMES:
        raise ValueError(f"{cls.__qualname__} is already registered with register_type")
    ENCODERS[cls] = str.__str__  # an exact str copy, whatever cls overrides


def registered(kind: type) -> tuple[str, Callable[[Any], Any]] | None:
    """The stored name and ``to_data`` of a registered type, or None."""
    name = NAMES.get(kind)
    return None if name is None else (name, REGISTRY[name].to_data)
