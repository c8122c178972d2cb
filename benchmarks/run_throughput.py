"""``prunus.run`` throughput, embedded: a trivial Process and a 3-step WorkChain.

Each run builds a private in-process actor system, a supervisor and one host actor,
and checkpoints after every step (in-memory store, or LMDB with ``--home``).
Run: ``python benchmarks/run_throughput.py [--n N] [--home DIR]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import prunus

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _prunus_workloads import ThreeSteps, Trivial  # noqa: E402


def rate(n: int, body) -> float:
    start = time.perf_counter()
    for _ in range(n):
        body()
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--json", type=Path, default=HERE / "results" / "run_throughput.json")
    args = parser.parse_args()
    rows = {
        "prunus.run(Trivial)": rate(args.n, lambda: prunus.run(Trivial)),
        "prunus.run(ThreeSteps)": rate(args.n, lambda: prunus.run(ThreeSteps)),
    }
    with tempfile.TemporaryDirectory() as home, prunus.Client(home) as client:
        rows["Client(home).run(ThreeSteps), LMDB sync"] = rate(
            args.n // 4, lambda: client.run(ThreeSteps)
        )
    for name, value in rows.items():
        print(f"{name:42} {value:10.0f} runs/s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"n": args.n, "runs_per_s": rows}, indent=2))


if __name__ == "__main__":
    main()
