"""What the reading commands choose to show: filters, durations, trees, JSON-safe values."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import numpy as np
import pytest

from prunus.cli._errors import CliError
from prunus.cli._views import (
    Node,
    flatten,
    format_age,
    jsonable,
    parse_duration,
    parse_states,
    state_label,
    tree_rows,
)
from prunus.engine import ProcessState, ProcessStatus

NOW = 1_000_000.0


def status(pid, state="running", created=NOW, paused=False, parent=None, step=None):
    return ProcessStatus(
        pid=pid,
        process_class="pkg.mod:Thing",
        state=ProcessState(state),
        paused=paused,
        created=created,
        parent=parent,
        step=step,
    )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("10m", 600), ("1h30m", 5400), ("2d", 172800), ("1w", 604800), ("45", 45)],
)
def test_durations_read_like_people_write_them(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "1x", "h1", "1h-2m"])
def test_a_bad_duration_is_a_one_line_error(text):
    with pytest.raises(CliError, match="expected a duration like 90s"):
        parse_duration(text)


def test_states_are_named_in_any_case_and_unknown_ones_are_refused():
    assert parse_states(["waiting", "FINISHED"]) == {ProcessState.WAITING, ProcessState.FINISHED}
    with pytest.raises(CliError, match="unknown state 'asleep'"):
        parse_states(["asleep"])


def test_an_ended_process_is_never_shown_paused():
    assert state_label(status("a", "waiting", paused=True)) == "WAITING (paused)"
    assert state_label(status("a", "killed", paused=True)) == "KILLED"


def test_ages_are_short():
    assert [format_age(s) for s in (None, 4, 185, 7380, 180000)] == [
        "-",
        "4s",
        "3m 05s",
        "2h 03m",
        "2d 02h",
    ]


def test_tree_rows_indent_children_in_launch_order():
    tree = Node(
        status("p", "waiting", step="launch"),
        (Node(status("p.0", "finished", step="run")), Node(status("p.1", "created"))),
    )
    assert tree_rows(tree) == [
        (0, ["p", "Thing", "WAITING", "step launch", ""]),
        (1, ["p.0", "Thing", "FINISHED", "", ""]),
        (1, ["p.1", "Thing", "CREATED", "", ""]),
    ]


def test_nested_values_flatten_to_the_dotted_keys_that_i_takes():
    assert flatten({"a": 1, "params": {"cutoff": 30, "deep": {"x": [1]}}, "empty": {}}) == [
        ("a", 1),
        ("params.cutoff", 30),
        ("params.deep.x", [1]),
        ("empty", {}),
    ]


def test_every_value_the_store_can_hold_becomes_json():
    value = {
        "tuple": (1, 2),
        "set": {3, 1},
        "when": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
        "day": dt.date(2026, 1, 2),
        "span": dt.timedelta(seconds=90),
        "bytes": b"\x00\x01",
        "decimal": Decimal("1.5"),
        "array": np.arange(3),
        "scalar": np.float64(2.5),
        1: "int key",
    }
    data = jsonable(value)
    json.dumps(data)  # never fails
    assert data["tuple"] == [1, 2] and data["set"] == [1, 3]
    assert data["when"] == "2026-01-02T03:04:05+00:00" and data["day"] == "2026-01-02"
    assert data["span"] == 90.0 and data["bytes"] == "AAE="
    assert data["decimal"] == "Decimal('1.5')"
    assert data["array"] == [0, 1, 2] and data["scalar"] == 2.5
    assert data["1"] == "int key"
