"""A remote runtime's reads: from the daemon's store when its home is on this machine.

``status``, ``list``, ``list_page``, ``outputs`` and ``report`` are answered by
:class:`~prunus.actors._local_reads.LocalReads` (LMDB readers never wait for the
writer, and the answer never queues behind host traffic in the supervisor's mailbox);
without a home here, or for what the store cannot answer, they are asked of the
supervisor as every runtime asks them (:class:`~prunus.actors._queries.RuntimeQueries`).
A mixin of :class:`~prunus.actors._remote_runtime.RemoteRuntime`, kept apart so that
module reads as the connection and its timeouts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prunus.actors._listing import ListQuery, ProcessPage
from prunus.actors._local_reads import LocalReads
from prunus.actors._queries import RuntimeQueries
from prunus.engine import ProcessStatus
from prunus.errors import ClosedError, DaemonError

__all__ = ["StoreReadsFirst"]


class StoreReadsFirst(RuntimeQueries):
    """The reads of a remote runtime, from the store first (see the module docstring)."""

    _reads: LocalReads | None
    _closed: bool
    _where: str

    def status(self, pid: str) -> ProcessStatus:
        if self._reads is None:
            return super().status(pid)
        self._refuse_if_closed()
        return self._reads.status(pid)

    def list(self) -> tuple[ProcessStatus, ...]:
        if self._reads is None:
            return super().list()
        self._refuse_if_closed()
        return self._reads.list()

    def list_page(
        self, query: ListQuery, after: tuple[float, str] | None = None, limit: int = 1000
    ) -> ProcessPage:
        if self._reads is None:
            return super().list_page(query, after, limit)
        self._refuse_if_closed()
        return self._reads.list_page(query, after, limit)

    def outputs(self, pid: str) -> dict[str, Any]:
        if self._reads is None:
            return super().outputs(pid)
        self._refuse_if_closed()
        return self._reads.outputs(pid)

    def report(self, pid: str) -> list[tuple[float, str]]:
        if self._reads is None:
            return super().report(pid)
        self._refuse_if_closed()
        return self._reads.report(pid)

    def _ask_supervisor(self, call: str, *args: Any) -> Any:
        """What the store could not answer, asked the supervisor as before."""
        return getattr(super(), call)(*args)

    def _still_there(self, alive: Callable[[], bool]) -> None:
        """Reads from the store stop when the daemon does (as on the supervisor's path)."""
        if not alive():
            raise DaemonError(f"no prunus daemon is running at {self._where}")

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise ClosedError("this client is closed")
