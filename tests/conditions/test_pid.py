"""prunus.Pid: a str in every way that matters, plus the atoms of its process."""

from __future__ import annotations

import json
import pickle

import pytest

import prunus
from prunus import ConditionError, Pid, ProcessState
from prunus.conditions import Atom, AtomKind, Truth
from prunus.engine import new_pid
from prunus.persistence import LmdbStore, decode, encode


def test_a_pid_is_equal_to_and_hashes_like_its_text():
    pid = Pid("3f9a0c1b2d4e")
    assert isinstance(pid, str) and pid == "3f9a0c1b2d4e" and "3f9a0c1b2d4e" == pid  # noqa: SIM300
    assert {"3f9a0c1b2d4e": 1}[pid] == 1 and {pid: 1}["3f9a0c1b2d4e"] == 1
    assert pid + ".1" == "3f9a0c1b2d4e.1" and pid.startswith("3f9a")
    assert f"process {pid}" == "process 3f9a0c1b2d4e" and str(pid) == pid


def test_a_pid_travels_as_plain_text_through_json_the_codec_and_pickle():
    pid = Pid("3f9a0c1b2d4e.2")
    assert json.dumps({pid: [pid]}) == '{"3f9a0c1b2d4e.2": ["3f9a0c1b2d4e.2"]}'
    assert encode({pid: pid}) == encode({"3f9a0c1b2d4e.2": "3f9a0c1b2d4e.2"})
    back = decode(encode([pid]))[0]
    assert back == pid and type(back) is str  # stored as the text it is
    revived = pickle.loads(pickle.dumps(pid))  # Thespian's multiprocess messages
    assert revived == pid and type(revived) is Pid


def test_a_pid_keys_a_real_store_like_its_text(tmp_path):
    fresh = Pid(new_pid())
    with LmdbStore(tmp_path / "home") as store:
        store.write(fresh, record={"parent": fresh, "state": "created"})
        store.put("conditions", fresh, {"when": fresh.completed.to_data()})
    with LmdbStore(tmp_path / "home") as store:
        assert store.get_record(str(fresh)) == {"parent": str(fresh), "state": "created"}
        assert dict(store.items("conditions")) == {str(fresh): {"when": ["completed", fresh]}}


def test_every_pid_the_engine_makes_can_be_wrapped():
    top = new_pid()
    assert Pid(top) == top and Pid(f"{top}.3.12") == f"{top}.3.12"
    assert Pid(Pid(top)) == top


@pytest.mark.parametrize("text", ["", "a b", "a..b", ".a", "a.", "a&b", "x(1)", "é"])
def test_text_that_is_not_a_pid_is_refused_with_one_line(text):
    with pytest.raises(ConditionError, match="invalid pid") as caught:
        Pid(text)
    assert "\n" not in str(caught.value)


def test_only_text_can_be_a_pid():
    with pytest.raises(ConditionError, match="a pid is a str"):
        Pid(12)


def test_the_atoms_of_a_pid_are_conditions_on_that_process():
    pid = Pid("fetch2")
    assert pid.completed == Atom("fetch2", AtomKind.COMPLETED)
    assert pid.finished_ok == Atom("fetch2", AtomKind.FINISHED_OK)
    assert pid.failed == Atom("fetch2", AtomKind.FAILED)
    assert pid.killed == Atom("fetch2", AtomKind.KILLED)
    assert type(pid.completed.pid) is str  # the stored form holds no wrapper
    assert pid.failed.evaluate({"fetch2": (ProcessState.EXCEPTED, 0)}) is Truth.HOLDS


def test_pid_is_public():
    assert prunus.Pid is Pid and "Pid" in prunus.__all__
