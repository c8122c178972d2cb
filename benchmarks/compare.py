"""prunus against plumpy 0.26.1, the same workloads measured side by side in one run.

Run: ``python benchmarks/compare.py`` (``make bench``). It creates its own virtualenv,
``benchmarks/.venv-plumpy``, with ``plumpy==0.26.1`` and ``kiwipy[rmq]`` from PyPI
(plumpy is never a dependency of prunus), and a private RabbitMQ broker on 127.0.0.1
for plumpy's daemon workloads (Debian's ``rabbitmq-server``, installed with apt-get if
missing; stopped by pid at the end). Each measurement runs in a fresh subprocess:
``_prunus_side.py`` in the project's virtualenv, ``_plumpy_side.py`` in plumpy's. The
repetitions alternate the two systems (prunus first in odd repetitions, plumpy first
in even ones). The table gives the median, min and max over repetitions and a speed
ratio whose direction is spelt out on every row; ``benchmarks/results/latest.json``
keeps every sample. The process classes are in ``_prunus_workloads.py`` and
``_plumpy_workloads.py``, written step for step alike.

Workloads:

1. **trivial**: a Process whose one step returns, run to its end in-process, N=2,000
   times one after the other: ``prunus.run(Trivial)`` (this thread's warm embedded
   runtime) against plumpy's ``Trivial().execute()``. Runs per second.
2. **loop3**: a WorkChain of three step functions, ``start``, ``while_(more)(advance)``
   looping 3 times, ``finish`` (5 steps, 4 condition checks), N=2,000 runs in-process
   through one client. Rows: no persistence (prunus: ``Client()``, in-memory store;
   plumpy: ``execute()``), a checkpoint after every step (prunus: ``Client(home)``,
   LMDB, every step committed, one fsync per run; plumpy: a ``PicklePersister`` called from
   ``on_entered``, which never fsyncs), and a batch of N durable runs (prunus:
   ``submit_many`` then ``wait_many`` on ``Client(home)``) against plumpy without
   persistence. Also measured: the raw rate of fsynced LMDB commits (one small record
   each, prunus side), and durable runs one at a time against their physical limit,
   one fsync plus plumpy's CPU per run: 1 / (1/raw rate + 1/plumpy's in-memory rate).
   And the floor of the store's layout: a run's rows committed 6 times (its first
   checkpoint, then once per step, as the promise requires) then fsynced once, a new
   pid each time, as LMDB transactions (``fsync.run_commits``: ``fsync_layout.py`` says
   why that writes ~4x the pages of the raw commit) and as an embedded runtime commits
   them, appends to the step journal put into LMDB by one transaction before the fsync
   (``fsync.run_journal``); with plumpy's CPU, 1 / (1/the journal's rate + 1/plumpy's
   rate) is the floor. Runs per second.
3. **parent10**: a WorkChain launching 10 children (a Process doubling its input) in
   one step, awaiting them with ``ToContext`` and summing their outputs; N=200 parents
   in-process, one after the other (prunus: ``self.submit``, ``prunus.run``; plumpy:
   ``self.launch``, ``execute()``). Parents per second (x11 for processes).
4. **daemon**: submit-to-finish of N=1,000 ``loop3`` workchains through a daemon of
   2 workers, all submitted before the first result is awaited; clock from the first
   submit to the last result. prunus: ``prunus daemon start --workers 2`` and
   ``Client.connect``, durable LMDB home. plumpy: 2 worker processes, each a
   ``ProcessLauncher`` (``PicklePersister``, a checkpoint on every state) on a kiwipy
   RabbitMQ communicator (prefetch 200), driven by a ``RemoteProcessThreadController``
   (``launch_process(..., persist=True, nowait=False)``). Processes per second. Not
   timed: daemon or worker start-up and a warm-up of 8 runs.
5. **control**: N=200 processes WAITING on nothing, in the same daemon set-up; for each,
   one ``status``, ``pause``, ``play`` and ``kill`` request in turn, each timed from
   the call to its answer. p50 and p99 in milliseconds.
6. **memory**: N=1,000 ``Waiter`` workchains, each WAITING on one child that waits on
   nothing (so 2,000 waiting processes), held by the same daemon set-up (prunus may
   passivate them; plumpy keeps them in its event loops, each with its own RPC queue
   in the broker). Summed RSS and PSS of the runtime's OS processes after the warm-up
   and after all are WAITING, as MiB per 1,000 workchains. prunus: the daemon's
   process tree; plumpy: the workers plus the RabbitMQ node.

7. **campaign**: a WorkChain launching N=20 independent children in one step, each
   0.2 s of CPU work (a busy loop on ``time.process_time``), awaiting them all. prunus:
   ``Client(home, workers=2)`` (a private pool of 2 host processes; its start-up and
   stop are rows of their own, not in the campaign's time) and, in the same
   repetition, a daemon of 2 workers; plumpy: ``execute()`` in-process. Also the
   4 x 1 s example of issue 16, with CPU work and with ``time.sleep``, on the pool;
   and the pool's time against the ideal, children / cores x child seconds (target:
   within 1.2x), and against the machine's limit at that moment: the same CPU work on
   2 bare processes (``multiprocessing``, prunus side), which on a busy machine can be
   far from the ideal. Seconds per campaign, after one small warm-up campaign.

Options: ``--reps`` (default 5), ``--only`` some workloads, ``--quick`` (N/10, 2 reps:
a smoke test). A repetition is not started when the workload's time cap would be
passed, so the whole run stays within about 15 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import _rabbitmq

HERE = Path(__file__).resolve().parent
PLUMPY_VENV = HERE / ".venv-plumpy"
PLUMPY_REQUIREMENTS = ["plumpy==0.26.1", "kiwipy[rmq]"]
SYSTEMS = ("prunus", "plumpy")
SIDE_TIMEOUT_S = 300  # one measurement of one system; an overrun is reported as an error
T0 = time.monotonic()


@dataclasses.dataclass(frozen=True)
class Row:
    key: str
    label: str
    unit: str
    better: str  # "higher" or "lower"
    plumpy_key: str | None = None  # the plumpy value this row compares with, if not key


@dataclasses.dataclass(frozen=True)
class Workload:
    name: str
    title: str
    n: int
    cap_s: float  # start no repetition that would end past this many seconds
    rows: tuple[Row, ...]
    daemon: bool = False
    reps: int | None = None  # fewer than --reps for the long ones


def _control_rows() -> tuple[Row, ...]:
    return tuple(
        Row(f"control.{op}.{q}", f"{op} {q}", "ms", "lower")
        for op in ("status", "pause", "play", "kill")
        for q in ("p50", "p99")
    )


WORKLOADS = (
    Workload(
        "trivial",
        "1. trivial Process to its end",
        2000,
        90,
        (Row("trivial", "in-process", "runs/s", "higher"),),
    ),
    Workload(
        "loop3",
        "2. WorkChain, 3 step fns, while_ x3",
        2000,
        240,
        (
            Row("loop3.memory", "no persistence", "runs/s", "higher"),
            Row("loop3.durable", "checkpoint every step", "runs/s", "higher"),
            Row(
                "loop3.durable_batch",
                "batch; plumpy: no persist.",
                "runs/s",
                "higher",
                plumpy_key="loop3.memory",
            ),
            Row("fsync.raw", "raw fsynced LMDB commits", "commits/s", "higher"),
            Row("fsync.run_commits", "a run's 6 commits, 1 fsync", "groups/s", "higher"),
            Row("fsync.run_journal", "a run's 6 appends, 1 fsync", "groups/s", "higher"),
        ),
    ),
    Workload(
        "parent10",
        "3. parent awaiting 10 children",
        200,
        90,
        (Row("parent10", "in-process", "parents/s", "higher"),),
    ),
    Workload(
        "daemon",
        "4. daemon, submit to finish",
        1000,
        210,
        (Row("daemon", "2 workers, durable", "procs/s", "higher"),),
        daemon=True,
        reps=3,
    ),
    Workload(
        "campaign",
        "7. campaign of independent children",
        20,
        420,
        (
            Row("campaign20.workers", "20 x 0.2 s CPU, workers=2", "s", "lower", "campaign20"),
            Row("campaign20.daemon", "20 x 0.2 s CPU, daemon", "s", "lower", "campaign20"),
            Row("campaign4cpu.workers", "4 x 1 s CPU, workers=2", "s", "lower", "campaign4cpu"),
            Row(
                "campaign4sleep.workers", "4 x 1 s sleep, workers=2", "s", "lower", "campaign4sleep"
            ),
            Row("campaign20.bare", "20 x 0.2 s CPU, 2 bare procs", "s", "lower", "campaign20"),
            Row("campaign4cpu.bare", "4 x 1 s CPU, 2 bare procs", "s", "lower", "campaign4cpu"),
            Row("campaign.start", "pool start-up", "s", "lower"),
            Row("campaign.stop", "pool stop (close)", "s", "lower"),
        ),
        reps=3,
    ),
    Workload("control", "5. control round trips", 200, 90, _control_rows(), daemon=True, reps=3),
    Workload(
        "memory",
        "6. memory, waiting workchains",
        1000,
        180,
        (
            Row("memory.rss", "RSS per 1,000", "MiB", "lower"),
            Row("memory.pss", "PSS per 1,000", "MiB", "lower"),
        ),
        daemon=True,
        reps=3,
    ),
)


def say(message: str) -> None:
    elapsed = time.monotonic() - T0
    print(f"[{int(elapsed) // 60:02d}:{int(elapsed) % 60:02d}] {message}", flush=True)


# ---- set-up ---------------------------------------------------------------------------


def plumpy_python() -> Path:
    """The plumpy virtualenv's interpreter, creating the virtualenv if needed."""
    python = PLUMPY_VENV / "bin" / "python"
    probe = [str(python), "-c", "import plumpy, kiwipy.rmq; print(plumpy.__version__)"]
    if python.exists():
        found = subprocess.run(probe, capture_output=True, text=True)
        if found.returncode == 0 and found.stdout.strip() == "0.26.1":
            say(f"plumpy virtualenv ready: {PLUMPY_VENV}")
            return python
    say(f"creating {PLUMPY_VENV} with {' '.join(PLUMPY_REQUIREMENTS)} ...")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(PLUMPY_VENV)], check=True)
    install = [str(python), "-m", "pip", "install", "--quiet", *PLUMPY_REQUIREMENTS]
    done = subprocess.run(install, capture_output=True, text=True)
    if done.returncode != 0:  # pip's output only when it failed: it is noisy otherwise
        sys.exit(f"pip install {' '.join(PLUMPY_REQUIREMENTS)} failed:\n{done.stderr[-2000:]}")
    subprocess.run(probe, check=True, capture_output=True)
    say("plumpy virtualenv created")
    return python


def machine() -> dict[str, Any]:
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


# ---- running one side ------------------------------------------------------------------


def run_side(
    system: str, workload: Workload, n: int, python: Path, broker: _rabbitmq.Broker | None
) -> dict[str, Any]:
    """One measurement in a fresh subprocess; its parsed JSON line (or an error)."""
    script = HERE / f"_{system}_side.py"
    command = [str(python), str(script), workload.name, "--n", str(n)]
    if system == "plumpy" and workload.daemon:
        if broker is None:
            return {"skipped": "no RabbitMQ broker (see above)"}
        command += ["--url", broker.url, "--broker-pid", str(broker.pid)]
    # The prunus side imports the prunus of this checkout, whatever the venv installed.
    paths = [str(HERE), str(HERE.parent)] if system == "prunus" else [str(HERE)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
    side = subprocess.Popen(
        command, cwd=HERE, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        out, err = side.communicate(timeout=SIDE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        side.terminate()  # the side unwinds on SIGTERM and stops what it started
        try:
            out, err = side.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            side.kill()
            out, err = side.communicate()
        return {"error": f"no answer within {SIDE_TIMEOUT_S} s: {err.strip()[-300:]}"}
    lines = out.strip().splitlines()
    if side.returncode != 0 or not lines:
        return {"error": f"exit {side.returncode}: {err.strip()[-1500:]}"}
    return json.loads(lines[-1])


def measure(
    workload: Workload, args: argparse.Namespace, pythons: dict[str, Path], broker: Any
) -> dict[str, Any]:
    """Alternate the two systems over the repetitions; every answer, in order."""
    n = max(1, workload.n // 10) if args.quick else workload.n
    reps = min(args.reps, workload.reps or args.reps)
    answers: dict[str, list[dict[str, Any]]] = {system: [] for system in SYSTEMS}
    stopped: dict[str, str] = {}
    started = time.monotonic()
    for rep in range(reps):
        spent = time.monotonic() - started
        if rep and spent + spent / rep > workload.cap_s:
            say(f"{workload.name}: stopping after {rep} repetitions (time cap {workload.cap_s} s)")
            break
        order = SYSTEMS if rep % 2 == 0 else SYSTEMS[::-1]
        for system in order:
            if system in stopped:
                continue
            begun = time.monotonic()
            answer = run_side(system, workload, n, pythons[system], broker)
            took = time.monotonic() - begun
            if "values" in answer:
                answers[system].append(answer)
                shown = ", ".join(f"{k}={v:,.1f}" for k, v in answer["values"].items())
                say(f"{workload.name} rep {rep + 1}/{reps} {system}: {shown} ({took:.1f} s)")
            else:
                stopped[system] = answer.get("skipped") or answer.get("error", "no answer")
                say(f"{workload.name} {system}: {stopped[system]}")
    return {"n": n, "answers": answers, "stopped": stopped}


# ---- the table ---------------------------------------------------------------------------


def summarise(workload: Workload, measured: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for row in workload.rows:
        entry: dict[str, Any] = {
            "workload": workload.title,
            "row": row.label,
            "unit": row.unit,
            "better": row.better,
            "n": measured["n"],
        }
        for system in SYSTEMS:
            key = row.plumpy_key if system == "plumpy" and row.plumpy_key else row.key
            answers = measured["answers"][system]
            samples = [a["values"][key] for a in answers if key in a["values"]]
            if samples:
                entry[system] = {
                    "median": statistics.median(samples),
                    "min": min(samples),
                    "max": max(samples),
                    "samples": samples,
                }
            else:
                missing = "not measured on this side" if answers else "not run"
                entry[system] = {"missing": measured["stopped"].get(system, missing)}
        ours, theirs = entry["prunus"].get("median"), entry["plumpy"].get("median")
        if ours and theirs:
            entry["ratio"] = ours / theirs if row.better == "higher" else theirs / ours
        rows.append(entry)
    return rows


def limit_row(workload: Workload, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Durable runs one at a time against their physical limit, measured in this run:
    one fsync (the raw rate) plus plumpy's CPU (its in-memory rate) per run. Also
    against the floor of the store's layout: a run's 6 step-journal appends and their
    one fsync (instead of one small record's) plus plumpy's CPU; what is left below
    that floor is CPU, not the disk."""
    medians = {}
    for entry in rows:
        if entry["workload"] == workload.title:
            medians[(entry["row"], "prunus")] = entry["prunus"].get("median")
            medians[(entry["row"], "plumpy")] = entry["plumpy"].get("median")
    durable = medians.get(("checkpoint every step", "prunus"))
    plumpy = medians.get(("no persistence", "plumpy"))
    derived = []
    limits = (
        ("durable vs its limit", "raw fsynced LMDB commits", "the limit"),
        ("durable vs layout floor", "a run's 6 appends, 1 fsync", "the floor"),
    )
    for row, disk_row, what in limits:
        disk = medians.get((disk_row, "prunus"))
        if not (durable and disk and plumpy):
            continue
        limit = 1 / (1 / disk + 1 / plumpy)
        entry = {"workload": workload.title, "row": row}
        entry.update(unit="runs/s", better="higher", n=0, ratio=durable / limit)
        entry["prunus"] = {"median": durable, "min": durable, "max": durable}
        entry["plumpy"] = {"missing": f"{what}: {limit:,.0f} runs/s (ratio: prunus / {what[4:]})"}
        derived.append(entry)
    return derived


def campaign_rows(workload: Workload, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pool against the daemon and against bare processes (ratios paired per
    repetition), and the pool's campaigns against their ideal: children / cores x
    child seconds, with the pool's 2 workers on at most as many cores (the target is
    within 1.2x)."""
    mine = {entry["row"]: entry for entry in rows if entry["workload"] == workload.title}
    medians = {label: entry["prunus"].get("median") for label, entry in mine.items()}
    cores = min(os.cpu_count() or 1, 2)
    derived = []

    def add(label: str, ratio: float, value: float, note: str) -> None:
        entry = {"workload": workload.title, "row": label, "unit": "s", "better": "lower"}
        entry.update(n=0, ratio=ratio)
        entry["prunus"] = {"median": value, "min": value, "max": value}
        entry["plumpy"] = {"missing": note}
        derived.append(entry)

    def paired(label: str, peer: str) -> float | None:
        """The median over repetitions of ``label`` / ``peer``, both measured by the
        same prunus side process one after the other (the same load, near enough)."""
        ours = mine.get(label, {}).get("prunus", {}).get("samples")
        theirs = mine.get(peer, {}).get("prunus", {}).get("samples")
        if not ours or not theirs:
            return None
        return statistics.median(o / t for o, t in zip(ours, theirs, strict=True))

    pool, daemon = medians.get("20 x 0.2 s CPU, workers=2"), medians.get("20 x 0.2 s CPU, daemon")
    ratio = paired("20 x 0.2 s CPU, daemon", "20 x 0.2 s CPU, workers=2")
    if pool and daemon and ratio:
        add("20: workers vs daemon", ratio, pool, f"the daemon: {daemon:.2f} s")
    for label, bare_label in (
        ("20 x 0.2 s CPU, workers=2", "20 x 0.2 s CPU, 2 bare procs"),
        ("4 x 1 s CPU, workers=2", "4 x 1 s CPU, 2 bare procs"),
    ):
        measured, bare = medians.get(label), medians.get(bare_label)
        ratio = paired(label, bare_label)
        if measured and bare and ratio:
            name = f"{label.split(',')[0]}: vs bare procs"
            add(name, ratio, measured, f"bare processes: {bare:.2f} s")
    for label, children, seconds in (
        ("20 x 0.2 s CPU, workers=2", mine.get("20 x 0.2 s CPU, workers=2", {}).get("n"), 0.2),
        ("4 x 1 s CPU, workers=2", 4, 1.0),
        ("4 x 1 s sleep, workers=2", 4, 1.0),
    ):
        measured = medians.get(label)
        if measured and children:
            ideal = children / cores * seconds
            name = label.split(",")[0].replace("20 x", f"{children} x")
            add(f"{name}: vs ideal", measured / ideal, measured, f"ideal {ideal:.2f} s")
    return derived


def ratio_text(entry: dict[str, Any]) -> str:
    if "ratio" not in entry:
        return ""
    if entry["row"].startswith("durable vs"):
        return f"{entry['ratio']:.2f} of its {entry['row'].split(' vs ')[1].removeprefix('its ')}"
    if entry["row"].endswith("vs bare procs"):
        return f"{entry['ratio']:.2f}x the machine's limit now (target <= 1.2)"
    if entry["row"].endswith("vs ideal"):
        return f"{entry['ratio']:.2f}x the ideal (target <= 1.2)"
    if entry["row"].endswith("workers vs daemon"):
        ratio = entry["ratio"]
        return f"{ratio:.2f}x ({'pool' if ratio >= 1 else 'daemon'} faster)"
    ratio = entry["ratio"]
    if entry["unit"] == "MiB":
        return f"{ratio:.2f}x ({'prunus' if ratio >= 1 else 'plumpy'} smaller)"
    return f"{ratio:.2f}x ({'prunus' if ratio >= 1 else 'plumpy'} faster)"


def number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def print_table(rows: list[dict[str, Any]]) -> None:
    print()
    print("ratio = how many times better prunus is: its speed / plumpy's speed (throughput")
    print("prunus/plumpy, latency plumpy/prunus), or plumpy's memory / prunus's memory.")
    print("Below 1: plumpy is better on that row.")
    print()
    header = f"{'workload':37} {'row':27} {'unit':9} {'system':7} {'median':>9} {'min':>9}"
    print(f"{header} {'max':>9}  ratio prunus vs plumpy")
    last = None
    for entry in rows:
        title = entry["workload"] if entry["workload"] != last else ""
        last = entry["workload"]
        for system in SYSTEMS:
            stats = entry[system]
            left = f"{title:37} {entry['row']:27} {entry['unit']:9} {system:7}"
            if "median" in stats:
                cells = " ".join(f"{number(stats[k]):>9}" for k in ("median", "min", "max"))
            else:
                cells = f"{'n/a: ' + stats['missing'][:60]}"
            ratio = ratio_text(entry) if system == "prunus" else ""
            print(f"{left} {cells}  {ratio}".rstrip())
            title = ""
    print()


# ---- main --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--only", nargs="*", choices=[w.name for w in WORKLOADS])
    parser.add_argument("--quick", action="store_true", help="N/10 and 2 repetitions")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args()
    if args.quick:
        args.reps = min(args.reps, 2)
    selected = [w for w in WORKLOADS if not args.only or w.name in args.only]
    info = machine()
    say(f"machine: {info['cores']} cores, {info['cpu']}, Python {info['python']}")
    pythons = {"prunus": Path(sys.executable), "plumpy": plumpy_python()}
    broker = None
    if any(w.daemon for w in selected):
        try:
            _rabbitmq.ensure_installed(say)
            broker = _rabbitmq.Broker()
            say(f"starting a private RabbitMQ on 127.0.0.1:{broker.port} ...")
            broker.start()
            say(f"RabbitMQ ready (pid {broker.pid})")
        except _rabbitmq.BrokerUnavailable as why:
            broker = None
            say(f"skipping plumpy's daemon workloads: {why}")
    results: list[dict[str, Any]] = []
    raw: dict[str, Any] = {}
    try:
        for workload in selected:
            say(f"{workload.title}: N={workload.n}")
            raw[workload.name] = measure(workload, args, pythons, broker)
            results.extend(summarise(workload, raw[workload.name]))
            if workload.name == "loop3":
                results.extend(limit_row(workload, results))
            if workload.name == "campaign":
                results.extend(campaign_rows(workload, results))
    finally:
        if broker is not None:
            left = broker.stop()
            say("RabbitMQ stopped" + (f" (had to kill {left})" if left else ""))
    print_table(results)
    info["plumpy"] = "0.26.1"
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "machine": info,
                "reps": args.reps,
                "quick": args.quick,
                "seconds": round(time.monotonic() - T0, 1),
                "rows": results,
                "raw": raw,
            },
            indent=2,
        )
    )
    say(f"wrote {args.json}")


if __name__ == "__main__":
    main()
