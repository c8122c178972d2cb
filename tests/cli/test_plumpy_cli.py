"""The CLI side of issue 13: ``process resume``, stored tracebacks, unsuccessful finishes."""

from __future__ import annotations

import json
import time

from prunus import Client
from prunus.cli._errors import EXIT_ERROR, EXIT_PROCESS_FAILED
from tests.cli.helpers import invoke


def _wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_process_resume_wakes_a_waiting_process_and_says_when_there_is_nothing_to_resume(
    daemon_home,
):
    with Client.connect(daemon_home) as client:
        pid = client.submit("tests.workflows:WaitsForResume")
        _wait_until(lambda: client.status(pid).state.name == "WAITING")
        resumed = invoke("process", "resume", pid, "--home", str(daemon_home))
        assert resumed.exit_code == 0, resumed.output
        assert resumed.stdout == f"resumed {pid}\n"
        assert client.wait(pid, timeout=10)["resumed"] is True
    again = invoke("process", "resume", pid, "--home", str(daemon_home))
    assert again.exit_code == 0 and again.stdout == f"{pid} is not waiting on a plain Wait\n"
    unknown = invoke("process", "resume", "nope", "--home", str(daemon_home))
    assert unknown.exit_code == EXIT_ERROR and "unknown process 'nope'" in unknown.stderr


def test_process_show_shows_the_stored_traceback_of_an_excepted_process(daemon_home):
    with Client.connect(daemon_home) as client:
        pid = client.submit("tests.workflows:Fails")
        client.wait(pid, timeout=10)
    shown = invoke("process", "show", pid, "--home", str(daemon_home))
    assert shown.exit_code == 0, shown.output
    after = shown.stdout.split("Traceback:\n", 1)[1]
    assert "Traceback (most recent call last):" in after
    assert 'raise RuntimeError("child failure")' in after
    assert "RuntimeError: child failure" in after


def test_debug_run_prints_the_traceback_of_the_process_error_and_exits_3():
    plain = invoke("run", "tests.workflows:Fails")
    assert plain.exit_code == EXIT_PROCESS_FAILED and "Traceback" not in plain.stderr
    debug = invoke("--debug", "run", "tests.workflows:Fails")
    assert debug.exit_code == EXIT_PROCESS_FAILED
    assert 'raise RuntimeError("child failure")' in debug.stderr
    assert debug.stderr.rstrip().splitlines()[-1].startswith("Error: process ")


def test_a_run_with_a_missing_required_output_prints_its_outputs_and_exits_3():
    result = invoke("run", "tests.workflows:MissingOutput")
    assert result.exit_code == EXIT_PROCESS_FAILED
    assert '"given": 1' in result.stdout
    assert "ended FINISHED: exit status 1: invalid outputs" in result.stderr
    assert "'needed'" in result.stderr


def test_a_run_that_returns_a_non_zero_exit_status_prints_it_and_exits_3():
    result = invoke("run", "tests.engine.test_plumpy_semantics:Returns", "-i", "how=return_(1)")
    assert result.exit_code == EXIT_PROCESS_FAILED
    assert "ended FINISHED: exit status 1" in result.stderr
    ok = invoke("run", "tests.engine.test_plumpy_semantics:Returns", "-i", "how=int 0")
    assert ok.exit_code == 0, ok.output


def test_watch_gives_the_traceback_in_json_and_with_debug(daemon_home):
    with Client.connect(daemon_home) as client:
        pid = client.submit("tests.workflows:Fails")
        client.wait(pid, timeout=10)
    watched = invoke("process", "watch", pid, "--json", "--home", str(daemon_home))
    end = json.loads(watched.stdout.splitlines()[-1])
    assert end["event"] == "end" and 'raise RuntimeError("child failure")' in end["traceback"]
    debug = invoke("--debug", "process", "watch", pid, "--home", str(daemon_home))
    assert debug.exit_code == EXIT_PROCESS_FAILED
    assert 'raise RuntimeError("child failure")' in debug.stderr
