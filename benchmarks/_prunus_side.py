"""The prunus side of ``compare.py``: runs one workload and prints one line of JSON.

Runs in the project's virtualenv. Usage: ``python _prunus_side.py WORKLOAD --n N``;
the workloads are described in ``compare.py``. The JSON line is
``{"values": {key: number}, "extra": {...}}`` (keys match the plumpy side's), or
``{"skipped": reason}`` when the daemon is not there to measure.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import _procfs
import _prunus_workloads as workloads

import prunus
from prunus.persistence import LmdbStore, stage_writes

HERE = Path(__file__).resolve().parent
PRUNUS = Path(sys.executable).with_name("prunus")


class Skipped(Exception):
    """This side cannot run the workload here; the message says why."""


def rate(n: int, body: Callable[[], Any]) -> float:
    start = time.perf_counter()
    for _ in range(n):
        body()
    return n / (time.perf_counter() - start)


def check(outputs: Any, expected: dict[str, Any]) -> None:
    if dict(outputs) != expected:
        raise RuntimeError(f"unexpected outputs {outputs!r}, expected {expected!r}")


# ---- workloads 1-3: embedded, in-process ------------------------------------------


def trivial(args: argparse.Namespace) -> dict[str, Any]:
    return {"values": {"trivial": rate(args.n, lambda: prunus.run(workloads.Trivial))}}


def loop3(args: argparse.Namespace) -> dict[str, Any]:
    values = {}

    def measure(key: str, client: prunus.Client) -> None:
        values[key] = rate(args.n, lambda: check(client.run(workloads.Loop3), {"total": 6}))

    with prunus.Client() as client:
        measure("loop3.memory", client)
    with tempfile.TemporaryDirectory() as home, prunus.Client(home=home) as client:
        measure("loop3.durable", client)
    with tempfile.TemporaryDirectory() as home, prunus.Client(home=home) as client:
        started = time.perf_counter()
        pids = client.submit_many([(workloads.Loop3, None)] * args.n)
        for result in client.wait_many(pids):
            check(result, {"total": 6})
        values["loop3.durable_batch"] = args.n / (time.perf_counter() - started)
    with tempfile.TemporaryDirectory() as home, LmdbStore(home, sync=False) as store:
        # The physical limit of a durable run: one LMDB commit (of a small record)
        # made durable by one fsync, nothing else.
        def commit() -> None:
            store.write("p", record={"state": 1})
            store.flush()

        values["fsync.raw"] = rate(args.n, commit)
    with tempfile.TemporaryDirectory() as home, LmdbStore(home, sync=False) as store:
        # The floor of the store's layout under the promise: a run's rows (record,
        # live row, checkpoint) committed 6 times (the first checkpoint, then once for
        # each of loop3's 5 steps), then one fsync (fsync_layout.py says why that
        # writes ~4x the pages of fsync.raw).
        record = {"state": "running", "step": "advance", "padding": "x" * 100}
        checkpoint = {"ctx": {"i": 1, "total": 1}, "padding": "y" * 380}
        pids = iter(range(args.n))

        def run_commits() -> None:
            pid = f"run{next(pids):08d}"
            for _ in range(6):
                store.write(pid, record=record, checkpoint=checkpoint)
            store.flush()

        values["fsync.run_commits"] = rate(args.n, run_commits)
    with tempfile.TemporaryDirectory() as home, LmdbStore(home, sync=False) as store:
        # The same rows as an embedded runtime commits them now: 6 appends to the step
        # journal, then the fsync, which puts them into LMDB in one transaction first.
        pids = iter(range(args.n))

        def run_journal() -> None:
            pid = f"run{next(pids):08d}"
            for _ in range(6):
                store.journal_staged(
                    stage_writes([(pid, {"record": record, "checkpoint": checkpoint})])
                )
            store.flush()

        values["fsync.run_journal"] = rate(args.n, run_journal)
    return {"values": values}


def parent10(args: argparse.Namespace) -> dict[str, Any]:
    def one() -> None:
        check(prunus.run(workloads.Parent), {"total": 90})

    return {"values": {"parent10": rate(args.n, one)}}


# ---- workloads 4-6: the daemon -----------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclasses.dataclass
class Daemon:
    """A running daemon: a client of it, its home, and every OS process seen in it."""

    client: Any
    home: Path
    seen: set[int]

    def processes(self) -> set[int]:
        """The daemon's OS processes now: its tree and the sessions ``daemon.json`` names."""
        with contextlib.suppress(OSError, ValueError, KeyError):
            info = json.loads((self.home / "daemon.json").read_text())
            root = int(info["pid"])
            self.seen |= _procfs.descendants(root) | _procfs.session_members(root)
            for session in info.get("sessions") or ():
                if session is not None:
                    self.seen |= _procfs.session_members(int(session))
        return _procfs.alive(self.seen)


@contextlib.contextmanager
def daemon(args: argparse.Namespace) -> Iterator[Daemon]:
    """Start a daemon on a fresh home with ``args.workers`` workers and yield it.

    Every OS process seen in the daemon's tree is ended by pid after ``daemon stop``
    if it is still there, so a failed run leaves nothing behind.
    """
    if not hasattr(prunus.Client, "connect"):
        raise Skipped("prunus daemon not available yet (no prunus.Client.connect)")
    # the caller's import path too, so a tree run with PYTHONPATH (not installed) runs
    # its own daemon, not whichever prunus the virtualenv has installed
    path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        start = [str(PRUNUS), "daemon", "start", "--home", str(home)]
        start += ["--port", str(free_port()), "--workers", str(args.workers)]
        started = subprocess.run(
            start, cwd=HERE, env=env, capture_output=True, text=True, timeout=120
        )
        if started.returncode != 0:
            said = (started.stderr.strip() or started.stdout.strip() or "nothing").splitlines()
            raise Skipped(f"prunus daemon not available yet ({said[-1][:200]})")
        running = Daemon(None, home, set())
        running.processes()
        try:
            running.client = prunus.Client.connect(home=home)
            yield running
        finally:
            running.processes()
            if running.client is not None:
                with contextlib.suppress(Exception):
                    running.client.close()
            subprocess.run(
                [str(PRUNUS), "daemon", "stop", "--home", str(home)],
                cwd=HERE,
                env=env,
                capture_output=True,
                timeout=120,
            )
            left = _procfs.wait_gone(running.seen, timeout=20)
            for pid in left:
                print(f"prunus daemon left pid {pid} running; ending it", file=sys.stderr)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def submit_waiting(client: Any, process_class: type, count: int) -> list[str]:
    """Submit ``count`` processes and return once every one of them is WAITING."""
    pids = [client.submit(process_class) for _ in range(count)]
    deadline = time.monotonic() + 120
    pending = list(pids)
    while pending:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(pending)} processes never reached WAITING")
        pending = [pid for pid in pending if client.status(pid).state.name != "WAITING"]
    return pids


def warm_up(client: Any, workers: int) -> None:
    for pid in [client.submit(workloads.Loop3) for _ in range(4 * workers)]:
        check(client.wait(pid, timeout=120), {"total": 6})


def submit_to_finish(args: argparse.Namespace) -> dict[str, Any]:
    with daemon(args) as running:
        client = running.client
        warm_up(client, args.workers)
        start = time.perf_counter()
        pids = [client.submit(workloads.Loop3, n=3) for _ in range(args.n)]
        for pid in pids:
            check(client.wait(pid, timeout=300), {"total": 6})
        elapsed = time.perf_counter() - start
    return {"values": {"daemon": args.n / elapsed}}


def control(args: argparse.Namespace) -> dict[str, Any]:
    operations = {
        "status": lambda c, pid: c.status(pid),
        "pause": lambda c, pid: c.pause(pid),
        "play": lambda c, pid: c.play(pid),
        "kill": lambda c, pid: c.kill(pid),
    }
    latencies: dict[str, list[float]] = {name: [] for name in operations}
    with daemon(args) as running:
        client = running.client
        warm_up(client, args.workers)
        for pid in submit_waiting(client, workloads.Gate, args.n):
            for name, operation in operations.items():
                start = time.perf_counter()
                answer = operation(client, pid)
                latencies[name].append(time.perf_counter() - start)
                if not answer:
                    raise RuntimeError(f"{name} of {pid} answered {answer!r}")
    values = {}
    for name, samples in latencies.items():
        cuts = statistics.quantiles(samples, n=100, method="inclusive")
        values[f"control.{name}.p50"] = cuts[49] * 1e3
        values[f"control.{name}.p99"] = cuts[98] * 1e3
    return {"values": values}


def memory(args: argparse.Namespace) -> dict[str, Any]:
    with daemon(args) as running:
        warm_up(running.client, args.workers)
        time.sleep(1.0)
        before = _procfs.memory_kib(running.processes())
        submit_waiting(running.client, workloads.Waiter, args.n)
        time.sleep(2.0)  # let the daemon passivate what it passivates
        after = _procfs.memory_kib(running.processes())
    per_1000 = {kind: (after[kind] - before[kind]) / 1024 * 1000 / args.n for kind in after}
    return {
        "values": {"memory.rss": per_1000["rss"], "memory.pss": per_1000["pss"]},
        "extra": {"before_kib": before, "after_kib": after, "processes": len(running.seen)},
    }


# ---- workload 7: a campaign of independent children on every core -------------------

CAMPAIGN_CHILD_SECONDS = 0.2  # CPU seconds of each of the N campaign children


def campaign_seconds(client: Any, children: int, seconds: float, kind: str) -> float:
    """Wall-clock seconds of one campaign run to its end through ``client``."""
    import _prunus_campaign

    started = time.perf_counter()
    outputs = client.run(_prunus_campaign.Campaign, children=children, seconds=seconds, kind=kind)
    elapsed = time.perf_counter() - started
    check(outputs, {"total": sum(range(children))})
    return elapsed


def bare_seconds(processes: int, children: int, seconds: float) -> float:
    """The machine's own limit for a campaign's work: ``children`` burns of
    ``seconds`` on ``processes`` bare OS processes (multiprocessing), no runtime."""
    import multiprocessing

    from _campaign_work import burn

    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pool.map(burn, [seconds] * children, chunksize=1)
    return time.perf_counter() - started


def campaign(args: argparse.Namespace) -> dict[str, Any]:
    """The work on bare processes (the machine's limit now), embedded on a pool of
    ``args.workers`` hosts (its start-up timed apart), then on a daemon."""
    values = {
        "campaign20.bare": bare_seconds(args.workers, args.n, CAMPAIGN_CHILD_SECONDS),
        "campaign4cpu.bare": bare_seconds(args.workers, 4, 1.0),
    }
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        client = prunus.Client(Path(tmp) / "home", workers=args.workers)
        values["campaign.start"] = time.perf_counter() - started
        try:
            campaign_seconds(client, 2 * args.workers, 0.01, "cpu")  # warm-up
            values["campaign20.workers"] = campaign_seconds(
                client, args.n, CAMPAIGN_CHILD_SECONDS, "cpu"
            )
            values["campaign4cpu.workers"] = campaign_seconds(client, 4, 1.0, "cpu")
            values["campaign4sleep.workers"] = campaign_seconds(client, 4, 1.0, "sleep")
        finally:
            started = time.perf_counter()
            client.close()
            values["campaign.stop"] = time.perf_counter() - started
    with daemon(args) as running:
        campaign_seconds(running.client, 2 * args.workers, 0.01, "cpu")  # warm-up
        values["campaign20.daemon"] = campaign_seconds(
            running.client, args.n, CAMPAIGN_CHILD_SECONDS, "cpu"
        )
    return {"values": values, "extra": {"workers": args.workers, "load": os.getloadavg()}}


WORKLOADS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "trivial": trivial,
    "loop3": loop3,
    "parent10": parent10,
    "daemon": submit_to_finish,
    "control": control,
    "memory": memory,
    "campaign": campaign,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile", type=Path, help="write cProfile stats here")
    args = parser.parse_args()
    # compare.py ends an overrunning side with SIGTERM: unwind, so daemons get stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(f"{args.workload}: terminated"))
    try:
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            answer = profiler.runcall(WORKLOADS[args.workload], args)
            profiler.dump_stats(args.profile)
        else:
            answer = WORKLOADS[args.workload](args)
    except Skipped as why:
        answer = {"skipped": str(why)}
    print(json.dumps({"system": "prunus", "version": prunus.__version__, **answer}))


if __name__ == "__main__":
    main()
