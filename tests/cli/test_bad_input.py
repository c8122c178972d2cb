"""Bad input, from the command line and from Python: one clear line and exit 2 (or an
exact round trip), never an internal error, a traceback or a hang."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prunus import Client, PortValidationError
from prunus.cli._errors import CliError
from prunus.cli._loading import parse_inputs
from tests.cli.helpers import invoke
from tests.workflows import Takes

TAKES = "tests.workflows:Takes"
LONG_NAME = "h" * 300


def deep_json(levels: int) -> str:
    return "[" * levels + "]" * levels


BAD = {
    "home name too long, run": ["run", TAKES, "-i", "x=1", "--durable", "--home", LONG_NAME],
    "home name too long, list": ["process", "list", "--home", LONG_NAME],
    "home name too long, daemon": ["daemon", "start", "--home", LONG_NAME],
    "timeout nan": ["run", TAKES, "-i", "x=1", "--timeout", "nan"],
    "timeout inf": ["run", TAKES, "-i", "x=1", "--daemon", "--timeout", "inf"],
    "timeout negative": ["process", "list", "--timeout", "-1"],
    "daemon stop timeout nan": ["daemon", "stop", "--timeout", "nan"],
    "max-wait inf": ["run", TAKES, "-i", "x=1", "--max-wait", "inf"],
    "interval nan": ["run", TAKES, "-i", "x=1", "--interval", "nan"],
    "bool for an int port": ["run", TAKES, "-i", "x=true"],
    "namespace then value": ["run", TAKES, "-i", "x=1", "-i", "v.a=1", "-i", "v=2"],
    "value then namespace": ["run", TAKES, "-i", "x=1", "-i", "v=2", "-i", "v.a=1"],
    "empty key part": ["run", TAKES, "-i", "x=1", "-i", "v..a=1"],
    "empty first key part": ["run", TAKES, "-i", "x=1", "-i", ".a=1"],
    "JSON nested past the parser": ["run", TAKES, "-i", "x=1", "-i", f"v.a={deep_json(50_000)}"],
    "not UTF-8 in a value": ["run", TAKES, "-i", "x=1", "-i", "v.a=\udcff"],
    "a module name of 240,000 characters": ["run", "m" * 240_000 + ":Square"],
    "a class name of 240,000 characters": ["run", "tests.workflows:" + "C" * 240_000],
}


@pytest.mark.parametrize("args", list(BAD.values()), ids=list(BAD))
def test_bad_input_is_one_short_line_and_exit_2(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)  # (a daemon command must find no daemon here)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr) < 2_500


def test_nan_and_infinite_outputs_print_as_json_strings_that_read_back():
    result = invoke("run", TAKES, "-i", "x=1", "-i", "f=NaN", "-i", "v.big=Infinity")
    assert result.exit_code == 0, result.output
    echo = json.loads(result.stdout)["echo"]  # strict JSON: no bare NaN
    assert echo["f"] == "NaN" and echo["v"] == {"big": "Infinity"}
    again = parse_inputs([f"f={echo['f']}", f"big={echo['v']['big']}"])
    assert math.isnan(again["f"]) and again["big"] == math.inf


def test_a_bool_is_refused_for_an_int_port_but_kept_where_bools_are_allowed():
    with pytest.raises(PortValidationError, match="expected int, got True"):
        Takes(inputs={"x": True})
    assert Takes(inputs={"x": 1, "v": {"flag": True}}).inputs.v.flag is True


def test_an_input_that_contains_itself_is_refused_with_its_port_path():
    looped: dict = {}
    looped["self"] = looped
    with Client() as client, pytest.raises(PortValidationError) as info:
        client.submit(Takes, x=1, v={"a": looped})
    assert "contains itself" in str(info.value)
    assert info.value.port_path.startswith("v.a")


def test_an_input_nested_deeper_than_the_store_keeps_is_refused_in_one_line():
    deep: dict = {}
    level = deep
    for _ in range(5_000):
        level["k"] = level = {}
    with Client() as client, pytest.raises(PortValidationError) as info:
        client.submit(Takes, x=1, v={"a": deep})
    assert "nested more than 500 levels deep" in str(info.value)
    assert len(str(info.value)) < 200


@pytest.mark.parametrize("timeout", [math.nan, math.inf, -1, 0, "5", True])
def test_a_timeout_that_no_timer_can_honour_is_a_value_error(tmp_path, timeout):
    with pytest.raises(ValueError, match="timeout must be a finite number of seconds"):
        Client.connect(tmp_path, timeout=timeout)


@pytest.mark.parametrize("timeout", [math.nan, math.inf, -0.5])
def test_a_wait_timeout_that_no_timer_can_honour_is_a_value_error(timeout):
    with Client() as client:
        pid = client.submit(Takes, x=1)
        with pytest.raises(ValueError, match="timeout must be a finite number of seconds"):
            client.wait(pid, timeout=timeout)
        assert client.wait(pid, timeout=0)["echo"]["x"] == 1


def test_a_home_name_longer_than_a_filesystem_allows_is_a_value_error():
    with pytest.raises(ValueError, match="longer than 255 bytes"):
        Client(LONG_NAME)


# ---- the -i parser, fuzzed ---------------------------------------------------------

names = st.text(st.characters(blacklist_characters=".=", blacklist_categories=("Cs",)), min_size=1)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(blacklist_categories=("Cs",))),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=8,
)
namespaces = st.recursive(
    st.dictionaries(names, json_values, min_size=1, max_size=3),
    lambda inner: st.dictionaries(names, inner | json_values, min_size=1, max_size=3),
    max_leaves=6,
)


def as_pairs(inputs: dict, prefix: str = "") -> list[str]:
    pairs = []
    for key, value in inputs.items():
        if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
            pairs += as_pairs(value, f"{prefix}{key}.")
        else:
            pairs.append(f"{prefix}{key}={json.dumps(value)}")
    return pairs


@given(namespaces)
def test_inputs_written_as_dash_i_pairs_parse_back_exactly(inputs):
    assert parse_inputs(as_pairs(inputs)) == inputs


@given(st.lists(st.text(max_size=30), max_size=6))
def test_any_dash_i_text_parses_or_is_one_short_cli_error(pairs):
    try:
        parsed = parse_inputs(pairs)
    except CliError as error:
        message = error.format_message()
        assert "\n" not in message and len(message) < 300
    else:
        assert isinstance(parsed, dict)
