"""Launches: a pid is answered only once its first checkpoint is committed."""

from __future__ import annotations

from prunus.actors._host_messages import Activate
from prunus.actors._launches import Launches
from prunus.actors._messages import Launched, LaunchedMany, Submit, SubmitMany
from prunus.actors._persisting import ProcessWriter
from prunus.persistence import encode
from tests.actors.helpers import Gate, Parts

GATE = "tests.actors.helpers:Gate"


def launches(parts: Parts) -> Launches:
    return Launches(parts.registry, ProcessWriter(parts.store))


def test_a_launch_is_answered_only_after_its_first_checkpoint_is_committed():
    parts = Parts()
    starting = launches(parts)
    process = Gate()
    starting.start(process, process, "client", parts.out)
    [(pid, activate)] = parts.out.delivered()
    assert pid == process.pid and isinstance(activate, Activate)
    assert activate.process is process and activate.first_write is not None
    assert parts.store.get_record(pid) is None  # the host commits it, not the supervisor
    assert parts.out.sends == []
    starting.start(process, process, "again", parts.out)  # same pid: same commit
    assert len(parts.out.delivered()) == 1 and parts.out.sends == []
    starting.activated(pid, parts.out)
    assert parts.out.sends == [("client", Launched(pid)), ("again", Launched(pid))]
    assert starting.first_write(pid) is None


def test_a_batch_is_answered_once_when_its_last_process_is_committed():
    parts = Parts()
    starting = launches(parts)
    items = tuple(Submit(GATE, encode({})) for _ in range(3))
    starting.submit_many(SubmitMany(items), "client", parts.out)
    pids = [pid for pid, _ in parts.out.delivered()]
    assert len(set(pids)) == 3
    for pid in pids[:2]:
        starting.activated(pid, parts.out)
    assert parts.out.sends == []
    starting.activated(pids[2], parts.out)
    [(to, reply)] = parts.out.sends
    assert to == "client" and isinstance(reply, LaunchedMany)
    assert sorted(reply.pids) == sorted(pids)


def test_one_bad_item_in_a_batch_starts_none_of_them():
    parts = Parts()
    starting = launches(parts)
    items = (Submit(GATE, encode({})), Submit("tests.actors.helpers:Missing", encode({})))
    starting.submit_many(SubmitMany(items), "client", parts.out)
    [(_, reply)] = parts.out.sends
    assert reply.kind == "ProcessClassError" and "Missing" in reply.message
    assert parts.registry.entries == {} and parts.out.delivered() == []


def test_a_launch_whose_process_cannot_be_loaded_hears_why_and_a_batch_still_answers():
    parts = Parts()
    starting = launches(parts)
    single = Gate()
    starting.start(single, None, "client", parts.out)
    starting.submit_many(SubmitMany((Submit(GATE, encode({})),)), "batch", parts.out)
    batch_pid = parts.out.delivered()[1][0]
    starting.activation_failed(single.pid, "cannot resume: broken", parts.out)
    starting.activation_failed(batch_pid, "cannot resume: broken", parts.out)
    (to, error), (batch_to, batch_reply) = parts.out.sends
    assert to == "client" and error.kind == "CheckpointError" and "broken" in error.message
    assert batch_to == "batch" and batch_reply == LaunchedMany((batch_pid,))
    assert starting.activation_failures == 2
