"""The dashboard at 100,000 processes: how fast the server renders the table and a page.

Builds a home of ``--n`` processes (default 100,000): ``--real`` of them (default
2,000: 200 WorkChains of 9 children each, some failing) really run by an embedded
durable ``Client``, the rest written through the store API as the registry records a
finished campaign leaves (the same ``status_record`` format the runtime writes, mixed
states), because running 100,000 processes takes minutes and the dashboard only reads
records. Then it starts the dashboard's server in this process (the real
``ThreadingHTTPServer``, the real index, a read-only store) and measures, over HTTP on
loopback, with the token:

- the first page of the table (50 rows, counts per state, filters), and filtered or
  deep pages of it (a state, a class, offset 50,000);
- a process page (a WorkChain with its children, inputs, report and tree picture);
- the index: its first read of the home, a re-read that finds nothing changed, and
  about how much memory it holds (growth of this process's peak RSS while it is built).

The index keeps re-reading the home in its background thread while the requests are
measured, as it does in ``prunus ui``.

Times are wall-clock per request from the client (so they include the loopback round
trip: an upper bound on the server's time), p50 and p95 over ``--repeat`` requests.
Prints a table and writes ``benchmarks/results/ui.json``.
Run: ``python benchmarks/ui.py [--n 100000] [--real 2000] [--repeat 30]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import platform
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests.ui.workflows: the campaign the UI tests use

from prunus import Client, ProcessResult, ProcessState, ProcessStatus  # noqa: E402
from prunus.actors._persisting import status_record  # noqa: E402
from prunus.dashboard._daemon_link import DaemonLink  # noqa: E402
from prunus.dashboard._index import ProcessIndex  # noqa: E402
from prunus.dashboard._server import Dashboard, DashboardServer  # noqa: E402
from prunus.persistence import LmdbStore  # noqa: E402
from prunus.spec import ExitCode  # noqa: E402
from tests.ui.workflows import Campaign  # noqa: E402

TARGET_MS = 300.0
_STATES = [ProcessState.FINISHED] * 7 + [
    ProcessState.EXCEPTED,
    ProcessState.KILLED,
    ProcessState.WAITING,
    ProcessState.CREATED,
]


def build_home(home: Path, n: int, real: int) -> str:
    """``real`` processes run for real, the rest written as records; a real root pid."""
    per_campaign = 10  # the workchain and its 9 children
    with Client(home) as client:
        roots = client.submit_many(
            [(Campaign, {"n": 8, "fail": index % 4 == 0}) for index in range(real // per_campaign)]
        )
        client.wait_many(roots)
    store = LmdbStore(home, sync=False)
    started = time.time() - 86400.0
    batch = []
    for index in range(n - real):
        state = _STATES[index % len(_STATES)]
        pid = f"bench{index:07d}"
        status = ProcessStatus(
            pid=pid,
            process_class=f"campaign.steps:Step{index % 5}",
            state=state,
            status="RuntimeError: no convergence" if state is ProcessState.EXCEPTED else None,
            step="run",
            created=started + index * 0.5,
        )
        result = None
        if state.is_terminal:
            code = ExitCode(0) if state is ProcessState.FINISHED else None
            result = ProcessResult(pid, state, {"energy": -1.5 * index}, code, status.status)
        batch.append((pid, {"record": status_record(status, result)}))
        if len(batch) == 5000:
            store.write_many(batch)
            batch = []
    store.write_many(batch)
    store.close()
    return roots[0]


def timed_get(port: int, token: str, path: str, repeat: int) -> dict[str, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    size = 0
    for _ in range(repeat):
        started = time.perf_counter()
        connection.request("GET", path, headers={"Authorization": f"token {token}"})
        response = connection.getresponse()
        body = response.read()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, (path, response.status, body[:200])
        size = len(body)
    connection.close()
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "max_ms": round(times[-1], 1),
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--real", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prunus-ui-bench-") as tmp:
        home = Path(tmp) / "home"
        built = time.perf_counter()
        root = build_home(home, args.n, args.real)
        build_s = time.perf_counter() - built

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        index = ProcessIndex(home)
        first_read = time.perf_counter()
        index.refresh()
        first_read_s = time.perf_counter() - first_read
        index_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
        rereads = []
        for _ in range(5):
            index.refresh()
            rereads.append(index.scan_seconds)
        index.start()  # re-reads in the background while the requests are measured
        dashboard = Dashboard(home, index, DaemonLink(home), "bench-token")
        server = DashboardServer(("127.0.0.1", 0), dashboard)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        port = server.server_address[1]
        pages = {
            "table, first page (50 rows)": "/",
            "table, first page, fragment only": "/fragment/table",
            "table, state=excepted": "/?state=excepted",
            "table, one class": "/?class=campaign.steps:Step3",
            "table, offset 50,000": "/?offset=50000",
            "process page (WorkChain, 9 children)": f"/process/{root}",
        }
        try:
            rows = {
                name: timed_get(port, "bench-token", path, args.repeat)
                for name, path in pages.items()
            }
        finally:
            server.shutdown()
            server.server_close()
            index.close()
    total = len(index._snapshot.records)
    results = {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "processes": total,
        "really_run": args.real,
        "build_home_s": round(build_s, 1),
        "index_first_read_s": round(first_read_s, 3),
        "index_reread_unchanged_s": round(statistics.median(rereads), 3),
        "index_memory_mib_about": round(index_mib),
        "requests": rows,
        "target_first_page_ms": TARGET_MS,
    }
    print(f"dashboard, {total:,} processes in the home ({args.real:,} really run)")
    reread_ms = results["index_reread_unchanged_s"] * 1000
    print(
        f"  index: first read {first_read_s * 1000:.0f} ms, re-read {reread_ms:.0f} ms, "
        f"about {index_mib:.0f} MiB"
    )
    print(f"  {'request':40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'KiB':>7}")
    for name, row in rows.items():
        kib = row["bytes"] / 1024
        print(f"  {name:40} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['max_ms']:>8} {kib:>7.1f}")
    verdict = rows["table, first page (50 rows)"]["p95_ms"] < TARGET_MS
    print(f"  first page p95 under {TARGET_MS:.0f} ms: {'yes' if verdict else 'NO'}")
    out = HERE / "results" / "ui.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
