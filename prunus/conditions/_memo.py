"""Memo keys: the name of "this class, this version, these inputs", for reusing results.

A key is a SHA-256 over parts, each hashed on its own so ``prunus cache explain`` can
say which part differs from an earlier entry: the class's import path, the version
given to ``spec.cacheable``, and one part per input leaf (a port path and its value).
Values are hashed through the codec's canonical encoding: no pickle, and equal inputs
give equal keys in any process whatever the order of their dicts and sets.

A key is all or nothing. If one input cannot be encoded canonically the launch gets
no key (an :class:`Uncacheable` with the reason), never a key over the other inputs,
which could match a run that had a different value there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from prunus._attributes_dict import AttributesDict, FrozenAttributesDict
from prunus.errors import CodecError
from prunus.persistence._codec_canonical import encode_canonical
from prunus.spec import PortNamespace

__all__ = [
    "KEY_FORMAT",
    "KeyPart",
    "MemoEntry",
    "MemoKey",
    "Uncacheable",
    "memo_key",
    "nearest_entry",
]

#: Hashed into every key: bump it when the way keys are built changes, so old entries
#: simply stop matching instead of matching wrongly.
KEY_FORMAT = 1


@dataclass(frozen=True, slots=True)
class KeyPart:
    """One part of a key: ``class``, ``version``, or ``inputs.<port path>``."""

    label: str
    digest: str  # hex SHA-256 of the part's canonical encoding


@dataclass(frozen=True, slots=True)
class MemoKey:
    """The key of one launch: ``digest`` names it, ``parts`` explain it."""

    digest: str
    process_class: str  # ``module:QualName``
    parts: tuple[KeyPart, ...]

    def differing_parts(self, other: MemoKey) -> list[str]:
        """Labels of the parts that differ from ``other``'s (or that only one has)."""
        mine = {part.label: part.digest for part in self.parts}
        theirs = {part.label: part.digest for part in other.parts}
        labels = list(dict.fromkeys([*mine, *theirs]))
        return [label for label in labels if mine.get(label) != theirs.get(label)]

    def to_data(self) -> dict[str, Any]:
        """Plain data for the store; :meth:`from_data` inverts it."""
        return {
            "digest": self.digest,
            "process_class": self.process_class,
            "parts": [[part.label, part.digest] for part in self.parts],
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> MemoKey:
        try:
            parts = tuple(KeyPart(str(label), str(digest)) for label, digest in data["parts"])
            return cls(str(data["digest"]), str(data["process_class"]), parts)
        except (KeyError, TypeError, ValueError):
            raise CodecError(f"stored memo key is corrupt: {data!r:.80}") from None


@dataclass(frozen=True, slots=True)
class MemoEntry:
    """A cache entry: launches with ``key`` may reuse the outputs of ``pid``.

    Stored in the ``memo`` database under ``key.digest``; ``created`` (unix time)
    orders entries for ``cache list`` and breaks ties in :func:`nearest_entry`.
    """

    key: MemoKey
    pid: str
    created: float

    def to_data(self) -> dict[str, Any]:
        return {"key": self.key.to_data(), "pid": self.pid, "created": self.created}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> MemoEntry:
        try:
            return cls(MemoKey.from_data(data["key"]), str(data["pid"]), float(data["created"]))
        except (KeyError, TypeError, ValueError):
            raise CodecError(f"stored memo entry is corrupt: {data!r:.80}") from None


def nearest_entry(key: MemoKey, entries: Iterable[MemoEntry]) -> MemoEntry | None:
    """The entry of the same class whose key shares the most parts with ``key`` (the
    newest among equals), for ``cache explain`` on a miss; None if the class has none."""
    best: tuple[int, float] | None = None
    found = None
    mine = set(key.parts)
    for entry in entries:
        if entry.key.process_class != key.process_class:
            continue
        rank = (len(mine.intersection(entry.key.parts)), entry.created)
        if best is None or rank > best:
            best, found = rank, entry
    return found


@dataclass(frozen=True, slots=True)
class Uncacheable:
    """Why a launch of a cacheable class has no key (it runs, and is not cached)."""

    reason: str


def memo_key(process_class: type, inputs: Mapping[str, Any] | None) -> MemoKey | Uncacheable:
    """The key of launching ``process_class`` with ``inputs``.

    ``inputs`` are the launch inputs; defaults are applied and they are validated here
    (again, if the caller already did: both are idempotent), so ``Cls(x=1)`` and
    ``Cls(x=1, y=<default of y>)`` get the same key.

    Raises:
        ValueError: the class did not declare ``spec.cacheable(...)``.
        PortValidationError: the inputs do not fit the spec.
    """
    spec = process_class.spec()  # type: ignore[attr-defined]
    settings = spec.cache_settings
    name = process_class.qualified_name()  # type: ignore[attr-defined]
    if settings is None:
        raise ValueError(f"{name} is not cacheable: its define() does not call spec.cacheable")
    values = spec.pre_process_inputs(inputs)
    error = spec.validate_inputs(values)
    if error is not None:
        raise error
    ignored = {tuple(path.split(".")) for path in settings.ignore}
    parts = [_part("class", ["class", name]), _part("version", ["version", settings.version])]
    for path, value in sorted(_leaves(spec.inputs, values, ()), key=lambda leaf: leaf[0]):
        if any(path[: len(skip)] == skip for skip in ignored):
            continue
        label = "inputs." + ".".join(path)
        try:  # the value on its own first, so an error's path is the port's path
            encoded = encode_canonical(value, path_prefix=label)
        except CodecError as problem:
            where = problem.path.removeprefix("inputs.")
            return Uncacheable(f"input '{where}' cannot be part of a memo key: {problem.reason}")
        parts.append(_part(label, ["input", list(path), encoded]))
    digest = _sha256(encode_canonical([KEY_FORMAT, [part.digest for part in parts]]))
    return MemoKey(digest, name, tuple(parts))


def _part(label: str, data: list[Any]) -> KeyPart:
    return KeyPart(label, _sha256(encode_canonical(data)))


def _sha256(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def _leaves(
    namespace: PortNamespace, values: Mapping[str, Any], path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Any]]:
    """``(port path, value)`` for every input, down through declared namespaces.

    A namespace given as an empty mapping is a leaf of its own (``{}``), so it keys
    differently from an absent one. Values are keyed as the process sees them: it gets
    plain dicts and AttributesDicts alike as read-only AttributesDicts, so all key as
    dicts (also a read-only one, passed on from another process's inputs).
    """
    for name, value in values.items():
        port = namespace.ports.get(name)
        here = (*path, str(name))
        if isinstance(port, PortNamespace) and isinstance(value, Mapping) and value:
            yield from _leaves(port, value, here)
        else:
            yield here, _as_seen(value)


_MAPPINGS = (dict, AttributesDict, FrozenAttributesDict)


def _as_seen(value: Any) -> Any:
    if type(value) in _MAPPINGS:
        return {key: _as_seen(item) for key, item in value.items()}
    return value
