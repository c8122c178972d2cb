"""Process ids: fresh top-level pids, and deterministic child pids for replay.

A step re-run after a crash must find the child it launched before instead of
launching a duplicate, so a child's pid is derived from its parent's pid and the
launch's position; it stays short at any depth.
"""

from __future__ import annotations

import hashlib
import os

__all__ = ["child_pid", "new_pid"]


def new_pid() -> str:
    """A fresh top-level pid: short, unique, safe in file names and shell arguments.

    48 random bits as 12 hex digits (what ``uuid4().hex[:12]`` gave, without building
    a UUID: a pid is made per top-level run, so it showed in a trivial run's profile).
    """
    return os.urandom(6).hex()


_PLAIN_CHILD_PID_CHARS = 64  # past this, a child pid is a hash (see child_pid)
_ROOT_PREFIX_CHARS = 24


def child_pid(parent: str, index: int) -> str:
    """The pid of the ``index``-th child that ``parent`` launches.

    Deterministic, so a step re-run after a crash finds the child it launched before.
    It reads as ``<parent>.<index>`` while that is short; deeper down it is
    ``<root>.h<hash of that>`` (64 bits of BLAKE2b), so pids stay short at any depth
    (LMDB keys are at most 511 bytes) and still tell which tree they belong to. The
    parent link is kept in the process's record, never parsed out of the pid.
    """
    plain = f"{parent}.{index}"
    if len(plain) <= _PLAIN_CHILD_PID_CHARS:
        return plain
    root = parent.split(".", 1)[0][:_ROOT_PREFIX_CHARS]
    return f"{root}.h{hashlib.blake2b(plain.encode(), digest_size=8).hexdigest()}"
