"""Client CPU of one local ``list`` of the live processes: column-wise against row by row.

What ``prunus process list`` costs the client on the daemon's machine, without the
load of ``cli_load.py`` around it (whose ``cpu_p50_ms`` of ``list`` is the same cost,
inflated by the machine's contention). Builds a home as ``cli_load.py`` does (a
daemon, ``--chains`` Chains of 200 links on 2 hosts, run for ``--run`` seconds, then
stopped: its store keeps the live processes' rows), then lists every page of the live
processes (``limit`` 2000, as the CLI) from the store, alternating the two ways in
one sitting: ``column-wise`` (``prunus/actors/_live_page.py``, what a list does) and
``row by row`` (the careful path a list takes when a row is out of the ordinary; the
only path before). ``time.process_time`` per list, median and best of ``--rounds``;
the load average is printed with them (the machine may be shared).

Run: ``python benchmarks/list_cpu.py [--chains 1000] [--rounds 40]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _fault_workloads import Chain  # noqa: E402

import prunus  # noqa: E402
from prunus import ListQuery  # noqa: E402
from prunus.actors._local_reads import LocalReads  # noqa: E402
from prunus.control import start_daemon, stop_daemon  # noqa: E402


def listing(reads: LocalReads) -> int:
    shown, after = 0, None
    while True:
        page = reads.list_page(ListQuery(), after, 2000)
        shown += len(page.statuses)
        if page.next is None:
            return shown
        after = page.next


def cpu_ms(reads: LocalReads, calls: int) -> float:
    started = time.process_time()
    for _ in range(calls):
        listing(reads)
    return (time.process_time() - started) / calls * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chains", type=int, default=1000)
    parser.add_argument("--run", type=float, default=8.0, help="seconds the chains run")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(HERE), os.environ.get("PYTHONPATH")])
    )
    with tempfile.TemporaryDirectory(prefix="prunus-list-cpu-") as tmp:
        home = Path(tmp) / "home"
        start_daemon(home, workers=2)
        try:
            with prunus.Client.connect(home, timeout=60) as client:
                client.submit_many([(Chain, {"n": 200, "delay": 0.02})] * args.chains)
            time.sleep(args.run)
        finally:
            stop_daemon(home, timeout=60)
        quick = LocalReads(home, lambda *call: None)
        careful = LocalReads(home, lambda *call: None)
        careful._open().live_snapshot = lambda beside: None  # type: ignore[method-assign]
        live = listing(quick)
        assert listing(careful) == live
        times: dict[str, list[float]] = {"column-wise": [], "row by row": []}
        for _ in range(args.rounds):
            times["row by row"].append(cpu_ms(careful, 3))
            times["column-wise"].append(cpu_ms(quick, 3))
        quick.close(), careful.close()
    load = os.getloadavg()
    print(f"{live} live processes; CPU per list (ms), {args.rounds} rounds of 3, alternated:")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"  {name:12} median {median:6.2f}  best {min(values):6.2f}  "
            f"({1000 * median / max(live, 1):.2f} us per live process)"
        )
    ratio = statistics.median(times["row by row"]) / statistics.median(times["column-wise"])
    best = min(times["row by row"]) / min(times["column-wise"])
    print(f"row by row / column-wise: {ratio:.2f}x (medians), {best:.2f}x (bests)")
    print(f"load average at the end: {load[0]:.1f} (1 min), {load[1]:.1f} (5 min)")


if __name__ == "__main__":
    main()
