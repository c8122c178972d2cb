"""Three-valued evaluation: truth tables, and random conditions against an oracle.

The oracle below does not use the evaluator: it enumerates every way the processes
that have not ended could still go (including "never ends") and evaluates the
condition with plain booleans in each. A condition holds if it is true in all of them
and can never hold if it is false in all of them.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prunus import ConditionError, Pid, ProcessState
from prunus.conditions import (
    And,
    Atom,
    AtomKind,
    Not,
    Or,
    Outcome,
    Truth,
    all_of,
    any_of,
    condition_from_data,
)
from prunus.persistence import decode, encode

H, N, U = Truth.HOLDS, Truth.NEVER, Truth.NOT_YET

# What is known of a process now, by name, and the Outcome the evaluator reads.
KNOWN = {
    "unknown": None,
    "created": Outcome(ProcessState.CREATED),
    "running": Outcome(ProcessState.RUNNING),
    "waiting": Outcome(ProcessState.WAITING),
    "ok": Outcome(ProcessState.FINISHED, 0),
    "bad": Outcome(ProcessState.FINISHED, 3),
    "excepted": Outcome(ProcessState.EXCEPTED),
    "killed": Outcome(ProcessState.KILLED),
}
ENDED = ("ok", "bad", "excepted", "killed")
# Written out by hand from the definitions, not computed from AtomKind.
ATOM_IS_TRUE = {
    #             completed finished_ok failed killed
    "ok": dict(completed=True, finished_ok=True, failed=False, killed=False),
    "bad": dict(completed=True, finished_ok=False, failed=True, killed=False),
    "excepted": dict(completed=True, finished_ok=False, failed=True, killed=False),
    "killed": dict(completed=True, finished_ok=False, failed=False, killed=True),
    "never ends": dict(completed=False, finished_ok=False, failed=False, killed=False),
}
ATOMS = ("completed", "finished_ok", "failed", "killed")


# ---- truth tables -------------------------------------------------------------------

ATOM_TABLE = {
    # known:     completed finished_ok failed killed
    "unknown": (U, U, U, U),
    "created": (U, U, U, U),
    "running": (U, U, U, U),
    "waiting": (U, U, U, U),
    "ok": (H, H, N, N),
    "bad": (H, N, H, N),
    "excepted": (H, N, H, N),
    "killed": (H, N, N, H),
}


@pytest.mark.parametrize("known", list(ATOM_TABLE))
@pytest.mark.parametrize("atom", ATOMS)
def test_each_atom_has_the_tabled_value_for_every_state_of_its_process(atom, known):
    expected = ATOM_TABLE[known][ATOMS.index(atom)]
    condition = getattr(Pid("p"), atom)
    assert condition.evaluate({"p": KNOWN[known]}) is expected


def test_a_pid_missing_from_the_states_is_not_yet_ended():
    assert Pid("p").finished_ok.evaluate({}) is U
    assert (~Pid("p").completed).evaluate(lambda pid: None) is U


# A process state that makes p.finished_ok have each value.
REALIZE = {H: "ok", N: "excepted", U: "running"}
AND_TABLE = {(H, H): H, (H, N): N, (H, U): U, (N, H): N, (N, N): N, (N, U): N}
AND_TABLE |= {(U, H): U, (U, N): N, (U, U): U}
OR_TABLE = {(H, H): H, (H, N): H, (H, U): H, (N, H): H, (N, N): N, (N, U): U}
OR_TABLE |= {(U, H): H, (U, N): U, (U, U): U}
NOT_TABLE = {H: N, N: H, U: U}


@pytest.mark.parametrize(("left", "right"), list(AND_TABLE))
def test_and_and_or_follow_kleene_tables_for_every_pair_of_values(left, right):
    states = {"a": KNOWN[REALIZE[left]], "b": KNOWN[REALIZE[right]]}
    a, b = Pid("a").finished_ok, Pid("b").finished_ok
    assert (a & b).evaluate(states) is AND_TABLE[left, right]
    assert (a | b).evaluate(states) is OR_TABLE[left, right]


@pytest.mark.parametrize("value", list(NOT_TABLE))
def test_not_swaps_holds_and_never_and_keeps_not_yet(value):
    states = {"a": KNOWN[REALIZE[value]]}
    assert (~Pid("a").finished_ok).evaluate(states) is NOT_TABLE[value]
    assert ~value is NOT_TABLE[value]


def test_outcome_of_a_result_reads_its_state_and_exit_status():
    from prunus import ExitCode, ProcessResult

    failed = ProcessResult("p", ProcessState.FINISHED, exit_code=ExitCode(4, "bad"))
    assert Outcome.of(failed) == (ProcessState.FINISHED, 4)
    assert Outcome.of(ProcessResult("p", ProcessState.FINISHED)) == (ProcessState.FINISHED, 0)
    assert Pid("p").failed.evaluate({"p": Outcome.of(failed)}) is H


def test_states_may_be_plain_tuples_a_mapping_or_a_function():
    condition = Pid("a").finished_ok & Pid("b").killed
    table = {"a": (ProcessState.FINISHED, 0), "b": (ProcessState.KILLED, 0)}
    assert condition.evaluate(table) is H
    assert condition.evaluate(table.get) is H
    with pytest.raises(TypeError, match="mapping or a callable"):
        condition.evaluate(42)


# ---- random conditions against the oracle ---------------------------------------------

PIDS = ("a", "b", "c.1")
trees = st.recursive(
    st.tuples(st.just("atom"), st.sampled_from(PIDS), st.sampled_from(ATOMS)),
    lambda inner: st.one_of(
        st.tuples(st.just("not"), inner),
        st.tuples(st.sampled_from(["and", "or"]), inner, inner),
    ),
    max_leaves=8,
)
knowns = st.fixed_dictionaries({pid: st.sampled_from(list(KNOWN)) for pid in PIDS})


def build(tree):
    """The Condition a tree stands for, built with the public operators."""
    if tree[0] == "atom":
        return getattr(Pid(tree[1]), tree[2])
    if tree[0] == "not":
        return ~build(tree[1])
    left, right = build(tree[1]), build(tree[2])
    return left & right if tree[0] == "and" else left | right


def truth_in(tree, endings) -> bool:
    """Plain boolean value of a tree once each process has its final ending."""
    if tree[0] == "atom":
        return ATOM_IS_TRUE[endings[tree[1]]][tree[2]]
    if tree[0] == "not":
        return not truth_in(tree[1], endings)
    values = (truth_in(tree[1], endings), truth_in(tree[2], endings))
    return all(values) if tree[0] == "and" else any(values)


def oracle(tree, known) -> Truth:
    """Enumerate every future of the processes that have not ended."""
    pids = list(known)
    futures = [[known[pid]] if known[pid] in ENDED else [*ENDED, "never ends"] for pid in pids]
    values = {
        truth_in(tree, dict(zip(pids, ending, strict=True)))
        for ending in itertools.product(*futures)
    }
    return H if values == {True} else N if values == {False} else U


def states_of(known):
    return {pid: KNOWN[name] for pid, name in known.items()}


def pids_in(tree):
    if tree[0] == "atom":
        return [tree[1]]
    return [pid for child in tree[1:] for pid in pids_in(child)]


def relabel(tree, fresh):
    """The same shape with a new pid at every atom: each process named once."""
    if tree[0] == "atom":
        return ("atom", next(fresh), tree[2])
    return (tree[0], *(relabel(child, fresh) for child in tree[1:]))


@settings(max_examples=400)
@given(trees, knowns)
def test_a_decision_is_always_one_the_oracle_confirms(tree, known):
    value = build(tree).evaluate(states_of(known))
    if value is not U:
        assert oracle(tree, known) is value


@settings(max_examples=300)
@given(trees, st.fixed_dictionaries({pid: st.sampled_from(ENDED) for pid in PIDS}))
def test_once_every_named_process_ended_the_condition_is_decided_as_the_oracle_says(tree, known):
    value = build(tree).evaluate(states_of(known))
    assert value is not U
    assert value is oracle(tree, known)


@settings(max_examples=300)
@given(trees, st.lists(st.sampled_from(list(KNOWN)), min_size=8, max_size=8))
def test_a_condition_naming_each_process_once_is_exactly_the_oracle(tree, names):
    tree = relabel(tree, iter(f"p{i}" for i in itertools.count()))
    known = dict(zip(pids_in(tree), names[: len(pids_in(tree))], strict=True))
    assert build(tree).evaluate(states_of(known)) is oracle(tree, known)


@settings(max_examples=300)
@given(trees, knowns, st.sampled_from(PIDS), st.sampled_from(ENDED))
def test_a_decision_is_never_taken_back_when_another_process_ends(tree, known, pid, ending):
    condition = build(tree)
    before = condition.evaluate(states_of(known))
    if known[pid] in ENDED or before is U:
        return
    assert condition.evaluate(states_of({**known, pid: ending})) is before


def test_the_oracle_sees_what_kleene_logic_cannot_and_the_evaluator_stays_sound():
    # a.failed | ~a.failed is true however a ends: the evaluator waits for a to end.
    tree = ("or", ("atom", "a", "failed"), ("not", ("atom", "a", "failed")))
    known = {"a": "running", "b": "running", "c.1": "running"}
    assert oracle(tree, known) is H
    assert build(tree).evaluate(states_of(known)) is U
    assert build(tree).evaluate({"a": KNOWN["killed"]}) is H


# ---- structure ------------------------------------------------------------------------


def test_a_condition_names_the_pids_it_depends_on_and_its_atoms_in_order():
    a, b = Pid("a"), Pid("b.2")
    condition = (a.finished_ok | b.failed) & ~a.finished_ok
    assert condition.pids == {"a", "b.2"}
    assert condition.atoms() == (a.finished_ok, b.failed)


def test_nested_ands_and_ors_flatten_so_one_meaning_has_one_form():
    a, b, c = (Pid(x).completed for x in "abc")
    assert (a & b) & c == a & (b & c) == And((a, b, c)) == all_of(a, b, c)
    assert (a | b) | c == a | (b | c) == Or((a, b, c)) == any_of(a, b, c)
    assert (a & b) | c == Or((And((a, b)), c))  # different operators do not merge
    assert all_of(a) is a
    with pytest.raises(ConditionError, match="at least two"):
        And((a,))


def test_conditions_are_values_equal_by_structure_and_hashable():
    a = Pid("a")
    assert a.finished_ok == Atom("a", AtomKind.FINISHED_OK)
    assert {~a.killed, ~a.killed, a.killed} == {Not(a.killed), a.killed}
    assert a.finished_ok != a.failed


def test_python_and_or_not_on_conditions_raise_instead_of_dropping_one():
    a, b = Pid("a"), Pid("b")
    with pytest.raises(TypeError, match=r"combine conditions with & \| ~"):
        a.completed and b.completed  # noqa: B018
    with pytest.raises(TypeError):
        a.completed & "b.completed"


def test_to_data_is_plain_lists_that_survive_the_codec_and_come_back_equal():
    a, b = Pid("a"), Pid("b.1")
    condition = (a.finished_ok | ~b.killed) & b.completed
    data = condition.to_data()
    assert data == [
        "&",
        ["|", ["finished_ok", "a"], ["~", ["killed", "b.1"]]],
        ["completed", "b.1"],
    ]
    assert condition_from_data(decode(encode(data))) == condition


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        ["&", ["completed", "a"]],
        ["done", "a"],
        ["~"],
        ["completed", "a b"],
        3,
        ["&", 1, 2],
    ],
)
def test_corrupt_stored_data_is_refused_with_one_line(data):
    with pytest.raises(ConditionError) as caught:
        condition_from_data(data)
    assert "\n" not in str(caught.value)
