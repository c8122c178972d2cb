"""LMDB environments shared within an OS process, and what happens to them at fork.

py-lmdb refuses to open one environment twice in a process, and an environment must
not be used across fork (DESIGN.md section 7). So every store of a home in one process
shares one environment (refcounted here), and the fork hooks below make sure no
transaction is open while a process forks and that a child never uses the parent's.
An environment is any object with ``path``, ``readonly``, ``users``, ``lock`` and an
``env`` to close: this module needs no lmdb import of its own.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from prunus.errors import StoreError

__all__ = ["acquire", "release"]

_LOG = logging.getLogger("prunus.persistence._lmdb_store")
T = TypeVar("T")

_OPEN: dict[str, Any] = {}  # realpath of the home -> its environment
_OPEN_LOCK = threading.Lock()  # lock order: _OPEN_LOCK, then an environment's lock


def acquire(path: Path, readonly: bool, open_new: Callable[[], T]) -> T:
    """This process's environment for ``path``: the one already open (one more user),
    else ``open_new()``. A reader's environment cannot serve a writer.

    Raises:
        StoreError: ``path`` is open read-only here and a writer asks for it.
    """
    key = os.path.realpath(path)
    with _OPEN_LOCK:
        shared = _OPEN.get(key)
        if shared is None:
            shared = _OPEN[key] = open_new()
        elif shared.readonly and not readonly:
            raise StoreError(
                f"cannot open prunus store at {path} for writing: this process "
                "already has it open read-only (close those stores first)"
            )
        shared.users += 1
        return shared


def release(shared: Any) -> None:
    """One user fewer; the last one closes it."""
    with _OPEN_LOCK:
        shared.users -= 1
        if shared.users == 0 and _OPEN.get(os.path.realpath(shared.path)) is shared:
            del _OPEN[os.path.realpath(shared.path)]
            with shared.lock:
                shared.env.close()


def _before_fork() -> None:
    _OPEN_LOCK.acquire()
    for shared in _OPEN.values():
        shared.lock.acquire()  # no transaction of ours is open while the process forks


def _after_fork_in_parent() -> None:
    for shared in _OPEN.values():
        shared.lock.release()
    _OPEN_LOCK.release()


def _after_fork_in_child() -> None:
    # The child must not use the parent's environments. Closing them is safe only
    # because no transaction was open at fork (closing aborts inherited transactions,
    # which would free the parent's reader slots); py-lmdb refuses to reopen a home
    # until they are closed. Stores notice the new pid and reopen on first use.
    global _OPEN_LOCK
    for shared in _OPEN.values():
        try:
            shared.env.close()
        except Exception:  # never fail a fork; reopening will report any problem
            _LOG.debug("closing an inherited LMDB environment failed", exc_info=True)
    _OPEN.clear()
    _OPEN_LOCK = threading.Lock()


os.register_at_fork(
    before=_before_fork,
    after_in_parent=_after_fork_in_parent,
    after_in_child=_after_fork_in_child,
)
