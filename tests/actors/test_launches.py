"""Launches: a pid is answered only once its first checkpoint is committed; a client's
submit is committed by the supervisor and answered without waiting for a host; a
submit sent again with its idempotency key gets the same pids and creates nothing."""

from __future__ import annotations

import pytest

from prunus.actors._host_messages import Activate, Activated, HostEvents
from prunus.actors._host_pool import HostPool
from prunus.actors._launches import Launches
from prunus.actors._messages import Launch, Launched, LaunchedMany, Reload, Submit, SubmitMany
from prunus.actors._persisting import ProcessWriter
from prunus.actors._submit_keys import KEY_DAYS, KEY_PREFIX, SubmitKeys, check_submit_key
from prunus.actors._supervision import Supervision
from prunus.errors import PrunusError, StoreError
from prunus.persistence import MemoryStore, decode_checkpoint, encode
from tests.actors.helpers import ME, Gate, Parts

GATE = "tests.actors.helpers:Gate"


def launches(parts: Parts) -> Launches:
    return Launches(parts.registry, ProcessWriter(parts.store))


def supervision(store: MemoryStore | None = None) -> Supervision:
    """A supervisor's parts over a MemoryStore with one host (the host is not run)."""
    hosts = HostPool()
    hosts.started(hosts.add(), "host-0")
    return Supervision(store or MemoryStore(), ME, hosts, passivate=True, restart_limit=3)


def taken(sv: Supervision) -> tuple[list, list]:
    sends, delivered = list(sv.out.sends), sv.out.delivered()
    sv.out.sends.clear()
    sv.out.batches.clear()
    sv.out.timers.clear()
    return sends, delivered


def test_an_embedded_launch_is_answered_only_after_its_host_committed_it():
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


def test_a_submit_is_committed_by_the_supervisor_and_answered_before_any_host_reports():
    sv = supervision()
    sv.handle(Submit(GATE, encode({})), "client")
    sends, delivered = taken(sv)
    [(to, reply)] = sends
    assert to == "client" and isinstance(reply, Launched)
    assert sv._store.get_record(reply.pid)["state"] == "created"
    stored = sv._store.load_checkpoint(reply.pid)
    assert stored is not None
    # The host decodes the checkpoint the supervisor has just stored, not the store's.
    [(pid, activate)] = delivered
    assert pid == reply.pid and activate.process is None and activate.first_write is None
    assert decode_checkpoint(activate.checkpoint) == stored
    sv.handle(HostEvents((Activated(reply.pid),)), "host-0")
    assert taken(sv)[0] == []  # answered once, not again when the host reports


def test_a_batch_is_committed_together_and_answered_once_without_a_host():
    sv = supervision()
    sv.handle(SubmitMany(tuple(Submit(GATE, encode({})) for _ in range(3))), "client")
    sends, delivered = taken(sv)
    [(to, reply)] = sends
    assert to == "client" and isinstance(reply, LaunchedMany) and len(set(reply.pids)) == 3
    assert [pid for pid, _ in delivered] == list(reply.pids)
    assert all(sv._store.get_record(pid) is not None for pid in reply.pids)


def test_one_bad_item_in_a_batch_starts_none_of_them():
    sv = supervision()
    items = (Submit(GATE, encode({})), Submit("tests.actors.helpers:Missing", encode({})))
    sv.handle(SubmitMany(items, key="k"), "client")
    [(_, reply)] = taken(sv)[0]
    assert reply.kind == "ProcessClassError" and "Missing" in reply.message
    assert sv.registry.entries == {} and list(sv._store.records()) == []
    assert list(sv._store.items("meta")) == []  # the key is not remembered either


def test_a_submit_sent_again_with_its_key_gets_the_same_pid_and_no_second_process():
    sv = supervision()
    sv.handle(Submit(GATE, encode({}), key="k1"), "client")
    sv.handle(Submit(GATE, encode({}), key="k1"), "client")
    (_, first), (_, second) = taken(sv)[0]
    assert first == second and len(sv.registry.entries) == 1
    batch = SubmitMany((Submit(GATE, encode({})),) * 2, key="k2")
    sv.handle(batch, "client")
    sv.handle(batch, "client")
    (_, first_batch), (_, second_batch) = taken(sv)[0]
    assert first_batch == second_batch and len(sv.registry.entries) == 3
    sv.handle(Submit(GATE, encode({}), key="k3"), "client")  # another key: a new one
    assert len(sv.registry.entries) == 4


def test_a_key_is_stored_in_the_same_transaction_as_its_processes():
    store = MemoryStore()
    sv = supervision(store)
    sv.handle(Submit(GATE, encode({}), key="k1"), "client")
    [(_, reply)] = taken(sv)[0]
    stamp, pids = store.get("meta", KEY_PREFIX + "k1")
    assert pids == [reply.pid] and stamp > 0
    # A key of a launch that cannot be stored is not remembered: the retry makes it.
    calls = []
    write_staged = store.write_staged

    def failing(staged, meta=()):
        calls.append((len(staged), list(meta)))
        raise StoreError("cannot write the store: disk full")

    store.write_staged = failing  # type: ignore[method-assign]
    sv.handle(Submit(GATE, encode({}), key="k2"), "client")
    [(_, error)] = taken(sv)[0]
    assert error.kind == "StoreError" and len(sv.registry.entries) == 1
    assert calls[0][0] == 1 and calls[0][1][0][0] == KEY_PREFIX + "k2"  # one transaction
    store.write_staged = write_staged  # type: ignore[method-assign]
    sv.handle(Submit(GATE, encode({}), key="k2"), "client")
    [(_, launched)] = taken(sv)[0]
    assert isinstance(launched, Launched) and len(sv.registry.entries) == 2


def test_keys_survive_a_restart_only_if_their_processes_exist_and_are_recent():
    store = MemoryStore()
    sv = supervision(store)
    sv.handle(Submit(GATE, encode({}), key="done"), "client")
    [(_, launched)] = taken(sv)[0]
    store.put("meta", KEY_PREFIX + "torn", [9e9, ["never-stored"]])  # a memo hit cut short
    store.put("meta", KEY_PREFIX + "old", [0.0, [launched.pid]])
    store.put("meta", KEY_PREFIX + "junk", "not a key entry")
    again = supervision(store)  # a new supervisor on the same store
    again.handle(Reload(resume=False), "starter")
    taken(again)
    again.handle(Submit(GATE, encode({}), key="done"), "client")
    assert taken(again)[0] == [("client", launched)]
    for name in ("torn", "old", "junk"):
        assert store.get("meta", KEY_PREFIX + name) is None
    assert 1 < KEY_DAYS * 86400 < 9e9


def test_an_embedded_launch_with_a_key_is_committed_here_and_answered_once():
    sv = supervision()
    first, second = Gate(), Gate()
    sv.handle(Launch(first, "k"), "client")
    sends, delivered = taken(sv)
    assert sends == [("client", Launched(first.pid))]
    assert delivered == [(first.pid, Activate(first))]  # no first write for the host
    sv.handle(Launch(second, "k"), "client")
    assert taken(sv) == ([("client", Launched(first.pid))], [])
    assert second.pid not in sv.registry


@pytest.mark.parametrize("key", ["x" * 300, "é" * 120, "a\0b", "\udcff", 7])
def test_a_bad_key_is_refused_with_one_line_and_starts_nothing(key):
    sv = supervision()
    sv.handle(Submit(GATE, encode({}), key=key), "client")
    [(_, error)] = taken(sv)[0]
    assert error.kind == "PrunusError" and "idempotency key" in error.message
    assert "\n" not in error.message and sv.registry.entries == {}


def test_submit_keys_forget_nothing_they_were_not_given():
    keys = SubmitKeys()
    assert keys.known("") is None and keys.known("k") is None
    keys.remember("", ["p"])  # no key: nothing to remember
    keys.remember("k", ["p", "q"])
    assert keys.known("k") == ("p", "q") and len(keys) == 1


def test_a_client_may_give_a_key_of_200_bytes_and_no_more():
    assert check_submit_key("é" * 100) == "é" * 100
    with pytest.raises(PrunusError, match="at most 200 bytes"):
        check_submit_key("x" * 201)
