"""Both runtimes implement the whole Runtime interface, and answer it the same way."""

from __future__ import annotations

import inspect
import os

import pytest

from prunus import ProcessClassError, ProcessState
from prunus.actors import (
    EmbeddedRuntime,
    RemoteRuntime,
    Runtime,
    open_embedded_runtime,
    open_remote_runtime,
)
from prunus.control._daemon_files import read_daemon_file
from prunus.errors import ClosedError
from prunus.persistence import read_key
from tests.workflows import Add, WaitsForever

MEMBERS = sorted(name for name, _ in inspect.getmembers(Runtime) if not name.startswith("_"))


def test_the_runtime_interface_names_every_call_a_client_makes():
    assert MEMBERS == [
        "close",
        "control_all",
        "describe",
        "info",
        "is_remote",
        "kill",
        "kill_many",
        "launch",
        "launch_many",
        "list",
        "list_page",
        "outputs",
        "pause",
        "pause_many",
        "play",
        "play_many",
        "report",
        "resume",
        "run",
        "signal",
        "status",
        "wait",
        "wait_many",
    ]


@pytest.mark.parametrize("runtime_class", [EmbeddedRuntime, RemoteRuntime])
@pytest.mark.parametrize("member", MEMBERS)
def test_both_runtimes_implement_each_call_with_the_interfaces_parameters(runtime_class, member):
    declared = getattr(Runtime, member)
    implemented = getattr(runtime_class, member)
    if isinstance(declared, property):
        assert isinstance(implemented, bool)
        return
    expected = list(inspect.signature(declared).parameters.values())
    actual = list(inspect.signature(implemented).parameters.values())
    assert [(p.name, p.kind, p.default) for p in actual] == [
        (p.name, p.kind, p.default) for p in expected
    ]


@pytest.fixture
def runtime(mode, request):
    if mode == "embedded":
        opened = open_embedded_runtime()
    else:
        home = request.getfixturevalue("shared_daemon")
        key = read_key(home / "secret.key")
        opened = open_remote_runtime(int(read_daemon_file(home)["port"]), key=key)
    try:
        yield opened
    finally:
        opened.close()


def test_each_mode_opens_a_ready_runtime_with_its_factory(runtime, mode):
    assert isinstance(runtime, Runtime)
    assert runtime.is_remote is (mode == "daemon")
    pid = runtime.launch(Add(inputs={"a": 1}))
    assert runtime.wait(pid)["sum"] == 2
    assert runtime.status(pid).state is ProcessState.FINISHED


def test_both_modes_launch_class_paths_and_many_at_once(runtime):
    pids = runtime.launch_many([("tests.workflows:Add", {"a": 1}), (Add(inputs={"a": 2}), None)])
    assert [result["sum"] for result in runtime.wait_many(pids)] == [2, 3]
    assert runtime.run("tests.workflows:Add", {"a": 5, "b": 5}) == {"sum": 10}
    with pytest.raises(ProcessClassError, match="nowhere"):
        runtime.launch("tests.nowhere:Add", {})


def test_both_modes_report_their_hosts_and_processes_per_state(runtime, mode):
    waiting = runtime.launch(WaitsForever())
    assert runtime.kill(waiting, "done looking")
    info = runtime.info()
    assert info.hosts == (1 if mode == "embedded" else 2)
    assert info.by_state.get("KILLED", 0) >= 1
    assert info.supervisor_pid > 0 and all(pid > 0 for pid in info.host_pids)
    if mode == "embedded":
        assert info.host_pids == (os.getpid(),) and info.supervisor_pid == os.getpid()


def test_a_closed_runtime_refuses_calls_and_closes_once(runtime):
    runtime.close()
    runtime.close()
    with pytest.raises(ClosedError):
        runtime.list()
