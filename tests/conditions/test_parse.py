"""The --when grammar: round trips, precedence, and malformed text named by column."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prunus import ConditionError, Pid
from prunus.conditions import And, Not, Or, parse_condition

pid_texts = st.from_regex(r"[A-Za-z0-9_-]{1,6}(\.[A-Za-z0-9_-]{1,3}){0,2}", fullmatch=True)
atoms = st.builds(
    getattr, pid_texts.map(Pid), st.sampled_from(["completed", "finished_ok", "failed", "killed"])
)
conditions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        inner.map(lambda c: ~c),
        st.lists(inner, min_size=2, max_size=4).map(lambda cs: And(tuple(cs))),
        st.lists(inner, min_size=2, max_size=4).map(lambda cs: Or(tuple(cs))),
    ),
    max_leaves=12,
)


@given(conditions)
def test_str_writes_the_grammar_and_parsing_it_gives_the_condition_back(condition):
    assert parse_condition(str(condition)) == condition


@given(conditions)
def test_the_text_needs_no_spaces_and_takes_any_amount(condition):
    text = str(condition)
    assert parse_condition(text.replace(" ", "")) == condition
    assert parse_condition(" \t" + text.replace(" ", "  \n") + " ") == condition


def test_not_binds_tighter_than_and_which_binds_tighter_than_or():
    a, b, c = Pid("a").completed, Pid("b").failed, Pid("c").killed
    assert parse_condition("a.completed | b.failed & c.killed") == a | (b & c)
    assert parse_condition("~a.completed & b.failed") == (~a) & b
    assert parse_condition("~(a.completed & b.failed)") == Not(a & b)
    assert parse_condition("(a.completed | b.failed) & c.killed") == (a | b) & c
    assert parse_condition("~~a.completed") == Not(Not(a))


def test_a_pid_may_contain_dots_and_the_atom_is_its_last_part():
    condition = parse_condition("3f9a0c1b2d4e.2.1.finished_ok & x.completed.killed")
    assert condition == Pid("3f9a0c1b2d4e.2.1").finished_ok & Pid("x.completed").killed


@pytest.mark.parametrize(
    ("text", "column", "says"),
    [
        ("", 1, "empty condition"),
        ("   ", 4, "empty condition"),
        ("a.completed &", 14, "expected PID.ATOM, '~' or '(' after '&', got the end"),
        ("a.completed b.completed", 13, "expected '&', '|' or the end, got 'b.completed'"),
        ("(a.completed", 13, "expected ')' to close the '(' at column 1"),
        ("a.completed)", 12, "got ')'"),
        ("a.done", 3, "unknown atom 'done'"),
        ("abc", 1, "'abc' needs an atom"),
        ("a..b.completed", 1, "invalid pid 'a..b'"),
        (".completed", 1, "invalid pid ''"),
        ("a.completed && b.killed", 14, "after '&', got '&'"),
        ("!a.completed", 1, "unexpected character '!' (write ~)"),
        ("a.completed and b.killed", 13, "got 'and' (write &)"),
        ("not a.completed", 1, "'not' is not an operator here; write ~"),
        ("a.completed | ()", 16, "got ')'"),
        ("a.completed; rm -rf /", 12, "unexpected character ';'"),
        ("~" * 101 + "a.completed", 101, "nested more than 100 levels"),
    ],
)
def test_malformed_text_is_one_line_naming_the_column(text, column, says):
    with pytest.raises(ConditionError) as caught:
        parse_condition(text)
    message = str(caught.value)
    assert message.startswith(f"at column {column}: ")
    assert caught.value.position == column - 1
    assert says in message
    assert "\n" not in message


@settings(max_examples=300)
@given(st.text(alphabet="ab.1_-completdfinshkl&|~() \t!$", max_size=40))
def test_any_text_parses_or_fails_with_a_position_inside_it(text):
    try:
        condition = parse_condition(text)
    except ConditionError as error:
        assert error.position is not None and 0 <= error.position <= len(text)
        assert str(error).startswith(f"at column {error.position + 1}: ")
        assert "\n" not in str(error)
    else:
        assert parse_condition(str(condition)) == condition


@given(conditions, st.data())
def test_a_stray_character_is_reported_at_the_exact_place_it_was_put(condition, data):
    text = str(condition)
    where = data.draw(st.integers(min_value=0, max_value=len(text)))
    bad = data.draw(st.sampled_from("$!;,=@"))
    with pytest.raises(ConditionError) as caught:
        parse_condition(text[:where] + bad + text[where:])
    assert caught.value.position == where


def test_only_text_is_parsed():
    with pytest.raises(ConditionError, match="written as a str"):
        parse_condition(Pid("a").completed)
