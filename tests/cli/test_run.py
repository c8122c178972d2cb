"""``prunus run`` and ``prunus --version`` through click's runner and as a real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from prunus import __version__
from prunus.cli import main

ROOT = Path(__file__).resolve().parents[2]


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_version_prints_the_package_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


def test_run_prints_the_outputs_as_json():
    result = invoke("run", "tests.control.workflows:Add", "-i", "a=2", "-i", "b=40")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"sum": 42}


def test_dotted_inputs_nest_and_non_json_values_stay_strings():
    from prunus.cli._loading import parse_inputs

    assert parse_inputs(("params.cutoff=30", "params.mode=fast", "flag=true")) == {
        "params": {"cutoff": 30, "mode": "fast"},
        "flag": True,
    }


def test_bad_inputs_give_one_line_naming_the_port_and_a_nonzero_exit():
    result = invoke("run", "tests.control.workflows:Add", "-i", "a=two")
    assert result.exit_code == 2
    assert "'a'" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_class_or_module_is_a_one_line_error():
    for reference in ("tests.control.workflows:Nope", "no_such_module:X", "justtext"):
        result = invoke("run", reference)
        assert result.exit_code == 2, reference
        assert "Traceback" not in result.output


def test_a_failing_process_prints_why_and_exits_3():
    result = invoke("run", "tests.control.workflows:Fails")
    assert result.exit_code == 3
    assert "EXCEPTED" in result.output
    assert "child failure" in result.output


def test_the_installed_entry_point_runs_a_process():
    prunus = Path(sys.executable).with_name("prunus")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [str(prunus), "run", "tests.control.workflows:Add", "-i", "a=1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"sum": 2}
