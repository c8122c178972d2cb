"""CPU time per run of the short embedded workloads, prunus and plumpy alternately.

Why CPU time, and the best of several blocks: on a shared 2-core machine throughput
moves 2x between runs of ``compare.py``, while the CPU a run takes, measured with
``time.process_time`` over a block of runs, hardly depends on the other load; the
best block is the one least disturbed (cache, frequency).

Usage (from the repository root)::

    python benchmarks/engine_cpu.py [--n 2400] [--reps 3]

Rows: ``prunus.run(Trivial)`` against plumpy's ``Trivial().execute()``;
``Client().run(Loop3)`` (in memory) against ``Loop3().execute()``; and ``Loop3``
submitted as one batch on a durable ``Client(home)`` (``submit_many`` +
``wait_many``), CPU per run, against plumpy's in-memory ``Loop3`` (workload 2's batch
target). plumpy runs in ``benchmarks/.venv-plumpy`` (made by ``compare.py``); without
it only prunus is measured. Each repetition runs prunus, then plumpy, in fresh OS
processes; the table gives the median of the repetitions and the ratio plumpy/prunus
(above 1: prunus takes less CPU per run).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLUMPY_PYTHON = HERE / ".venv-plumpy" / "bin" / "python"
BLOCKS = 12


def best_cpu_us(body, n: int) -> float:
    """The least CPU per call over BLOCKS blocks of n/BLOCKS calls, in microseconds."""
    for _ in range(50):
        body()
    per_block = max(1, n // BLOCKS)
    best = float("inf")
    for _ in range(BLOCKS):
        started = time.process_time()
        for _ in range(per_block):
            body()
        best = min(best, (time.process_time() - started) / per_block)
    return best * 1e6


def prunus_side(n: int) -> dict[str, float]:
    import _prunus_workloads as workloads

    import prunus

    values = {"trivial": best_cpu_us(lambda: prunus.run(workloads.Trivial), n)}
    with prunus.Client() as client:
        values["loop3"] = best_cpu_us(lambda: client.run(workloads.Loop3), n)
    best = float("inf")
    for _ in range(4):
        with tempfile.TemporaryDirectory() as home, prunus.Client(home=home) as client:
            client.wait_many(client.submit_many([(workloads.Loop3, None)] * 50))
            started = time.process_time()
            client.wait_many(client.submit_many([(workloads.Loop3, None)] * (n // 2)))
            best = min(best, (time.process_time() - started) / (n // 2) * 1e6)
    values["batch"] = best
    return values


def plumpy_side(n: int) -> dict[str, float]:
    import _plumpy_workloads as workloads

    loop3 = best_cpu_us(lambda: workloads.Loop3().execute(), n)
    return {"trivial": best_cpu_us(lambda: workloads.Trivial().execute(), n), "loop3": loop3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2400)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--side", choices=["prunus", "plumpy"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        side = prunus_side if args.side == "prunus" else plumpy_side
        print(json.dumps(side(args.n)))
        return
    pythons = {"prunus": Path(sys.executable)}
    if PLUMPY_PYTHON.exists():
        pythons["plumpy"] = PLUMPY_PYTHON
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in pythons}
    for rep in range(args.reps):
        load = Path("/proc/loadavg").read_text().split()[0]
        for name, python in pythons.items():
            command = [str(python), __file__, "--side", name, "--n", str(args.n)]
            out = subprocess.run(command, cwd=HERE, capture_output=True, text=True, check=True)
            runs[name].append(json.loads(out.stdout))
            print(f"rep {rep + 1} {name} (load {load}): {runs[name][-1]}", file=sys.stderr)
    plumpy_of = {"trivial": "trivial", "loop3": "loop3", "batch": "loop3"}
    print(f"{'row':10} {'prunus us':>10} {'plumpy us':>10} {'ratio':>6}")
    for row, against in plumpy_of.items():
        ours = statistics.median(r[row] for r in runs["prunus"])
        theirs = (
            statistics.median(r[against] for r in runs.get("plumpy", []))
            if "plumpy" in runs
            else None
        )
        ratio = f"{theirs / ours:.2f}x" if theirs else "n/a"
        shown = f"{theirs:.0f}" if theirs else "n/a"
        print(f"{row:10} {ours:10.0f} {shown:>10} {ratio:>6}")


if __name__ == "__main__":
    main()
