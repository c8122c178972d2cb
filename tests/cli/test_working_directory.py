"""Every command imports process classes from the working directory, as ``run`` does:
a process whose class lives in ``./flows.py`` resumes under ``watch``, ``play``,
``kill`` and the console, instead of failing for good with "No module named 'flows'"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pexpect
import pytest

from tests.cli.helpers import PRUNUS, ROOT

FLOWS = textwrap.dedent(
    """
    from prunus import Continue, Process


    class Square(Process):
        # Pauses itself before it squares: it waits in the home until played.

        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.input("x", valid_type=int)
            spec.output("y", valid_type=int)

        def run(self):
            self.pause()
            return Continue(self.square)

        def square(self):
            self.out("y", self.inputs.x ** 2)
    """
)


@pytest.fixture
def project(tmp_path):
    """A directory with flows.py and a home holding one paused flows:Square."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "flows.py").write_text(FLOWS)
    home = tmp_path / "home"
    code = (
        "import sys\nfrom prunus import Client\n"
        "with Client(sys.argv[1]) as client:\n"
        "    print(client.submit('flows:Square', x=3))\n"
    )
    made = subprocess.run(
        [sys.executable, "-c", code, str(home)],
        capture_output=True,
        text=True,
        cwd=work,
        env=environment(),
        check=True,
    )
    return work, home, made.stdout.strip()


def environment() -> dict[str, str]:
    """PYTHONPATH names the repository only: flows.py is found through the cwd."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("PRUNUS_HOME", None)
    return env


def prunus(work, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PRUNUS), *args], capture_output=True, text=True, cwd=work, env=environment()
    )


def state_of(work, home, pid: str) -> dict:
    shown = prunus(work, "process", "show", pid, "--home", str(home), "--json")
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


@pytest.mark.parametrize(
    ("command", "state", "paused"),
    [
        ("play", "FINISHED", False),
        ("kill", "KILLED", False),
        ("pause", "RUNNING", True),
        ("watch", "RUNNING", True),  # (it stays paused: watch says so and exits)
    ],
)
def test_a_control_command_resumes_a_process_whose_class_is_in_the_working_directory(
    project, command, state, paused
):
    work, home, pid = project
    assert state_of(work, home, pid)["paused"]
    done = prunus(work, "process", command, pid, "--home", str(home))
    assert "No module named" not in done.stderr
    shown = state_of(work, home, pid)
    assert (shown["state"], shown["paused"]) == (state, paused), shown["status"]


def test_the_console_resumes_a_process_whose_class_is_in_the_working_directory(project):
    work, home, pid = project
    console = pexpect.spawn(
        str(PRUNUS),
        ["console", "--home", str(home)],
        env=environment(),
        cwd=str(work),
        encoding="utf-8",
        dimensions=(50, 200),
        timeout=15,
    )
    console.expect_exact("prunus>")
    console.sendline(f"play {pid}")
    console.expect_exact("prunus>")
    console.sendline(f"watch {pid}")
    console.expect_exact(f"process {pid} ended FINISHED")
    console.expect_exact("prunus>")
    console.sendline("exit")
    console.expect(pexpect.EOF)
    console.close()
    assert state_of(work, home, pid)["outputs"] == {"y": 9}


def test_a_daemon_started_in_the_working_directory_resumes_the_process(project):
    work, home, pid = project
    started = prunus(work, "daemon", "start", "--home", str(home), "--workers", "1")
    assert started.returncode == 0, started.stderr
    try:
        played = prunus(work, "process", "play", pid, "--home", str(home))
        assert played.returncode == 0, played.stderr
        watched = prunus(work, "process", "watch", pid, "--home", str(home))
        assert watched.returncode == 0, watched.stderr
    finally:
        stopped = prunus(work, "daemon", "stop", "--home", str(home))
    assert stopped.returncode == 0, stopped.stderr
    assert state_of(work, home, pid)["outputs"] == {"y": 9}


def test_a_command_run_where_the_class_does_not_import_leaves_the_process_blocked(
    project, tmp_path
):
    work, home, pid = project
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = prunus(elsewhere, "process", "play", pid, "--home", str(home))
    assert done.returncode == 2
    assert (
        f"Error: {pid} not played: blocked: cannot import process class flows:Square: "
        "No module named 'flows'\n"
    ) in done.stderr
    shown = state_of(elsewhere, home, pid)
    assert (shown["state"], shown["paused"]) == ("RUNNING", True)  # kept, not EXCEPTED
    played = prunus(work, "process", "play", pid, "--home", str(home))  # where it imports
    assert played.returncode == 0, played.stderr
    assert state_of(work, home, pid)["outputs"] == {"y": 9}
