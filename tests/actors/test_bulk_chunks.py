"""A long bulk control is carried out a chunk per message; others are answered between."""

from __future__ import annotations

from prunus.actors._bulk_chunks import BulkChunks, NextChunk
from prunus.actors._control_all import ControlAll, ControlAllReply
from prunus.actors._messages import (
    ControlMany,
    ControlManyReply,
    ControlReply,
    KillRequest,
    StatusRequest,
)
from tests.actors.test_supervision import Runtime


def _chunked(size: int) -> Runtime:
    runtime = Runtime()
    runtime.sv.chunks = BulkChunks(chunk=size, budget=60.0)  # (by count alone)
    return runtime


def _next_timers(runtime: Runtime) -> list[NextChunk]:
    """The NextChunk timers asked for so far (the shell would set them now): a short
    pause, never zero (a due timer keeps Thespian from reading its sockets)."""
    timers = [payload for seconds, payload in runtime.sv.out.timers if type(payload) is NextChunk]
    assert all(0 < seconds < 0.1 for seconds, _ in runtime.sv.out.timers)  # (see PAUSE)
    return timers


def test_kill_all_of_five_trees_in_chunks_of_two_answers_status_between_chunks():
    runtime = _chunked(2)
    pids = [runtime.launch(passivated=True) for _ in range(5)]
    runtime.sv.handle(ControlAll(KillRequest("", "enough")), "client")
    [timer] = _next_timers(runtime)
    assert runtime.take().sends == []  # not answered: three trees are left
    killed = [p for p in pids if runtime.store.get_record(p)["state"] == "killed"]
    assert killed == pids[:2]  # the first chunk, committed before the next message

    runtime.sv.handle(StatusRequest(pids[4]), "someone")  # between two chunks
    [(to, reply)] = runtime.take().sends
    assert to == "someone" and type(reply) is ControlReply
    assert not reply.status.state.is_terminal  # its chunk has not come yet

    rounds = 0
    sends: list = []
    while not sends:
        runtime.sv.timer(timer)
        rounds += 1
        timers = _next_timers(runtime)
        sends = runtime.take().sends
        if not sends:
            [timer] = timers
    assert rounds == 2
    assert sends == [("client", ControlAllReply(tuple(pids), (True,) * 5))]
    assert all(runtime.store.get_record(p)["state"] == "killed" for p in pids)


def test_a_bulk_request_of_exactly_one_chunk_answers_at_once_and_its_timer_does_nothing():
    runtime = _chunked(2)
    pids = [runtime.launch(passivated=True) for _ in range(2)]
    runtime.sv.handle(ControlMany(tuple(KillRequest(p) for p in pids)), "client")
    [timer] = _next_timers(runtime)  # (it cannot know that nothing is left)
    [(to, reply)] = runtime.take().sends
    assert to == "client" and type(reply) is ControlManyReply
    assert [outcome.ok for outcome in reply.outcomes] == [True, True]
    runtime.sv.timer(timer)
    assert runtime.take().sends == [] and _next_timers(runtime) == []
    assert len(runtime.sv.chunks) == 0
