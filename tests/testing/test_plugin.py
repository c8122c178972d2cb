"""The pytest plugin: its example suite passes in a fresh pytest, and its helpers fail well."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from prunus import Client
from prunus.testing import assert_finished_ok, assert_tree, run_to_end, tree_outline
from tests.ui.workflows import Campaign, Fails

ROOT = Path(__file__).resolve().parents[2]


def processes_mentioning(text: str) -> list[int]:
    """Live OS processes whose command line contains ``text``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as cmdline:
                if text.encode() in cmdline.read():
                    found.append(int(name))
        except OSError:
            continue
    return found


def test_the_example_suite_passes_with_the_plugin_from_its_entry_point(tmp_path):
    basetemp = tmp_path / "inner"
    env = {key: value for key, value in os.environ.items() if key != "PRUNUS_HOME"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "examples/testing",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--basetemp={basetemp}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout
    assert (basetemp / "prunus-daemon0" / "data.mdb").is_file()  # the daemon ran there
    assert processes_mentioning(str(basetemp)) == []  # and nothing of it is left


def test_the_plugin_is_registered_as_a_pytest11_entry_point():
    from importlib.metadata import entry_points

    found = [ep for ep in entry_points(group="pytest11") if ep.name == "prunus"]
    assert [ep.value for ep in found] == ["prunus.testing"]


def test_prunus_client_is_durable_in_its_own_home(prunus_client, prunus_home):
    result = run_to_end(prunus_client, Campaign, n=2)
    assert_finished_ok(result)
    assert (prunus_home / "data.mdb").is_file()
    assert prunus_client.list()[0].pid == result.pid


def test_assert_tree_shows_both_outlines_when_they_differ():
    with Client() as client:
        result = run_to_end(client, Campaign, n=1, fail=True)
        assert (
            tree_outline(client, result.pid)
            == "Campaign FINISHED\n  Square FINISHED\n  Fails EXCEPTED"
        )
        assert tree_outline(client, result.pid, pids=True).splitlines()[1] == (
            f"  {result.pid}.0 Square FINISHED"
        )
        with pytest.raises(AssertionError) as failure:
            assert_tree(client, result.pid, "Campaign FINISHED\n  Square FINISHED")
    message = str(failure.value)
    assert f"process {result.pid}'s tree differs" in message
    assert "Fails EXCEPTED" in message


def test_assert_finished_ok_names_the_pid_state_and_reason():
    with Client() as client:
        result = run_to_end(client, Fails)
    with pytest.raises(AssertionError) as failure:
        assert_finished_ok(result)
    assert str(failure.value) == (
        f"process {result.pid} ended EXCEPTED: RuntimeError: this one breaks on purpose"
    )
