"""``Client(home, workers=N)``: the home on a private pool of host OS processes.

Real pools (the daemon's Thespian TCP system on loopback) in temporary homes; every
test checks by pid that nothing of its pool is left.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from prunus import Client, ProcessState
from prunus.cli import main
from prunus.control._daemon_files import DAEMON_FILE
from prunus.control._proc_table import listening_sockets, pid_alive
from prunus.errors import NotAuthorisedError, StoreError
from prunus.persistence import HomeLock
from tests.conftest import running_daemon
from tests.control.pool_flows import Busy, Campaign

ROOT = Path(__file__).resolve().parents[2]


def traced(path: Path) -> list[tuple[str, str, int]]:
    """The ``(pid, step, os pid)`` lines the pool_flows steps wrote, in order."""
    if not path.exists():
        return []
    return [
        (pid, step, int(os_pid))
        for pid, step, os_pid in (line.split() for line in path.read_text().splitlines())
    ]


def assert_gone(pids: list[int]) -> None:
    left = [pid for pid in pids if pid_alive(pid)]
    assert not left, f"pool processes left behind: {left}"


def test_children_of_one_workchain_run_in_more_than_one_host_process(tmp_path):
    trace = tmp_path / "trace"
    with Client(tmp_path / "home", workers=2) as client:
        assert client.is_remote
        assert client.submit_many([]) == []  # answered at once, as embedded
        outputs = client.run(Campaign, children=4, seconds=0.3, trace=str(trace))
    ran_in = set(outputs["os_pids"])
    assert len(ran_in) > 1, outputs
    assert os.getpid() not in ran_in
    children = [line for line in traced(trace) if line[1] == "run"]
    assert len(children) == 4 and {os_pid for *_, os_pid in children} == ran_in


def test_closing_leaves_no_process_no_lock_no_listener_and_the_work_on_the_home(tmp_path):
    home = tmp_path / "home"
    client = Client(home, workers=2)
    pids = client._runtime.pool_pids
    assert len(pids) >= 4  # main, admin, supervisor, two hosts
    assert all(address == "127.0.0.1" for address, _, _ in listening_sockets(pids))
    pid = client.submit(Busy, seconds=0.0)
    assert client.wait(pid, timeout=60).state is ProcessState.FINISHED
    client.close()
    client.close()  # idempotent
    assert_gone(pids)
    assert listening_sockets(pids) == []
    assert not (home / DAEMON_FILE).exists()
    HomeLock(home).release()  # free
    with Client(home) as embedded:  # the pool's work is in the home
        assert embedded.status(pid).state is ProcessState.FINISHED


def test_the_pool_is_authenticated_like_a_daemon_and_other_clients_may_look_with_the_key(
    tmp_path,
):
    home = tmp_path / "home"
    with Client(home, workers=2) as client:
        pid = client.submit(Busy, seconds=0.0)
        client.wait(pid, timeout=60)
        with pytest.raises(NotAuthorisedError):
            Client.connect(home, key=os.urandom(32))
        with Client.connect(home) as looker:  # the home's key: e.g. prunus process list
            assert looker.status(pid).state is ProcessState.FINISHED
        listed = CliRunner().invoke(main, ["process", "list", "--all", "--home", str(home)])
        assert listed.exit_code == 0, listed.output
        assert pid in listed.output


def test_a_client_without_a_home_uses_a_temporary_one_removed_at_close():
    with Client(workers=2) as client:
        home = client._runtime._home
        assert home.is_dir()
        assert client.run(Busy, seconds=0.0)["os_pid"] != os.getpid()
    assert not home.exists()


@pytest.mark.slow
def test_a_sigkilled_worker_host_mid_step_reruns_only_that_step_and_the_workchain_ends(
    tmp_path,
):
    trace = tmp_path / "trace"
    with Client(tmp_path / "home", workers=2) as client:
        pid = client.submit(Campaign, children=2, seconds=3.0, trace=str(trace))
        deadline = time.monotonic() + 60
        while len([line for line in traced(trace) if line[1] == "run"]) < 2:
            assert time.monotonic() < deadline, traced(trace)
            time.sleep(0.02)
        victim = next(os_pid for _, step, os_pid in traced(trace) if step == "run")
        os.kill(victim, signal.SIGKILL)
        result = client.wait(pid, timeout=120)
    assert result.state is ProcessState.FINISHED, result
    lines = traced(trace)
    steps = Counter((pid_, step) for pid_, step, _ in lines)
    assert steps[(pid, "launch")] == 1 and steps[(pid, "collect")] == 1
    first_host = {}
    for pid_, step, os_pid in lines:
        if step == "run":
            first_host.setdefault(pid_, os_pid)
    assert len(first_host) == 2
    for child, host in first_host.items():
        # a step in progress on the killed host runs again; no other step does
        assert steps[(child, "run")] == (2 if host == victim else 1), lines
    assert victim not in result.outputs["os_pids"]


@pytest.mark.slow
def test_a_client_that_dies_without_closing_takes_its_pool_with_it(tmp_path):
    home = tmp_path / "home"
    script = (
        "import sys\n"
        "from prunus import Client\n"
        f"client = Client({str(home)!r}, workers=2)\n"
        "print(' '.join(map(str, client._runtime.pool_pids)), flush=True)\n"
        "sys.stdin.read()\n"
    )
    owner = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    pids = [int(pid) for pid in owner.stdout.readline().split()]
    assert pids and all(pid_alive(pid) for pid in pids)
    owner.kill()
    owner.wait()
    deadline = time.monotonic() + 30
    while any(pid_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert_gone(pids)
    HomeLock(home).release()


def test_a_class_this_process_imports_from_its_own_path_imports_in_the_pool(tmp_path, monkeypatch):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "pool_elsewhere.py").write_text(
        "import os\n"
        "from prunus import Process\n\n"
        "class WhereAmI(Process):\n"
        "    @classmethod\n"
        "    def define(cls, spec):\n"
        "        super().define(spec)\n"
        "        spec.output('os_pid', valid_type=int)\n\n"
        "    def run(self):\n"
        "        self.out('os_pid', os.getpid())\n"
    )
    monkeypatch.syspath_prepend(str(folder))
    from pool_elsewhere import WhereAmI

    with Client(tmp_path / "home", workers=2) as client:
        assert client.run(WhereAmI)["os_pid"] != os.getpid()


def test_a_daemon_on_the_home_is_refused_naming_it_and_what_to_do(tmp_path):
    home = tmp_path / "home"
    with running_daemon(home) as info:
        with pytest.raises(StoreError, match=f"daemon \\(pid {info['pid']}\\).*connect"):
            Client(home, workers=2)
        with Client.connect(home) as connected:  # untouched
            assert connected.run(Busy, seconds=0.0)["os_pid"] != os.getpid()


def test_a_home_an_embedded_client_holds_is_refused(tmp_path):
    home = tmp_path / "home"
    with Client(home), pytest.raises(StoreError, match=str(home)):
        Client(home, workers=2)


@pytest.mark.parametrize("workers", [None, 0, 1])
def test_no_workers_zero_or_one_keep_the_embedded_runtime(workers):
    with Client(workers=workers) as client:
        assert not client.is_remote
        assert client.run(Busy, seconds=0.0)["os_pid"] == os.getpid()


@pytest.mark.parametrize("workers", [-1, 2.0, True, "2"])
def test_workers_that_are_not_a_count_are_refused(workers):
    with pytest.raises(ValueError, match="workers must be a whole number"):
        Client(workers=workers)


def test_prunus_run_workers_runs_children_in_several_processes(tmp_path):
    home = tmp_path / "home"
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "run",
            "tests.control.pool_flows:Campaign",
            "-i",
            "children=4",
            "-i",
            "seconds=0.3",
            "--workers",
            "2",
            "--home",
            str(home),
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    outputs = json.loads(result.stdout)
    assert len(set(outputs["os_pids"])) > 1
    assert os.getpid() not in outputs["os_pids"]
    assert not (home / DAEMON_FILE).exists()
    HomeLock(home).release()


def test_prunus_run_help_says_workers_default_to_the_cores():
    result = CliRunner().invoke(main, ["run", "--help"])
    assert result.exit_code == 0
    assert "--workers" in result.output and "one per core" in result.output


def test_prunus_run_workers_with_daemon_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(
        main, ["run", "tests.control.pool_flows:Busy", "--daemon", "--workers", "2"]
    )
    assert result.exit_code == 2
    assert "--workers" in result.output
