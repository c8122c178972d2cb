"""What share of a daemon's busy time goes to message encoding (issue 16, item 4).

Starts a daemon (``--workers`` hosts) in a fresh home and profiles every one of its OS
processes with py-spy (``--subprocesses`` on this process, made a child subreaper so
that Thespian's double-forked actor processes stay below it) through two phases:

- ``submit``: ``submit_many`` of N ``Waiter`` workchains in chunks, until all 2N
  processes are WAITING (what ``growth.py`` measures first);
- ``restart``: stop the daemon, start it again on the same home, and 2 s more.

Each sample is given to the OS process it came from (supervisor, host i, others: the
roles the daemon reports). Samples whose innermost frame waits (``poll``, ``select``,
``sleep``, a lock) are idle and left out; of the rest, a sample is **encoding** if
its stack holds one of :data:`ENCODING` (pickling and unpickling, ``_wire`` packing,
frame signing and checking in ``_frames``, the transport's receive buffer). Prints a
table per phase and role, with the commonest encoding leaves, and writes
``benchmarks/results/encoding_share.json``.

Run: ``python benchmarks/encoding_share.py [--n 10000] [--rate 200]``
(needs py-spy, from PyPI: on ``PATH``, or ``--py-spy PATH``).
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _prunus_workloads import Waiter  # noqa: E402

import prunus  # noqa: E402
from prunus.control import daemon_pids, daemon_status, start_daemon, stop_daemon  # noqa: E402

#: A stack holding one of these is message encoding (case-sensitive substrings of
#: py-spy's frames, ``function (file:line)``).
ENCODING = (
    "_wire.py",
    "pickle",
    "serializer",
    "_frames.py",
    "remainingAmount",
    "addData (thespian/system/transport/TCPTransport.py",
    "remainingSize (thespian/system/transport/TCPTransport.py",
    "data (thespian/system/transport/TCPTransport.py",
    "__reduce__",
    "unpack_",
    "pack_",
)
#: An innermost frame (its function's last dotted name) that waits: the sample is idle.
#: py-spy's own idle test misses some (a ``poll`` that has just returned, or a process
#: waiting for a core), so the innermost frame decides.
IDLE_LEAVES = frozenset({"poll", "select", "sleep", "wait", "_wait_for_tstate_lock", "acquire"})
#: py-spy ``--subprocesses`` roots each stack at the path of OS processes down to its own.
_PROCESSES = re.compile(r'^(?:process \d+:"[^"]*";)*process (\d+):"[^"]*";')


def _subreaper() -> None:
    """Orphans of our children (Thespian double-forks) become ours, so py-spy's
    ``--subprocesses`` keeps seeing them (Linux ``PR_SET_CHILD_SUBREAPER``)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def _reap() -> None:
    """Collect exited children (the daemon's processes end as our zombies)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


class Spy:
    """py-spy on this process and everything below it, raw stacks to ``out``."""

    def __init__(self, py_spy: str, out: Path, rate: int, flags: list[str]) -> None:
        command = [py_spy, "record", "--format", "raw", "-o", str(out), *flags]
        command += ["--subprocesses", "--rate", str(rate), "-p", str(os.getpid())]
        self.out = out
        self._spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)  # attached

    def stop(self) -> None:
        self._spy.send_signal(signal.SIGINT)
        self._spy.wait(timeout=120)


def _roles(home: Path) -> dict[int, str]:
    info = daemon_status(home, timeout=120)
    roles = {pid: "others" for pid in daemon_pids(info)}
    roles[info["supervisor_pid"]] = "supervisor"
    roles.update({pid: f"host {index}" for index, pid in enumerate(info["host_pids"])})
    return roles


def _wait_all_waiting(home: Path, n: int) -> None:
    deadline = time.monotonic() + 600
    while dict(daemon_status(home, timeout=120)["processes"]).get("WAITING", 0) < 2 * n:
        if time.monotonic() > deadline:
            raise RuntimeError("not all processes WAITING after 600 s")
        time.sleep(0.2)


def count(raw: Path, roles: dict[int, str]) -> dict[str, Any]:
    """Per role: busy samples, encoding samples, and the commonest encoding leaves."""
    busy: collections.Counter[str] = collections.Counter()
    encoding: collections.Counter[str] = collections.Counter()
    patterns: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    leaves: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for line in raw.read_text(errors="replace").splitlines():
        match = _PROCESSES.match(line)
        if match is None:
            continue
        role = roles.get(int(match.group(1)))
        if role is None:  # this script, py-spy's launcher, the stopping daemon's
            continue
        stack, _, samples = line[match.end() :].rpartition(" ")
        frames = stack.split(";")
        if frames[-1].partition(" (")[0].rpartition(".")[2] in IDLE_LEAVES:
            continue
        busy[role] += int(samples)
        hits = [pattern for pattern in ENCODING if pattern in stack]
        if hits:
            encoding[role] += int(samples)
            for pattern in hits:
                patterns[role][pattern] += int(samples)
            leaves[role][frames[-1]] += int(samples)
    result: dict[str, Any] = {}
    for role in sorted(busy):
        result[role] = {
            "busy": busy[role],
            "encoding": encoding[role],
            "share": encoding[role] / busy[role] if busy[role] else 0.0,
            "by_pattern": dict(patterns[role].most_common()),
            "top_leaves": leaves[role].most_common(8),
        }
    total_busy, total_encoding = sum(busy.values()), sum(encoding.values())
    result["daemon"] = {
        "busy": total_busy,
        "encoding": total_encoding,
        "share": total_encoding / total_busy if total_busy else 0.0,
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="keep the raw py-spy files in this folder")
    parser.add_argument("--py-spy", default=shutil.which("py-spy"))
    parser.add_argument("--json", type=Path, default=HERE / "results" / "encoding_share.json")
    args = parser.parse_args()
    if not args.py_spy or not os.access(args.py_spy, os.X_OK):
        parser.error("py-spy not found: pip install py-spy, or give --py-spy PATH")
    # --nonblocking: py-spy pausing every daemon process 200 times a second made a 10k
    # submission take over 10 minutes here (and --native needs those pauses).
    flags = ["--nonblocking"]
    _subreaper()
    result: dict[str, Any] = {"n": args.n, "workers": args.workers, "rate": args.rate}
    with tempfile.TemporaryDirectory(prefix="prunus-encoding-") as where:
        home, raws = Path(where) / "home", args.keep or Path(where)
        raws.mkdir(parents=True, exist_ok=True)
        start_daemon(home, workers=args.workers)
        try:
            spy = Spy(args.py_spy, raws / "submit.txt", args.rate, flags)
            result["load_before"] = os.getloadavg()[0]
            begun = time.perf_counter()
            with prunus.Client.connect(home, timeout=600) as client:
                for first in range(0, args.n, args.chunk):
                    client.submit_many([(Waiter, None)] * min(args.chunk, args.n - first))
            _wait_all_waiting(home, args.n)
            result["submit_s"] = time.perf_counter() - begun
            spy.stop()
            result["load_submit"] = os.getloadavg()[0]
            result["submit"] = count(spy.out, _roles(home))
            stop_daemon(home)
            _reap()
            spy = Spy(args.py_spy, raws / "restart.txt", args.rate, flags)
            begun = time.perf_counter()
            start_daemon(home, workers=args.workers)
            result["restart_s"] = time.perf_counter() - begun
            time.sleep(2.0)
            spy.stop()
            result["load_restart"] = os.getloadavg()[0]
            result["restart"] = count(spy.out, _roles(home))
        finally:
            stop_daemon(home)
            _reap()
    for phase in ("submit", "restart"):
        print(f"{phase}: {'role':>10} {'busy':>6} {'encoding':>8} {'share':>6}")
        for role, row in result[phase].items():
            print(f"{'':8}{role:>10} {row['busy']:6} {row['encoding']:8} {row['share']:6.1%}")
        for role, row in result[phase].items():
            for leaf, samples in row.get("top_leaves", [])[:4]:
                print(f"    {role}: {samples:5} {leaf}")
    print(
        f"load before/submit/restart: {result['load_before']:.2f} / "
        f"{result['load_submit']:.2f} / {result['load_restart']:.2f}; "
        f"submit {result['submit_s']:.1f} s, restart {result['restart_s']:.1f} s"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
