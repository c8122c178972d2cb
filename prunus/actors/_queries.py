"""The calls every runtime answers the same way: one ask to the supervisor each.

Embedded and remote runtimes differ in how they ask (in-process, or over TCP with a
timeout); what they ask and what they get back is this: the reading and controlling
half of :class:`~prunus.actors.Runtime`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prunus.actors._control_all import ControlAll, ControlAllReply
from prunus.actors._listing import ListPage, ListQuery, ProcessPage
from prunus.actors._messages import (
    ControlMany,
    ControlManyReply,
    ControlReply,
    ControlRequest,
    DaemonInfo,
    DaemonStatus,
    Describe,
    Description,
    GetOutputs,
    GetReport,
    KillRequest,
    ListProcesses,
    Outputs,
    PauseRequest,
    PlayRequest,
    ProcessList,
    Report,
    ResumeRequest,
    StatusRequest,
)
from prunus.actors._signals import ended_error
from prunus.actors._waiting_messages import SignalDelivered, SignalRequest
from prunus.engine import ProcessStatus
from prunus.errors import InvalidStateError

__all__ = ["RuntimeQueries"]


class RuntimeQueries:
    """Mixin: needs ``_ask(message) -> reply`` (raising for error replies)."""

    def _ask(self, message: Any) -> Any:
        raise NotImplementedError

    def status(self, pid: str) -> ProcessStatus:
        return self._control(StatusRequest(pid)).status

    def pause(self, pid: str, *, cascade: bool = True) -> bool:
        return self._control(PauseRequest(pid, cascade=cascade)).ok

    def play(self, pid: str, *, cascade: bool = True) -> bool:
        return self._control(PlayRequest(pid, cascade=cascade)).ok

    def kill(self, pid: str, msg: str | None = None) -> bool:
        return self._control(KillRequest(pid, msg)).ok

    def resume(self, pid: str) -> bool:
        return self._control(ResumeRequest(pid)).ok

    def pause_many(
        self, pids: Sequence[str], *, cascade: bool = True, timeout: float | None = None
    ) -> dict[str, bool | None]:
        return self._control_many([PauseRequest(p, cascade=cascade) for p in pids], timeout)

    def play_many(
        self, pids: Sequence[str], *, cascade: bool = True, timeout: float | None = None
    ) -> dict[str, bool | None]:
        return self._control_many([PlayRequest(p, cascade=cascade) for p in pids], timeout)

    def kill_many(
        self, pids: Sequence[str], msg: str | None = None, *, timeout: float | None = None
    ) -> dict[str, bool | None]:
        return self._control_many([KillRequest(p, msg) for p in pids], timeout)

    def _control_many(self, requests: list[Any], timeout: float | None) -> dict[str, bool | None]:
        """One bulk request (``prunus.actors._bulk_control``): applied or not per pid,
        None if not answered within ``timeout`` (it stands); unknown pids left out."""
        reply = self._ask(ControlMany(tuple(requests), self._bulk_deadline(timeout)))
        assert isinstance(reply, ControlManyReply), reply
        outcomes: dict[str, bool | None] = {}
        for request, outcome in zip(requests, reply.outcomes, strict=True):
            if outcome is None:
                outcomes[request.pid] = None
            elif isinstance(outcome, ControlReply):
                outcomes[request.pid] = outcome.ok
        return outcomes

    def control_all(
        self,
        action: str,
        *,
        msg: str | None = None,
        cascade: bool = True,
        timeout: float | None = None,
    ) -> dict[str, bool | None]:
        template: ControlRequest
        if action == "kill":
            template = KillRequest("", msg)
        elif action in ("pause", "play"):
            kind = PauseRequest if action == "pause" else PlayRequest
            template = kind("", cascade=cascade)
        else:
            raise ValueError(f"no bulk control {action!r}: pause, play or kill")
        reply = self._ask(ControlAll(template, self._bulk_deadline(timeout)))
        assert isinstance(reply, ControlAllReply), reply
        return dict(zip(reply.pids, reply.outcomes, strict=True))

    def _bulk_deadline(self, timeout: float | None) -> float | None:
        """When the supervisor answers a bulk request with what it has (remote: before
        this client gives up waiting)."""
        return timeout

    def signal(self, pid: str, name: str, payload: bytes) -> ProcessStatus:
        """Deliver the signal; answered once it is stored with the process.

        Raises:
            UnknownProcessError: no such pid.
            InvalidStateError: the process has ended.
        """
        reply = self._ask(SignalRequest(pid, name, payload))
        assert isinstance(reply, SignalDelivered), reply
        if not reply.ok:
            raise InvalidStateError(ended_error(pid, reply.status.state.name, name).message)
        return reply.status

    def _control(self, message: Any) -> ControlReply:
        reply = self._ask(message)
        assert isinstance(reply, ControlReply), reply
        return reply

    def list(self) -> tuple[ProcessStatus, ...]:
        reply = self._ask(ListProcesses())
        assert isinstance(reply, ProcessList)
        return reply.statuses

    def list_page(
        self, query: ListQuery, after: tuple[float, str] | None = None, limit: int = 1000
    ) -> ProcessPage:
        reply = self._ask(ListPage(query, after, limit))
        assert isinstance(reply, ProcessPage), reply
        return reply

    def outputs(self, pid: str) -> dict[str, Any]:
        reply = self._ask(GetOutputs(pid))
        assert isinstance(reply, Outputs)
        return reply.outputs

    def describe(self, pid: str) -> dict[str, Any]:
        reply = self._ask(Describe(pid))
        assert isinstance(reply, Description)
        return reply.details

    def report(self, pid: str) -> list[tuple[float, str]]:
        reply = self._ask(GetReport(pid))
        assert isinstance(reply, Report)
        return list(reply.lines)

    def info(self) -> DaemonStatus:
        reply = self._ask(DaemonInfo())
        assert isinstance(reply, DaemonStatus)
        return reply
