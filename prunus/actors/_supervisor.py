"""The supervisor actor: the Thespian shell around :class:`Supervision`.

One supervisor per runtime holds the registry of every process and is the only router:
clients talk only to it; hosts report to it in batches, and it updates the registry
*before* it forwards an answer, so a status read after any answered control sees that
control's effect. What it does with each message is decided by plain parts, testable
without Thespian (see :mod:`prunus.actors._supervision`, which wires them):

- ``_registry``: entries, placement, trees, and what a process ending means;
- ``_launches``: a launch is answered only after its first checkpoint is committed;
- ``_control``: pause/play/kill cascades, held answers, durable kill records;
  ``_passivated``: a control applied to a passivated process from its checkpoint (the
  supervisor runs the cell code itself; no host, no activation);
- ``_waits``: waiters and their deadlines (typed timer payloads);
- ``_host_pool``: hosts, their load, their deaths and back-off;
- ``_recovery``: reload at start, and a dead host's processes re-activated;
- ``_inspection``: status, list, outputs, describe, report, daemon info;
- ``_outgoing``: what all of them decided to send, per host batched.

This shell does only what needs Thespian: it creates the host actors (and the echo
actor that paces daemon hosts), restarts a host that died (after a back-off if it
keeps dying), turns timers into ``wakeupAfter`` and sends what the parts decided: the
replies, then one Deliver per host. In a daemon it also watches the daemon's main
process and ends the actor system if that is gone (:mod:`prunus.actors._lifeline`);
with members, it drains one on request (its hosts told to exit, their slots retired:
:mod:`prunus.actors._draining`) and asks the admin every heartbeat when each member
last registered.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

from prunus.actors._draining import Drained, DrainMember, Drains
from prunus.actors._echo import Echo
from prunus.actors._host import HostActor
from prunus.actors._host_messages import (
    Deliver,
    HostEvents,
)
from prunus.actors._host_pool import HostPool, RestartHost
from prunus.actors._lifeline import CHECK_SECONDS, WatchMain, end_own_session, process_gone
from prunus.actors._member_host import MemberHost, on_member
from prunus.actors._messages import NOT_READY, Configure, ErrorReply
from prunus.actors._store_desk import OpenStore, StoreDesk
from prunus.actors._supervision import REQUESTS, Supervision
from prunus.actors._thespian import (
    Actor,
    ActorExitRequest,
    ActorSystemConventionUpdate,
    ChildActorExited,
    PoisonMessage,
    WakeupMessage,
    admin_status_request,
    check_in_ages,
    heartbeat_timing,
    is_admin_status,
)
from prunus.persistence import LmdbStore, every_commit_synced

__all__ = ["Supervisor"]


class CheckIns:
    """Timer payload: ask the admin when each member last registered."""


_LOG = logging.getLogger(__name__)


class Supervisor(Actor):
    """Decodes each message, hands it to :class:`Supervision`, sends what it decided."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._config = Configure()
        self._hosts = HostPool()
        self._supervision: Supervision | None = None  # made by Configure
        self._echo: Any = None
        self._desk: Any = None  # commits for members' hosts (started with the first)
        self._closing = False
        self._drains = Drains()
        self._admin: Any = None  # this system's admin: it sends the convention notices
        self._checking_in = False  # a CheckIns timer is running

    def receiveMessage(self, message: Any, sender: Any) -> None:
        supervision = self._supervision
        kind = type(message)
        if kind in REQUESTS:
            if supervision is None:
                self.send(sender, NOT_READY)
                return
            if kind is HostEvents and self._hosts.had_members and self._stale(sender):
                return
            supervision.handle(message, sender)
        elif kind is Configure:
            self._configure(message, sender)
        elif kind is DrainMember:
            if supervision is None:
                self.send(sender, NOT_READY)
                return
            self._drain(message.member, sender)
        elif isinstance(message, WakeupMessage):
            if supervision is None:
                return
            if type(message.payload) is RestartHost:
                index = message.payload.index
                if self._hosts.addresses[index] is None and index not in self._hosts.retired:
                    self._restart_host(index)  # (not restarted yet, nor retired)
            elif type(message.payload) is WatchMain:
                self._watch_main(message.payload)
                return
            elif type(message.payload) is CheckIns:
                self._ask_check_ins()
                return
            else:
                supervision.timer(message.payload)
        elif isinstance(message, ChildActorExited):
            if supervision is None or self._closing:
                return
            self._child_exited(message.childAddress)
        elif isinstance(message, ActorExitRequest):
            self._closing = True
            return
        elif isinstance(message, ActorSystemConventionUpdate):
            if supervision is None or self._closing:
                return
            self._admin = sender
            self._convention_update(message)
            if len(self._hosts.members) and not self._checking_in:
                self._ask_check_ins()
        elif is_admin_status(message):
            now = time.time()
            for address, age in check_in_ages(message):
                self._hosts.members.heard(address, age, now)
            return
        elif isinstance(message, PoisonMessage) and self._hosts.index_of(sender) is not None:
            # A host failed twice on one message: what it was asked is lost. End it;
            # its processes restart from their checkpoints on a new host.
            _LOG.error("host %s could not handle %r; restarting it", sender, message.poisonMessage)
            self.send(sender, ActorExitRequest())
            return
        else:
            _LOG.warning("supervisor ignored unexpected message %r", message)
            return
        self._flush()

    def _flush(self) -> None:
        """Send what this message produced: replies, timers, then one Deliver per host."""
        if self._supervision is None:
            return
        out = self._supervision.out
        if out.sends:
            sends, out.sends = out.sends, []
            for to, message in sends:
                self.send(to, message)
        if out.timers:
            timers, out.timers = out.timers, []
            for seconds, payload in timers:
                self.wakeupAfter(seconds, payload=payload)
        if out.batches:  # one Deliver in flight per host (see _outgoing)
            addresses = self._hosts.addresses
            for index, items in out.ready_batches():
                if addresses[index] is not None:
                    self.send(addresses[index], Deliver(tuple(items)))
                else:  # not restarted yet: re-derived when it is
                    out.drop_host(index)

    def _configure(self, config: Configure, sender: Any) -> None:
        if self._supervision is not None:
            self.send(sender, ErrorReply("PrunusError", "", "the runtime is configured already"))
            return
        self._config = config
        # Hosts first: in daemon mode they are forked from this OS process, which must
        # not hold an open LMDB environment across fork.
        if config.home is not None:
            self._hosts.distributed = True
            self._echo = self.createActor(Echo)
            # Members joining or lost (a daemon is the leader of its own convention)
            self.notifyOnSystemRegistrationChanges(True)
        for _ in range(config.workers):
            self._start_host(self._hosts.add())
        store = config.store
        if store is None:  # each commit durable before it returns, with one disk flush
            store = LmdbStore(config.home, flush_once=not every_commit_synced())
        if self._hosts.distributed:  # hosts of an earlier leader on members: fenced
            self._hosts.generation = store.new_generation()
        self._supervision = Supervision(
            store,
            self.myAddress,
            self._hosts,
            passivate=config.passivate,
            restart_limit=config.restart_limit,
        )
        self.send(sender, True)
        if config.main_pid:
            self.wakeupAfter(CHECK_SECONDS, payload=WatchMain(config.main_pid))

    def _ask_check_ins(self) -> None:
        """While members are in the convention, ask the admin every heartbeat when
        each last registered: ``daemon status`` shows it (Thespian does not notify a
        registration that changes nothing)."""
        self._checking_in = bool(len(self._hosts.members)) and self._admin is not None
        if self._checking_in:
            self.send(self._admin, admin_status_request())
            self.wakeupAfter(heartbeat_timing()[0], payload=CheckIns())

    def _watch_main(self, watch: WatchMain) -> None:
        if process_gone(watch.pid):
            end_own_session(watch.pid)  # does not return
        self.wakeupAfter(CHECK_SECONDS, payload=watch)

    def _start_host(self, index: int) -> None:
        member = self._hosts.member_of[index]
        earlier = self._hosts.fences.pop(index, None)
        if earlier is not None and self._supervision is not None:
            # The assignment it had is over: whatever that host still ships (if it
            # only seemed dead) is refused, before its processes start again.
            self._supervision.fence([earlier])
        if member is None:
            address = self.createActor(HostActor)
        else:  # on that member exactly: never on whichever system is first willing
            if self._desk is None:
                self._start_desk()
            self._hosts.new_fence(index)
            address = self.createActor(MemberHost, targetActorRequirements=on_member(member))
        self._hosts.started(index, address)
        self.send(address, self._host_config(index))

    def _host_config(self, index: int) -> Any:
        """A host on a member gets no path to the leader's home: its desk instead."""
        config = self._hosts.config(index, self._config, self._echo)
        if self._hosts.member_of[index] is None:
            return config
        return dataclasses.replace(config, home=None, desk=self._desk)

    def _start_desk(self) -> None:
        self._desk = self.createActor(StoreDesk)
        self.send(self._desk, OpenStore(str(self._config.home)))

    def _child_exited(self, address: Any) -> None:
        if self._echo is not None and self._echo == address:
            _LOG.error("the echo actor exited; starting another")
            self._echo = self.createActor(Echo)
            self._configure_hosts()
            return
        if self._desk is not None and self._desk == address:
            _LOG.error("the store desk exited; starting another")
            self._start_desk()
            self._configure_hosts()
            return
        index = self._hosts.index_of(address)
        if index is None:
            return
        assert self._supervision is not None
        self._supervision.out.drop_host(index)  # re-derived when it is restarted
        delay = self._hosts.died(index, time.monotonic())
        member = self._hosts.member_of[index]
        if not self._hosts.stays(index):  # its member is lost or draining
            self._slot_gone(index)
            return
        if member is not None:
            # Its member may be gone too, unnoticed yet: wait until the convention
            # would have said so, then start it there again or, if lost, move its
            # processes (see _restart_host).
            seconds, misses = heartbeat_timing()
            delay = max(delay, seconds * (misses + 1))
        if delay:
            # Dying at once, again and again: do not spin; try again a little later.
            _LOG.error("host %d died (on %s); restarting it in %g s", index, member, delay)
            self.wakeupAfter(delay, payload=RestartHost(index))
            return
        self._restart_host(index)

    def _configure_hosts(self) -> None:
        """Tell every host its (new) echo and desk."""
        for index, host in enumerate(self._hosts.addresses):
            if host is not None:
                self.send(host, self._host_config(index))

    def _stale(self, sender: Any) -> bool:
        """Events from a host that is no longer one of ours (its member was declared
        lost, and its processes were assigned again elsewhere): dropped, and the host
        told to exit, so nothing it did after the loss is applied twice."""
        if self._hosts.index_of(sender) is not None or sender == self._echo:
            return False  # (the echo forwards a host's report on a long step)
        _LOG.error("dropped events from %s: a host of a lost member; telling it to exit", sender)
        self.send(sender, ActorExitRequest())
        return True

    def _convention_update(self, update: Any) -> None:
        """A member joined: start its hosts there. A member was lost: its hosts are
        dead; they start again on the leader, and their processes from checkpoints."""
        members = self._hosts.members
        capabilities = update.remoteCapabilities or {}
        member = members.update(
            update.remoteAdminAddress, capabilities, update.remoteAdded, time.time()
        )
        if member is None:
            return
        if update.remoteAdded:
            _LOG.warning("member %s joined with %s", member.name, member.capabilities)
            workers = int(capabilities.get("prunus.workers") or 1)
            stale = self._hosts.on_member(member.name)  # it rejoined: hosts from before
            for index in stale:
                if self._hosts.addresses[index] is not None:
                    self._child_exited(self._hosts.addresses[index])
            for _ in range(workers - len(stale)):
                self._start_host(self._hosts.add(member.name))
            assert self._supervision is not None
            self._supervision.members_changed()
            return
        _LOG.error("member %s lost; restarting its processes elsewhere", member.name)
        assert self._supervision is not None
        # First: nothing its hosts commit from now on is stored (if it was only cut off
        # and comes back), and only then its processes start again elsewhere.
        self._supervision.fence(self._hosts.fence_member(member.name))
        for index in self._hosts.on_member(member.name):
            if self._hosts.addresses[index] is not None:
                self._child_exited(self._hosts.addresses[index])
            else:  # already dead, waiting for this verdict: move its processes now
                self._slot_gone(index)
        self._drain_progress(member.name)  # (lost while draining: answered now)
        self._supervision.members_changed()

    def _restart_host(self, index: int) -> None:
        if not self._hosts.stays(index):
            self._slot_gone(index)
            return
        _LOG.error("host %d exited; restarting its processes from their checkpoints", index)
        self._start_host(index)
        assert self._supervision is not None
        self._supervision.host_restarted(index)

    def _slot_gone(self, index: int) -> None:
        """Host ``index`` is gone with its member (lost, or drained): its processes
        move to other hosts, the slot is retired (see HostPool.retire)."""
        assert self._supervision is not None
        member = self._hosts.member_of[index]
        earlier = self._hosts.fences.pop(index, None)
        if earlier is not None:  # its assignment is over: nothing it ships is stored
            self._supervision.fence([earlier])
        draining = member in self._drains
        moved = self._supervision.move_processes(index, crashed=not draining)
        _LOG.warning("host %d of member %s is gone; %d processes moved", index, member, moved)
        if member is not None:
            self._drains.moved(member, moved)
            self._drain_progress(member)

    def _drain(self, name: str, asker: Any) -> None:
        """``prunus daemon stop`` on member ``name``: nothing new goes there; each of
        its hosts is told to exit (between two slices); see :mod:`._draining`."""
        hosts = self._hosts
        if name not in hosts.members:
            self.send(asker, Drained(name, 0, known=False))
            return
        _LOG.warning("draining member %s", name)
        hosts.members.drain(name)
        self._drains.start(name, asker)
        for index in hosts.on_member(name):
            address = hosts.addresses[index]
            if address is None:  # dead already, waiting for a restart: not there
                self._slot_gone(index)
            else:
                self.send(address, ActorExitRequest())
        self._drain_progress(name)

    def _drain_progress(self, name: str) -> None:
        if not self._hosts.live_on(name):
            for asker, drained in self._drains.done(name):
                _LOG.warning("member %s drained: %d processes moved", name, drained.moved)
                self.send(asker, drained)
