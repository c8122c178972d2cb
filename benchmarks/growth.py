"""How one daemon grows with waiting workchains: 1k, 10k, 100k (1M if you have the time).

For each size N it starts a daemon (``--workers`` hosts, default 2) in a fresh home and
measures, from this client process:

- ``submit_many`` of N ``Waiter`` workchains (each WAITING on one child that waits on
  nothing: 2N processes), in chunks of ``--chunk``: workchains per second, from the
  first submit until all 2N are WAITING. If the count of WAITING processes stops
  growing for ``--stall`` seconds, the processes still CREATED are counted
  (``stuck_created``: issue 11, finding 10) and the run goes on;
- ``status`` round trips on 500 random workchains: p50 and p99, in wall time and in
  this client's CPU time (on a shared machine the wall p99 is mostly time spent waiting
  for a core); the first call, which opens the store, is timed apart (``status_first_ms``);
- the first page of ``process list`` (2,000 rows, ``Client.list_page``, what the CLI
  prints first): milliseconds; and every page of it (all 2N rows);
- the daemon's summed RSS and PSS, then a restart (stop, start, time until it answers),
  then RSS and PSS again;
- ``kill --all``: ONE request (``Client.kill_all``, what ``prunus process kill --all``
  sends); the supervisor picks the N trees and cascades each: seconds until answered,
  and meanwhile, from a second client, ``status`` round trips one after another (the
  supervisor carries out a chunk of trees per message): how many and the slowest.

Wall times on a shared machine follow its load, so each phase also reports the CPU
seconds the daemon's OS processes used (``/proc``), and every row its load average;
the submission's CPU is also given per workchain and per OS process
(``submit_cpu_ms_per_workchain``: the supervisor, each host, the others).
Prints a table and writes ``benchmarks/results/growth.json``.
Run: ``python benchmarks/growth.py [--sizes 1000 10000 100000] [--workers 2]``;
``--submit-only`` stops each size after its submission (A/B runs of submit_many).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the workloads module, here and (via PYTHONPATH) in the daemon

import _procfs  # noqa: E402
from _prunus_workloads import Waiter  # noqa: E402

import prunus  # noqa: E402
from prunus.control import daemon_pids, daemon_status, start_daemon, stop_daemon  # noqa: E402
from prunus.control._daemon_files import read_daemon_file  # noqa: E402
from prunus.persistence import KEY_FILE  # noqa: E402


def own_pids(home: Path) -> list[int]:
    return daemon_pids(json.loads((home / "daemon.json").read_text()))


def memory_mib(home: Path) -> dict[str, float]:
    kib = _procfs.memory_kib(own_pids(home))
    return {kind: value / 1024 for kind, value in kib.items()}


def cpu(home: Path) -> float:
    return _procfs.cpu_seconds(own_pids(home))


def cpu_by_role(home: Path) -> dict[str, float]:
    """CPU seconds so far of the supervisor, each host, and the rest (admin, logger,
    echo, the main process): where a submission's CPU goes."""
    info = daemon_status(home, timeout=120)
    roles = {info["supervisor_pid"]: "supervisor"}
    roles.update({pid: f"host {index}" for index, pid in enumerate(info["host_pids"])})
    seconds: dict[str, float] = {}
    for pid in own_pids(home):
        role = roles.get(pid, "others")
        seconds[role] = seconds.get(role, 0.0) + _procfs.cpu_seconds([pid])
    return seconds


def by_state(home: Path) -> dict[str, int]:
    return dict(daemon_status(home, timeout=120).get("processes", {}))


def wait_all_waiting(home: Path, n: int, stall: float, row: dict[str, Any]) -> None:
    """Until all 2N are WAITING, or their count has not grown for ``stall`` seconds
    (then note how many stayed CREATED: issue 11, finding 10)."""
    best, since = -1, time.monotonic()
    while True:
        states = by_state(home)
        waiting = states.get("WAITING", 0)
        if waiting >= 2 * n:
            row["stuck_created"] = 0
            return
        if waiting > best:
            best, since = waiting, time.monotonic()
        elif time.monotonic() - since > stall:
            row["stuck_created"] = states.get("CREATED", 0)
            row["stuck_states"] = states
            return
        time.sleep(0.2)


class Row(dict):
    """A size's results, each also printed to stderr as it is measured: a 1M run takes
    an hour, and a failure in a late phase (its restart) must not lose the early ones."""

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        print(
            f"[{time.strftime('%H:%M:%S')}] {key} = {json.dumps(value)}",
            file=sys.stderr,
            flush=True,
        )


def one_size(
    n: int, workers: int, chunk: int, stall: float, submit_only: bool = False
) -> dict[str, Any]:
    row: dict[str, Any] = Row(n=n, processes=2 * n, workers=workers)
    with tempfile.TemporaryDirectory(prefix="prunus-growth-") as where:
        home = Path(where)
        start_daemon(home, workers=workers)
        try:
            with prunus.Client.connect(home, timeout=600) as client:
                row["load_before"] = os.getloadavg()[0]
                cpu_before = cpu(home)
                roles_before = cpu_by_role(home)
                started = time.perf_counter()
                pids: list[str] = []
                for first in range(0, n, chunk):
                    pids += client.submit_many([(Waiter, None)] * min(chunk, n - first))
                row["submitted_s"] = time.perf_counter() - started
                wait_all_waiting(home, n, stall, row)
                row["submit_s"] = time.perf_counter() - started
                row["submit_rate"] = n / row["submit_s"]
                row["submit_cpu_s"] = cpu(home) - cpu_before
                row["submit_cpu_ms_per_workchain"] = {
                    role: round(1000 * (seconds - roles_before.get(role, 0.0)) / n, 3)
                    for role, seconds in cpu_by_role(home).items()
                }
                row["load_submit"] = os.getloadavg()[0]
                if submit_only:  # (A/B runs of the submission alone: --submit-only)
                    return row
                begun = time.perf_counter()
                client.status(pids[0])  # opens the store (a client's first read)
                row["status_first_ms"] = 1000 * (time.perf_counter() - begun)
                samples, cpu_samples = [], []
                for pid in random.Random(16).sample(pids, min(500, n)):
                    begun, cpu_begun = time.perf_counter(), time.process_time()
                    client.status(pid)
                    samples.append(time.perf_counter() - begun)
                    cpu_samples.append(time.process_time() - cpu_begun)
                samples.sort()
                cpu_samples.sort()
                row["status_cpu_p99_ms"] = (
                    1000 * cpu_samples[min(len(cpu_samples) - 1, int(0.99 * len(cpu_samples)))]
                )
                row["status_p50_ms"] = 1000 * statistics.median(samples)
                row["status_p99_ms"] = (
                    1000 * samples[min(len(samples) - 1, int(0.99 * len(samples)))]
                )
                query = prunus.ListQuery()
                begun = time.perf_counter()
                page = client.list_page(query, limit=2000)
                row["list_first_page_ms"] = 1000 * (time.perf_counter() - begun)
                rows = len(page.statuses)
                while page.next is not None:
                    page = client.list_page(query, after=page.next, limit=2000)
                    rows += len(page.statuses)
                row["list_all_pages_s"] = time.perf_counter() - begun
                row["list_rows"] = rows
            row["before_restart_mib"] = memory_mib(home)
            stop_daemon(home)
            begun = time.perf_counter()
            start_daemon(home, workers=workers)
            row["restart_s"] = time.perf_counter() - begun
            row["restart_cpu_s"] = cpu(home)  # (new OS processes: all they used so far)
            row["load_restart"] = os.getloadavg()[0]
            time.sleep(2.0)  # let hosts passivate what the restart re-activated, if any
            row["after_restart_mib"] = memory_mib(home)
            row["active_after_restart"] = daemon_status(home, timeout=120)["active"]
            with prunus.Client.connect(home, timeout=600) as client:
                cpu_before = cpu(home)
                probe = StatusProbe(home, pids[-1])
                begun = time.perf_counter()
                killed = client.kill_all(timeout=600)
                row["kill_all_s"] = time.perf_counter() - begun
                row.update(probe.stop())
                row["kill_all_cpu_s"] = cpu(home) - cpu_before
                row["killed_trees"] = sum(1 for ok in killed.values() if ok)
                row["load_kill"] = os.getloadavg()[0]
            row["after_kill"] = by_state(home)
        finally:
            stop_daemon(home)
            log = (home / "daemon.log").read_text()
            # Host batches the supervisor had to put back in order (or never got).
            row["batches_out_of_order"] = log.count("arrived before batch")
            row["batches_twice"] = log.count("arrived twice")
            row["batches_lost"] = log.count("never arrived")
            row["log_tail"] = log.splitlines()[-3:]
    return row


class StatusProbe:
    """``status`` of one pid, one call after another from its own client, until
    stopped: how many were answered and the slowest round trip (a supervisor busy
    with one long message answers none until it ends). The client knows only the
    daemon's port, so the supervisor answers (not the store, as on the same machine)."""

    def __init__(self, home: Path, pid: str) -> None:
        self._home, self._pid = home, pid
        self._done = threading.Event()
        self._times: list[float] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        port = read_daemon_file(self._home)["port"]
        key = self._home / KEY_FILE
        with prunus.Client.connect(address=port, key=key, timeout=600) as client:
            while not self._done.is_set():
                begun = time.perf_counter()
                client.status(self._pid)
                self._times.append(time.perf_counter() - begun)

    def stop(self) -> dict[str, Any]:
        self._done.set()
        self._thread.join(timeout=600)
        times = self._times
        return {
            "status_during_kill": len(times),
            "status_during_kill_max_ms": 1000 * max(times) if times else None,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--stall", type=float, default=60.0)
    parser.add_argument("--json", type=Path, default=HERE / "results" / "growth.json")
    parser.add_argument(
        "--submit-only",
        action="store_true",
        help="measure the submission alone (rate, CPU per workchain): for A/B runs",
    )
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(HERE), os.environ.get("PYTHONPATH")])
    )
    rows = []
    for n in args.sizes:
        row = one_size(n, args.workers, args.chunk, args.stall, args.submit_only)
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"workers": args.workers, "rows": rows}, indent=2))
    if args.submit_only:
        for row in rows:
            cpu_ms = row["submit_cpu_ms_per_workchain"]
            print(
                f"{row['n']:,} workchains: {row['submit_rate']:,.0f}/s, daemon CPU "
                f"{sum(cpu_ms.values()):.3f} ms per workchain {cpu_ms}, "
                f"load {row['load_before']:.1f}"
            )
        return
    header = ["workchains", "submit/s", "status p50", "p99 ms", "p99 CPU ms", "list page ms"]
    header += ["restart s"]
    header += ["RSS MiB before", "after", "kill all s", "stuck CREATED", "load"]
    print("  ".join(f"{h:>14}" for h in header))
    for row in rows:
        cells = [
            f"{row['n']:,}",
            f"{row['submit_rate']:,.0f}",
            f"{row['status_p50_ms']:.2f}",
            f"{row['status_p99_ms']:.2f}",
            f"{row['status_cpu_p99_ms']:.2f}",
            f"{row['list_first_page_ms']:.0f}",
            f"{row['restart_s']:.1f}",
            f"{row['before_restart_mib']['rss']:,.0f}",
            f"{row['after_restart_mib']['rss']:,.0f}",
            f"{row['kill_all_s']:.1f}",
            f"{row['stuck_created']}",
            f"{row['load_submit']:.1f}",
        ]
        print("  ".join(f"{c:>14}" for c in cells))


if __name__ == "__main__":
    main()
