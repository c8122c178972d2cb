"""PRUNUS_SYNC: group commit by default; an fsync per commit when a power cut must not
cost anything committed; anything else is refused with one line, before work starts."""

from __future__ import annotations

import pytest

from prunus import Client
from prunus.errors import StoreError
from prunus.persistence import SYNC_ENV, every_commit_synced
from tests.cli.helpers import invoke
from tests.workflows import Takes


@pytest.mark.parametrize(
    ("value", "synced"), [(None, False), ("group", False), ("commit", True), (" Commit ", True)]
)
def test_the_setting_chooses_group_commit_or_an_fsync_per_commit(monkeypatch, value, synced):
    if value is None:
        monkeypatch.delenv(SYNC_ENV, raising=False)
    else:
        monkeypatch.setenv(SYNC_ENV, value)
    assert every_commit_synced() is synced


def test_any_other_value_is_one_line_naming_the_setting(monkeypatch):
    monkeypatch.setenv(SYNC_ENV, "always" * 50)
    with pytest.raises(StoreError) as info:
        every_commit_synced()
    message = str(info.value)
    assert message.startswith("PRUNUS_SYNC=") and "'group' or 'commit'" in message
    assert "\n" not in message and len(message) < 120


@pytest.mark.parametrize("value", ["commit", "group"])
def test_an_embedded_home_opens_its_store_as_the_setting_says_and_runs(
    tmp_path, monkeypatch, value
):
    monkeypatch.setenv(SYNC_ENV, value)
    with Client(tmp_path / "home") as client:
        assert client.run(Takes, x=3)["echo"]["x"] == 3
        store = repr(client._runtime._store)
    assert store.endswith("no sync)" if value == "group" else ", sync)")


def test_a_bad_setting_fails_a_run_and_a_daemon_start_with_one_line_and_exit_2(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    env = {SYNC_ENV: "sometimes"}
    for args in (
        ["run", "tests.workflows:Takes", "-i", "x=1", "--home", "h"],
        ["daemon", "start", "--home", "d"],
    ):
        result = invoke(*args, env=env)
        assert result.exit_code == 2, result.output
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1 and "PRUNUS_SYNC='sometimes'" in errors[0], result.stderr
        assert "Traceback" not in result.stderr
