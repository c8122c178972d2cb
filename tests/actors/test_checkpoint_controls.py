"""A control applied as an edit of the checkpoint leaves exactly what the cell leaves.

Each case stores one process in two real LMDB stores, applies the same control to it
once through :class:`PassivatedControl` (which edits the checkpoint data of a class
without hooks) and once through a :class:`ProcessCell` built from the loaded process
(what a host, and the supervisor before, ran), then compares every stored part and
every event.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prunus import Process, ToContext, WorkChain
from prunus.actors._cell import CollectingOutbox, ProcessCell
from prunus.actors._host_messages import Finished, Reply, StateChanged
from prunus.actors._messages import KillRequest, PauseRequest, PlayRequest
from prunus.actors._passivated import PassivatedControl
from prunus.actors._persisting import ProcessWriter
from prunus.engine import ProcessDriver, ProcessState, load_process
from prunus.persistence import LmdbStore
from tests.actors.helpers import Gate


class WaitsForItsChild(WorkChain):
    """What ``benchmarks/growth.py`` submits: a workchain waiting for one child, with
    ctx, an emitted output and inputs of several kinds."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.input("tags", valid_type=dict, required=False)
        spec.output("early", valid_type=int, required=False)
        spec.outline(cls.start, cls.finish)

    def start(self):
        self.ctx.seen = [self.inputs.x, {"nested": (1, 2.5, None)}]
        self.out("early", self.inputs.x + 1)
        return ToContext(child=self.submit(Gate))

    def finish(self):
        pass


class Sleeps(Process):
    """WAITING on a timer and a signal at once (``due`` and ``signal`` in its status)."""

    def run(self):
        return self.wait_for("go", self.done, timeout=3600)

    def done(self):
        pass


class HasHooks(Process):
    """A class whose kill runs user code: never edited, always run through a cell."""

    killed_here: list[str] = []

    def run(self):
        return self.sleep(3600)

    def on_killed(self):
        super().on_killed()
        HasHooks.killed_here.append(self.pid)


def _stepped(kind: str):
    if kind == "created":
        return Gate()
    process = {"gate": Gate, "workchain": WaitsForItsChild, "sleeps": Sleeps}[kind](
        **({"inputs": {"x": 3, "tags": {"a": [1, "b"]}}} if kind == "workchain" else {})
    )
    ProcessDriver(process).step()
    return process


def _prepared(kind: str, before: list, tmp_path, name: str) -> tuple[LmdbStore, str]:
    """A store holding ``kind`` after the controls ``before``, applied the slow way."""
    store = LmdbStore(tmp_path / name, sync=False)
    process = _stepped(kind)
    driver = ProcessDriver(process)
    launches, reports = driver.take_effects()
    ProcessWriter(store).write(process, driver.status(), None, launches, reports)
    for message in before:
        _through_a_cell(store, process.pid, message)
    return store, process.pid


def _copied(store, pid: str, path) -> LmdbStore:
    """A second store holding what ``store`` holds of ``pid`` and its children."""
    copy = LmdbStore(path, sync=False)
    for each in [pid, *store.load_checkpoint(pid)["children"]]:
        copy.write(
            each,
            record=store.get_record(each),
            checkpoint=store.load_checkpoint(each),
            outputs=store.get_outputs(each),
        )
    return copy


def _through_a_cell(store, pid: str, message) -> tuple[list, bool]:
    outbox = CollectingOutbox()
    ProcessCell(load_process(store.load_checkpoint(pid)), ProcessWriter(store), outbox).handle(
        message
    )
    return outbox.events, outbox.runnable


def _stored(store, pid: str) -> dict:
    record = dict(store.get_record(pid))
    record.pop("modified")  # (the time it was written)
    return {
        "record": record,
        "checkpoint": store.load_checkpoint(pid),
        "outputs": store.get_outputs(pid),
        "logs": [line for _, line in store.get_logs(pid)],
    }


def _comparable(events: list) -> list:
    """Events with the results' outputs as plain dicts (the view type differs by path)."""
    shown = []
    for event in events:
        if type(event) is Finished:
            result = event.result
            shown.append(("finished", event.status, result.to_data()))
        else:
            shown.append(event)
    return shown


_CONTROLS = st.sampled_from(
    [
        PauseRequest("", reply_to="asker"),
        PauseRequest("", reply_to=None),
        PlayRequest("", reply_to="asker"),
        KillRequest("", reply_to="asker"),
        KillRequest("", message="cleaning up", reply_to=None),
    ]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["created", "gate", "workchain", "sleeps"]),
    before=st.lists(_CONTROLS, max_size=2),
    control=_CONTROLS,
)
def test_a_control_edited_into_the_checkpoint_stores_and_reports_what_the_cell_does(
    tmp_path_factory, kind, before, control
):
    tmp_path = tmp_path_factory.mktemp("stores")
    fast_store, pid = _prepared(kind, before, tmp_path, "fast")
    slow_store = _copied(fast_store, pid, tmp_path / "slow")
    message = dataclasses.replace(control, pid=pid)

    passivated = PassivatedControl(fast_store)
    applied = passivated.apply(pid, message)
    passivated.commit()
    slow_events, slow_runnable = _through_a_cell(slow_store, pid, message)

    assert applied is not None
    assert _comparable(applied.events) == _comparable(slow_events)
    assert applied.runnable == slow_runnable
    assert _stored(fast_store, pid) == _stored(slow_store, pid)
    fast_store.close()
    slow_store.close()


def test_a_kill_of_a_waiting_workchain_keeps_its_outputs_and_loads_back_killed(tmp_path):
    store, pid = _prepared("workchain", [], tmp_path, "store")
    passivated = PassivatedControl(store)
    applied = passivated.apply(pid, KillRequest(pid, message="bye", reply_to="asker"))
    passivated.commit()
    finished, reply = applied.events
    assert type(finished) is Finished and finished.result.state is ProcessState.KILLED
    assert type(reply) is Reply and reply.message.ok
    assert store.get_record(pid)["state"] == ProcessState.KILLED.value
    assert store.get_record(pid)["status"] == "bye"
    assert store.get_outputs(pid) == {"early": 4}
    assert load_process(store.load_checkpoint(pid)).killed()


def test_a_class_with_kill_hooks_is_still_killed_through_a_cell_that_runs_them(tmp_path):
    store = LmdbStore(tmp_path / "store", sync=False)
    process = HasHooks()
    driver = ProcessDriver(process)
    driver.step()
    ProcessWriter(store).write(process, driver.status(), None, [], [])
    assert PassivatedControl(store).apply(process.pid, KillRequest(process.pid)) is None
    # (None: it goes to its host, which runs the hook; the supervisor runs no user code)


@pytest.mark.parametrize("control", [PauseRequest, PlayRequest, KillRequest])
def test_a_control_of_an_ended_process_answers_false_and_writes_nothing(tmp_path, control):
    store, pid = _prepared("gate", [KillRequest("")], tmp_path, "store")
    before = _stored(store, pid)
    applied = PassivatedControl(store).apply(pid, control(pid, reply_to="asker"))
    [reply] = applied.events
    assert reply.message.ok is False and reply.message.status.state is ProcessState.KILLED
    assert _stored(store, pid) == before
    assert not any(type(e) is StateChanged for e in applied.events)
