"""The plumpy side of ``compare.py``: runs one workload and prints one line of JSON.

Runs in the benchmark's own virtualenv (plumpy 0.26.1, kiwipy[rmq]), never in the
project's. Usage: ``python _plumpy_side.py WORKLOAD --n N [--url AMQP_URL ...]``; the
workloads are described in ``compare.py``. The JSON line is
``{"values": {key: number}, "extra": {...}}``; keys match the prunus side's.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import _plumpy_workloads as workloads
import _procfs
import plumpy
from _plumpy_worker import connect

HERE = Path(__file__).resolve().parent
RPC_TIMEOUT = 30.0


def rate(n: int, body: Callable[[], Any]) -> float:
    start = time.perf_counter()
    for _ in range(n):
        body()
    return n / (time.perf_counter() - start)


def check(outputs: Any, expected: dict[str, Any]) -> None:
    if outputs != expected:
        raise RuntimeError(f"unexpected outputs {outputs!r}, expected {expected!r}")


# ---- workloads 1-3: in-process ----------------------------------------------------


def trivial(args: argparse.Namespace) -> dict[str, Any]:
    return {"values": {"trivial": rate(args.n, lambda: workloads.Trivial().execute())}}


def loop3(args: argparse.Namespace) -> dict[str, Any]:
    def plain() -> None:
        check(workloads.Loop3().execute(), {"total": 6})

    values = {"loop3.memory": rate(args.n, plain)}
    with tempfile.TemporaryDirectory() as tmp:
        workloads.PERSISTER = plumpy.PicklePersister(tmp)

        def pickled() -> None:
            check(workloads.CheckpointedLoop3().execute(), {"total": 6})

        values["loop3.durable"] = rate(args.n, pickled)
        checkpoints = len(os.listdir(tmp))
    return {"values": values, "extra": {"checkpoint_files": checkpoints}}


def parent10(args: argparse.Namespace) -> dict[str, Any]:
    def one() -> None:
        check(workloads.Parent().execute(), {"total": 90})

    return {"values": {"parent10": rate(args.n, one)}}


# ---- workloads 4-6: a daemon of worker processes behind RabbitMQ ------------------


def result(future: Any, timeout: float = RPC_TIMEOUT) -> Any:
    """The final value of a kiwipy reply (a pending reply is a future of a future)."""
    value = future
    while isinstance(value, concurrent.futures.Future):
        value = value.result(timeout=timeout)
    return value


@contextlib.contextmanager
def daemon(args: argparse.Namespace, tmp: Path) -> Iterator[tuple[Any, list[int]]]:
    """Start ``args.workers`` worker processes; yield (controller, worker pids)."""
    prefix = f"bench.{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, PYTHONPATH=str(HERE))
    workers: list[subprocess.Popen[str]] = []
    communicator = None
    try:
        for i in range(args.workers):
            log = open(tmp / f"worker{i}.log", "w")  # noqa: SIM115 - closed with the process
            workers.append(
                subprocess.Popen(
                    [
                        *(sys.executable, str(HERE / "_plumpy_worker.py"), "--url", args.url),
                        *("--prefix", prefix, "--persist-dir", str(tmp / f"pickles{i}")),
                    ],
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    cwd=HERE,
                    env=env,
                )
            )
            log.close()
        for worker in workers:
            wait_ready(worker, tmp, timeout=60)
        communicator = connect(args.url, prefix)
        yield plumpy.RemoteProcessThreadController(communicator), [w.pid for w in workers]
    finally:
        if communicator is not None:
            communicator.close()
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            if worker.stdout is not None:
                worker.stdout.close()


def wait_ready(worker: subprocess.Popen[str], tmp: Path, timeout: float) -> None:
    assert worker.stdout is not None
    ready, _, _ = select.select([worker.stdout], [], [], timeout)
    line = worker.stdout.readline() if ready else ""
    if line.strip() != "ready":
        logs = "".join(path.read_text()[-2000:] for path in sorted(tmp.glob("worker*.log")))
        raise RuntimeError(f"a plumpy worker did not start:\n{logs}")


def warm_up(controller: Any, workers: int) -> None:
    """Import the classes and open the persisters in every worker before timing."""
    futures = [
        controller.launch_process(workloads.CheckpointedLoop3, persist=True, nowait=False)
        for _ in range(4 * workers)
    ]
    for future in futures:
        check(result(future, 120), {"total": 6})


def launch_waiting(controller: Any, process_class: type, count: int) -> list[Any]:
    """Launch ``count`` processes (launches in flight together); return once all WAIT."""
    futures = [controller.launch_process(process_class, nowait=True) for _ in range(count)]
    pids = [result(future, 120) for future in futures]
    deadline = time.monotonic() + 120
    pending = list(pids)
    while pending:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(pending)} processes never reached WAITING")
        statuses = [(pid, controller.get_status(pid)) for pid in pending]
        pending = [pid for pid, status in statuses if "WAITING" not in result(status)["state"]]
    return pids


def submit_to_finish(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, daemon(args, Path(tmp)) as (controller, _):
        warm_up(controller, args.workers)
        start = time.perf_counter()
        futures = [
            controller.launch_process(
                workloads.CheckpointedLoop3,
                init_kwargs={"inputs": {"n": 3}},
                persist=True,
                nowait=False,
            )
            for _ in range(args.n)
        ]
        for future in futures:
            check(result(future, 300), {"total": 6})
        elapsed = time.perf_counter() - start
    return {"values": {"daemon": args.n / elapsed}}


def control(args: argparse.Namespace) -> dict[str, Any]:
    operations = {
        "status": lambda c, pid: c.get_status(pid),
        "pause": lambda c, pid: c.pause_process(pid),
        "play": lambda c, pid: c.play_process(pid),
        "kill": lambda c, pid: c.kill_process(pid),
    }
    latencies: dict[str, list[float]] = {name: [] for name in operations}
    with tempfile.TemporaryDirectory() as tmp, daemon(args, Path(tmp)) as (controller, _):
        warm_up(controller, args.workers)
        pids = launch_waiting(controller, workloads.Gate, args.n)
        for pid in pids:
            for name, operation in operations.items():
                start = time.perf_counter()
                answer = result(operation(controller, pid))
                latencies[name].append(time.perf_counter() - start)
                if not answer:
                    raise RuntimeError(f"{name} of {pid} answered {answer!r}")
    return {"values": percentiles(latencies)}


def percentiles(latencies: dict[str, list[float]]) -> dict[str, float]:
    values = {}
    for name, samples in latencies.items():
        cuts = statistics.quantiles(samples, n=100, method="inclusive")
        values[f"control.{name}.p50"] = cuts[49] * 1e3
        values[f"control.{name}.p99"] = cuts[98] * 1e3
    return values


def memory(args: argparse.Namespace) -> dict[str, Any]:
    broker = _procfs.descendants(args.broker_pid) if args.broker_pid else set()
    with tempfile.TemporaryDirectory() as tmp, daemon(args, Path(tmp)) as (controller, pids):
        warm_up(controller, args.workers)
        time.sleep(1.0)
        before = {"workers": _procfs.memory_kib(pids), "broker": _procfs.memory_kib(broker)}
        launch_waiting(controller, workloads.Waiter, args.n)
        time.sleep(1.0)
        after = {"workers": _procfs.memory_kib(pids), "broker": _procfs.memory_kib(broker)}
    per_1000 = {
        part: {
            kind: (after[part][kind] - before[part][kind]) / 1024 * 1000 / args.n
            for kind in ("rss", "pss")
        }
        for part in before
    }
    return {
        "values": {
            "memory.rss": per_1000["workers"]["rss"] + per_1000["broker"]["rss"],
            "memory.pss": per_1000["workers"]["pss"] + per_1000["broker"]["pss"],
        },
        "extra": {"per_1000_mib": per_1000, "before_kib": before, "after_kib": after},
    }


# ---- workload 7: a campaign of independent children, in-process ---------------------

CAMPAIGN_CHILD_SECONDS = 0.2  # as on the prunus side


def campaign(args: argparse.Namespace) -> dict[str, Any]:
    """The same campaigns as the prunus side, each run with ``execute()``."""
    import _plumpy_campaign

    def seconds(children: int, each: float, kind: str) -> float:
        inputs = {"children": children, "seconds": each, "kind": kind}
        started = time.perf_counter()
        outputs = _plumpy_campaign.Campaign(inputs=inputs).execute()
        elapsed = time.perf_counter() - started
        check(outputs, {"total": sum(range(children))})
        return elapsed

    seconds(4, 0.01, "cpu")  # warm-up
    values = {
        "campaign20": seconds(args.n, CAMPAIGN_CHILD_SECONDS, "cpu"),
        "campaign4cpu": seconds(4, 1.0, "cpu"),
        "campaign4sleep": seconds(4, 1.0, "sleep"),
    }
    return {"values": values, "extra": {"load": os.getloadavg()}}


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
    parser.add_argument("--url", help="AMQP URL of the broker (workloads 4-6)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--broker-pid", type=int, help="counted in the memory workload")
    parser.add_argument("--profile", type=Path, help="write cProfile stats here")
    args = parser.parse_args()
    # compare.py ends an overrunning side with SIGTERM: unwind, so daemons get stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(f"{args.workload}: terminated"))
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        answer = profiler.runcall(WORKLOADS[args.workload], args)
        profiler.dump_stats(args.profile)
    else:
        answer = WORKLOADS[args.workload](args)
    print(json.dumps({"system": "plumpy", "version": plumpy.__version__, **answer}))


if __name__ == "__main__":
    main()
