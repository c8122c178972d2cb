"""``prunus console`` driven through a pseudo-terminal, as a person at a keyboard would."""

from __future__ import annotations

import os
import re
import signal

import pexpect
import pytest

from prunus import Client
from prunus.cli._console import HISTORY_FILE
from tests.cli.helpers import PRUNUS, ROOT

PROMPT = "prunus>"  # prompt_toolkit moves the cursor instead of printing the space
TAB, UP = "\t", "\x1b[A"


@pytest.fixture
def console(daemon_home):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm",
        "PROMPT_TOOLKIT_NO_CPR": "1",  # no cursor-position queries nobody would answer
    }
    env.pop("PRUNUS_HOME", None)
    child = pexpect.spawn(
        str(PRUNUS),
        ["console", "--home", str(daemon_home)],
        env=env,
        cwd=str(ROOT),
        encoding="utf-8",
        dimensions=(50, 200),
        timeout=15,
        # Ctrl-C is a signal to the console, as at a terminal, even when the suite runs
        # as a background job (which starts with SIGINT ignored, inherited here).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    child.expect_exact(f"prunus console, daemon on {daemon_home}")
    child.expect_exact(PROMPT)
    yield child
    if child.isalive():
        child.sendline("exit")
        child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def plain(text: str) -> str:
    """The screen text without colours and cursor movements."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_tab_completes_verbs_and_pids_and_the_verbs_run(console, daemon_home):
    with Client.connect(daemon_home) as client:
        pid = client.submit("tests.workflows:WaitsForever")
        client.wait(client.submit("tests.workflows:Leaf", {"x": 1}), timeout=10)
    console.send("li" + TAB)  # a single match is inserted
    console.sendline(" --all")
    console.expect_exact("processes shown")
    assert "WaitsForever" in plain(console.before)
    console.expect_exact(PROMPT)

    console.send("stat" + TAB + " " + pid[:5] + TAB)
    console.sendline("")
    console.expect(r"WaitsForever\S*\s+\S*WAITING")
    console.expect_exact(PROMPT)

    console.sendline(f"kill {pid}")
    console.expect_exact(f"killed {pid}")
    console.expect_exact(PROMPT)
    console.send(UP + UP)  # history: back to the `status` line
    console.sendline("")
    console.expect(r"WaitsForever\S*\s+\S*KILLED")
    console.expect_exact(PROMPT)


def test_tab_lists_the_choices_when_several_match(console):
    console.send("p" + TAB + TAB)
    console.expect(r"pause\s+play")
    console.sendline("\x15help")  # Ctrl-U drops the line first
    console.expect_exact("Leave the console")
    console.expect_exact(PROMPT)


def test_errors_are_one_line_and_the_console_goes_on(console, daemon_home):
    console.sendline("status nosuchpid")
    console.expect_exact("Error: unknown process 'nosuchpid'")
    console.expect_exact(PROMPT)
    console.sendline("frobnicate")
    console.expect_exact("Error: unknown verb 'frobnicate' (help lists them)")
    console.expect_exact(PROMPT)
    console.sendline("list --bogus")
    console.expect_exact("No such option '--bogus'")
    console.expect_exact(PROMPT)
    console.sendline("submit tests.workflows:Leaf -i x=oops")
    console.expect_exact("Error at port 'x'")
    console.expect_exact(PROMPT)
    console.sendline("submit tests.workflows:Leaf -i x=2")
    console.expect(r"([0-9a-f]{12})\r\n")
    pid = console.match.group(1)
    console.expect_exact(PROMPT)
    console.sendline(f"watch {pid}")
    console.expect_exact(f"process {pid} ended FINISHED")
    console.expect_exact(PROMPT)
    console.sendline("quit")
    console.expect(pexpect.EOF)
    history = (daemon_home / HISTORY_FILE).read_text()
    assert "+status nosuchpid\n" in history and f"+watch {pid}\n" in history


def test_ctrl_c_stops_a_watch_and_the_console_goes_on(console, daemon_home):
    with Client.connect(daemon_home) as client:
        pid = client.submit("tests.workflows:WaitsForever")
        console.sendline(f"watch {pid}")
        console.expect(r"0/1 processes ended")  # the live view is up
        console.sendcontrol("c")
        console.expect_exact("Error: ")
        console.expect_exact(PROMPT)
        assert plain(console.before).startswith(f"stopped watching {pid}; it has not ended")
        assert client.status(pid).state.name == "WAITING"  # watching changed nothing
        console.sendline(f"kill {pid}")  # on a new connection: no stale answer in the way
        console.expect_exact(f"killed {pid}")
        console.expect_exact(PROMPT)
