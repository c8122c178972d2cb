"""The main flows through the installed ``prunus`` command, as real OS processes, against
a real daemon: submit, list, status, pause, play, kill, report, watch to the end."""

from __future__ import annotations

import json
import time

from prunus import Client, UnknownProcessError
from tests.cli.helpers import run_prunus
from tests.conftest import running_daemon


def wait_until_paused(home, pid, timeout=15.0):
    """Polled in-process: a subprocess per poll would cost half a second each."""
    deadline = time.monotonic() + timeout
    with Client.connect(home) as client:
        while not _paused(client, pid):
            assert time.monotonic() < deadline, f"{pid} never paused"
            time.sleep(0.05)


def _paused(client, pid):
    try:
        return client.status(pid).paused
    except UnknownProcessError:
        return False


def test_submit_list_status_pause_play_report_watch_kill_as_a_user_would(tmp_path):
    with running_daemon(tmp_path):
        submitted = run_prunus(
            "submit", "tests.workflows:Fanout", "-i", "n=2", "-i", "hold=true", home=tmp_path
        )
        assert submitted.returncode == 0, submitted.stderr
        pid = submitted.stdout.strip()

        # Both leaves pause themselves: the tree is WAITING until they are played.
        wait_until_paused(tmp_path, f"{pid}.1.0")
        listed = run_prunus("process", "list", home=tmp_path)
        assert listed.returncode == 0, listed.stderr
        assert f"{pid}.0.0  " in listed.stdout and "(paused)" in listed.stdout

        status = run_prunus("process", "status", pid, "--home", str(tmp_path))
        lines = status.stdout.splitlines()
        assert lines[0].startswith(f"{pid}  Fanout  WAITING")
        assert lines[2].startswith(f"    {pid}.0.0  Leaf  ") and "(paused)" in lines[2]

        paused = run_prunus("process", "pause", pid, home=tmp_path)
        assert paused.stdout == f"paused {pid}\n", paused.stderr
        shown = json.loads(run_prunus("process", "show", pid, "--json", home=tmp_path).stdout)
        assert shown["paused"] is True

        played = run_prunus("process", "play", pid, home=tmp_path)
        assert played.stdout == f"played {pid}\n", played.stderr
        watched = run_prunus("process", "watch", pid, "--interval", "0.1", home=tmp_path)
        assert watched.returncode == 0, watched.stderr
        assert watched.stdout.splitlines()[-1] == f"process {pid} ended FINISHED"
        assert f"{pid}.1.0  Leaf  FINISHED" in watched.stdout
        outputs = run_prunus("process", "outputs", pid, "--json", home=tmp_path)
        assert json.loads(outputs.stdout) == {"total": 4}

        steps = run_prunus(
            "submit", "tests.workflows:Steps", "-i", "n=2", "-i", "delay=0.01", home=tmp_path
        ).stdout.strip()
        run_prunus("process", "watch", steps, home=tmp_path)
        report = run_prunus("process", "report", steps, home=tmp_path)
        assert [line.rpartition("] ")[2] for line in report.stdout.splitlines()] == [
            "step 1",
            "step 2",
        ]

        forever = run_prunus("submit", "tests.workflows:WaitsForever", home=tmp_path)
        victim = forever.stdout.strip()
        killed = run_prunus("process", "kill", victim, "-m", "enough", home=tmp_path)
        assert killed.stdout == f"killed {victim}\n", killed.stderr
        final = json.loads(run_prunus("process", "show", victim, "--json", home=tmp_path).stdout)
        assert final["state"] == "KILLED" and final["status"] == "enough"

        unknown = run_prunus("process", "status", "nosuchpid", home=tmp_path)
        assert unknown.returncode == 2
        assert unknown.stderr == "Error: unknown process 'nosuchpid'\n"


def test_a_stopped_daemon_is_one_line_and_exit_2_for_submit(tmp_path):
    with running_daemon(tmp_path):
        pass
    done = run_prunus("submit", "tests.workflows:Leaf", "-i", "x=1", home=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"Error: no prunus daemon is running on {tmp_path}")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
