"""Pause, play, kill and resume: cascades down a tree, answers held until a tree has answered,
and kills recorded durably until they are seen through.

The rules kept here:

- pause, play and kill reach the live descendants first (deepest first), and the
  asker hears back only when every one of them has answered: nobody sees a killed (or
  paused) parent whose children still run;
- a kill is recorded in the store before it is sent (:data:`KILL_PREFIX` in the meta
  database) and forgotten once the process has ended, so a kill the runtime accepted
  survives a crash of the whole runtime;
- a child launched while a kill was in flight escaped that kill's cascade: when the
  killed process's ending arrives, such children are killed too, and the kill's answer
  waits for them as well (:meth:`Control.ended`);
- every control sent to a host is *pending* until its host answers, and is sent again
  if that host dies.

Control decides; it does not send. It returns :class:`Order` values, which the shell
carries out in order (applied on the spot to a passivated process when it can be, else
delivered to the process's host), and writes answers into an :class:`Outgoing`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from prunus.actors._host_messages import (
    Reply,
)
from prunus.actors._messages import (
    ControlReply,
    KillRequest,
    PauseRequest,
    PlayRequest,
    ResumeRequest,
)
from prunus.actors._outgoing import Outgoing
from prunus.actors._registry import Ending, Registry
from prunus.engine import ProcessState, ProcessStatus

__all__ = ["KILL_PREFIX", "Cascade", "Control", "Order", "Pending"]

KILL_PREFIX = "kill/"  # meta db: a kill requested and not yet seen through

ControlRequest = PauseRequest | PlayRequest | KillRequest | ResumeRequest


@dataclass(slots=True)
class Cascade:
    """A control of a tree: the answers to its roots are held until every descendant
    it reached (``members``) has answered too."""

    members: set[str]
    held: list[tuple[Any, Any]] = field(default_factory=list)  # (asker, reply)


@dataclass(slots=True)
class Pending:
    """A control sent towards a process and not yet answered (re-sent if its host dies).

    ``is_root``: answered to its asker; else it is a member of ``cascade``.
    """

    message: ControlRequest
    cascade: Cascade | None = None
    is_root: bool = True


class Order(NamedTuple):
    """A control message for ``pid``, for the shell to carry out in order.

    ``durable``: a kill to record in the store before it goes to a host (not needed
    when it is applied on the spot: the KILLED state is stored before the answer).
    """

    pid: str
    message: ControlRequest
    durable: bool = False


class Control:
    """Pending controls by pid, their cascades, and the durable kill records."""

    def __init__(self, registry: Registry, store: Any, me: Any) -> None:
        self._registry = registry
        self._store = store
        self._me = me  # reply_to of cascaded controls: their answers come to the supervisor
        self._pending: dict[str, list[Pending]] = {}
        self.kills: dict[str, str] = {}  # pid -> reason, mirrored in the store

    # ---- asked by a client --------------------------------------------------------------

    def request(self, message: ControlRequest, asker: Any, out: Outgoing) -> list[Order]:
        """A pause, play, kill or resume of ``message.pid`` from ``asker``: the orders
        to carry out (descendants first, the process itself last). A process that has
        ended (or, for a resume, is not WAITING) is answered at once: not applied."""
        pid = message.pid
        entry = self._registry.lookup(pid, asker, out)
        if entry is None:
            return []
        if entry.result is not None or (
            type(message) is ResumeRequest and entry.status.state is not ProcessState.WAITING
        ):
            out.send(asker, ControlReply(pid, False, entry.status))
            return []
        if type(message) is ResumeRequest:  # a resume concerns the process alone
            cascade, orders = None, []
        elif type(message) is KillRequest:
            cascade, orders = self.kill_descendants(pid, message.message)
        elif message.cascade:
            cascade, orders = self._cascade(
                self._registry.live_descendants(pid),
                lambda member: dataclasses.replace(message, pid=member, reply_to=self._me),
            )
        else:
            cascade, orders = None, []
        root = dataclasses.replace(message, reply_to=asker)
        orders.append(self._order(pid, root, cascade, True))
        return orders

    def kill_descendants(
        self,
        pid: str,
        why: str | None,
        cascade: Cascade | None = None,
        *,
        skip_killing: bool = False,
    ) -> tuple[Cascade | None, list[Order]]:
        """Kill the live descendants of ``pid`` (with ``skip_killing``, only those no
        kill is on its way to); ``cascade`` (else a new one) tracks their answers."""
        descendants = [
            descendant
            for descendant in self._registry.live_descendants(pid)
            if not (skip_killing and self._being_killed(descendant))
        ]
        reason = f"parent {pid} was killed" + (f": {why}" if why else "")
        return self._cascade(
            descendants, lambda member: KillRequest(member, reason, reply_to=self._me), cascade
        )

    def _cascade(
        self, members: list[str], message_for: Any, cascade: Cascade | None = None
    ) -> tuple[Cascade | None, list[Order]]:
        """One control per member (deepest first), all counted in ``cascade`` (else a
        new one, if there is any member): the one rule pause, play and kill share."""
        if not members:
            return cascade, []
        cascade = cascade if cascade is not None else Cascade(set())
        cascade.members.update(members)
        return cascade, [self._order(m, message_for(m), cascade, False) for m in members]

    def _order(self, pid: str, message: Any, cascade: Cascade | None, is_root: bool) -> Order:
        self._pending.setdefault(pid, []).append(Pending(message, cascade, is_root))
        return Order(pid, message, is_root and type(message) is KillRequest)

    def being_killed(self, pid: str) -> bool:
        """Whether a kill is on its way to ``pid`` (sent or about to be)."""
        return self._being_killed(pid)

    def _being_killed(self, pid: str) -> bool:
        return any(type(p.message) is KillRequest for p in self._pending.get(pid, ()))

    # ---- durable kill records -----------------------------------------------------------

    def record_kill(self, pid: str, reason: str | None) -> None:
        """Store the kill before it is sent: a kill the runtime acknowledged survives
        a crash (and is re-issued on restart until the process has ended)."""
        if pid not in self.kills:
            self._store.put("meta", KILL_PREFIX + pid, reason or "")
            self.kills[pid] = reason or ""

    def load_kill_records(self) -> None:
        for key, reason in self._store.items("meta"):
            if key.startswith(KILL_PREFIX):
                self.kills[key[len(KILL_PREFIX) :]] = reason

    def forget_kill(self, pid: str) -> None:
        self.kills.pop(pid, None)
        self._store.drop("meta", KILL_PREFIX + pid)

    # ---- what hosts report --------------------------------------------------------------

    def replied(self, event: Reply, out: Outgoing) -> None:
        """A host answered a control: update the registry first, then answer the asker
        (held while its cascade is incomplete) or count a cascade member done."""
        message = event.message
        pending = None
        if isinstance(message, ControlReply) and message.pid in self._registry:
            self._registry.state_changed(message.status)
            waiting = self._pending.get(message.pid)
            if waiting:
                pending = waiting.pop(0)
                if not waiting:
                    del self._pending[message.pid]
        if pending is None or pending.is_root:
            cascade = pending.cascade if pending is not None else None
            if cascade is not None and cascade.members:
                cascade.held.append((event.to, message))
            else:
                out.send(event.to, message)
        elif pending.cascade is not None:
            self._member_done(pending.cascade, message.pid, out)

    def ended(self, ending: Ending) -> list[Order]:
        """A process ended: a kill escaped by a child launched while it was in flight
        is carried on to that child, and the kill's answer waits for it too. Its kill
        record is forgotten."""
        orders: list[Order] = []
        pid = ending.pid
        if ending.killed:
            pending = self._pending.get(pid, ())
            kills = (p for p in pending if p.is_root and type(p.message) is KillRequest)
            root = next(kills, None)
            cascade = root.cascade if root is not None else None
            cascade, orders = self.kill_descendants(
                pid, ending.status.status, cascade, skip_killing=True
            )
            if root is not None:
                root.cascade = cascade
        if pid in self.kills:
            self.forget_kill(pid)
        return orders

    def abandoned(self, pid: str, status: ProcessStatus, out: Outgoing) -> None:
        """``pid`` was failed by the runtime itself: no host will answer its pending
        controls, so answer them here (not applied)."""
        for pending in self._pending.pop(pid, ()):
            if pending.is_root:
                out.send(pending.message.reply_to, ControlReply(pid, False, status))
            elif pending.cascade is not None:
                self._member_done(pending.cascade, pid, out)

    def _member_done(self, cascade: Cascade, pid: str, out: Outgoing) -> None:
        cascade.members.discard(pid)
        if not cascade.members:
            held, cascade.held = cascade.held, []
            for to, reply in held:
                out.send(to, reply)

    # ---- after a host died ---------------------------------------------------------------

    def to_resend(self, pid: str) -> list[ControlRequest]:
        """What must reach ``pid`` again on its new host: its recorded kill (if no kill
        is pending already) and every pending control, in order."""
        pending = [p.message for p in self._pending.get(pid, ())]
        if pid in self.kills and not any(type(m) is KillRequest for m in pending):
            pending.insert(0, KillRequest(pid, self.kills[pid] or None))
        return pending

    def pending_count(self, pid: str) -> int:
        """How many controls of ``pid`` await an answer (for tests and checks)."""
        return len(self._pending.get(pid, ()))
