"""A reader of stdout that goes away early (``prunus process list | head -1``) ends the
command quietly: no BrokenPipeError, no traceback, status 0."""

from __future__ import annotations

import os
import subprocess

import click
import pytest
from click.testing import CliRunner

from prunus import Client
from prunus.cli._errors import ErrorReportingGroup
from tests.cli.helpers import PRUNUS, ROOT
from tests.workflows import WaitsForever


@pytest.fixture(scope="module")
def crowded_home(tmp_path_factory):
    """A home with more processes than a pipe's buffer holds lines of."""
    home = tmp_path_factory.mktemp("crowded")
    with Client(home) as client:
        client.submit_many([(WaitsForever, {})] * 2500)
    return home


def test_process_list_into_a_reader_that_stops_after_one_line_exits_quietly(crowded_home):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    listing = subprocess.Popen(
        [str(PRUNUS), "process", "list", "--home", str(crowded_home)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    assert listing.stdout is not None and listing.stderr is not None
    first = listing.stdout.readline()
    listing.stdout.close()  # as `head -1` does
    errors = listing.stderr.read().decode()
    assert listing.wait(timeout=120) == 0, errors
    assert first.startswith(b"PID")
    assert errors == ""


def test_a_broken_pipe_that_is_not_stdout_is_still_reported_as_an_internal_error():
    @click.group(cls=ErrorReportingGroup)
    def group() -> None:
        pass

    @group.command()
    def talk() -> None:
        raise BrokenPipeError(32, "Broken pipe")  # e.g. a socket: stdout is fine

    done = CliRunner().invoke(group, ["talk"])
    assert done.exit_code == 1
    assert done.stderr.startswith("Error: internal error: BrokenPipeError")
