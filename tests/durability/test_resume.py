"""A new runtime on a home picks up where the last one stopped; bad data fails one
process only. Tests taking ``open_runtime`` run embedded (``Client(home)``) and on a
daemon started on the home (tests/conftest.py)."""

from __future__ import annotations

import random

import pytest

from prunus import Client, ProcessListener, ProcessState, PrunusError, StoreError
from prunus.persistence import LmdbStore, register_type
from tests.modes import eventually, settle
from tests.persistence.test_stores import corrupt
from tests.workflows import Add, Counter, Hoarder, OutputHoarder, PausesItself, WaitsOnPausedChild


def test_a_paused_process_is_still_paused_after_a_restart_and_finishes_when_played(
    tmp_path, open_runtime
):
    with open_runtime(tmp_path) as client:
        pid = client.submit(PausesItself)
        settle(client, pid)
    with open_runtime(tmp_path) as client:
        status = client.status(pid)
        assert status.paused and status.state is ProcessState.RUNNING
        client.play(pid)
        assert client.wait(pid)["done"] is True


def test_a_waiting_tree_resumes_with_its_children_and_results_reach_the_parent(
    tmp_path, open_runtime
):
    with open_runtime(tmp_path) as client:
        pid = client.submit(WaitsOnPausedChild)
        settle(client, pid)
    with open_runtime(tmp_path) as client:
        assert client.status(pid).state is ProcessState.WAITING
        assert client.status(f"{pid}.0").paused
        client.play(f"{pid}.0")
        result = client.wait(pid)
        assert result.is_finished_ok and result["child_done"] is True
        assert {s.pid for s in client.list()} == {pid, f"{pid}.0"}


def test_finished_processes_keep_their_results_outputs_and_reports(tmp_path, open_runtime):
    with open_runtime(tmp_path) as client:
        pid = client.submit(Add, a=20, b=22)
        client.wait(pid)
    with open_runtime(tmp_path) as client:
        result = client.wait(pid)
        assert result.state is ProcessState.FINISHED and result["sum"] == 42
        assert client.outputs(pid) == {"sum": 42}
        assert client.report(pid) == ["adding 20 and 22"]


def test_a_paused_workchain_resumes_at_the_step_it_had_reached(tmp_path, open_runtime):
    with open_runtime(tmp_path) as client:
        pid = client.submit(Counter, name="r", n=50, delay=0.002)
        eventually(lambda: len(client.report(pid)) >= 2)
        client.pause(pid)
        before = client.status(pid)
        settle(client, pid)
    with LmdbStore(tmp_path) as store:
        ctx_before = store.load_checkpoint(pid)["ctx"]
    with open_runtime(tmp_path) as client:
        assert client.status(pid).step == before.step
        client.play(pid)
        assert client.wait(pid)["count"] == 50
    assert 0 < ctx_before.get("i", 0) < 50


def make_two_paused(home, open_runtime):
    with open_runtime(home) as client:
        good, bad = client.submit(PausesItself), client.submit(PausesItself)
        settle(client, good)
        settle(client, bad)
    return good, bad


def blobs():
    rng = random.Random(7)
    yield "empty", b""
    yield "truncated", None
    for i in range(4):
        yield f"random{i}", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80)))


def check_one_bad_checkpoint(home, runtime, blob):
    good, bad = make_two_paused(home, runtime)
    with LmdbStore(home) as store:
        if blob is None:
            shared = store._shared
            with shared.env.begin() as txn:
                whole = txn.get(bad.encode(), db=shared.dbs["checkpoints"])
            blob = whole[: len(whole) // 2]
        corrupt(store, bad, blob)
    with runtime(home) as client:
        status = client.status(bad)
        assert status.state is ProcessState.EXCEPTED
        assert f"cannot resume process {bad}" in status.status
        assert "\n" not in status.status
        client.play(good)
        assert client.wait(good).is_finished_ok


@pytest.mark.parametrize(("label", "blob"), list(blobs()), ids=[b[0] for b in blobs()])
def test_any_unreadable_checkpoint_fails_that_process_only(tmp_path, label, blob):
    check_one_bad_checkpoint(tmp_path, Client, blob)


def test_a_truncated_checkpoint_fails_that_process_only_in_both_modes(tmp_path, open_runtime):
    check_one_bad_checkpoint(tmp_path, open_runtime, None)


def test_a_process_whose_class_does_not_import_is_blocked_not_failed_and_resumes_later(
    tmp_path, open_runtime
):
    good, bad = make_two_paused(tmp_path, open_runtime)
    with LmdbStore(tmp_path) as store:
        data = store.load_checkpoint(bad)
        real_class, data["class"] = data["class"], "no_such_module_anywhere:Gone"
        store.write(bad, checkpoint=data)
    with open_runtime(tmp_path) as client:
        status = client.status(bad)
        assert (status.state, status.paused) == (ProcessState.RUNNING, True)  # as it was
        assert status.status == (
            "blocked: cannot import process class no_such_module_anywhere:Gone: "
            "No module named 'no_such_module_anywhere'"
        )
        assert not client.play(bad)  # nothing can run it here: not applied, still blocked
        assert client.status(bad).status.startswith("blocked: ")
        client.play(good)
        assert client.wait(good).is_finished_ok
    with LmdbStore(tmp_path) as store:  # the class imports again (a module put back)
        assert store.get_record(bad)["state"] == ProcessState.RUNNING.value
        data["class"] = real_class
        store.write(bad, checkpoint=data)
    with open_runtime(tmp_path) as client:  # tried again on the next open
        assert client.status(bad).paused
        client.play(bad)
        assert client.wait(bad)["done"] is True


def test_a_value_in_ctx_that_cannot_be_stored_fails_the_process_naming_the_path(client):
    result = client.wait(client.submit(Hoarder))
    assert result.state is ProcessState.EXCEPTED
    assert "ctx.results[2]" in result.exception


def test_an_output_that_cannot_be_stored_fails_the_process_naming_the_port(client):
    """The failure record used to carry the output again, failed to encode too, and
    the process stayed CREATED for good (its host's message failed)."""
    result = client.wait(client.submit(OutputHoarder), timeout=60)
    assert result.state is ProcessState.EXCEPTED
    assert "outputs.kept" in result.exception and "kept" not in result
    again = client.wait(client.submit(Hoarder), timeout=60)  # the runtime carries on
    assert again.state is ProcessState.EXCEPTED


class CountingListener(ProcessListener):
    """Counts pause/play events; its count is state that must survive a restart."""

    def __init__(self, seen=0):
        self.seen = seen

    def on_process_paused(self, process):
        self.seen += 1

    def on_process_played(self, process):
        self.seen += 1
        process.report(f"event {self.seen}")


register_type(CountingListener, lambda lst: lst.seen, CountingListener, "tests.CountingListener")


def test_listeners_cannot_be_sent_to_a_daemon_with_an_instance(shared_daemon):
    with Client.connect(shared_daemon) as client, pytest.raises(PrunusError, match="listeners"):
        client.submit(PausesItself(listeners=[CountingListener()]))


def test_registered_listeners_are_restored_with_their_state(tmp_path):
    with Client(tmp_path) as client:
        pid = client.submit(PausesItself(listeners=[CountingListener()]))
        settle(client, pid)  # it paused itself: one event
    with Client(tmp_path) as client:
        client.play(pid)  # the restored listener counts on from 1
        client.wait(pid)
        assert client.report(pid) == ["event 2"]


def test_a_home_that_cannot_be_opened_is_a_one_line_store_error(tmp_path):
    home = tmp_path / "file"
    home.write_text("")
    with pytest.raises(StoreError, match="cannot open prunus store"):
        Client(home)


def test_a_second_runtime_on_the_same_home_is_refused_until_the_first_closes(tmp_path):
    import os

    with (
        Client(tmp_path),
        pytest.raises(StoreError, match=rf"in use by another prunus runtime \(pid {os.getpid()}\)"),
    ):
        Client(tmp_path)
    with Client(tmp_path) as again:  # released on close
        assert again.list() == []


def test_a_sigkilled_runtime_leaves_no_stale_lock(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    code = (
        "import sys, time; from prunus import Client\n"
        "c = Client(sys.argv[1]); print('up', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "up"
        with pytest.raises(StoreError, match="in use"):
            Client(tmp_path)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    deadline = time.monotonic() + 5
    while True:
        try:
            Client(tmp_path).close()
            break
        except StoreError:
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_a_home_opened_without_resuming_runs_no_step_until_opened_normally(tmp_path):
    with Client(tmp_path) as client:
        pid = client.submit(Counter, name="r", n=30, delay=0.002)
        eventually(lambda: len(client.report(pid)) >= 2)
    with Client(tmp_path, resume=False) as looking:
        status = looking.status(pid)
        done = len(looking.report(pid))
        assert status.state is ProcessState.RUNNING and not status.paused
        assert looking.describe(pid)["inputs"]["n"] == 30
        assert len(looking.report(pid)) == done < 30  # nothing ran while we looked
    with Client(tmp_path) as client:
        assert client.wait(pid)["count"] == 30
