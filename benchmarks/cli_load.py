"""CLI load: many clients reading and controlling a daemon that is busy running chains.

Starts a real daemon (``--workers`` hosts) in a temporary home, submits ``--chains``
``Chain`` workchains that keep it busy (each launches ``--links`` Links one after the
other, ``--delay`` seconds each), then runs ``--clients`` client OS processes for
``--seconds``. Each client connects as ``prunus`` commands do (``Client.connect(home)``)
and loops over the calls the CLI makes: ``list``, ``status PID``, ``pause PID``,
``play PID`` (a random chain each time), timing every call in the client. ``list`` is
what ``prunus process list`` asks: every page of the processes that have not ended
(``--list-all``: ``Client.list()``, every process, ended ones too). Interpreter
start-up, which every ``prunus`` command also pays, is not counted: it is the same
with or without load.

Reported per call: count, errors (timeouts and any other exception), p50 and p99 in
ms, and the median CPU time the call cost the client (``time.process_time``); the load
average at the end is printed with them (the machine is shared). Targets (issue 11):
0 errors, reads p99 under 100 ms, controls p99 under 1 s.

Prints a table and writes ``benchmarks/results/cli_load.json``. Run:
``python benchmarks/cli_load.py [--chains 1000] [--clients 20] [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the workloads module, here and (via PYTHONPATH) in the daemon

from _fault_workloads import Chain  # noqa: E402

import prunus  # noqa: E402
from prunus import ListQuery  # noqa: E402
from prunus.control import start_daemon, stop_daemon  # noqa: E402

CALLS = ("list", "status", "pause", "play")
READS = ("list", "status")


def list_pages(client: prunus.Client) -> int:
    """What ``prunus process list`` asks: every page of the live processes."""
    shown, after = 0, None
    while True:
        page = client.list_page(ListQuery(), after=after, limit=2000)
        shown += len(page.statuses)
        if page.next is None:
            return shown
        after = page.next


def client_loop(
    home: Path, pids: list[str], seconds: float, seed: int, list_all: bool = False
) -> list[list]:
    """One client: ``[call, seconds, ok]`` per call, for ``seconds``."""
    rng = random.Random(seed)
    samples: list[list] = []
    with prunus.Client.connect(home, timeout=10) as client:
        calls = {
            "list": (lambda pid: client.list()) if list_all else (lambda pid: list_pages(client)),
            "status": client.status,
            "pause": client.pause,
            "play": client.play,
        }
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            name = rng.choice(CALLS)
            pid = rng.choice(pids)
            started, cpu = time.perf_counter(), time.process_time()
            try:
                calls[name](pid)
                ok = True
            except Exception:  # a timeout or any other failure counts as an error
                ok = False
            wall = time.perf_counter() - started
            samples.append([name, wall, ok, time.process_time() - cpu])
    return samples


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def summarise(samples: list[list]) -> list[dict[str, object]]:
    rows = []
    for name in CALLS:
        mine = [s for s in samples if s[0] == name]
        good = [s[1] for s in mine if s[2]]
        rows.append(
            {
                "call": name,
                "kind": "read" if name in READS else "control",
                "calls": len(mine),
                "errors": sum(not s[2] for s in mine),
                "p50_ms": round(1000 * percentile(good, 0.5), 2),
                "p99_ms": round(1000 * percentile(good, 0.99), 2),
                # this client's own CPU per call: what the call costs it, whatever the load
                "cpu_p50_ms": round(1000 * percentile([s[3] for s in mine if s[2]], 0.5), 2),
            }
        )
    return rows


def print_table(rows: list[dict[str, object]]) -> None:
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(f"{c:>{widths[c]}}" for c in columns))
    for row in rows:
        print("  ".join(f"{row[c]!s:>{widths[c]}}" for c in columns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chains", type=int, default=1000)
    parser.add_argument("--links", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds per Link step")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--list-all", action="store_true", help="list with Client.list() (every process)"
    )
    parser.add_argument("--json", type=Path, default=HERE / "results" / "cli_load.json")
    parser.add_argument(
        "--client", nargs=3, metavar=("HOME", "PIDS", "SEED"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.client:
        home, pids_file, seed = Path(args.client[0]), Path(args.client[1]), int(args.client[2])
        pids = pids_file.read_text().split()
        json.dump(client_loop(home, pids, args.seconds, seed, args.list_all), sys.stdout)
        return
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(HERE), os.environ.get("PYTHONPATH")])
    )
    with tempfile.TemporaryDirectory(prefix="prunus-cli-load-") as tmp:
        home = Path(tmp) / "home"
        start_daemon(home, workers=args.workers)
        try:
            with prunus.Client.connect(home, timeout=60) as client:
                pids = client.submit_many(
                    [(Chain, {"n": args.links, "delay": args.delay})] * args.chains
                )
            pids_file = Path(tmp) / "pids"
            pids_file.write_text("\n".join(pids))
            time.sleep(2.0)  # let the chains get going
            command = [sys.executable, __file__, "--seconds", str(args.seconds)]
            command += ["--list-all"] * args.list_all + ["--client"]
            clients = [
                subprocess.Popen(
                    [*command, str(home), str(pids_file), str(seed)],
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for seed in range(args.clients)
            ]
            samples: list[list] = []
            for child in clients:
                out, _ = child.communicate(timeout=args.seconds * 3 + 120)
                samples.extend(json.loads(out) if out.strip() else [])
            with prunus.Client.connect(home, timeout=60) as client:
                states: dict[str, int] = {}
                for status in client.list():
                    states[status.state.name] = states.get(status.state.name, 0) + 1
        finally:
            stop_daemon(home, timeout=60)
    load = os.getloadavg()
    rows = summarise(samples)
    print_table(rows)
    print(f"load average at the end: {load[0]:.1f} (1 min), {load[1]:.1f} (5 min)")
    reads = [r for r in rows if r["kind"] == "read"]
    controls = [r for r in rows if r["kind"] == "control"]
    verdict = {
        "errors": sum(int(r["errors"]) for r in rows),
        "read_p99_ms": max(float(r["p99_ms"]) for r in reads),
        "control_p99_ms": max(float(r["p99_ms"]) for r in controls),
    }
    print(
        f"errors {verdict['errors']} (target 0), read p99 {verdict['read_p99_ms']} ms "
        f"(target < 100), control p99 {verdict['control_p99_ms']} ms (target < 1000); "
        f"processes at the end: {states}"
    )
    args.json.parent.mkdir(exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                "settings": {k: v for k, v in vars(args).items() if k not in ("json", "client")},
                "table": rows,
                "verdict": verdict,
                "load_average": load,
                "states_at_end": states,
            },
            indent=2,
            default=str,
        )
    )
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
