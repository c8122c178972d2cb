"""``prunus run`` and ``prunus submit``: inputs, progress, outputs and every way to fail."""

from __future__ import annotations

import json
import os

import pexpect
import pytest

from prunus import Client, __version__
from prunus.cli._errors import EXIT_ERROR, EXIT_PROCESS_FAILED, EXIT_TIMEOUT
from tests.cli.helpers import PRUNUS, ROOT, invoke, run_prunus


def test_version_prints_the_package_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"prunus, version {__version__}"


def test_run_prints_the_outputs_as_json_on_stdout():
    result = invoke("run", "tests.workflows:Add", "-i", "a=2", "-i", "b=40")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"sum": 42}
    assert result.stderr == ""  # no progress unless stderr is a terminal or --progress


def test_progress_shows_each_process_of_the_tree_and_its_report_lines_on_stderr():
    result = invoke("run", "tests.workflows:WithChildren", "-i", "items=[1, 2]", "--progress")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"total": 5, "failed": 0}
    lines = result.stderr.splitlines()
    root = [line for line in lines if "WithChildren" in line]
    assert root[-1].split()[-1] == "FINISHED"
    children = [line for line in lines if "  Add  FINISHED" in line]
    assert len(children) == 2
    assert all(line.split()[1].count(".") == 1 for line in children)  # <root>.<n>
    assert any(line.endswith("| adding 1 and 1") for line in lines)
    assert any(line.endswith("| adding 2 and 1") for line in lines)


def test_progress_follows_the_steps_of_an_embedded_run_as_they_happen():
    result = invoke("run", "tests.workflows:Counter", "-i", "n=4", "-i", "delay=0.05", "--progress")
    assert result.exit_code == 0, result.output
    reported = [line.rpartition("| ")[2] for line in result.stderr.splitlines() if "| " in line]
    assert reported == ["counter:1", "counter:2", "counter:3", "counter:4"]
    states = [line.split()[3] for line in result.stderr.splitlines() if "| " not in line]
    # Answered once recorded, so it may first be seen CREATED (not started yet).
    assert "RUNNING" in states and states[-1] == "FINISHED"  # seen while it ran
    assert set(states[: states.index("RUNNING")]) <= {"CREATED"}


def test_dotted_inputs_nest_and_non_json_values_stay_strings():
    from prunus.cli._loading import parse_inputs

    assert parse_inputs(("params.cutoff=30", "params.mode=fast", "flag=true")) == {
        "params": {"cutoff": 30, "mode": "fast"},
        "flag": True,
    }


def test_inputs_come_from_a_json_or_yaml_file_with_i_values_on_top(tmp_path):
    (tmp_path / "in.json").write_text(json.dumps({"a": 1, "b": 2}))
    (tmp_path / "in.yaml").write_text("a: 10\nb: 20\n")
    for name, expected in (("in.json", 1 + 5), ("in.yaml", 10 + 5)):
        result = invoke("run", "tests.workflows:Add", "--inputs", str(tmp_path / name), "-i", "b=5")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {"sum": expected}


def test_a_bad_inputs_file_is_one_line_naming_the_file(tmp_path):
    (tmp_path / "bad.yaml").write_text("a: [1,\n")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "in.toml").write_text("a = 1")
    cases = {
        "bad.yaml": "not valid YAML",
        "list.json": "expected a mapping of inputs, got list",
        "in.toml": "expected a .json, .yaml or .yml file",
        "missing.json": "No such file or directory",
    }
    for name, message in cases.items():
        result = invoke("run", "tests.workflows:Add", "--inputs", str(tmp_path / name))
        assert result.exit_code == EXIT_ERROR, name
        assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
        assert str(tmp_path / name) in result.stderr


def test_bad_inputs_give_one_line_naming_the_port_and_exit_2():
    result = invoke("run", "tests.workflows:Add", "-i", "a=two")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr == "Error: Error at port 'a': expected int, got 'two' (type str)\n"
    assert invoke("run", "tests.workflows:Add", "-i", "novalue").exit_code == EXIT_ERROR


def test_an_unknown_class_or_module_is_a_one_line_error():
    cases = {
        "tests.workflows:Nope": "module 'tests.workflows' has no 'Nope'",
        "no_such_module:X": "cannot import module 'no_such_module'",
        "justtext": "expected MODULE:CLASS, got 'justtext'",
        "json:JSONDecoder": "'json:JSONDecoder' is not a prunus Process class",
    }
    for reference, message in cases.items():
        result = invoke("run", reference)
        assert result.exit_code == EXIT_ERROR, reference
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
        assert message in result.stderr
        assert "Traceback" not in result.output


def test_debug_shows_the_traceback_instead():
    result = invoke("--debug", "run", "no_such_module:X")
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "ProcessClassError"


def test_a_failing_process_prints_why_and_exits_3():
    result = invoke("run", "tests.workflows:Fails")
    assert result.exit_code == EXIT_PROCESS_FAILED
    assert result.stderr.startswith("Error: process ")
    assert "ended EXCEPTED: RuntimeError: child failure" in result.stderr


def test_a_run_that_can_never_end_or_takes_too_long_exits_4():
    stuck = invoke("run", "tests.workflows:PausesItself")
    assert stuck.exit_code == EXIT_TIMEOUT
    assert "cannot make progress: it is paused" in stuck.stderr
    slow = invoke("run", "tests.workflows:Slow", "--max-wait", "0.3")
    assert slow.exit_code == EXIT_TIMEOUT
    assert slow.stderr.endswith("did not end within 0.3 s\n")


def test_a_run_is_recorded_in_the_default_home_and_listed_afterwards(tmp_path):
    result = invoke("run", "tests.workflows:Add", "-i", "a=1")
    assert result.exit_code == 0, result.output
    listed = invoke("process", "list", "--all", "--json")  # ./.prunus: the cwd is tmp_path
    [row] = json.loads(listed.stdout)
    assert row["state"] == "FINISHED" and row["process_class"].endswith(":Add")
    with Client(tmp_path / ".prunus") as client:
        assert client.outputs(row["pid"]) == {"sum": 2}


@pytest.mark.parametrize("flags", [[], ["--durable"]], ids=["default", "--durable"])
def test_a_run_with_home_is_recorded_in_that_home(tmp_path, flags):
    home = tmp_path / "elsewhere"
    result = invoke("run", "tests.workflows:Add", "-i", "a=1", "--home", str(home), *flags)
    assert result.exit_code == 0, result.output
    with Client(home) as client:
        [status] = client.list()
        assert client.outputs(status.pid) == {"sum": 2}
    assert not (tmp_path / ".prunus").exists()


def test_a_run_with_memory_leaves_nothing_behind(tmp_path):
    result = invoke("run", "tests.workflows:Add", "-i", "a=1", "--memory")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"sum": 2}
    assert list(tmp_path.iterdir()) == []


def test_memory_with_a_home_or_another_runtime_is_a_usage_error(tmp_path):
    add = ("run", "tests.workflows:Add", "-i", "a=1")
    for extra in (["--memory", "--home", str(tmp_path)], ["--memory", "--daemon"]):
        result = invoke(*add, *extra)
        assert result.exit_code == EXIT_ERROR
        assert "exclude each other" in result.stderr or "--memory records nothing" in (
            result.stderr
        )


def test_a_run_on_a_home_a_daemon_holds_says_to_use_the_daemon(daemon_home):
    result = invoke("run", "tests.workflows:Add", "-i", "a=1", "--home", str(daemon_home))
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.strip().endswith("run on it with --daemon, or use --memory")


def test_run_on_the_daemon_and_submit_return_what_the_daemon_ran(daemon_home):
    home = str(daemon_home)
    ran = invoke("run", "tests.workflows:Leaf", "-i", "x=4", "--daemon", "--home", home)
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout) == {"y": 8}
    submitted = invoke("submit", "tests.workflows:Leaf", "-i", "x=5", "--home", home)
    assert submitted.exit_code == 0, submitted.output
    pid = submitted.stdout.strip()
    with Client.connect(daemon_home) as client:
        assert client.wait(pid, timeout=10)["y"] == 10
    as_json = invoke("submit", "tests.workflows:Leaf", "-i", "x=1", "--json", "--home", home)
    assert set(json.loads(as_json.stdout)) == {"pid"}


def test_the_daemon_refuses_a_bad_submission_with_the_port_or_class(daemon_home):
    home = str(daemon_home)
    bad = invoke("submit", "tests.workflows:Leaf", "-i", "x=one", "--home", home)
    assert bad.exit_code == EXIT_ERROR
    assert "Error at port 'x'" in bad.stderr and bad.stderr.count("\n") == 1
    unknown = invoke("submit", "tests.workflows:Nope", "--home", home)
    assert unknown.exit_code == EXIT_ERROR
    assert "Nope" in unknown.stderr and unknown.stderr.count("\n") == 1


def test_submit_and_run_daemon_without_a_daemon_are_one_line_errors(tmp_path):
    for args in (["submit"], ["run", "--daemon"]):
        result = invoke(*args, "tests.workflows:Add", "-i", "a=1", "--home", str(tmp_path))
        assert result.exit_code == EXIT_ERROR
        assert result.stderr == (
            f"Error: no prunus daemon is running on {tmp_path} "
            f"(start one: prunus daemon start --home {tmp_path})\n"
        )


def test_prunus_home_names_the_home_when_home_is_not_given(tmp_path):
    result = invoke("submit", "x:Y", env={"PRUNUS_HOME": str(tmp_path)})
    assert f"no prunus daemon is running on {tmp_path}" in result.stderr


def test_the_installed_entry_point_runs_a_process(tmp_path):
    done = run_prunus("run", "tests.workflows:Add", "-i", "a=1", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"sum": 2}


def test_on_a_terminal_run_draws_the_tree_in_colour_then_the_outputs(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", "PRUNUS_HOME": str(tmp_path)}
    child = pexpect.spawn(
        str(PRUNUS),
        ["run", "tests.workflows:WithChildren", "-i", "items=[1, 2]"],
        env=env,
        cwd=str(ROOT),
        encoding="utf-8",
        dimensions=(40, 160),
        timeout=30,
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    screen = child.before
    assert "├── " in screen and "└── " in screen  # children drawn as a tree
    assert "\x1b[32mFINISHED" in screen  # in green
    assert "3/3 processes ended" in screen
    assert screen.rstrip().endswith('"total": 5\r\n}')
