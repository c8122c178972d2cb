"""One runtime per home: an exclusive lock on ``<home>/runtime.lock``.

Two runtimes resuming the same home would both drive every unfinished process, running
each step twice. ``flock`` locks belong to the open file, so a second runtime in the
same OS process is refused too, and the kernel drops the lock when its holder dies
(even by SIGKILL): a crashed runtime never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from prunus.errors import StoreError

__all__ = ["HomeLock"]


class HomeLock:
    """Held from construction until :meth:`release`.

    Raises:
        StoreError: another runtime holds the home (names its pid).
    """

    def __init__(self, home: Path) -> None:
        self.path = home / "runtime.lock"
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        self._file = open(descriptor, "a+")  # noqa: SIM115 (held for the lock's lifetime)
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.seek(0)
            holder = self._file.read().strip() or "unknown"
            self._file.close()
            raise StoreError(
                f"{home} is in use by another prunus runtime (pid {holder}); "
                "stop it or use another home"
            ) from None
        self._file.seek(0)
        self._file.truncate()
        self._file.write(str(os.getpid()))
        self._file.flush()

    def release(self) -> None:
        if not self._file.closed:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
