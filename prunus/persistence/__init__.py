"""Persistence: the msgpack codec and the stores (LMDB on disk, or in memory).

``_codec`` is the only msgpack import and ``_lmdb_store`` the only lmdb import.
"""

from __future__ import annotations

from prunus.persistence._codec import decode, encode, register_type
from prunus.persistence._codec_canonical import encode_canonical
from prunus.persistence._codec_checkpoint import (
    CHECKPOINT_FORMAT,
    decode_checkpoint,
    encode_checkpoint,
)
from prunus.persistence._home import resolve_home
from prunus.persistence._home_lock import HomeLock
from prunus.persistence._lmdb_store import LmdbStore
from prunus.persistence._memory_store import MemoryStore
from prunus.persistence._private_home import KEY_FILE, create_key, make_home_private, read_key
from prunus.persistence._store import StagedWrite, Store, stage_own_write, stage_writes
from prunus.persistence._sync_policy import SYNC_ENV, every_commit_synced

__all__ = [
    "CHECKPOINT_FORMAT",
    "KEY_FILE",
    "SYNC_ENV",
    "HomeLock",
    "LmdbStore",
    "MemoryStore",
    "StagedWrite",
    "Store",
    "create_key",
    "decode",
    "decode_checkpoint",
    "encode",
    "encode_canonical",
    "encode_checkpoint",
    "every_commit_synced",
    "make_home_private",
    "read_key",
    "register_type",
    "resolve_home",
    "stage_own_write",
    "stage_writes",
]
