"""The disk under a home: room for LMDB's lock file, and telling a full disk apart.

LMDB maps a sparse lock file, so on a full disk its first write is a SIGBUS that kills
the process with no message; and it reports a write cut short by a full disk as EIO.
Both are handled here with plain ``os`` calls, so :mod:`._lmdb_store` stays about LMDB.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from prunus.errors import StoreError

__all__ = ["allocate_lock_file", "commit_error", "is_disk_full", "one_line"]

# LMDB asks for 64 bytes per reader slot plus a header (65,664 bytes for 1,024 readers).
_LOCK_FILE_BYTES = 128 * 1024
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
_NEARLY_FULL = 1 << 20  # an EIO with less free space than this is a full disk


def allocate_lock_file(lock_file: Path) -> None:
    """Give LMDB's lock file real disk blocks before LMDB maps it.

    LMDB sizes a new lock file with ``ftruncate`` (a sparse file) and maps it; on a
    full disk the first write into the mapping is a SIGBUS that kills the process with
    no message. Allocated blocks turn that into an ``OSError`` (ENOSPC) here. LMDB
    adopts a lock file that is already large enough (its reader table then holds more
    slots than ``max_readers``), so a new one is made a little larger than it asks for.

    Raises:
        OSError: the file cannot be created or its blocks allocated.
    """
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)  # private: see _private_home
    try:
        size = max(os.fstat(fd).st_size, _LOCK_FILE_BYTES)
        os.posix_fallocate(fd, 0, size)
    finally:
        os.close(fd)


def is_disk_full(reason: str, path: Path) -> bool:
    """Whether a failed commit, described by ``reason``, means the disk under ``path``
    is full: ENOSPC or EDQUOT, or an EIO (a write cut short) with almost no room left."""
    if any(os.strerror(code) in reason for code in _DISK_FULL):
        return True
    return os.strerror(errno.EIO) in reason and _free_bytes(path) < _NEARLY_FULL


def _free_bytes(path: Path) -> int:
    try:
        stats = os.statvfs(path)
    except OSError:
        return _NEARLY_FULL
    return stats.f_bavail * stats.f_frsize


def commit_error(home: Path, reason: str) -> StoreError:
    """The one-line error for a commit to ``home`` that failed with ``reason``; a full
    disk is said so (and marked ``disk_full``: transient, the writer holds and retries)."""
    reason = reason.removeprefix("mdb_txn_commit: ")
    disk_full = is_disk_full(reason, home)
    if disk_full:
        reason = f"the disk is full ({reason}); nothing committed was lost"
    return StoreError(f"cannot write to {home}: {reason}", disk_full=disk_full)


def one_line(error: BaseException) -> str:
    """``error`` as one line of text (LMDB's messages can span lines)."""
    return " ".join(str(error).split()) or type(error).__name__
