"""What the supervisor's parts decide to send, kept as data until the shell sends it.

The parts (registry, launches, control, waits, recovery) never send anything
themselves: they write into an :class:`Outgoing` the shell passes them, and the
Thespian shell sends it when the message that produced it is handled. So every part
runs without Thespian, and a unit test reads what a call would have sent.

Why batches: the TCP transport carries one message at a time per target, so all the
``(pid, message)`` pairs for one host travel in a single :class:`Deliver`, in the order
they were decided (a process's messages must reach it in order).

Why one Deliver in flight per host: a host reads its mailbox only between slices,
and Thespian's transport sends one message at a time per target, keeping the rest in
one queue that it scans on every send (and, past 950 queued, stops reading anything
until it drained). Measured under load (``benchmarks/cli_load.py``, 1,000 chains on
2 hosts): a Deliver per handled message piled up there; the supervisor spent its time
in that queue, and every client's answer waited behind it (status p50 9.5 s, most
calls timed out). So a batch leaves only once its host has said it took the last one
(a ``Took`` event, see :meth:`Outgoing.took`); what is decided meanwhile joins the
next batch, in order.

Why Delivers are counted: a host may let a process go (``Passivated``) before it
takes a Deliver that holds a message for that process; handling that message loads
the process again from its checkpoint. Until then the supervisor must not believe
the process is passivated: it would apply a control to the checkpoint while the
host is about to hold (or holds) a copy it will write over, losing the pause or
the kill (issue 11: a pause answered True, then read back unpaused; a killed
process WAITING again in the store). So each host's Delivers are numbered in the
order they leave (what is queued now leaves in the next one), the ``Took`` events
are counted, and :meth:`Outgoing.taken_all` tells whether a host has taken the
Deliver that carries a given message (:meth:`Registry.passivated`).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Outgoing", "Relay"]


class Relay:
    """An asker that is not an actor address (a batch, a launch nobody waits for):
    what a part sends it goes where :meth:`relay` says, or nowhere."""

    __slots__ = ()

    def relay(self, message: Any) -> tuple[Any, Any] | None:
        """``(address, message)`` to send instead, or None to drop it."""
        raise NotImplementedError


class Outgoing:
    """Replies, per-host deliveries and timers, in the order they were decided.

    The shell sends the replies first, then one Deliver per host; that is the order
    the supervisor always used (a reply never waits behind a batch).
    """

    __slots__ = (
        "_sent",
        "_taken",
        "_urgent",
        "_urgent_hosts",
        "batches",
        "in_flight",
        "sends",
        "timers",
    )

    def __init__(self, urgent: frozenset[type] = frozenset()) -> None:
        self.sends: list[tuple[Any, Any]] = []  # (actor address, message)
        self.batches: dict[int, list[tuple[str, Any]]] = {}  # host index -> (pid, message)
        self.timers: list[tuple[float, Any]] = []  # (seconds, typed payload)
        self.in_flight: dict[int, int] = {}  # host index -> Delivers it has not taken
        # Messages that do not wait for a Took (a client's control): a pause must
        # reach a busy host before its next step, not after (see ready_batches).
        self._urgent = urgent
        self._urgent_hosts: set[int] = set()
        # Per host: how many Delivers left, and how many it took (see the docstring).
        self._sent: dict[int, int] = {}
        self._taken: dict[int, int] = {}

    def send(self, to: Any, message: Any) -> None:
        """Answer an asker (a client, or whoever a control names as ``reply_to``)."""
        if isinstance(to, Relay):
            relayed = to.relay(message)
            if relayed is None:
                return
            to, message = relayed
        self.sends.append((to, message))

    def deliver(self, host: int, pid: str, message: Any) -> int:
        """Queue ``message`` for process ``pid`` on host ``host`` (see Registry.deliver).

        Returns:
            The number of the Deliver that will carry it (for :meth:`taken_all`).
        """
        batch = self.batches.get(host)
        if batch is None:
            self.batches[host] = [(pid, message)]
        else:
            batch.append((pid, message))
        if type(message) in self._urgent:
            self._urgent_hosts.add(host)
        return self._sent.get(host, 0) + 1  # the batch queued now leaves next

    def taken_all(self, host: int, deliver: int) -> bool:
        """Whether host ``host`` has taken its Deliver number ``deliver`` (and every
        one before it), by the ``Took`` events handled so far."""
        return self._taken.get(host, 0) >= deliver

    def wake_after(self, seconds: float, payload: Any) -> None:
        """Ask for a timer; ``payload`` is a typed value the shell dispatches on."""
        self.timers.append((seconds, payload))

    def drop_host(self, host: int) -> None:
        """Forget what was meant for a host that died: it is re-derived on restart.
        What it never took counts as taken (the dropped batch's number too): it
        holds nothing now, and its processes are activated again as restarted."""
        if self.batches.pop(host, None) is not None:
            self._sent[host] = self._sent.get(host, 0) + 1
        self._taken[host] = self._sent.get(host, 0)
        self.in_flight.pop(host, None)
        self._urgent_hosts.discard(host)

    def took(self, host: int) -> None:
        """Host ``host`` took a Deliver: when it has taken all, its next batch may leave."""
        # (capped: a late Took of a host that died cannot count for its successor)
        self._taken[host] = min(self._taken.get(host, 0) + 1, self._sent.get(host, 0))
        left = self.in_flight.get(host, 0) - 1
        if left > 0:
            self.in_flight[host] = left
        else:
            self.in_flight.pop(host, None)

    def ready_batches(self) -> list[tuple[int, list[tuple[str, Any]]]]:
        """The batches that may leave now, removed and counted in flight: those of a
        host that has taken every Deliver sent to it, and any that holds an urgent
        message (everything before it in the batch goes with it, in order: a busy
        host then reads the control before the Tick that would run its next step).
        The others wait for a ``took``."""
        if not self.batches:
            return []
        in_flight, urgent = self.in_flight, self._urgent_hosts
        ready = [host for host in self.batches if host not in in_flight or host in urgent]
        sent = self._sent
        for host in ready:
            in_flight[host] = in_flight.get(host, 0) + 1
            sent[host] = sent.get(host, 0) + 1
            urgent.discard(host)
        return [(host, self.batches.pop(host)) for host in ready]

    def delivered(self, pid: str | None = None) -> list[tuple[str, Any]]:
        """Every queued ``(pid, message)`` (of ``pid`` only, if given), host by host:
        for tests and logs, not for the hot path."""
        return [
            (to, message)
            for batch in self.batches.values()
            for to, message in batch
            if pid is None or to == pid
        ]
