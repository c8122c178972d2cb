"""Where in a value encoding fails, and why: the slow path behind the codec's errors.

It runs only after an encode has failed, walking the value again to name the path of
the first part that does not encode (``ctx.results[3]``) and the reason a user reads.
It lives apart from :mod:`._codec` so the fast path reads top to bottom; leaves are
packed through the function the codec passes in, so this module needs no msgpack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from prunus._attributes_dict import AttributesDict
from prunus.errors import CodecError

__all__ = [
    "MAX_DEPTH",
    "Registered",
    "Unstorable",
    "describe_error",
    "find_problem",
    "one_line",
    "raise_codec_error",
    "type_name",
    "unstorable_reason",
]

# How a registered type is stored: its name and to_data, or None for other types.
Registered = Callable[[type], "tuple[str, Callable[[Any], Any]] | None"]

MAX_DEPTH = 500  # msgpack refuses nesting deeper than 511 levels
_CONTAINERS = (dict, AttributesDict, list, tuple, set, frozenset)


class Unstorable(TypeError):
    """Raised by the packing hook; its message is the reason a user reads."""


def type_name(kind: type) -> str:
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def unstorable_reason(kind: type) -> str:
    base = " (a dict subclass)" if issubclass(kind, dict) else ""
    return (
        f"cannot encode value of type {type_name(kind)}{base}; "
        "register it with prunus.register_type"
    )


def _child_path(path: str, key: Any) -> str:
    if isinstance(key, str) and key.isidentifier():
        return f"{path}.{key}" if path else key
    return f"{path}[{key!r}]"


def find_problem(
    value: Any, path: str, pack: Callable[[Any], bytes], registered: Registered
) -> tuple[str, str] | None:
    """The path of the first part of ``value`` that does not encode, and why.

    Args:
        pack: the codec's packer, used on leaves (a leaf encodes on its own or not).
        registered: the ``(name, to_data)`` a registered type is stored with, or None.
    """
    return _walk(value, path, set(), 0, pack, registered)


def _walk(
    value: Any,
    path: str,
    active: set[int],
    depth: int,
    pack: Callable[[Any], bytes],
    registered: Registered,
) -> tuple[str, str] | None:
    if depth > MAX_DEPTH:
        return path, f"the value is nested more than {MAX_DEPTH} levels deep"
    kind = type(value)
    if kind in _CONTAINERS:
        if id(value) in active:
            return path, "the value contains itself (a reference cycle)"
        active.add(id(value))
        try:
            if kind is dict or kind is AttributesDict:
                for key, item in value.items():
                    child = _child_path(path, key)
                    bad_key = _walk(key, child, active, depth + 1, pack, registered)
                    if bad_key is not None:
                        return child, f"dict key: {bad_key[1]}"
                    problem = _walk(item, child, active, depth + 1, pack, registered)
                    if problem is not None:
                        return problem
            else:
                for index, item in enumerate(value):
                    problem = _walk(item, f"{path}[{index}]", active, depth + 1, pack, registered)
                    if problem is not None:
                        return problem
        finally:
            active.discard(id(value))
        return None
    entry = registered(kind)
    if entry is not None:
        name, to_data = entry
        try:
            data = to_data(value)
        except Exception as error:
            return path, f"to_data for {name!r} raised {describe_error(error)}"
        inner = _walk(data, "", active, depth + 1, pack, registered)
        if inner is None or inner[1].startswith("to_data for"):
            return None if inner is None else (path, inner[1])
        where = f" at {inner[0]}" if inner[0] else ""
        return path, f"to_data for {name!r} returned data that cannot be encoded{where}: {inner[1]}"
    try:
        pack(value)  # a leaf: it encodes on its own or not
    except Unstorable as error:
        return path, str(error)
    except UnicodeEncodeError:
        return path, "cannot encode text that is not valid Unicode (a lone surrogate)"
    except Exception as error:
        return path, f"cannot encode value of type {type_name(kind)} ({describe_error(error)})"
    return None


def describe_error(error: BaseException) -> str:
    return one_line(f"{type(error).__name__}: {error}")


def one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def raise_codec_error(
    value: Any,
    path_prefix: str,
    error: Exception,
    pack: Callable[[Any], bytes],
    registered: Registered,
) -> NoReturn:
    """Walk ``value`` again, slowly, to say where it fails: runs only on failure."""
    path, reason = find_problem(value, path_prefix, pack, registered) or (
        path_prefix,
        str(error)
        if isinstance(error, Unstorable)
        else f"cannot encode value ({describe_error(error)})",
    )
    raise CodecError(reason, path or "<root>") from None
