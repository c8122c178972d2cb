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

:func:`encode_canonical` is a second, deterministic encoding of the same values for
hashing (memo keys): equal values give equal bytes whatever the insertion order of a
dict or the iteration order of a set. Its bytes decode with :func:`decode` like any.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import itertools
import math
import sys
import threading
import uuid
import zoneinfo
from collections.abc import Callable
from typing import Any, NamedTuple, NoReturn

import msgpack

from prunus._attributes_dict import AttributesDict
from prunus.errors import CheckpointError, CodecError

__all__ = [
    "CHECKPOINT_FORMAT",
    "decode",
    "decode_checkpoint",
    "encode",
    "encode_canonical",
    "encode_checkpoint",
    "register_type",
    "store_as_str",
]

CHECKPOINT_FORMAT = 1

_TUPLE, _SET, _FROZENSET, _DATETIME, _DATE, _TIMEDELTA = 1, 2, 3, 4, 5, 6
_DECIMAL, _UUID, _COMPLEX, _BIGINT, _BYTEARRAY, _ATTRDICT, _NDARRAY, _USER = range(7, 15)
_NPSCALAR = 15

_NUMERIC_KINDS = "biufc"  # numpy dtype kinds stored as raw bytes: bool, ints, floats
_NATIVE = (type(None), bool, int, float, str, bytes, bytearray, memoryview, list, dict)
_KEEP_BUFFER = 1 << 20  # a packer whose buffer grew past this is dropped after use


class _Registered(NamedTuple):
    cls: type
    to_data: Callable[[Any], Any]
    from_data: Callable[[Any], Any]


_REGISTRY: dict[str, _Registered] = {}  # stored name -> how to convert
_NAMES: dict[type, str] = {}  # class -> the name its values are stored under


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
    if cls in _NATIVE or cls in _ENCODERS:
        raise ValueError(f"{cls.__qualname__} is stored natively and cannot be registered")
    if not (callable(to_data) and callable(from_data)):
        raise TypeError("to_data and from_data must be callables")
    key = name if name is not None else f"{cls.__module__}.{cls.__qualname__}"
    if not isinstance(key, str) or not key:
        raise ValueError(f"a registered type needs a non-empty str name, got {key!r}")
    existing = _REGISTRY.get(key)
    if existing is not None and existing.cls is not cls:
        if _type_name(existing.cls) != _type_name(cls):  # a redefined class replaces
            raise ValueError(f"the name {key!r} is already registered for {existing.cls!r}")
        _NAMES.pop(existing.cls, None)
    _REGISTRY[key] = _Registered(cls, to_data, from_data)
    _NAMES[cls] = key


def store_as_str(cls: type) -> None:
    """Store values of ``cls``, a ``str`` subclass, as plain ``str`` (they decode as str).

    For wrappers that add behaviour but no data, such as ``prunus.Pid``: the stored
    text is the pid, and a reader without the wrapper loses nothing.
    """
    if not (isinstance(cls, type) and issubclass(cls, str)) or cls is str:
        raise TypeError(f"store_as_str needs a subclass of str, got {cls!r}")
    if cls in _NAMES:
        raise ValueError(f"{cls.__qualname__} is already registered with register_type")
    _ENCODERS[cls] = str.__str__  # an exact str copy, whatever cls overrides


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


def _ext(code: int, data: Any) -> msgpack.ExtType:
    return msgpack.ExtType(code, _pack(data))


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
        raise _Unstorable(
            f"cannot encode a datetime with tzinfo of type {_type_name(type(tz))}; "
            "use zoneinfo.ZoneInfo or datetime.timezone"
        )
    parts = [value.year, value.month, value.day, value.hour, value.minute, value.second]
    return _ext(_DATETIME, [*parts, value.microsecond, value.fold, zone])


_ENCODERS: dict[type, Callable[[Any], Any]] = {
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

# ---- canonical form (for hashing) ---------------------------------------------------


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
            raise _Unstorable("two distinct keys or set items encode alike (NaN?)")
    return entries


def _sorted_map(value: dict[Any, Any], depth: int) -> dict[Any, Any]:
    entries = _in_byte_order(value.items(), depth)
    return {canon: _canonical(item, depth) for _, canon, item in entries}


def _canonical(value: Any, depth: int = 0) -> Any:
    """``value`` rebuilt so that packing it is deterministic (maps and sets sorted)."""
    if depth > _MAX_DEPTH:
        raise _Unstorable(f"the value is nested more than {_MAX_DEPTH} levels deep")
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
    raise _Unstorable(_unstorable_reason(kind))


def _encode_numpy(value: Any) -> msgpack.ExtType:
    numpy = sys.modules["numpy"]  # a numpy value exists, so numpy is imported
    if type(value) is numpy.ndarray and value.dtype.kind in _NUMERIC_KINDS:
        # tobytes() is C order whatever the layout (ascontiguousarray would make a
        # 0-d array 1-d)
        return _ext(_NDARRAY, [value.dtype.str, list(value.shape), value.tobytes()])
    if isinstance(value, numpy.generic) and value.dtype.kind in _NUMERIC_KINDS:
        return _ext(_NPSCALAR, [value.dtype.str, value.tobytes()])
    raise _Unstorable(
        f"cannot encode {_type_name(type(value))} of dtype {value.dtype}; "
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
        raise CodecError(f"from_data for {name!r} failed: {_describe_error(error)}") from None


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


# ---- errors: where in a value the problem is (slow path, runs only on failure) ------

_MAX_DEPTH = 500  # msgpack refuses nesting deeper than 511 levels
_CONTAINERS = (dict, AttributesDict, list, tuple, set, frozenset)


class _Unstorable(TypeError):
    """Raised by the packing hook; its message is the reason a user reads."""


def _type_name(kind: type) -> str:
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def _unstorable_reason(kind: type) -> str:
    base = " (a dict subclass)" if issubclass(kind, dict) else ""
    return (
        f"cannot encode value of type {_type_name(kind)}{base}; "
        "register it with prunus.register_type"
    )


def _child_path(path: str, key: Any) -> str:
    if isinstance(key, str) and key.isidentifier():
        return f"{path}.{key}" if path else key
    return f"{path}[{key!r}]"


def _find_problem(value: Any, path: str, active: set[int], depth: int) -> tuple[str, str] | None:
    """The path of the first part of ``value`` that does not encode, and why."""
    if depth > _MAX_DEPTH:
        return path, f"the value is nested more than {_MAX_DEPTH} levels deep"
    kind = type(value)
    if kind in _CONTAINERS:
        if id(value) in active:
            return path, "the value contains itself (a reference cycle)"
        active.add(id(value))
        try:
            if kind is dict or kind is AttributesDict:
                for key, item in value.items():
                    child = _child_path(path, key)
                    bad_key = _find_problem(key, child, active, depth + 1)
                    if bad_key is not None:
                        return child, f"dict key: {bad_key[1]}"
                    problem = _find_problem(item, child, active, depth + 1)
                    if problem is not None:
                        return problem
            else:
                for index, item in enumerate(value):
                    problem = _find_problem(item, f"{path}[{index}]", active, depth + 1)
                    if problem is not None:
                        return problem
        finally:
            active.discard(id(value))
        return None
    name = _NAMES.get(kind)
    if name is not None:
        try:
            data = _REGISTRY[name].to_data(value)
        except Exception as error:
            return path, f"to_data for {name!r} raised {_describe_error(error)}"
        inner = _find_problem(data, "", active, depth + 1)
        if inner is None or inner[1].startswith("to_data for"):
            return None if inner is None else (path, inner[1])
        where = f" at {inner[0]}" if inner[0] else ""
        return path, f"to_data for {name!r} returned data that cannot be encoded{where}: {inner[1]}"
    try:
        _pack(value)  # a leaf: it encodes on its own or not
    except _Unstorable as error:
        return path, str(error)
    except UnicodeEncodeError:
        return path, "cannot encode text that is not valid Unicode (a lone surrogate)"
    except Exception as error:
        return path, f"cannot encode value of type {_type_name(kind)} ({_describe_error(error)})"
    return None


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


def _raise_codec_error(value: Any, path_prefix: str, error: Exception) -> NoReturn:
    """Walk ``value`` again, slowly, to say where it fails: runs only on failure."""
    path, reason = _find_problem(value, path_prefix, set(), 0) or (
        path_prefix,
        str(error)
        if isinstance(error, _Unstorable)
        else f"cannot encode value ({_describe_error(error)})",
    )
    raise CodecError(reason, path or "<root>") from None


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
        raise CodecError(f"undecodable data ({_describe_error(error)})") from None


def encode_checkpoint(data: dict[str, Any], *, path_prefix: str = "") -> bytes:
    """A checkpoint: ``data`` in an envelope that carries :data:`CHECKPOINT_FORMAT`.

    Raises:
        CodecError: as :func:`encode`; the path is relative to ``data``.
    """
    if not isinstance(data, dict):
        raise TypeError(f"a checkpoint is a dict, got {type(data).__qualname__}")
    try:
        return _pack({"format": CHECKPOINT_FORMAT, "body": data})
    except Exception as error:  # paths name the body's keys (ctx.results[3])
        _raise_codec_error(data, path_prefix, error)


def decode_checkpoint(blob: bytes) -> dict[str, Any]:
    """The body of a checkpoint written by :func:`encode_checkpoint`.

    Raises:
        CheckpointError: corrupt, not a checkpoint, or of an unknown format version
            (a one-line reason).
    """
    try:
        envelope = decode(blob)
    except CodecError as error:
        raise CheckpointError(f"corrupt checkpoint: {_one_line(str(error))}") from None
    if type(envelope) is not dict or envelope.keys() != {"format", "body"}:
        raise CheckpointError("corrupt checkpoint: not a checkpoint envelope")
    version = envelope["format"]
    if type(version) is not int:
        raise CheckpointError(f"corrupt checkpoint: format {_one_line(repr(version))}")
    if version != CHECKPOINT_FORMAT:
        hint = "; upgrade prunus" if version > CHECKPOINT_FORMAT else ""
        raise CheckpointError(
            f"checkpoint format {version} is not supported "
            f"(this prunus reads format {CHECKPOINT_FORMAT}){hint}"
        )
    body = envelope["body"]
    if not isinstance(body, dict):
        raise CheckpointError("corrupt checkpoint: its body is not a mapping")
    return body


def _describe_error(error: BaseException) -> str:
    return _one_line(f"{type(error).__name__}: {error}")


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
