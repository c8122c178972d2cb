"""What one control round trip costs: wall time, CPU on each side, system calls.

``compare.py``'s workload 5 gives the wall-clock p50/p99 of status, pause, play and
kill against plumpy. On a shared 2-core machine that wall clock is mostly other
people's load (and their fsyncs), so this script measures what a control costs
whatever the load: the CPU time of the daemon's OS processes and of the client per
call (``/proc/<pid>/stat``, ``time.process_time``), phase by phase over N WAITING
(passivated) ``Gate`` processes on a 2-worker daemon, and, with ``--strace``, the
system calls of the daemon's OS processes (``strace -c``: select-loop calls, reads,
``fdatasync``, ``pwrite64``). The ``nop`` phase is a pause of a pid that does not
exist: the round trip alone, no store write.

Run with the tree to measure on ``PYTHONPATH`` (``_prunus_side.daemon`` passes it on
to the daemon)::

    PYTHONPATH=. python benchmarks/control_cost.py --n 300 [--strace DIR]

Prints one JSON line: per phase, ``p50_ms`` (wall), ``client_cpu_ms`` and
``daemon_cpu_ms`` (user + system, per call, by OS pid of the daemon that used any),
and the load average when it started.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _prunus_side as side  # noqa: E402
import _prunus_workloads as workloads  # noqa: E402

PHASES = ("nop", "pause", "play", "kill")


def ticks(pids: set[int]) -> dict[int, int]:
    """User + system clock ticks used so far, by pid (gone ones left out)."""
    used = {}
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        used[pid] = int(fields[11]) + int(fields[12])
    return used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="WAITING processes (calls per phase)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--strace", type=Path, help="write strace -c of each daemon pid here")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    out: dict[str, object] = {"n": args.n, "load_at_start": load}
    with side.daemon(args) as running:
        client = running.client
        side.warm_up(client, args.workers)
        pids = side.submit_waiting(client, workloads.Gate, args.n)
        time.sleep(1.0)  # the hosts passivate them
        daemon_pids = running.processes()
        tracers = []
        if args.strace and shutil.which("strace"):
            args.strace.mkdir(parents=True, exist_ok=True)
            for pid in sorted(daemon_pids):
                command = ["strace", "-c", "-S", "calls", "-p", str(pid)]
                command += ["-o", str(args.strace / f"strace-{pid}.txt")]
                tracers.append(subprocess.Popen(command, stderr=subprocess.DEVNULL))
            time.sleep(1.0)

        def nop(pid: str) -> bool:
            try:
                client.pause("no-such-" + pid)
            except Exception:  # the daemon's one-line "unknown pid" answer
                return True
            return True

        try:
            for phase in PHASES:
                call = nop if phase == "nop" else getattr(client, phase)
                latencies = []
                before, cpu = ticks(daemon_pids), time.process_time()
                for pid in pids:
                    start = time.perf_counter()
                    if not call(pid):
                        raise RuntimeError(f"{phase} of {pid} answered False")
                    latencies.append(time.perf_counter() - start)
                client_cpu = time.process_time() - cpu
                after = ticks(daemon_pids)
                used = {p: (after[p] - before.get(p, 0)) * tick_ms / args.n for p in after}
                out[phase] = {
                    "p50_ms": round(statistics.median(latencies) * 1e3, 3),
                    "client_cpu_ms": round(client_cpu * 1e3 / args.n, 3),
                    "daemon_cpu_ms": {str(p): round(ms, 3) for p, ms in used.items() if ms},
                }
        finally:
            for tracer in tracers:
                tracer.send_signal(signal.SIGINT)
            for tracer in tracers:
                tracer.wait(timeout=30)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
