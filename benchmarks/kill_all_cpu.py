"""The supervisor's CPU per tree in ``kill --all`` (and pause/play ``--all``), in process.

``benchmarks/growth.py`` times ``kill --all`` through a daemon, where the wall time
follows the machine's load. This script measures the part that grows with N: the
supervisor's own work. It writes N passivated ``Waiter`` trees (a workchain WAITING on
one ``Gate`` child: 2N processes) into a fresh LMDB home, registers them as a restart
does, then hands a :class:`~prunus.actors._supervision.Supervision` (no Thespian: the
timers of its chunks are fired by hand) one ``ControlAll`` and measures its CPU time
(``time.process_time``) until the answer, commits and fsyncs included.

Two ways are alternated in one run, each on its own copy of the home, best of
``--repeat``:

- ``edit``: what the supervisor does (a control of a process without hooks or
  listeners is an edit of its checkpoint data, ``_checkpoint_controls``);
- ``cell``: the same with that edit turned off, so every control runs through a
  ``ProcessCell`` built from the loaded process (what it did before).

Run: ``python benchmarks/kill_all_cpu.py [--n 5000] [--repeat 3] [--control kill]``;
prints one JSON line (microseconds of CPU per tree, and the ratio) with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _prunus_workloads import Waiter  # noqa: E402

import prunus.actors._passivated as passivated  # noqa: E402
from prunus.actors._bulk_chunks import NextChunk  # noqa: E402
from prunus.actors._control_all import ControlAll, ControlAllReply  # noqa: E402
from prunus.actors._host_pool import HostPool  # noqa: E402
from prunus.actors._messages import KillRequest, PauseRequest, Reload  # noqa: E402
from prunus.actors._persisting import ProcessWriter  # noqa: E402
from prunus.actors._supervision import Supervision  # noqa: E402
from prunus.engine import ProcessDriver  # noqa: E402
from prunus.persistence import LmdbStore  # noqa: E402

TEMPLATES = {"kill": KillRequest(""), "pause": PauseRequest("")}


def write_trees(home: Path, n: int) -> None:
    """N Waiter trees, each stepped once (the child WAITING too), as hosts store them."""
    store = LmdbStore(home, sync=False)
    writer = ProcessWriter(store)
    for _ in range(n):
        parent = Waiter()
        driver = ProcessDriver(parent)
        driver.step()
        [child], reports = driver.take_effects()
        child_driver = ProcessDriver(child)
        child_driver.step()
        writer.write(parent, driver.status(), None, [], reports)
        writer.write(child, child_driver.status(), None, [], [])
    store.flush()
    store.close()


def one_run(home: Path, n: int, control: str, edit: bool) -> float:
    """CPU seconds of one ControlAll over the trees in ``home`` (a copy: it is changed)."""
    store = LmdbStore(home)
    hosts = HostPool()
    hosts.started(hosts.add(), "host-0")
    supervision = Supervision(store, "me", hosts, passivate=True, restart_limit=3)
    supervision.handle(Reload(resume=True), "client")  # registered, none activated
    out = supervision.out
    out.sends.clear()
    out.timers.clear()
    original = passivated.apply_to_checkpoint
    if not edit:
        passivated.apply_to_checkpoint = lambda *args: None  # every control via a cell
    try:
        started = time.process_time()
        supervision.handle(ControlAll(TEMPLATES[control]), "client")
        while True:
            chunks = [payload for _, payload in out.timers if type(payload) is NextChunk]
            out.timers.clear()
            if not chunks:
                break
            for payload in chunks:
                supervision.timer(payload)
        took = time.process_time() - started
    finally:
        passivated.apply_to_checkpoint = original
    [(_, reply)] = [(to, m) for to, m in out.sends if type(m) is ControlAllReply]
    assert len(reply.pids) == n and all(reply.outcomes), "not every tree was controlled"
    store.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--control", choices=sorted(TEMPLATES), default="kill")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prunus-kill-all-") as where:
        template = Path(where) / "template"
        write_trees(template, args.n)
        best = {"edit": float("inf"), "cell": float("inf")}
        for attempt in range(args.repeat):
            for way in ("edit", "cell") if attempt % 2 == 0 else ("cell", "edit"):
                home = Path(where) / f"{way}-{attempt}"
                shutil.copytree(template, home)
                best[way] = min(best[way], one_run(home, args.n, args.control, way == "edit"))
                shutil.rmtree(home)
    row = {
        "trees": args.n,
        "control": args.control,
        "edit_us_per_tree": round(1e6 * best["edit"] / args.n, 1),
        "cell_us_per_tree": round(1e6 * best["cell"] / args.n, 1),
        "cell_over_edit": round(best["cell"] / best["edit"], 2),
        "load": os.getloadavg()[0],
    }
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
