"""Building blocks for driving the supervisor's parts directly, without an actor system.

Addresses are plain strings here: a part only stores an asker and hands it back in
``Outgoing.sends``; it never looks inside.
"""

from __future__ import annotations

from prunus.actors._control import Control
from prunus.actors._host_pool import HostPool
from prunus.actors._outgoing import Outgoing
from prunus.actors._registry import Registry
from prunus.actors._waits import Waits
from prunus.engine import Process, ProcessResult, ProcessState, ProcessStatus, Wait
from prunus.persistence import MemoryStore

ME = "supervisor"  # the supervisor's own address: where cascaded controls are answered


def status(
    pid: str,
    state: ProcessState = ProcessState.WAITING,
    *,
    parent: str | None = None,
    children: tuple[str, ...] = (),
    paused: bool = False,
    text: str | None = None,
) -> ProcessStatus:
    return ProcessStatus(pid, "tests:P", state, paused, text, None, children, parent, created=1.0)


def result(pid: str, state: ProcessState = ProcessState.FINISHED) -> ProcessResult:
    return ProcessResult(pid, state, {"value": pid}, process_class="tests:P")


def ended(pid: str, state: ProcessState, *, parent: str | None = None, why: str | None = None):
    """The (status, result) pair a host reports in a Finished event."""
    return status(pid, state, parent=parent, text=why), result(pid, state)


class Parts:
    """A registry on ``hosts`` hosts, with control and waits over a real MemoryStore."""

    def __init__(self, hosts: int = 2) -> None:
        self.hosts = HostPool()
        for index in range(hosts):
            self.hosts.started(self.hosts.add(), f"host-{index}")
        self.store = MemoryStore()
        self.registry = Registry(self.hosts)
        self.control = Control(self.registry, self.store, ME)
        self.waits = Waits(self.registry)
        self.out = Outgoing()

    def tree(self, root: str, *children: str) -> None:
        """Register ``root`` and its children (``root.0``...) as live, WAITING."""
        self.registry.register(status(root, children=children))
        for child in children:
            self.registry.register(status(child, parent=root))

    def take(self) -> Outgoing:
        """What was decided so far; the next calls start from an empty Outgoing."""
        out, self.out = self.out, Outgoing()
        return out


class Gate(Process):
    """Goes WAITING on nothing: a process that stays put until it is controlled."""

    def run(self):
        return Wait(self.opened, "waiting for nothing")

    def opened(self):
        return None
