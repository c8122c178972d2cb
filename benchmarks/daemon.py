"""The daemon: submit-to-finish throughput and control round-trip latency.

Starts a real daemon (``--workers`` hosts, default 2) in a temporary home with durable
LMDB checkpoints after every step, and measures from this client process:

- submit-to-finish throughput of N trivial Processes and N three-step WorkChains,
  submitted (a) one ``submit`` call each, then one ``wait_many``, and (b) in one
  ``submit_many`` call; the clock runs from the first submit to the last result;
- the latency of ``status``, ``pause``, ``play`` and ``kill`` round trips (p50, p99,
  over ``--control`` WAITING, passivated processes: pause then play each, then kill each);
- for reference, the same N three-step WorkChains embedded in this process
  (``Client(home)``: durable LMDB, in-process actors), measured in the same run.

Prints a table and writes ``benchmarks/results/daemon.json``.
Run: ``python benchmarks/daemon.py [--n 1000] [--control 300] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the workloads module, here and (via PYTHONPATH) in the daemon

from _prunus_workloads import Gate, ThreeSteps, Trivial  # noqa: E402

import prunus  # noqa: E402
from prunus.control import start_daemon, stop_daemon  # noqa: E402


def throughput(client: prunus.Client, cls: type, n: int, batched: bool) -> float:
    started = time.perf_counter()
    if batched:
        pids = client.submit_many([(cls, None)] * n)
    else:
        pids = [client.submit(cls) for _ in range(n)]
    results = client.wait_many(pids)
    elapsed = time.perf_counter() - started
    assert all(result.is_finished_ok for result in results)
    return n / elapsed


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
    }


def control_latency(client: prunus.Client, count: int) -> dict[str, dict[str, float]]:
    pids = client.submit_many([(Gate, None)] * count)
    while any(status.state.name != "WAITING" for status in client.list() if status.pid in pids):
        time.sleep(0.05)
    timings: dict[str, list[float]] = {"status": [], "pause": [], "play": [], "kill": []}
    for verb in ("status", "pause", "play", "kill"):
        call = getattr(client, verb)
        for pid in pids:
            started = time.perf_counter()
            call(pid)
            timings[verb].append(time.perf_counter() - started)
    return {verb: percentiles(samples) for verb, samples in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--control", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(HERE), os.environ.get("PYTHONPATH")])
    )
    rows: list[tuple[str, str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "daemon"
        start_daemon(home, workers=args.workers)
        try:
            with prunus.Client.connect(home) as client:
                client.run(Trivial)  # warm up: imports in the daemon
                for cls in (Trivial, ThreeSteps):
                    for batched in (False, True):
                        how = "submit_many" if batched else "submit each"
                        rate = throughput(client, cls, args.n, batched)
                        rows.append((f"daemon {cls.__name__} ({how})", "processes/s", rate))
                latency = control_latency(client, args.control)
        finally:
            stop_daemon(home)
        with prunus.Client(Path(tmp) / "embedded") as embedded:
            rate = throughput(embedded, ThreeSteps, args.n, batched=False)
            rows.append(("embedded ThreeSteps, durable (reference)", "processes/s", rate))
    for verb, stats in latency.items():
        rows.append((f"daemon {verb} round trip p50", "ms", stats["p50_ms"]))
        rows.append((f"daemon {verb} round trip p99", "ms", stats["p99_ms"]))
    width = max(len(name) for name, _, _ in rows)
    print(f"{'measure':<{width}}  {'value':>10}  unit")
    for name, unit, value in rows:
        print(f"{name:<{width}}  {value:>10.2f}  {unit}")
    results = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "n": args.n,
        "workers": args.workers,
        "rows": [{"measure": name, "unit": unit, "value": value} for name, unit, value in rows],
        "latency": latency,
    }
    out = HERE / "results" / "daemon.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
