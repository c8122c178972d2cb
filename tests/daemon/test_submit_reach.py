"""A submit is answered once the process is recorded, not when a host gets to it; a
submit sent again with its idempotency key makes no second process."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from prunus import Client, ProcessState, daemon_status
from prunus.persistence import LmdbStore
from tests.cli.helpers import invoke
from tests.conftest import running_daemon
from tests.modes import eventually
from tests.workflows import LongSteps, Steps

pytestmark = pytest.mark.slow


def test_prunus_submit_answers_at_once_while_every_host_is_busy_in_a_long_step(tmp_path):
    with running_daemon(tmp_path, workers=1), Client.connect(tmp_path) as client:
        busy = client.submit(LongSteps, seconds=6.0)
        eventually(lambda: client.status(busy).step == "prepare", timeout=5)  # host busy now
        started = time.monotonic()
        done = invoke(
            "submit", "tests.workflows:LongSteps", "-i", "seconds=0.0",
            "--home", str(tmp_path), "--timeout", "5",
        )  # fmt: skip
        took = time.monotonic() - started
        assert done.exit_code == 0, done.output
        assert took < 2.0, took  # about 1 s on a loaded machine; before: 5 s, exit 2
        queued = done.stdout.strip().splitlines()[-1]
        assert client.status(queued).state is ProcessState.CREATED  # recorded, not started
        assert client.wait(queued, timeout=60).is_finished_ok  # it starts when a host frees
        assert client.wait(busy, timeout=60).is_finished_ok
        assert len(client.list()) == 2


def test_a_submit_sent_again_with_its_key_gives_the_same_pid_and_one_stored_process(tmp_path):
    with running_daemon(tmp_path, workers=1):
        with Client.connect(tmp_path) as client:
            first = client.submit(Steps, n=1, delay=0.0, idempotency_key="job-17")
            again = client.submit(Steps, n=1, delay=0.0, idempotency_key="job-17")
            batch = client.submit_many([(Steps, {"n": 1})] * 2, idempotency_key="batch-3")
            batch_again = client.submit_many([(Steps, {"n": 1})] * 2, idempotency_key="batch-3")
            assert again == first and batch_again == batch
            client.wait_many([first, *batch], timeout=30)
        with Client.connect(tmp_path) as other:  # another client: the same key, the same pid
            assert other.submit(Steps, n=1, idempotency_key="job-17") == first
            assert len(other.list()) == 3
    with LmdbStore(tmp_path, readonly=True) as store:
        assert sorted(pid for pid, _ in store.records()) == sorted([first, *batch])
    with running_daemon(tmp_path, workers=1), Client.connect(tmp_path) as client:
        assert client.submit(Steps, n=1, idempotency_key="job-17") == first  # after a restart
        assert len(client.list()) == 3


def test_prunus_submit_with_an_idempotency_key_prints_the_same_pid_again(tmp_path):
    with running_daemon(tmp_path, workers=1), Client.connect(tmp_path) as client:
        args = ("submit", "tests.workflows:Steps", "-i", "n=1", "--home", str(tmp_path))
        first = invoke(*args, "--idempotency-key", "nightly-2026-12-02")
        again = invoke(*args, "--idempotency-key", "nightly-2026-12-02")
        assert first.exit_code == again.exit_code == 0, first.output + again.output
        assert first.stdout == again.stdout and len(client.list()) == 1
        bad = invoke(*args, "--idempotency-key", "x" * 300)
        assert bad.exit_code == 2 and bad.stderr.count("\n") == 1, bad.output
        assert "idempotency key" in bad.stderr and len(client.list()) == 1


def test_a_submit_retried_after_a_timeout_makes_no_second_process(tmp_path):
    """The supervisor stalls (SIGSTOP) past the client's timeout: the client sends the
    submit again with the same key; both copies are handled once it goes on, and the
    second is answered with the first one's pid."""
    with running_daemon(tmp_path, workers=1) as info, Client.connect(tmp_path, timeout=1) as client:
        supervisor = daemon_status(tmp_path)["supervisor_pid"]
        assert supervisor != int(info["pid"])
        resume = threading.Timer(1.6, os.kill, (supervisor, signal.SIGCONT))
        os.kill(supervisor, signal.SIGSTOP)
        resume.start()
        try:
            started = time.monotonic()
            pid = client.submit(Steps, n=1, delay=0.0)  # answered to its second sending
            assert time.monotonic() - started > 1.0  # the first one timed out
        finally:
            resume.join()
            os.kill(supervisor, signal.SIGCONT)
        assert client.wait(pid, timeout=30).is_finished_ok
        assert [status.pid for status in client.list()] == [pid]
