"""The canonical encoding: equal values give equal bytes, in any process.

A second, deterministic encoding of the values the codec stores, for hashing (memo
keys): dict keys and set items are sorted by their own canonical bytes, every NaN is
one NaN, and a registered type is canonical through its ``to_data``. Its bytes decode
with :func:`._codec.decode` like any. It packs through :mod:`._codec` (which stays the
only msgpack import), reusing that module's private tables on purpose: they are one
format, kept apart only so each module reads as one concept.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from prunus._attributes_dict import AttributesDict
from prunus.persistence._codec import (
    _ATTRDICT,
    _COMPLEX,
    _ENCODERS,
    _FROZENSET,
    _NAMES,
    _REGISTRY,
    _SET,
    _USER,
    _ext,
    _pack,
    _raise_codec_error,
)
from prunus.persistence._codec_problems import MAX_DEPTH, Unstorable

__all__ = ["encode_canonical"]


class _Sorted:
    """An extension value whose items :func:`_canonical` already put in byte order."""

    __slots__ = ("code", "data")

    def __init__(self, code: int, data: Any) -> None:
        self.code, self.data = code, data


_ENCODERS[_Sorted] = lambda v: _ext(v.code, v.data)
_NAN = float("nan")  # one bit pattern for every NaN, so all NaNs hash alike


def _in_byte_order(pairs: Any, depth: int) -> list[tuple[bytes, Any, Any]]:
    """``(item, payload)`` pairs as ``(bytes, canonical item, payload)``, sorted by the
    canonical encoding of the item: an order defined for any mix of key types (1, "a",
    (2,)), unlike ``<``."""
    entries = []
    for item, payload in pairs:
        canon = _canonical(item, depth)
        entries.append((_pack(canon), canon, payload))
    entries.sort(key=lambda entry: entry[0])
    for first, second in itertools.pairwise(entries):
        if first[0] == second[0]:  # two NaN keys, a set of two NaNs: no canonical order
            raise Unstorable("two distinct keys or set items encode alike (NaN?)")
    return entries


def _sorted_map(value: dict[Any, Any], depth: int) -> dict[Any, Any]:
    entries = _in_byte_order(value.items(), depth)
    return {canon: _canonical(item, depth) for _, canon, item in entries}


def _canonical(value: Any, depth: int = 0) -> Any:
    """``value`` rebuilt so that packing it is deterministic (maps and sets sorted)."""
    if depth > MAX_DEPTH:
        raise Unstorable(f"the value is nested more than {MAX_DEPTH} levels deep")
    depth += 1
    kind = type(value)
    if kind is dict:
        return _sorted_map(value, depth)
    if kind is list or kind is tuple:
        return kind(_canonical(item, depth) for item in value)
    if kind is set or kind is frozenset:
        code = _SET if kind is set else _FROZENSET
        return _Sorted(
            code, [canon for _, canon, _ in _in_byte_order(((item, None) for item in value), depth)]
        )
    if kind is AttributesDict:
        return _Sorted(_ATTRDICT, _sorted_map(value, depth))
    if kind is float:
        return _NAN if math.isnan(value) else value
    if kind is complex:
        return _Sorted(_COMPLEX, [_canonical(value.real), _canonical(value.imag)])
    name = _NAMES.get(kind)
    if name is not None:
        return _Sorted(_USER, [name, _canonical(_REGISTRY[name].to_data(value), depth)])
    return value


def encode_canonical(value: Any, *, path_prefix: str = "") -> bytes:
    """``value`` as deterministic bytes: equal values (as the codec stores them) give
    equal bytes in any process, so a hash of them can name the value (a memo key).

    Dict keys and set items are sorted by their own canonical bytes, every NaN is one
    NaN, and a registered type is canonical through its ``to_data``. Slower than
    :func:`encode` (everything is rebuilt once); meant for keys, not checkpoints.

    Raises:
        CodecError: as :func:`encode`, and also for a value with no canonical order
            (two NaN keys in one dict).
    """
    try:
        return _pack(_canonical(value))
    except Exception as error:
        _raise_codec_error(value, path_prefix, error)
