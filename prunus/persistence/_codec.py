"""The storage encoding: msgpack with an explicit table of extension types.

This is the only module in prunus that imports msgpack. Decoding never executes code
named by the data: no pickle, no import by name, no eval. A registered user type is
found by the name it was registered under, in this process's registry; an unknown name
is an error, never an import.

Extension codes (msgpack ext type numbers; the payload is itself msgpack unless noted).
Stored bytes depend on these numbers: never renumber one, only append.

====  ==================  =============================================================
code  type                payload
====  ==================  =============================================================
1     tuple               list of items
2     set                 list of items
3     frozenset           list of items
4     datetime            [year, month, day, hour, minute, second, microsecond, fold,
                          zone]; zone is nil (naive), a ZoneInfo key (str), or
                          [utc offset in microseconds, name or nil] for a
                          ``datetime.timezone`` (nil name: the default ``UTC+hh:mm``)
5     date                ISO text (not msgpack)
6     timedelta           [days, seconds, microseconds]
7     Decimal             its ``str`` (not msgpack): keeps exponent, sign, NaN
8     UUID                16 raw bytes (not msgpack)
9     complex             [real, imag]
10    big int             two's complement, big-endian bytes (not msgpack); only ints
                          outside msgpack's 64-bit range
11    bytearray           raw bytes (not msgpack). Decoding only: msgpack's packer
                          writes every bytearray as bin before any hook can see it, so
                          a bytearray is stored, and comes back, as bytes
12    AttributesDict      map
13    numpy.ndarray       [dtype str, shape, C-order raw bytes]; numeric/bool dtypes only
14    registered type     [name, data] where data = to_data(value)
15    numpy scalar        [dtype str, raw bytes]; numeric/bool dtypes only
====  ==================  =============================================================

Everything else msgpack stores natively (None, bool, 64-bit int, float, str, bytes,
list, dict with keys of any storable hashable type). Values are packed with
``strict_types``, so subclasses (an unregistered Enum, a dict subclass) are refused
rather than silently stored as their base type; the exception is a ``str`` subclass
declared with :func:`store_as_str` (``prunus.Pid``), stored as the plain text it is.

The canonical encoding for hashing (memo keys) is in :mod:`._codec_canonical`; the tables
of registered and ``store_as_str`` types, with their rules, in :mod:`._codec_registry`.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import functools
import sys
import threading
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

import msgpack

from prunus._attributes_dict import AttributesDict
from prunus.errors import CodecError
from prunus.persistence._codec_problems import (
    Unstorable,
    describe_error,
    raise_codec_error,
    type_name,
    unstorable_reason,
)
from prunus.persistence._codec_registry import ENCODERS as _ENCODERS
from prunus.persistence._codec_registry import NAMES as _NAMES
from prunus.persistence._codec_registry import REGISTRY as _REGISTRY
from prunus.persistence._codec_registry import register_type, registered, store_as_str

__all__ = [
    "decode",
    "decode_all",
    "encode",
    "register_type",
    "store_as_str",
]

_TUPLE, _SET, _FROZENSET, _DATETIME, _DATE, _TIMEDELTA = 1, 2, 3, 4, 5, 6
_DECIMAL, _UUID, _COMPLEX, _BIGINT, _BYTEARRAY, _ATTRDICT, _NDARRAY, _USER = range(7, 15)
_NPSCALAR = 15

_NUMERIC_KINDS = "biufc"  # numpy dtype kinds stored as raw bytes: bool, ints, floats
_KEEP_BUFFER = 1 << 20  # a packer whose buffer grew past this is dropped after use


# ---- packing ------------------------------------------------------------------------


class _Packers(threading.local):
    """Reusable packers, one per nesting depth (an ext payload is packed while its
    parent is being packed, and a Packer is not re-entrant). Reuse matters: a fresh
    ``packb`` allocates a 256 KiB buffer each call, which made encoding 4x slower."""

    def __init__(self) -> None:
        self.stack: list[Any] = []
        self.depth = 0


_PACKERS = _Packers()


def _pack(value: Any) -> bytes:
    local = _PACKERS
    depth, stack = local.depth, local.stack
    if depth == len(stack):
        stack.append(msgpack.Packer(default=_default, strict_types=True, use_bin_type=True))
    local.depth = depth + 1
    try:
        blob: bytes = stack[depth].pack(value)
    finally:
        local.depth = depth
    if len(blob) > _KEEP_BUFFER:  # do not keep a huge buffer alive per thread
        del stack[depth:]
    return blob


# ExtType's own constructor re-checks its arguments in Python (1.2 us, once per ctx in
# every checkpoint); ours are an int code and bytes by construction.
_new_ext = functools.partial(tuple.__new__, msgpack.ExtType)


def _ext(code: int, data: Any) -> msgpack.ExtType:
    return _new_ext((code, _pack(data)))  # type: ignore[no-any-return]


def _encode_bigint(value: int) -> msgpack.ExtType:
    # Reached only outside the 64-bit range; bytes, not decimal text, so the
    # interpreter's limit on int<->str digits does not apply.
    return msgpack.ExtType(_BIGINT, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def _encode_datetime(value: _dt.datetime) -> msgpack.ExtType:
    tz = value.tzinfo
    zone: Any
    if tz is None:
        zone = None
    elif type(tz) is _dt.timezone:
        offset = tz.utcoffset(None)
        name = tz.tzname(None)
        zone = [offset // _dt.timedelta(microseconds=1), None]
        if name != _dt.timezone(offset).tzname(None):
            zone[1] = name
    elif isinstance(tz, zoneinfo.ZoneInfo) and tz.key is not None:
        zone = tz.key
    else:
        raise Unstorable(
            f"cannot encode a datetime with tzinfo of type {type_name(type(tz))}; "
            "use zoneinfo.ZoneInfo or datetime.timezone"
        )
    parts = [value.year, value.month, value.day, value.hour, value.minute, value.second]
    return _ext(_DATETIME, [*parts, value.microsecond, value.fold, zone])


_ENCODERS.update(
    {
        tuple: lambda v: _ext(_TUPLE, list(v)),
        AttributesDict: lambda v: _ext(_ATTRDICT, dict(v)),
        int: _encode_bigint,
        set: lambda v: _ext(_SET, list(v)),
        frozenset: lambda v: _ext(_FROZENSET, list(v)),
        _dt.datetime: _encode_datetime,
        _dt.date: lambda v: msgpack.ExtType(_DATE, v.isoformat().encode()),
        _dt.timedelta: lambda v: _ext(_TIMEDELTA, [v.days, v.seconds, v.microseconds]),
        decimal.Decimal: lambda v: msgpack.ExtType(_DECIMAL, str(v).encode()),
        uuid.UUID: lambda v: msgpack.ExtType(_UUID, v.bytes),
        complex: lambda v: _ext(_COMPLEX, [v.real, v.imag]),
    }
)


def _default(value: Any) -> Any:
    """msgpack's hook for everything it does not pack natively (fast path: one lookup)."""
    kind = type(value)
    encoder = _ENCODERS.get(kind)
    if encoder is not None:
        return encoder(value)
    name = _NAMES.get(kind)
    if name is not None:
        return _ext(_USER, [name, _REGISTRY[name].to_data(value)])
    if kind.__module__ == "numpy":
        return _encode_numpy(value)
    raise Unstorable(unstorable_reason(kind))


def _encode_numpy(value: Any) -> msgpack.ExtType:
    numpy = sys.modules["numpy"]  # a numpy value exists, so numpy is imported
    if type(value) is numpy.ndarray and value.dtype.kind in _NUMERIC_KINDS:
        # tobytes() is C order whatever the layout (ascontiguousarray would make a
        # 0-d array 1-d)
        return _ext(_NDARRAY, [value.dtype.str, list(value.shape), value.tobytes()])
    if isinstance(value, numpy.generic) and value.dtype.kind in _NUMERIC_KINDS:
        return _ext(_NPSCALAR, [value.dtype.str, value.tobytes()])
    raise Unstorable(
        f"cannot encode {type_name(type(value))} of dtype {value.dtype}; "
        "only numeric and bool numpy dtypes are stored"
    )


# ---- unpacking ----------------------------------------------------------------------


def _unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, ext_hook=_ext_hook, strict_map_key=False, raw=False)


def _ext_hook(code: int, payload: bytes) -> Any:
    decoder = _DECODERS.get(code)
    if decoder is None:
        raise CodecError(f"unknown extension type code {code}")
    return decoder(payload)


def _decode_datetime(payload: bytes) -> _dt.datetime:
    *parts, fold, zone = _unpack(payload)
    tz: _dt.tzinfo | None = None
    if isinstance(zone, str):
        tz = zoneinfo.ZoneInfo(zone)  # a tz database lookup by key, nothing imported
    elif zone is not None:
        micros, name = zone
        offset = _dt.timedelta(microseconds=micros)
        tz = _dt.timezone(offset) if name is None else _dt.timezone(offset, name)
    return _dt.datetime(*parts, tzinfo=tz, fold=fold)


def _decode_user(payload: bytes) -> Any:
    name, data = _unpack(payload)
    entry = _REGISTRY.get(name)
    if entry is None:
        raise CodecError(
            f"stored value of type {name!r} is not registered in this process "
            "(call prunus.register_type before loading)"
        )
    try:
        return entry.from_data(data)
    except Exception as error:
        raise CodecError(f"from_data for {name!r} failed: {describe_error(error)}") from None


def _numpy_dtype(text: Any) -> Any:
    try:
        import numpy
    except ImportError:
        raise CodecError("stored value is a numpy value but numpy is not installed") from None
    if not isinstance(text, str):
        raise CodecError(f"bad numpy dtype {text!r}")
    dtype = numpy.dtype(text)
    if dtype.kind not in _NUMERIC_KINDS:
        raise CodecError(f"refusing numpy dtype {text!r}")
    return numpy, dtype


def _decode_ndarray(payload: bytes) -> Any:
    text, shape, raw = _unpack(payload)
    numpy, dtype = _numpy_dtype(text)
    return numpy.frombuffer(raw, dtype=dtype).reshape(tuple(shape)).copy()


def _decode_npscalar(payload: bytes) -> Any:
    text, raw = _unpack(payload)
    numpy, dtype = _numpy_dtype(text)
    (value,) = numpy.frombuffer(raw, dtype=dtype)
    return value


_DECODERS: dict[int, Callable[[bytes], Any]] = {
    _TUPLE: lambda p: tuple(_unpack(p)),
    _SET: lambda p: set(_unpack(p)),
    _FROZENSET: lambda p: frozenset(_unpack(p)),
    _DATETIME: _decode_datetime,
    _DATE: lambda p: _dt.date.fromisoformat(p.decode()),
    _TIMEDELTA: lambda p: _dt.timedelta(*_unpack(p)),  # days, seconds, microseconds
    _DECIMAL: lambda p: decimal.Decimal(p.decode()),
    _UUID: lambda p: uuid.UUID(bytes=p),
    _COMPLEX: lambda p: complex(*_unpack(p)),
    _BIGINT: lambda p: int.from_bytes(p, "big", signed=True),
    _BYTEARRAY: bytearray,
    _ATTRDICT: lambda p: AttributesDict(_unpack(p)),
    _NDARRAY: _decode_ndarray,
    _USER: _decode_user,
    _NPSCALAR: _decode_npscalar,
}


# ---- public API ---------------------------------------------------------------------


def encode(value: Any, *, path_prefix: str = "") -> bytes:
    """``value`` as bytes.

    Args:
        path_prefix: how the caller names ``value`` in errors (``"ctx"``).

    Raises:
        CodecError: something in ``value`` cannot be stored; ``.path`` names where
            (``ctx.results[3]``, or ``<root>`` for ``value`` itself).
    """
    try:
        return _pack(value)
    except Exception as error:
        _raise_codec_error(value, path_prefix, error)


def _raise_codec_error(value: Any, path_prefix: str, error: Exception) -> NoReturn:
    raise_codec_error(value, path_prefix, error, _pack, registered)  # (_codec_problems)


def decode_all(blobs: Iterable[bytes], *, tuples: bool = False) -> list[Any]:
    """The values ``blobs`` encode, in order, as :func:`decode` gives each, decoded in
    one call (a listing reads thousands of small rows). ``tuples``: every array comes
    back as a tuple (cheaper to make; what a reader that only reads wants).

    Raises:
        CodecError: one of them is not a valid encoding; the caller decodes them one
            by one to find which.
    """
    blobs = blobs if isinstance(blobs, (list, tuple)) else list(blobs)
    # One msgpack array of them all, one call into msgpack; a blob that is not one whole
    # value throws the count or the end off (ExtraData, or the length check below).
    joined = b"\xdd" + len(blobs).to_bytes(4, "big") + b"".join(blobs)
    try:
        values = msgpack.unpackb(
            joined, ext_hook=_ext_hook, strict_map_key=False, raw=False, use_list=not tuples
        )
    except CodecError:
        raise
    except Exception as error:  # msgpack and the ext decoders raise many kinds
        raise CodecError(f"undecodable data ({describe_error(error)})") from None
    if len(values) != len(blobs):
        raise CodecError("undecodable data (a value that is not whole)")
    return list(values) if tuples else values


def decode(data: bytes) -> Any:
    """The value ``data`` encodes.

    Raises:
        CodecError: the bytes are not a valid encoding (corrupt, truncated...).
    """
    try:
        return _unpack(data)
    except CodecError:
        raise
    except Exception as error:  # msgpack and the ext decoders raise many kinds
        raise CodecError(f"undecodable data ({describe_error(error)})") from None
