"""Key layout inside the LMDB databases: ordered log lines, fences, whole-db reads.

Helpers that work on an open transaction (any object with ``get``/``cursor``), kept
apart from :mod:`._lmdb_store` so that module reads as the store's life cycle.
"""

from __future__ import annotations

import struct
from typing import Any

__all__ = [
    "GENERATION",
    "LOG_SEQ",
    "entries",
    "fence_key",
    "fenced",
    "log_keys",
    "next_log_seq",
    "rows",
]

LOG_SEQ = struct.Struct(">Q")  # a log key is ``pid NUL seq``: one ordered range per pid

GENERATION = b"leader-generation"


def fence_key(token: str) -> bytes:
    return b"fence:" + token.encode()


def fenced(txn: Any, meta: Any, token: str) -> bool:
    """A token fenced one by one, or one of an earlier leader's generation."""
    if txn.get(fence_key(token), db=meta) is not None:
        return True
    current = txn.get(GENERATION, db=meta)
    return current is not None and current.decode() != token.partition(".")[0]


def rows(txn: Any, handle: Any, *, meta: bool = False) -> list[tuple[str, bytes]]:
    """Every (key, encoded value) of a database; in ``meta``, not the generation and
    fences, which the store keeps as raw bytes for itself (they are not codec values)."""
    if handle is None:
        return []
    return [
        (k.decode(errors="backslashreplace"), v)
        for k, v in txn.cursor(db=handle)
        if not (meta and (k == GENERATION or k.startswith(b"fence:")))
    ]


def entries(txn: Any, handle: Any) -> int:
    """How many keys a database holds (0 for one not created yet), without a scan."""
    return 0 if handle is None else int(txn.stat(handle)["entries"])


def log_keys(txn: Any, handle: Any, key: bytes) -> list[bytes]:
    prefix = key + b"\0"
    cursor = txn.cursor(db=handle)
    keys = []
    if cursor.set_range(prefix):
        for log_key in cursor.iternext(values=False):
            if not log_key.startswith(prefix):
                break
            keys.append(log_key)
    return keys


def next_log_seq(txn: Any, handle: Any, key: bytes) -> int:
    """One past the last sequence number of ``key``'s lines (0 for the first line)."""
    prefix = key + b"\0"
    cursor = txn.cursor(db=handle)
    found = cursor.set_range(prefix + b"\xff" * LOG_SEQ.size)
    found = cursor.prev() if found else cursor.last()
    if found and cursor.key().startswith(prefix):
        return int(LOG_SEQ.unpack(cursor.key()[len(prefix) :])[0]) + 1
    return 0
