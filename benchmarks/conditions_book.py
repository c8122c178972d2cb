"""The pure cost of when= bookkeeping and memo keys, before any actor or store is involved.

This measures :mod:`prunus.conditions` alone, the part the supervisor will call on every
terminal transition; the end-to-end numbers the issue asks for (a real daemon releasing
10,000 dependents) need the supervisor integration and are not measured here.

Rows (one process, one run):

- ``add``: ``PendingConditions.add`` for N waiting processes, each on
  ``a.finished_ok & b.completed`` over random pids of 1,000 running jobs.
- ``ending, unrelated``: ``ended`` for a job no condition names, with N waiting: the
  cost of a terminal transition that releases nothing (it must not grow with N).
- ``ending, 100 dependents``: ``ended`` for a job that 100 of the N conditions name.
- ``release 10,000 at once``: one job with 10,000 dependents on ``job.finished_ok``
  (besides the N), ended OK: all 10,000 decided in one call.
- ``cancel chain 10,000 deep``: a chain where each waits on the previous one's
  ``finished_ok``; the head fails and the cancellation propagates through all of it.
- ``restart``: ``load`` + ``decide_all`` of the N stored conditions (from ``to_data``).
- ``memo_key``: keys per second for a launch with 8 inputs (nested dict, list, floats).

Run: ``python benchmarks/conditions_book.py [--n 100000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prunus import Pid, Process, ProcessState
from prunus.conditions import Outcome, PendingConditions, condition_from_data, memo_key

HERE = Path(__file__).resolve().parent
RUNNING = Outcome(ProcessState.RUNNING)
OK = Outcome(ProcessState.FINISHED, 0)
EXCEPTED = Outcome(ProcessState.EXCEPTED)


class Simulation(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.cacheable(version="1", ignore=("scratch",))
        spec.input("structure", valid_type=dict)
        spec.input("cutoffs", valid_type=list)
        spec.input("steps", valid_type=int, default=100)
        spec.input("scratch", valid_type=str, required=False)
        spec.input_namespace("params", dynamic=True)


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def run(n: int) -> list[dict[str, Any]]:
    rng = random.Random(1)
    jobs = [Pid(f"job{i:05d}") for i in range(1000)]
    states: dict[str, Outcome] = dict.fromkeys(jobs, RUNNING)
    book = PendingConditions()
    conditions = {}
    for i in range(n):
        a, b = rng.sample(jobs, 2)
        conditions[f"w{i:07d}"] = a.finished_ok & b.completed
    rows = []

    seconds, _ = timed(lambda: [book.add(p, c, states) for p, c in conditions.items()])
    rows.append(_row(f"add x{n}", seconds, n))

    states["unrelated"] = OK
    reps = 1000
    seconds, _ = timed(lambda: [book.ended("unrelated", states) for _ in range(reps)])
    rows.append(_row(f"ending, unrelated ({n} waiting)", seconds, reps, per="transition"))

    hot = Pid("hot")
    states[hot] = RUNNING
    for i in range(100):
        book.add(f"h{i:03d}", hot.completed & jobs[i].finished_ok, states)
    states[hot] = OK
    seconds, decided = timed(lambda: book.ended(hot, states))
    assert decided == []  # jobs[i] still run: re-evaluated, not released
    rows.append(_row(f"ending, 100 dependents ({n} waiting)", seconds, 1, per="transition"))

    source = Pid("source")
    states[source] = RUNNING
    for i in range(10_000):
        book.add(f"r{i:05d}", source.finished_ok, states)
    states[source] = OK
    seconds, decided = timed(lambda: book.ended(source, states))
    assert len(decided) == 10_000 and all(d.start for d in decided)
    rows.append(_row(f"release 10,000 at once ({n} waiting)", seconds, 1, per="transition"))

    chain = PendingConditions()
    chain_states = {"c0": RUNNING}
    for i in range(1, 10_001):
        chain.add(f"c{i}", Pid(f"c{i - 1}").finished_ok, chain_states)
    chain_states["c0"] = EXCEPTED
    seconds, decided = timed(lambda: chain.ended("c0", chain_states))
    assert len(decided) == 10_000 and not any(d.start for d in decided)
    rows.append(_row("cancel chain 10,000 deep", seconds, 1, per="transition"))

    stored = [(pid, condition.to_data()) for pid, condition in conditions.items()]
    restarted = PendingConditions()

    def restart() -> Any:
        restarted.load((pid, condition_from_data(data)) for pid, data in stored)
        return restarted.decide_all(states)

    seconds, _ = timed(restart)
    rows.append(_row(f"restart: load + decide_all x{n}", seconds, n))

    inputs = {
        "structure": {"cell": [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]], "species": ["Si", "Si"]},
        "cutoffs": [30.0, 40.0, 50.0],
        "params": {"smearing": 0.01, "kpoints": [4, 4, 4], "mode": "scf", "tags": {"a", "b"}},
        "scratch": "/tmp/x",
    }
    reps = 2000
    seconds, _ = timed(lambda: [memo_key(Simulation, inputs) for _ in range(reps)])
    rows.append(_row("memo_key (8 inputs)", seconds, reps, per="key"))
    return rows


def _row(name: str, seconds: float, count: int, per: str = "item") -> dict[str, Any]:
    return {
        "name": name,
        "seconds": round(seconds, 4),
        "count": count,
        f"us_per_{per}": round(seconds / count * 1e6, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--json", type=Path, default=HERE / "results" / "conditions_book.json")
    args = parser.parse_args()
    rows = run(args.n)
    print(f"{'benchmark':44} {'seconds':>9} {'count':>7} {'us each':>10}")
    for row in rows:
        each = next(value for key, value in row.items() if key.startswith("us_per_"))
        print(f"{row['name']:44} {row['seconds']:>9.4f} {row['count']:>7} {each:>10.2f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "benchmark": "conditions_book",
                "n": args.n,
                "machine": {
                    "platform": platform.platform(),
                    "python": sys.version.split()[0],
                    "cpus": os.cpu_count(),
                },
                "rows": rows,
            },
            indent=2,
        )
    )
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
