"""``prunus cache list|explain|invalidate`` on a daemon's home."""

from __future__ import annotations

import json

from prunus import Client
from prunus.cli._errors import EXIT_ERROR
from tests.cli.helpers import invoke
from tests.conditions.jobs import Square, runs


def test_list_explain_and_invalidate_drive_what_the_next_launch_reuses(daemon_home, tmp_path):
    home, witness = str(daemon_home), str(tmp_path / "w")
    with Client.connect(daemon_home) as client:
        first = client.submit(Square, x=21, witness=witness)
        client.wait(first, timeout=30)
        other = client.submit(Square, x=22, witness=witness)
        client.wait(other, timeout=30)
    listed = json.loads(invoke("cache", "list", "--json", "--home", home).stdout)
    assert {first, other} <= {entry["pid"] for entry in listed}
    table = invoke("cache", "list", "--home", home).stdout
    assert "tests.conditions.jobs:Square" in table and first in table
    explained = invoke("cache", "explain", first, "--home", home)
    assert explained.exit_code == 0, explained.output
    assert "inputs.x" in explained.stdout and "version" in explained.stdout
    assert f"entry: {first}" in explained.stdout
    assert "inputs.witness" not in explained.stdout  # ignored by the key
    dropped = invoke("cache", "invalidate", first, "--home", home)
    assert dropped.exit_code == 0 and dropped.stdout == "dropped 1 cache entry\n"
    missed = invoke("cache", "explain", first, "--home", home)
    assert f"no entry: the nearest, from {other}, differs in inputs.x" in missed.stdout
    with Client.connect(daemon_home) as client:
        rerun = client.submit(Square, x=21, witness=witness)
        client.wait(rerun, timeout=30)
        assert client.describe(rerun)["cached_from"] is None
        assert runs(witness) == 3
        by_class = invoke("cache", "invalidate", "tests.conditions.jobs:Square", "--home", home)
        assert by_class.exit_code == 0, by_class.output
        again = client.submit(Square, x=22, witness=witness)
        client.wait(again, timeout=30)
        assert runs(witness) == 4
    assert invoke("cache", "invalidate", "--all", "--home", home).exit_code == 0
    assert json.loads(invoke("cache", "list", "--json", "--home", home).stdout) == []


def test_cache_commands_refuse_bad_input_with_one_line(daemon_home, tmp_path):
    home = str(daemon_home)
    neither = invoke("cache", "invalidate", "--home", home)
    assert neither.exit_code == EXIT_ERROR and neither.stderr.count("\n") == 1
    unknown = invoke("cache", "invalidate", "nosuchpid", "--home", home)
    assert unknown.stderr == "Error: no cache entry for nosuchpid\n"
    with Client.connect(daemon_home) as client:
        plain = client.submit("tests.workflows:Leaf", {"x": 1})
        client.wait(plain, timeout=30)
    not_cacheable = invoke("cache", "explain", plain, "--home", home)
    assert not_cacheable.exit_code == EXIT_ERROR
    assert (
        not_cacheable.stderr == "Error: tests.workflows:Leaf is not cacheable (no spec.cacheable)\n"
    )
    nowhere = invoke("cache", "list", "--home", str(tmp_path / "empty"))
    assert nowhere.exit_code == EXIT_ERROR and "no prunus home" in nowhere.stderr
