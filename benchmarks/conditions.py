"""``when=`` end to end: releasing 10,000 dependents on a real daemon, and what one
terminal transition costs the supervisor with 100,000 pending conditions stored.

1. Daemon (``--workers`` hosts, durable LMDB home in a temporary directory): one job
   that pauses itself; N dependents submitted in one ``submit_many`` with
   ``when=job.finished_ok`` (and, for reference, N without a condition); then the job
   is played. Measured: submit throughput with and without ``when=``, and the time
   from the job's end (the time its step wrote) to the last dependent's first step
   (the time each dependent's step wrote), i.e. release latency of all N.
2. Supervisor, in this process, without actors (``Supervision`` over a MemoryStore):
   P held processes in the book (each waiting on its own running job), then the cost
   of ``Supervision.finished`` for 2,000 other processes' endings that no condition
   names, and for 2,000 endings that each release one held process. Compared with the
   same endings and no pending conditions at all: the per-transition cost must not
   grow with P (the book is indexed by the pids conditions name).

Run: ``python benchmarks/conditions.py [--n 10000] [--pending 100000] [--workers 2]``.
Writes ``benchmarks/results/conditions.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the workloads module, here and (via PYTHONPATH) in the daemon

from _condition_workloads import HeldJob, Stamp  # noqa: E402

import prunus  # noqa: E402
from prunus.actors._host_pool import HostPool  # noqa: E402
from prunus.actors._supervision import Supervision  # noqa: E402
from prunus.conditions import Pid  # noqa: E402
from prunus.control import start_daemon, stop_daemon  # noqa: E402
from prunus.engine import ProcessResult, ProcessState, ProcessStatus  # noqa: E402
from prunus.persistence import MemoryStore  # noqa: E402


def release_on_daemon(n: int, workers: int) -> dict[str, float]:
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(HERE), os.environ.get("PYTHONPATH")])
    )
    with tempfile.TemporaryDirectory() as home:
        start_daemon(home, workers=workers)
        try:
            with prunus.Client.connect(home, timeout=120) as client:
                started = time.perf_counter()
                free = client.submit_many([(Stamp, None)] * n)
                plain_rate = n / (time.perf_counter() - started)
                client.wait_many(free, timeout=600)
                job = client.submit(HeldJob)
                while not client.status(job).paused:
                    time.sleep(0.01)
                started = time.perf_counter()
                held = client.submit_many([(Stamp, None)] * n, when=job.finished_ok)
                held_rate = n / (time.perf_counter() - started)
                assert client.status(held[-1]).state is ProcessState.CREATED
                client.play(job)
                ended = client.wait(job, timeout=60)["ended"]
                results = client.wait_many(held, timeout=600)
        finally:
            stop_daemon(home)
    last = max(result["started"] for result in results)
    first = min(result["started"] for result in results)
    assert first >= ended
    return {
        "submit_per_s_without_when": plain_rate,
        "submit_per_s_with_when": held_rate,
        "release_first_started_s": first - ended,
        "release_last_started_s": last - ended,
    }


def _status(pid: str, state: ProcessState = ProcessState.CREATED) -> ProcessStatus:
    return ProcessStatus(pid, "bench:P", state, created=1.0)


def transition_cost(pending: int, endings: int = 2000) -> dict[str, float]:
    """Microseconds of Supervision.finished per ending, with ``pending`` held."""
    hosts = HostPool()
    hosts.started(hosts.add(), "host-0")
    sv = Supervision(MemoryStore(), "me", hosts, passivate=True, restart_limit=3)
    registry, book = sv.registry, sv.dependencies.book
    for i in range(pending):  # each waits on its own running job
        job = f"job{i}"
        registry.register(_status(job, ProcessState.RUNNING))
        condition = Pid(job).finished_ok
        sv.dependencies.hold(_status(f"held{i}"), condition)
    assert len(book) == pending

    def end(pids: list[str]) -> float:
        started = time.perf_counter()
        for pid in pids:
            status = _status(pid, ProcessState.FINISHED)
            sv.finished(status, ProcessResult(pid, ProcessState.FINISHED, {}))
            sv.out.batches.clear()
        return 1e6 * (time.perf_counter() - started) / len(pids)

    unrelated = [f"other{i}" for i in range(endings)]
    for pid in unrelated:
        registry.register(_status(pid, ProcessState.RUNNING))
    cost_unrelated = end(unrelated)
    releasing = [f"job{i}" for i in range(min(endings, pending))]
    cost_releasing = end(releasing) if releasing else 0.0
    return {"pending": pending, "us_unrelated": cost_unrelated, "us_releasing_one": cost_releasing}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-daemon", action="store_true")
    args = parser.parse_args()
    results: dict = {"machine": platform.platform(), "cpus": os.cpu_count()}
    results["supervisor_none"] = transition_cost(0)
    results["supervisor_pending"] = transition_cost(args.pending)
    for row in ("supervisor_none", "supervisor_pending"):
        r = results[row]
        print(
            f"supervisor, {r['pending']:>7} pending: {r['us_unrelated']:7.1f} us per unrelated "
            f"ending, {r['us_releasing_one']:7.1f} us per ending that releases one"
        )
    if not args.skip_daemon:
        daemon = results["daemon"] = release_on_daemon(args.n, args.workers)
        daemon["n"], daemon["workers"] = args.n, args.workers
        print(
            f"daemon, {args.n} dependents: submit {daemon['submit_per_s_without_when']:.0f}/s "
            f"without when=, {daemon['submit_per_s_with_when']:.0f}/s with when=; released: "
            f"first started {daemon['release_first_started_s']:.3f} s, last started "
            f"{daemon['release_last_started_s']:.3f} s after the job ended"
        )
    out = HERE / "results" / "conditions.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
