"""Bytes stored by an earlier prunus still load and run on: checkpoints and registry
records are kept across upgrades. The fixture was written by
``tests/durability/stored_formats.py`` on the code before exit codes and statuses had
one ``to_data``/``from_data`` pair each (exit codes were then stored in two field
orders: checkpoints ``[status, message, invalidates_cache, label]``, results
``[status, message, label, invalidates_cache]``)."""

from __future__ import annotations

from pathlib import Path

from prunus import Client, ExitCode, ProcessResult, ProcessState, ProcessStatus
from prunus.engine import load_process, save_process
from prunus.persistence import LmdbStore, StagedWrite, decode, decode_checkpoint
from tests.durability.stored_formats import LOW, PARENT, write_stored_formats

BEFORE_ONE_FORMAT = Path(__file__).parent / "fixtures" / "before-one-format"


def low(x: int) -> ExitCode:
    return LOW.format(x=x)


def stored(folder: Path) -> dict[str, dict[str, bytes]]:
    parts: dict[str, dict[str, bytes]] = {}
    for path in sorted(folder.iterdir()):
        pid, _, name = path.name.rpartition(".")
        parts.setdefault(pid, {})[name] = path.read_bytes()
    return parts


def install(folder: Path, home: Path) -> None:
    """Put the fixture's bytes into a home, byte for byte."""
    with LmdbStore(home) as store:
        store.write_staged(
            [
                StagedWrite(
                    pid,
                    pid.encode(),
                    parts.get("record"),
                    parts.get("checkpoint"),
                    parts.get("outputs"),
                    [],
                )
                for pid, parts in stored(folder).items()
            ]
        )


def test_the_fixture_holds_every_stored_form_of_an_exit_code():
    parts = stored(BEFORE_ONE_FORMAT)
    assert set(parts) == {PARENT, f"{PARENT}.0", f"{PARENT}.1"}
    assert set(parts[f"{PARENT}.0"]) == {"record", "checkpoint", "outputs"}


def test_the_fixture_decodes_through_each_types_from_data_and_saves_in_one_form():
    parts = stored(BEFORE_ONE_FORMAT)
    record = decode(parts[f"{PARENT}.0"]["record"])
    status = ProcessStatus.from_data(record)
    assert (status.pid, status.state, status.parent, status.step) == (
        f"{PARENT}.0",
        ProcessState.FINISHED,
        PARENT,
        "run",
    )
    assert status.created == record["created"]
    assert ProcessResult.from_data(record["result"]).exit_code == low(1)  # results' order
    child = load_process(decode_checkpoint(parts[f"{PARENT}.0"]["checkpoint"]))
    assert child.exit_code == low(1)  # checkpoints' order
    parent = load_process(decode_checkpoint(parts[PARENT]["checkpoint"]))
    saved = save_process(parent)
    assert saved["ctx"]["code"] == low(1)  # the codec's extension type
    assert saved["ctx"]["low"].exit_code == low(1)  # a result inside ctx
    unconsumed = saved["child_results"][f"{PARENT}.1"]
    assert unconsumed["exit_code"] == low(2).to_data() == [300, "x 2 is too low", True, "ERROR_LOW"]


def test_a_home_written_before_one_format_resumes_with_its_exit_codes_and_statuses(
    tmp_path, open_runtime
):
    install(BEFORE_ONE_FORMAT, tmp_path)
    with open_runtime(tmp_path) as client:
        parent = client.status(PARENT)
        assert parent.state is ProcessState.RUNNING and parent.paused
        assert parent.step == "keep"
        assert parent.children == (f"{PARENT}.0", f"{PARENT}.1")
        assert parent.process_class == "tests.durability.stored_formats:Judge"
        for index, x in ((0, 1), (1, 2)):
            result = client.wait(f"{PARENT}.{index}")
            assert result.state is ProcessState.FINISHED
            assert result.exit_code == low(x)
            assert result.status == f"x {x} is too low"
        assert client.describe(f"{PARENT}.0")["exit_code"] == [300, "x 1 is too low"]
        client.play(PARENT)
        finished = client.wait(PARENT)
        assert finished.is_finished_ok
        assert finished.outputs == {
            "label": "ERROR_LOW",
            "status": 300,
            "message": "x 1 is too low",
            "invalidates_cache": True,
        }


def test_the_helper_writes_what_todays_code_stores_and_it_loads_the_same(tmp_path):
    write_stored_formats(tmp_path / "today")
    today = stored(tmp_path / "today")
    assert set(today) == set(stored(BEFORE_ONE_FORMAT))
    record = decode(today[f"{PARENT}.0"]["record"])
    checkpoint = decode_checkpoint(today[f"{PARENT}.0"]["checkpoint"])
    assert record["result"]["exit_code"] == checkpoint["exit_code"] == low(1).to_data()
    install(tmp_path / "today", tmp_path / "home")
    with Client(tmp_path / "home") as client:
        assert client.wait(f"{PARENT}.1").exit_code == low(2)
        client.play(PARENT)
        assert client.wait(PARENT)["invalidates_cache"] is True
