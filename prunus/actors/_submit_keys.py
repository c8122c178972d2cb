"""Idempotency keys: a submit sent again after a timeout never makes a second process.

A client sends a key with each Submit / SubmitMany (a fresh one per call, the same one
when it sends that call again because no answer came in time). The supervisor stores
``key -> pids`` in the ``meta`` database in the SAME transaction as the first writes of
the processes it created, so after any crash either both are stored or neither is:
a retry finds the key exactly when the processes exist, and answers their pids
without creating anything.

A launch that ends at once as a memo hit is written apart (its record says FINISHED
with the copied outputs); a crash between the key and that write leaves a key whose
pids have no record. :meth:`SubmitKeys.load` forgets such keys at start (the launch
never happened, so a retry makes it now), and keys older than :data:`KEY_DAYS`: a
retry comes seconds after its first try, not days.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from prunus.errors import PrunusError

__all__ = [
    "ITEM_SUFFIX_BYTES",
    "KEY_DAYS",
    "KEY_PREFIX",
    "MAX_KEY_BYTES",
    "SubmitKeys",
    "check_submit_key",
]

KEY_PREFIX = "submit/"  # meta db: KEY_PREFIX + key -> [unix time, [pid, ...]]
KEY_DAYS = 7.0
MAX_KEY_BYTES = 200  # (UTF-8) well within a store key, with KEY_PREFIX
ITEM_SUFFIX_BYTES = 24


def check_submit_key(key: Any, limit: int = MAX_KEY_BYTES) -> str:
    """``key`` if it can be an idempotency key ("" for none). The supervisor allows
    :data:`ITEM_SUFFIX_BYTES` more than a client: an embedded batch keys its items
    ``KEY#INDEX``.

    Raises:
        PrunusError: not a str, longer than ``limit`` bytes in UTF-8, or holds
            a NUL or a character that is not valid Unicode.
    """
    if key is None:
        return ""
    if not isinstance(key, str):
        raise PrunusError(f"an idempotency key is a str, got {type(key).__name__}")
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        raise PrunusError(f"invalid idempotency key {key[:40]!r}: not valid Unicode") from None
    if size > limit or "\0" in key:
        raise PrunusError(f"invalid idempotency key {key[:40]!r}: at most {limit} bytes, no NUL")
    return key


class SubmitKeys:
    """The keys this supervisor has answered, and the pids it answered them with."""

    def __init__(self) -> None:
        self._pids: dict[str, tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self._pids)

    def known(self, key: str) -> tuple[str, ...] | None:
        """The pids a launch with ``key`` was answered with; None if none was ("":
        no key, never known)."""
        return self._pids.get(key) if key else None

    @staticmethod
    def entry(key: str, pids: Sequence[str]) -> tuple[str, Any]:
        """The ``meta`` pair to commit with the processes of a launch with ``key``."""
        return KEY_PREFIX + key, [time.time(), list(pids)]

    def remember(self, key: str, pids: Sequence[str]) -> None:
        """``key``'s launch is committed (see :meth:`entry`): answered from now on."""
        if key:
            self._pids[key] = tuple(pids)

    def load(self, store: Any, exists: Callable[[str], bool], now: float | None = None) -> None:
        """At start, once the registry is read: every stored key whose processes all
        ``exist`` and that is recent; the others are dropped from the store."""
        now = time.time() if now is None else now
        self._pids.clear()
        for name, value in list(store.items("meta")):
            if not name.startswith(KEY_PREFIX):
                continue
            shaped = isinstance(value, list) and len(value) == 2 and isinstance(value[1], list)
            stamp, pids = value if shaped else (0.0, [])
            fresh = isinstance(stamp, (int, float)) and now - stamp <= KEY_DAYS * 86400
            if shaped and fresh and pids and all(exists(pid) for pid in pids):
                self._pids[name[len(KEY_PREFIX) :]] = tuple(pids)
            else:
                store.drop("meta", name)
