"""Deep trees: pids stay short at any depth, and every view and control still works."""

from __future__ import annotations

import json
import sys
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prunus import Client, ProcessState, StuckError
from prunus.engine import child_pid
from prunus.persistence import LmdbStore
from tests.cli.helpers import invoke
from tests.workflows import Recurse

DEPTH = 1000


def test_child_pids_stay_short_at_any_depth_and_are_the_same_every_time():
    pid, seen = "0123456789ab", set()
    for depth in range(10_000):
        child = child_pid(pid, depth % 3)
        assert child == child_pid(pid, depth % 3)  # deterministic: replay finds it
        assert len(child) <= 64 and child not in seen
        seen.add(child)
        pid = child
    assert pid.startswith("0123456789ab.h")


def test_shallow_child_pids_read_as_parent_dot_index():
    assert child_pid("0123456789ab", 0) == "0123456789ab.0"
    assert child_pid("0123456789ab.0", 12) == "0123456789ab.0.12"


@given(st.text(min_size=1, max_size=400), st.integers(min_value=0, max_value=10**9))
def test_any_parent_pid_gives_a_short_child_pid(parent, index):
    child = child_pid(parent, index)
    assert len(child) <= max(64, 24 + 2 + 16)
    assert child == child_pid(parent, index)


def test_a_recursion_1000_deep_finishes():
    # (The daemon builds the same 1,000 levels in the kill test below; running it back
    # up as well would add half a minute to the suite and nothing about depth.)
    with Client() as client:
        result = client.wait(client.submit(Recurse, depth=DEPTH))
        pids = [status.pid for status in client.list() if status.pid.startswith(result.pid)]
    assert result.state is ProcessState.FINISHED
    assert result["reached"] == DEPTH
    assert len(pids) == DEPTH + 1
    assert max(len(pid) for pid in pids) <= 64


@pytest.mark.slow
def test_a_tree_1000_deep_is_killed_whole_in_both_modes(client):
    pid = client.submit(Recurse, depth=DEPTH, hold=True)

    def tree():
        return [status for status in client.list() if status.pid.startswith(pid)]

    if client.is_remote:
        deadline = time.monotonic() + 120
        while len(tree()) < DEPTH + 2:  # (listing 1,000 processes often slows them)
            assert time.monotonic() < deadline
            time.sleep(0.5)
    else:
        with pytest.raises(StuckError):  # once the whole tree waits on the innermost
            client.wait(pid)
    assert client.kill(pid, "too deep")
    assert client.wait(pid).state is ProcessState.KILLED
    assert len(tree()) == DEPTH + 2
    assert {status.state for status in tree()} == {ProcessState.KILLED}


@pytest.mark.slow
def test_the_cli_shows_a_tree_1000_deep(tmp_path):
    with Client(store=LmdbStore(tmp_path, sync=False)) as client:  # (no fsync per step)
        pid = client.submit(Recurse, depth=DEPTH)
        client.wait(pid)
    status = invoke("process", "status", pid, "--home", str(tmp_path))
    assert status.exit_code == 0, status.output
    lines = status.stdout.splitlines()
    assert len(lines) == DEPTH + 1
    assert lines[-1].startswith("  " * DEPTH + pid + ".h")
    as_json = invoke("process", "status", pid, "--home", str(tmp_path), "--json")
    assert as_json.exit_code == 0, as_json.output
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)  # two levels of JSON per generation
    try:
        node, depth = json.loads(as_json.stdout), 0
    finally:
        sys.setrecursionlimit(limit)
    while node["children"]:
        node, depth = node["children"][0], depth + 1
    assert depth == DEPTH
    for command in ("report", "show"):
        result = invoke("process", command, pid, "--home", str(tmp_path))
        assert result.exit_code == 0, result.output
