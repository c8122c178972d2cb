"""Members: a leader with two members against a single daemon, in the same run.

1. Throughput: N trivial Processes (default 10,000) submitted with ``submit_many`` in
   batches of 1,000 and awaited with ``wait_many``; the clock runs from the first
   submit to the last result. Once through a single daemon with ``3 * --workers``
   hosts, once through a leader with two members, ``--workers`` hosts each (as many
   hosts in all), all on this machine's loopback. Processes per second.
2. Recovery: 8 workchains of 20 steps of 50 ms run over a leader (1 host) and two
   members (1 host each); one member is SIGKILLed (every OS process of it) while they
   run. Measured: how long until the leader no longer lists it (the convention's
   1 s heartbeat, 3 misses), and until every workchain has finished.
3. Drain: the same work, but one member is stopped with ``stop_daemon`` (``prunus
   daemon stop``): how long the stop took (its hosts exit between two slices, their
   processes move), and until every workchain has finished; and how many steps ran
   twice (a drain should re-run none; a loss re-runs the step each host was in).

The load average is printed with the results: every number here shares two cores with
whatever else runs on the machine.
All daemons share this machine's cores: the members add no CPU here, so row 1 shows
what placement over members costs, not what more machines would gain.
Run: ``python benchmarks/members.py [--n 10000] [--workers 1]``.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the workloads module, here and (via PYTHONPATH) in daemons

from _prunus_workloads import SlowSteps, Trivial  # noqa: E402

import prunus  # noqa: E402
from prunus.control import daemon_pids, daemon_status, start_daemon, stop_daemon  # noqa: E402


@contextmanager
def daemon(home: Path, **options) -> Iterator[dict]:
    info = start_daemon(home, **options)
    try:
        yield info
    finally:
        if daemon_pids(info):
            stop_daemon(home)


def cluster(root: Path, workers: int, stack: ExitStack) -> Path:
    """A leader and two members, every member's hosts up; the leader's home."""
    leader = stack.enter_context(daemon(root / "leader", workers=workers))
    for name in ("m1", "m2"):
        key = root / "leader" / "secret.key"  # a member needs a copy of the leader's key
        stack.enter_context(
            daemon(root / name, workers=workers, join=leader["address"], key_file=key)
        )
    wait_until(lambda: all(r["host_pids"] and all(r["host_pids"]) for r in members(root)), 30)
    wait_until(lambda: len(members(root)) == 2, 30)
    return root / "leader"


def members(root: Path) -> list[dict]:
    return daemon_status(root / "leader")["members"]


def wait_until(check, timeout: float) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"not within {timeout} s")
        time.sleep(0.02)
    return time.monotonic() - started


def throughput(home: Path, n: int) -> float:
    with prunus.Client.connect(home, timeout=120) as client:
        started = time.perf_counter()
        pids: list[str] = []
        for first in range(0, n, 1000):
            pids += client.submit_many([(Trivial, {})] * min(1000, n - first))
        results = client.wait_many(pids, timeout=600)
        elapsed = time.perf_counter() - started
    assert all(r.is_finished_ok for r in results)
    return n / elapsed


def recovery(root: Path, *, drain: bool = False) -> tuple[float, float, int]:
    """(seconds until the member is gone, until all finished, steps that ran twice)."""
    witness = root / "witness.log"
    os.environ["PRUNUS_WITNESS"] = str(witness)  # (the daemons started below inherit it)
    with ExitStack() as stack:
        home = cluster(root, 1, stack)
        with prunus.Client.connect(home) as client:
            pids = [client.submit(SlowSteps) for _ in range(8)]
            time.sleep(0.3)
            victim = daemon_status(root / "m1")
            started = time.monotonic()
            if drain:
                stop_daemon(root / "m1")
            else:
                for pid in daemon_pids(victim):
                    os.kill(pid, signal.SIGKILL)
            gone = wait_until(lambda: len(members(root)) == 1, 60) + (
                time.monotonic() - started if drain else 0.0
            )
            results = client.wait_many(pids, timeout=120)
            done = time.monotonic() - started
        assert all(r.is_finished_ok and r["count"] == 20 for r in results)
    del os.environ["PRUNUS_WITNESS"]
    runs = witness.read_text().split("\n")[:-1] if witness.exists() else []
    return gone, done, len(runs) - len(set(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(HERE), os.environ.get("PYTHONPATH")])
    )
    with tempfile.TemporaryDirectory(prefix="prunus-members-") as tmp:
        root = Path(tmp)
        with daemon(root / "single", workers=3 * args.workers):
            single = throughput(root / "single", args.n)
        with ExitStack() as stack:
            spread = throughput(cluster(root / "three", args.workers, stack), args.n)
        noticed, done, twice = recovery(root / "recovery")
        stopped, drained, twice_drained = recovery(root / "drain", drain=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average after the run: {load}")
    print()
    print(f"| {args.n:,} trivial processes, submit_many + wait_many | processes/s |")
    print("|---|---|")
    print(f"| single daemon, {3 * args.workers} hosts | {single:,.0f} |")
    print(f"| leader + 2 members, {args.workers} hosts each | {spread:,.0f} |")
    print(f"| ratio (members / single) | {spread / single:.2f} |")
    print()
    print("| 8 workchains x 20 steps of 50 ms, leader + 2 members ", end="")
    print("| member gone after | all done after | steps witnessed twice |")
    print("|---|---|---|---|")
    print(f"| one member SIGKILLed | {noticed:.2f} s | {done:.2f} s | {twice} |")
    print(f"| one member stopped (drained) | {stopped:.2f} s | {drained:.2f} s | {twice_drained} |")


if __name__ == "__main__":
    main()
