"""The dashboard's connection to the daemon on its home, when one runs.

Reading never needs the daemon (see ``_index``); pause, play and kill do: only the
runtime that holds a process can change it. Without a daemon the dashboard is
read-only and says why. The daemon may start or stop while the dashboard runs, so
the link connects lazily, at most every few seconds, and forgets a daemon that stopped
answering. A client of a daemon is used from one thread at a time (a lock).
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

from prunus.control import Client
from prunus.control._daemon_files import read_daemon_file
from prunus.control._proc_table import pid_alive
from prunus.errors import DaemonError, PrunusError

__all__ = ["VERBS", "DaemonLink"]

#: The controls the dashboard offers.
VERBS = ("pause", "play", "kill")
_RETRY_SECONDS = 2.0


class DaemonLink:
    """Controls for the processes of ``home``, through its daemon if one runs."""

    def __init__(self, home: Path, timeout: float = 10.0) -> None:
        self.home = home
        self.timeout = timeout
        self._client: Client | None = None
        self._tried_at = -_RETRY_SECONDS
        self._lock = threading.Lock()

    def _connected(self) -> Client | None:
        """The client, connecting if it is time to try again (call under the lock)."""
        if self._client is not None and not _daemon_alive(self.home):
            self._drop()  # stopped (or SIGKILLed) since: its client would only time out
        if self._client is None and time.monotonic() - self._tried_at >= _RETRY_SECONDS:
            self._tried_at = time.monotonic()
            try:
                self._client = Client.connect(self.home, timeout=self.timeout)
            except DaemonError:
                self._client = None
        return self._client

    @property
    def running(self) -> bool:
        """Whether a daemon runs on the home, as far as the link knows now."""
        with self._lock:
            return self._connected() is not None

    def control(self, verb: str, pid: str, message: str | None = None) -> tuple[bool, str]:
        """Apply ``verb`` (pause, play, kill) to ``pid`` and its descendants.

        Returns ``(done, one line for the page)``; never raises for a daemon that is
        missing or failing, since the page must say so rather than break.
        """
        if verb not in VERBS:
            return False, f"unknown action {verb!r}"
        with self._lock:
            client = self._connected()
            if client is None:
                return False, (
                    f"read-only: no daemon runs on {self.home}, and only the runtime that "
                    f"holds a process can {verb} it (prunus daemon start --home {self.home})"
                )
            try:
                if verb == "kill":
                    changed = client.kill(pid, message or "killed from the dashboard")
                else:
                    changed = getattr(client, verb)(pid)
            except DaemonError as error:
                self._drop()
                return False, str(error)
            except PrunusError as error:
                return False, str(error)
        past = {"pause": "paused", "play": "played", "kill": "killed"}[verb]
        if changed:
            return True, f"{past} {pid}"
        return False, f"{pid} has already ended: nothing to {verb}"

    def _drop(self) -> None:
        if self._client is not None:
            with contextlib.suppress(PrunusError):
                self._client.close()
            self._client = None

    def close(self) -> None:
        with self._lock:
            self._drop()


def _daemon_alive(home: Path) -> bool:
    info = read_daemon_file(home)
    return info is not None and pid_alive(int(info["pid"]))
