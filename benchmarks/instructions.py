"""Machine instructions per run of the short embedded workloads, counted by valgrind.

Why instructions: on a shared 2-core machine CPU time per run moves 20-50% between
two runs of the same code (other engineers' daemons and suites), so a 5-10% cut
cannot be seen in it. The instructions a run executes do not depend on the load:
callgrind counts them (the run is ~50x slower, so it counts a few hundred runs).
Each count is the difference between a process that makes ``--n`` runs after a
warm-up and one that makes only the warm-up, divided by ``--n``: the interpreter's
start and the imports cancel out.

Usage (from the repository root; needs ``valgrind`` on the PATH)::

    python benchmarks/instructions.py [--n 300] [--workloads loop3 trivial batch]
        [--tree PATH ...]

``--tree`` runs the count with another checkout of prunus first on ``PYTHONPATH``
(say a ``git archive`` of main), so two trees are compared in one sitting; without
it, the tree this script is in. Workloads: ``loop3`` (``Client().run(Loop3)`` in
memory), ``trivial`` (``prunus.run(Trivial)``), ``batch`` (``Loop3`` as one
``submit_many`` + ``wait_many`` on a durable ``Client(home)``), ``durable`` (``Loop3``
one at a time on a durable ``Client(home)``: ``compare.py``'s durable one-at-a-time
row; its fsyncs count as one instruction each, so this is the run's CPU alone).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WARM_UP = 20


def workload(name: str, n: int) -> None:
    """The measured process: WARM_UP runs, then ``n`` more."""
    import _prunus_workloads as workloads

    import prunus

    if name == "loop3":
        with prunus.Client() as client:
            for _ in range(WARM_UP + n):
                client.run(workloads.Loop3)
    elif name == "trivial":
        for _ in range(WARM_UP + n):
            prunus.run(workloads.Trivial)
    elif name == "durable":
        with tempfile.TemporaryDirectory() as home, prunus.Client(home=home) as client:
            for _ in range(WARM_UP + n):
                client.run(workloads.Loop3)
    else:
        with tempfile.TemporaryDirectory() as home, prunus.Client(home=home) as client:
            client.wait_many(client.submit_many([(workloads.Loop3, None)] * WARM_UP))
            if n:
                client.wait_many(client.submit_many([(workloads.Loop3, None)] * n))


def count(tree: Path, name: str, n: int) -> int:
    """The instructions callgrind counted in a process running ``name`` ``n`` times."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(tree), str(HERE)))}
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--run",
        name,
        "--n",
        str(n),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count from valgrind: {done.stderr[-300:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--workloads", nargs="+", default=["loop3", "trivial", "batch"])
    parser.add_argument("--tree", type=Path, action="append", help="a checkout to count")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        workload(args.run, args.n)
        return
    if shutil.which("valgrind") is None:
        sys.exit("instructions.py: valgrind is not on the PATH")
    trees = args.tree or [HERE.parent]
    print(f"{'workload':10} {'tree':40} {'instructions per run':>22}")
    for name in args.workloads:
        for tree in trees:
            per_run = (count(tree, name, args.n) - count(tree, name, 0)) / args.n
            print(f"{name:10} {str(tree)[-40:]:40} {per_run:22,.0f}")


if __name__ == "__main__":
    main()
