"""The fault matrix: a real daemon under SIGKILLs, a full disk and a corrupt record.

Each round starts a daemon (``--workers`` hosts) in a fresh home, submits ``--chains``
``Chain`` workchains (each launches ``--links`` children one after the other), injects
one fault at a random moment while children are being launched, lets the runtime
recover *without any manual stop*, and then checks, from the store and from the steps'
witness file (``_fault_workloads.py``):

- **lost**: a pid the client was given that the runtime no longer knows;
- **stranded**: a process that has not ended ``--deadline`` seconds after the fault;
- **duplicate children**: a parent with more children than it launched;
- **wrong**: a chain that finished with the wrong total;
- **re-run steps**: witness lines written twice (a step the fault interrupted, or one
  that completed but whose checkpoint had not been committed yet).

Fault kinds: ``host`` (SIGKILL one host actor), ``admin`` (SIGKILL Thespian's admin, the
actor system's root), ``supervisor`` (SIGKILL the supervisor's
OS process), ``main`` (SIGKILL the daemon's main process, then ``start_daemon``),
``group`` (SIGKILL every OS process of the daemon, then ``start_daemon``), ``client``
(SIGKILL a client in the middle of ``submit_many``), ``disk`` (fill the home's file
system while steps run, keep it full until a process shows ``blocked``, then free it;
needs root for a tmpfs), ``disk-host`` (the same, and SIGKILL one host while the disk is
full), ``corrupt`` (stop the daemon, overwrite one registry record with junk, start it
again). ``--keep DIR`` saves the daemon log and the stranded processes' views of every
failed round.

Prints a table and writes ``benchmarks/results/faults.json``. Run:
``python benchmarks/faults.py [--rounds 20] [--kinds host group ...] [--chains 100]``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the workloads module, here and (via PYTHONPATH) in the daemon

from _fault_injection import KINDS, Outcome, inject  # noqa: E402
from _fault_workloads import Chain  # noqa: E402
from _procfs import with_argument  # noqa: E402

import prunus  # noqa: E402
from prunus.control import daemon_pids, start_daemon, stop_daemon  # noqa: E402
from prunus.persistence import LmdbStore  # noqa: E402


def submit_chains(home: Path, args: argparse.Namespace) -> list[str]:
    with prunus.Client.connect(home) as client:
        items = [(Chain, {"n": args.links, "delay": args.delay})] * args.chains
        return list(client.submit_many(items))


def wait_until_ended(home: Path, pids: list[str], deadline: float) -> set[str]:
    """The acknowledged pids that are still not ended at ``deadline`` (reconnecting
    while the daemon recovers)."""
    pending = set(pids)
    while pending and time.monotonic() < deadline:
        try:
            with prunus.Client.connect(home, timeout=5) as client:
                for status in client.list():
                    if status.pid in pending and status.state.is_terminal:
                        pending.discard(status.pid)
        except prunus.PrunusError:
            pass
        if pending:
            time.sleep(0.5)
    return pending


def run_round(kind: str, index: int, root: Path, args: argparse.Namespace) -> Outcome:
    home = root / f"{kind}-{index}"
    home.mkdir()
    witness = home.parent / f"{kind}-{index}.witness"
    os.environ["PRUNUS_WITNESS"] = str(witness)
    outcome = Outcome(kind, index)
    rng = random.Random(f"{args.seed}-{kind}-{index}")
    started = time.monotonic()
    with inject(kind, home, rng, outcome) as fault:
        if outcome.skipped:
            return outcome
        info = start_daemon(home, workers=args.workers)
        try:
            pids = fault.submit(lambda: submit_chains(home, args), info, args)
            fault.strike(info, args)
            struck = time.monotonic()
            stranded = wait_until_ended(home, pids, struck + args.deadline)
            outcome.recovery_seconds = time.monotonic() - struck
            outcome.stranded = len(stranded)
            outcome.examine(home, witness, pids, args.links)
            fault.observe()
            if args.keep is not None and not outcome.survived:
                keep_evidence(home, witness, stranded, args.keep / f"{kind}-{index}")
        finally:
            stopping = time.monotonic()
            outcome.leftover = _stop(home)
            outcome.stop_seconds = time.monotonic() - stopping
    outcome.seconds = time.monotonic() - started
    return outcome


def keep_evidence(home: Path, witness: Path, stranded: set[str], into: Path) -> None:
    """For a failed round: the daemon's log, the witness file, and what the runtime and
    the store say about each stranded process (the home itself is removed after the
    round, and for ``disk`` it is a tmpfs)."""
    into.mkdir(parents=True, exist_ok=True)
    for source in (home / "daemon.log", witness):
        with contextlib.suppress(OSError):
            shutil.copy(source, into / source.name)
    views: dict[str, dict[str, object]] = {pid: {} for pid in sorted(stranded)}
    with contextlib.suppress(prunus.PrunusError), prunus.Client.connect(home, timeout=10) as client:
        for pid in views:
            with contextlib.suppress(prunus.PrunusError):
                views[pid]["runtime"] = dataclasses.asdict(client.status(pid))
    with contextlib.suppress(prunus.PrunusError), LmdbStore(home, readonly=True) as store:
        records = dict(store.records())
        for pid in views:
            views[pid]["store"] = records.get(pid)
    (into / "stranded.json").write_text(json.dumps(views, indent=1, default=str))


_STOP_SECONDS = 30.0


def _stop(home: Path) -> int:
    """Stop whatever daemon runs on ``home``; how many OS processes had to be SIGKILLed
    because a stop did not end them (should be 0). ``stop_daemon`` SIGKILLs what is
    left after its timeout itself, so a stop that used it all counts as at least one."""
    try:
        info = json.loads((home / "daemon.json").read_text())
    except (OSError, ValueError):
        return 0
    started = time.monotonic()
    with contextlib.suppress(prunus.PrunusError):
        stop_daemon(home, timeout=_STOP_SECONDS)
    timed_out = time.monotonic() - started >= _STOP_SECONDS
    # Its recorded sessions, and any process naming the home (one of an actor system
    # that a restart replaced is in neither of the sessions daemon.json records now).
    left = set(daemon_pids(info)) | with_argument(str(home))
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return max(len(left), int(timed_out))


def summarise(outcomes: list[Outcome]) -> list[dict[str, object]]:
    rows = []
    for kind in dict.fromkeys(o.kind for o in outcomes):
        mine = [o for o in outcomes if o.kind == kind]
        rows.append(
            {
                "fault": kind,
                "rounds": len(mine),
                "injected": sum(o.injected for o in mine),
                "survived": sum(o.survived for o in mine),
                "lost": sum(o.lost for o in mine),
                "stranded": sum(o.stranded for o in mine),
                "duplicate children": sum(o.duplicate_children for o in mine),
                "wrong": sum(o.wrong for o in mine),
                "re-run steps": sum(o.rerun_steps for o in mine),
                "leftover processes": sum(o.leftover for o in mine),
                "skipped": sum(o.skipped is not None for o in mine),
            }
        )
    return rows


def print_table(rows: list[dict[str, object]]) -> None:
    columns = list(rows[0]) if rows else []
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(f"{c:>{widths[c]}}" for c in columns))
    for row in rows:
        print("  ".join(f"{row[c]!s:>{widths[c]}}" for c in columns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--kinds", nargs="*", choices=KINDS, default=list(KINDS))
    parser.add_argument("--chains", type=int, default=100)
    parser.add_argument("--links", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.01, help="seconds per Link step")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--deadline", type=float, default=60.0, help="seconds to recover")
    parser.add_argument("--seed", default="prunus")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "faults.json")
    parser.add_argument(
        "--keep", type=Path, help="a folder for the daemon log and views of failed rounds"
    )
    parser.add_argument(
        "--client-child", nargs=2, metavar=("HOME", "COUNT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.client_child:
        _client_child(Path(args.client_child[0]), int(args.client_child[1]), args)
        return
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(HERE), os.environ.get("PYTHONPATH")])
    )
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="prunus-faults-") as tmp:
        for kind in args.kinds:
            for index in range(args.rounds):
                outcome = run_round(kind, index, Path(tmp), args)
                outcomes.append(outcome)
                print(outcome.line(), flush=True)
    rows = summarise(outcomes)
    print()
    print_table(rows)
    args.json.parent.mkdir(exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                "settings": {k: v for k, v in vars(args).items() if k not in ("json",)},
                "table": rows,
                "rounds": [o.as_dict() for o in outcomes],
            },
            indent=2,
            default=str,
        )
    )
    print(f"wrote {args.json}")


def _client_child(home: Path, count: int, args: argparse.Namespace) -> None:
    """The client the ``client`` fault kills: submits in batches and prints every pid
    it was given, as soon as it has it (the parent reads these as acknowledged)."""
    with prunus.Client.connect(home) as client:
        for _ in range(0, count, 25):
            for pid in client.submit_many([(Chain, {"n": args.links, "delay": args.delay})] * 25):
                print(pid, flush=True)


def client_process(home: Path, count: int, args: argparse.Namespace) -> subprocess.Popen:
    command = [sys.executable, __file__, "--client-child", str(home), str(count)]
    command += ["--links", str(args.links), "--delay", str(args.delay)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


if __name__ == "__main__":
    main()
