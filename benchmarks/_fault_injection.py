"""Fault kinds for ``faults.py``: how each one is injected, and what a round found.

Each kind is a small class with two moments: ``submit`` (how the round's work is
submitted; the ``client`` kind kills its client in the middle of it) and ``strike``
(the fault itself, at a random moment while children are being launched, plus what a
user would do next: nothing, or ``prunus daemon start`` for a daemon that is gone).
A round never stops the daemon by hand before checking: recovering is the runtime's job.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from random import Random
from typing import Any

from _fault_workloads import chain_total
from _procfs import session_root

import prunus
from prunus.control import daemon_pids, daemon_status, start_daemon, stop_daemon
from prunus.persistence import LmdbStore

__all__ = ["KINDS", "Outcome", "inject"]

KINDS = ("host", "admin", "supervisor", "main", "group", "client", "disk", "disk-host", "corrupt")


@dataclasses.dataclass
class Outcome:
    """What one round did and found."""

    kind: str
    round: int
    injected: bool = False
    skipped: str | None = None
    acknowledged: int = 0
    lost: int = 0
    stranded: int = 0
    duplicate_children: int = 0
    wrong: int = 0
    rerun_steps: int = 0
    leftover: int = 0
    seconds: float = 0.0
    recovery_seconds: float = 0.0  # from the fault until every acknowledged pid ended
    stop_seconds: float = 0.0  # the `daemon stop` after the checks
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def survived(self) -> bool:
        bad = self.lost + self.stranded + self.duplicate_children + self.wrong + self.leftover
        return self.injected and self.skipped is None and bad == 0

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "survived": self.survived}

    def line(self) -> str:
        if self.skipped:
            return f"{self.kind:<10} round {self.round:>2}: skipped ({self.skipped})"
        verdict = "survived" if self.survived else "FAILED"
        return (
            f"{self.kind:<10} round {self.round:>2}: {verdict}: {self.acknowledged} acknowledged, "
            f"lost {self.lost}, stranded {self.stranded}, duplicate children "
            f"{self.duplicate_children}, wrong {self.wrong}, re-run steps {self.rerun_steps}, "
            f"leftover {self.leftover} ({self.seconds:.1f} s: recovered in "
            f"{self.recovery_seconds:.1f} s, stopped in {self.stop_seconds:.1f} s)"
            + (f" [{'; '.join(self.notes)}]" if self.notes else "")
        )

    def examine(self, home: Path, witness: Path, pids: list[str], links: int) -> None:
        """Count lost, duplicate, wrong and re-run from the runtime, store and witness."""
        self.acknowledged = len(pids)
        known = _known_pids(home)
        if known is None:
            self.notes.append("the runtime did not answer after recovery")
        with LmdbStore(home) as store:
            records = {}
            with contextlib.suppress(prunus.PrunusError):
                records = dict(store.records())
            known = set(records) if known is None else known
            self.lost = sum(pid not in known for pid in pids)
            children = Counter(r.get("parent") for r in records.values() if r.get("parent"))
            self.duplicate_children = sum(max(0, n - links) for n in children.values())
            for pid in pids:
                record = records.get(pid)
                if record is not None and record.get("state") == prunus.ProcessState.FINISHED.value:
                    outputs = store.get_outputs(pid) or {}
                    self.wrong += outputs.get("total") != chain_total(links)
        lines = witness.read_text().splitlines() if witness.exists() else []
        self.rerun_steps = sum(n - 1 for n in Counter(lines).values())


def _known_pids(home: Path) -> set[str] | None:
    try:
        with prunus.Client.connect(home, timeout=10) as client:
            return {status.pid for status in client.list()}
    except prunus.PrunusError:
        return None


class Fault:
    """SIGKILL of one of the daemon's OS processes, chosen by :meth:`victims`."""

    restart_after = False  # True: the daemon is gone, so the user runs `daemon start`

    def __init__(self, home: Path, rng: Random, outcome: Outcome) -> None:
        self.home, self.rng, self.outcome = home, rng, outcome

    def submit(self, submit: Callable[[], list[str]], info: dict, args: Any) -> list[str]:
        return submit()

    def strike(self, info: dict, args: Any) -> None:
        time.sleep(self.rng.uniform(0.0, 0.6))
        victims = self.victims(info)
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.outcome.injected = bool(victims)
        if self.restart_after:
            deadline = time.monotonic() + 30
            while True:
                try:
                    start_daemon(self.home, workers=args.workers)
                    return
                except prunus.PrunusError as error:
                    if time.monotonic() > deadline:
                        self.outcome.notes.append(f"daemon start failed: {error}")
                        return
                    time.sleep(0.5)

    def victims(self, info: dict) -> list[int]:
        raise NotImplementedError

    def observe(self) -> None:
        """After the round: note what the runtime did about the fault, if it says."""


class HostFault(Fault):
    def victims(self, info: dict) -> list[int]:
        return [self.rng.choice(daemon_status(self.home)["host_pids"])]


class AdminFault(Fault):
    """SIGKILL of Thespian's admin (the actor system's root); the main process restarts
    the actor system."""

    def victims(self, info: dict) -> list[int]:
        admin = session_root(int(info["sessions"][1]))
        return [] if admin is None else [admin]


class SupervisorFault(Fault):
    def victims(self, info: dict) -> list[int]:
        return [daemon_status(self.home)["supervisor_pid"]]


class MainFault(Fault):
    restart_after = True

    def victims(self, info: dict) -> list[int]:
        return [int(info["pid"])]


class GroupFault(Fault):
    restart_after = True

    def victims(self, info: dict) -> list[int]:
        return daemon_pids(info)


class ClientFault(Fault):
    """A client SIGKILLed in the middle of ``submit_many``: what it was told must all
    run; what it was not told may or may not exist, but must not be stuck."""

    def submit(self, submit: Callable[[], list[str]], info: dict, args: Any) -> list[str]:
        from faults import client_process

        child = client_process(self.home, args.chains, args)
        assert child.stdout is not None
        # Killed right after a random number of acknowledged pids, at least one batch
        # before the last: a fixed sleep after the first one outlasted the whole
        # submission on a quiet machine (2 of 3 rounds, "ended before it was killed").
        batch = 25  # as faults._client_child
        read = [
            child.stdout.readline()
            for _ in range(self.rng.randrange(1, max(2, args.chains - batch)))
        ]
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        out = "".join(read) + out
        self.outcome.injected = child.returncode == -signal.SIGKILL
        if not self.outcome.injected:
            self.outcome.notes.append("the client ended before it was killed")
        return out.split()

    def strike(self, info: dict, args: Any) -> None:
        pass


class CorruptFault(Fault):
    """Stop the daemon, overwrite one unfinished process's registry record with junk,
    start again: that process must stay visible, and every other one must run."""

    def strike(self, info: dict, args: Any) -> None:
        time.sleep(self.rng.uniform(0.0, 0.4))
        stop_daemon(self.home)
        with LmdbStore(self.home) as store:
            unfinished = [
                pid for pid, r in store.records() if r.get("state") not in _TERMINAL_VALUES
            ]
        if unfinished:
            _overwrite_record(self.home, self.rng.choice(unfinished))
            self.outcome.injected = True
        start_daemon(self.home, workers=args.workers)


class DiskFault(Fault):
    """The home on a small tmpfs; a filler file takes every free byte for a while."""

    def strike(self, info: dict, args: Any) -> None:
        time.sleep(self.rng.uniform(0.0, 0.4))
        filler = self.home / "filler"
        with open(filler, "wb") as file, contextlib.suppress(OSError):
            while True:
                file.write(b"\0" * (1 << 20))
                file.flush()
        with contextlib.suppress(OSError), open(filler, "ab") as file:
            while True:  # the last few kilobytes too
                file.write(b"\0" * 4096)
                file.flush()
        self.outcome.injected = True
        # LMDB reuses freed pages of its file, so commits may go on for a while on a
        # full disk: keep it full until the runtime shows a process blocked (or 10 s).
        deadline = time.monotonic() + 10
        while not self._blocked_seen() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.while_full()
        time.sleep(self.rng.uniform(0.5, 1.5))
        filler.unlink()

    def while_full(self) -> None:
        """A second fault while the disk is full (none here)."""

    def _blocked_seen(self) -> bool:
        with (
            contextlib.suppress(prunus.PrunusError),
            prunus.Client.connect(self.home, timeout=5) as client,
        ):
            if any((s.status or "").startswith("blocked: ") for s in client.list()):
                self.outcome.notes.append("a process was shown blocked")
                return True
        return False

    def observe(self) -> None:
        """How many hosts held (found the disk full and went on once there was room):
        a round where none did filled the disk between two commits only."""
        with contextlib.suppress(OSError):
            log = (self.home / "daemon.log").read_text(errors="replace")
            self.outcome.notes.append(f"hosts held {log.count('can write again')} times")


class DiskHostFault(DiskFault):
    """A full disk, and one host SIGKILLed while it holds: its replacement finds the
    disk full too, and the supervisor moves the dead host's processes meanwhile."""

    def while_full(self) -> None:
        with contextlib.suppress(prunus.PrunusError, ProcessLookupError):
            os.kill(self.rng.choice(daemon_status(self.home)["host_pids"]), signal.SIGKILL)
            self.outcome.notes.append("a host was SIGKILLed while the disk was full")


_TERMINAL_VALUES = {s.value for s in prunus.ProcessState if s.is_terminal}
_FAULTS = {
    "host": HostFault,
    "admin": AdminFault,
    "supervisor": SupervisorFault,
    "main": MainFault,
    "group": GroupFault,
    "client": ClientFault,
    "disk": DiskFault,
    "disk-host": DiskHostFault,
    "corrupt": CorruptFault,
}


@contextlib.contextmanager
def inject(kind: str, home: Path, rng: Random, outcome: Outcome) -> Iterator[Fault]:
    """The fault for ``kind``; ``disk*`` mounts (and unmounts) a tmpfs on ``home``."""
    if not kind.startswith("disk"):
        yield _FAULTS[kind](home, rng, outcome)
        return
    if os.geteuid() != 0:
        outcome.skipped = "needs root to mount a tmpfs"
        yield _Skip(home, rng, outcome)
        return
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96m,mode=0700", "tmpfs", str(home)], check=True
    )
    try:
        yield _FAULTS[kind](home, rng, outcome)
    finally:
        subprocess.run(["umount", "-l", str(home)], check=False)


class _Skip(Fault):
    def submit(self, submit: Callable[[], list[str]], info: dict, args: Any) -> list[str]:
        return []

    def strike(self, info: dict, args: Any) -> None:
        pass


def _overwrite_record(home: Path, pid: str) -> None:
    """Junk bytes in place of ``pid``'s registry record (lmdb directly: this is a fault
    injector, outside the package and its seam)."""
    import lmdb

    env = lmdb.open(str(home), max_dbs=32)
    try:
        with env.begin(write=True) as txn:
            txn.put(pid.encode(), b"\xc1 not msgpack", db=env.open_db(b"processes", txn=txn))
    finally:
        env.close()
