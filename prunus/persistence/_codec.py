"""The storage encoding: msgpack with an explicit table of extension types.

This is the only module in prunus that imports msgpack. Decoding never executes code:
no pickle, no import by name, no eval. A registered user type is found by the name it
was registered under, in this process's registry; an unknown name is an error.

Extension codes (msgpack ext type numbers; the payload is itself msgpack unless noted):

====  ==================  =============================================================
code  type                payload
====  ==================  =============================================================
1     tuple               list of items
2     set                 list of items
3     frozenset           list of items
4     datetime            [iso text, zone]; zone is None (naive), a ZoneInfo key, or
                          a fixed UTC offset in seconds
5     date                iso text
6     timedelta           [days, seconds, microseconds]
7     Decimal             text
8     UUID                16 raw bytes (not msgpack)
9     complex             [real, imag]
10    big int             decimal text (outside msgpack's 64-bit range)
11    bytearray           (decoding only: msgpack packs bytearray natively as bin, so
                          a bytearray is stored, and comes back, as bytes)
12    AttributesDict      map
13    numpy.ndarray       [dtype str, shape, raw bytes]; plain numeric/bool dtypes only
14    registered type     [name, data] where data = to_data(value)
====  ==================  =============================================================
"""

from __future__ import annotations

import datetime as _dt
import decimal
import uuid
from collections.abc import Callable
from typing import Any

import msgpack

from prunus._attributes_dict import AttributesDict
from prunus.errors import CheckpointError, CodecError

__all__ = [
    "CHECKPOINT_FORMAT",
    "decode",
    "decode_checkpoint",
    "encode",
    "encode_checkpoint",
    "register_type",
]

CHECKPOINT_FORMAT = 1

_TUPLE, _SET, _FROZENSET, _DATETIME, _DATE, _TIMEDELTA = 1, 2, 3, 4, 5, 6
_DECIMAL, _UUID, _COMPLEX, _BIGINT, _BYTEARRAY, _ATTRDICT, _NDARRAY, _USER = range(7, 15)

_INT64_MIN, _UINT64_MAX = -(2**63), 2**64 - 1

# name -> (cls, to_data, from_data); cls -> name
_REGISTRY: dict[str, tuple[type, Callable[[Any], Any], Callable[[Any], Any]]] = {}
_NAMES: dict[type, str] = {}


def register_type(
    cls: type,
    to_data: Callable[[Any], Any],
    from_data: Callable[[Any], Any],
    name: str | None = None,
) -> None:
    """Let values of ``cls`` be stored: ``to_data(value)`` must return encodable data
    and ``from_data(data)`` rebuild the value. ``name`` (default ``module.QualName``) is
    what the stored bytes carry, so keep it stable across versions of your code.
    """
    key = name or f"{cls.__module__}.{cls.__qualname__}"
    existing = _REGISTRY.get(key)
    if existing is not None and existing[0] is not cls:
        raise ValueError(f"the name {key!r} is already registered for {existing[0]!r}")
    _REGISTRY[key] = (cls, to_data, from_data)
    _NAMES[cls] = key


def _pack(value: Any) -> bytes:
    return msgpack.packb(value, default=_default, strict_types=True, use_bin_type=True)


def _unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, ext_hook=_ext_hook, strict_map_key=False, raw=False)


def _zone(value: _dt.datetime) -> Any:
    tz = value.tzinfo
    if tz is None:
        return None
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return key
    offset = value.utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


def _default(value: Any) -> Any:
    kind = type(value)
    if kind is tuple:
        return msgpack.ExtType(_TUPLE, _pack(list(value)))
    if kind is AttributesDict:
        return msgpack.ExtType(_ATTRDICT, _pack(dict(value)))
    if kind is int:  # only reached outside the 64-bit range
        return msgpack.ExtType(_BIGINT, str(value).encode())
    if kind is set:
        return msgpack.ExtType(_SET, _pack(list(value)))
    if kind is frozenset:
        return msgpack.ExtType(_FROZENSET, _pack(list(value)))
    if kind is _dt.datetime:
        naive = value.replace(tzinfo=None)
        return msgpack.ExtType(_DATETIME, _pack([naive.isoformat(), _zone(value)]))
    if kind is _dt.date:
        return msgpack.ExtType(_DATE, value.isoformat().encode())
    if kind is _dt.timedelta:
        return msgpack.ExtType(_TIMEDELTA, _pack([value.days, value.seconds, value.microseconds]))
    if kind is decimal.Decimal:
        return msgpack.ExtType(_DECIMAL, str(value).encode())
    if kind is uuid.UUID:
        return msgpack.ExtType(_UUID, value.bytes)
    if kind is complex:
        return msgpack.ExtType(_COMPLEX, _pack([value.real, value.imag]))
    if kind is bytearray:
        return msgpack.ExtType(_BYTEARRAY, bytes(value))
    name = _NAMES.get(kind)
    if name is not None:
        return msgpack.ExtType(_USER, _pack([name, _REGISTRY[name][1](value)]))
    if _is_ndarray(value):
        return msgpack.ExtType(_NDARRAY, _pack(_ndarray_data(value)))
    raise TypeError(kind)


def _ext_hook(code: int, payload: bytes) -> Any:
    if code == _TUPLE:
        return tuple(_unpack(payload))
    if code == _ATTRDICT:
        return AttributesDict(_unpack(payload))
    if code == _SET:
        return set(_unpack(payload))
    if code == _FROZENSET:
        return frozenset(_unpack(payload))
    if code == _DATETIME:
        text, zone = _unpack(payload)
        value = _dt.datetime.fromisoformat(text)
        if zone is None:
            return value
        if isinstance(zone, int):
            return value.replace(tzinfo=_dt.timezone(_dt.timedelta(seconds=zone)))
        from zoneinfo import ZoneInfo

        return value.replace(tzinfo=ZoneInfo(zone))
    if code == _DATE:
        return _dt.date.fromisoformat(payload.decode())
    if code == _TIMEDELTA:
        days, seconds, micro = _unpack(payload)
        return _dt.timedelta(days=days, seconds=seconds, microseconds=micro)
    if code == _DECIMAL:
        return decimal.Decimal(payload.decode())
    if code == _UUID:
        return uuid.UUID(bytes=payload)
    if code == _COMPLEX:
        real, imag = _unpack(payload)
        return complex(real, imag)
    if code == _BIGINT:
        return int(payload.decode())
    if code == _BYTEARRAY:
        return bytearray(payload)
    if code == _NDARRAY:
        return _ndarray_from(_unpack(payload))
    if code == _USER:
        name, data = _unpack(payload)
        entry = _REGISTRY.get(name)
        if entry is None:
            raise CodecError(
                f"stored value of type {name!r} is not registered in this process "
                "(call prunus.register_type before loading)"
            )
        return entry[2](data)
    raise CodecError(f"unknown extension type code {code}")


def _is_ndarray(value: Any) -> bool:
    return type(value).__module__ == "numpy" and type(value).__name__ == "ndarray"


def _ndarray_data(array: Any) -> list[Any]:
    if array.dtype.kind not in "biufc":
        raise TypeError(type(array))
    import numpy

    contiguous = numpy.ascontiguousarray(array)
    return [contiguous.dtype.str, list(contiguous.shape), contiguous.tobytes()]


def _ndarray_from(data: list[Any]) -> Any:
    try:
        import numpy
    except ImportError:
        raise CodecError("stored value is a numpy array but numpy is not installed") from None
    dtype_text, shape, raw = data
    dtype = numpy.dtype(dtype_text)
    if dtype.kind not in "biufc":
        raise CodecError(f"refusing numpy dtype {dtype_text!r}")
    return numpy.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def encode(value: Any, *, path_prefix: str = "") -> bytes:
    """``value`` as bytes.

    Raises:
        CodecError: something in ``value`` cannot be stored; ``.path`` names where
            (``ctx.results[3]``).
    """
    try:
        return _pack(value)
    except (TypeError, ValueError, OverflowError):
        path, culprit = _find_unencodable(value, path_prefix)
        raise CodecError(
            f"cannot encode value of type {type(culprit).__qualname__}; "
            "register it with prunus.register_type",
            path or "<root>",
        ) from None


def decode(data: bytes) -> Any:
    """The value ``data`` encodes.

    Raises:
        CodecError: the bytes are not a valid encoding (corrupt, truncated...).
    """
    try:
        return _unpack(data)
    except CodecError:
        raise
    except Exception as error:  # msgpack and the ext hooks raise many kinds
        raise CodecError(f"undecodable data ({type(error).__name__}: {error})") from None


def encode_checkpoint(data: dict[str, Any]) -> bytes:
    """A checkpoint: ``data`` in a versioned envelope."""
    return encode({"format": CHECKPOINT_FORMAT, "body": data})


def decode_checkpoint(blob: bytes) -> dict[str, Any]:
    """The body of a checkpoint written by :func:`encode_checkpoint`.

    Raises:
        CheckpointError: corrupt, not a checkpoint, or of an unknown format version.
    """
    try:
        envelope = decode(blob)
    except CodecError as error:
        raise CheckpointError(f"corrupt checkpoint: {error}") from None
    if not isinstance(envelope, dict) or "format" not in envelope or "body" not in envelope:
        raise CheckpointError("corrupt checkpoint: not a checkpoint envelope")
    if envelope["format"] != CHECKPOINT_FORMAT:
        raise CheckpointError(
            f"checkpoint format {envelope['format']!r} is not supported "
            f"(this prunus reads format {CHECKPOINT_FORMAT})"
        )
    body = envelope["body"]
    if not isinstance(body, dict):
        raise CheckpointError("corrupt checkpoint: its body is not a mapping")
    return body


def _find_unencodable(value: Any, path: str) -> tuple[str, Any]:
    """Walk ``value`` to the first part that does not encode (slow path, errors only)."""
    kind = type(value)
    if kind in (dict, AttributesDict):
        for key, item in value.items():
            if not _encodes(key):
                return f"{path}[{key!r}]", key
            child = (
                f"{path}.{key}"
                if isinstance(key, str) and path
                else (key if isinstance(key, str) else f"{path}[{key!r}]")
            )
            if not _encodes(item):
                return _find_unencodable(item, str(child))
        return path, value
    if kind in (list, tuple, set, frozenset):
        for index, item in enumerate(value):
            if not _encodes(item):
                return _find_unencodable(item, f"{path}[{index}]")
        return path, value
    return path, value


def _encodes(value: Any) -> bool:
    try:
        _pack(value)
    except (TypeError, ValueError, OverflowError):
        return False
    return True
