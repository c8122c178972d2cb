"""Memo keys: stable for equal inputs, different for anything that changes results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prunus import AttributesDict, CodecError, PortValidationError, Process
from prunus.conditions import MemoEntry, MemoKey, Uncacheable, memo_key, nearest_entry
from prunus.persistence import decode, encode

from .memo_classes import Fit, FitIgnoringOpts, FitV2, NotCacheable

ROOT = Path(__file__).resolve().parents[2]


def key(cls=Fit, **inputs) -> MemoKey:
    result = memo_key(cls, inputs)
    assert isinstance(result, MemoKey), result
    return result


def test_the_key_has_a_part_per_input_leaf_besides_class_and_version():
    found = key(x=1, opts={"verbose": True}, params={"a": {"b": 2}})
    labels = [part.label for part in found.parts]
    assert labels == [
        "class",
        "version",
        "inputs.opts.verbose",
        "inputs.params.a",
        "inputs.x",
        "inputs.y",
    ]
    assert found.process_class == "tests.conditions.memo_classes:Fit"
    assert len(found.digest) == 64 and all(len(part.digest) == 64 for part in found.parts)


def test_the_same_inputs_in_another_order_give_the_same_key():
    data = {"z": [1, {3, 2, 1}], "a": {"k": frozenset({"x", "y"}), 1: None}}
    shuffled = {"a": {1: None, "k": frozenset({"y", "x"})}, "z": [1, {1, 2, 3}]}
    first = key(x=1, data=data, params={"p": 1, "q": 2}, opts={"verbose": True})
    second = key(opts={"verbose": True}, params={"q": 2, "p": 1}, data=shuffled, x=1)
    assert first == second


def test_a_default_given_explicitly_gives_the_same_key_as_the_default_applied():
    assert key(x=1) == key(x=1, y=5) == key(x=1, opts={"verbose": False})


def test_an_ignored_port_does_not_change_the_key():
    assert key(x=1) == key(x=1, scratch="/tmp/a") == key(x=1, scratch="/tmp/b")
    assert key(x=1, opts={"workdir": "/a"}) == key(x=1, opts={"workdir": "/b"})
    # Ignoring a namespace leaves out all of it.
    assert key(FitIgnoringOpts, x=1) == key(FitIgnoringOpts, x=1, opts={"verbose": True})


def test_a_changed_input_changes_the_key_and_only_that_part():
    first, second = key(x=1, params={"a": 1}), key(x=1, params={"a": 2})
    assert first.digest != second.digest
    assert first.differing_parts(second) == ["inputs.params.a"]
    assert key(x=1).differing_parts(key(x=1, data=0)) == ["inputs.data"]


def test_values_that_python_calls_equal_but_store_differently_get_different_keys():
    assert key(x=1, data=1) != key(x=1, data=1.0) != key(x=1, data=True)
    assert key(x=1, data=[1]) != key(x=1, data=(1,))


def test_a_dict_and_an_attributes_dict_key_alike_because_the_process_sees_them_alike():
    assert key(x=1, data={"a": 1}) == key(x=1, data=AttributesDict(a=1))
    read_only = Fit({"x": 1, "data": {"a": 1}}).inputs.data  # another process's inputs
    assert key(x=1, data={"a": 1}) == key(x=1, data=read_only)


def test_a_nan_is_one_value_for_the_key():
    assert key(x=1, data=float("nan")) == key(x=1, data=-float("inf") * 0)


def test_another_version_or_class_gives_another_key():
    assert key(Fit, x=1).differing_parts(key(FitV2, x=1)) == ["class", "version"]

    class Renamed(Fit):
        pass

    assert key(Fit, x=1).differing_parts(key(Renamed, x=1)) == ["class"]


@pytest.mark.parametrize(
    ("inputs", "where", "why"),
    [
        ({"data": object()}, "data", "cannot encode value of type object"),
        ({"data": [1, {2: lambda: 0}]}, "data[1][2]", "cannot encode value of type function"),
        ({"params": {"handle": open}}, "params.handle", "builtin_function_or_method"),
        ({"data": {float("nan"): 1, float("nan"): 2}}, "data", "encode alike"),
    ],
)
def test_an_input_that_cannot_be_encoded_gives_no_key_and_says_why(inputs, where, why):
    result = memo_key(Fit, {"x": 1, **inputs})
    assert isinstance(result, Uncacheable)
    assert result.reason.startswith(f"input '{where}' cannot be part of a memo key: ")
    assert why in result.reason and "\n" not in result.reason


def test_an_unencodable_value_in_an_ignored_port_does_not_matter():
    assert key(x=1, handle=object()) == key(x=1, handle=open) == key(x=1)


def test_a_class_that_did_not_opt_in_has_no_key():
    with pytest.raises(ValueError, match="NotCacheable is not cacheable"):
        memo_key(NotCacheable, {"x": 1})


def test_inputs_that_do_not_fit_the_spec_are_refused_as_at_launch():
    with pytest.raises(PortValidationError, match="'x'"):
        memo_key(Fit, {"x": "one"})


def test_a_key_survives_the_store_encoding():
    found = key(x=3, data=[1.5, "a"])
    assert MemoKey.from_data(decode(encode(found.to_data()))) == found


def test_the_key_is_the_same_in_processes_with_different_string_hashing():
    # Set iteration order of str differs between interpreters with other hash seeds:
    # the plain encoding shows it, the key must not.
    script = (
        "import hashlib\n"
        "from prunus.conditions import memo_key\n"
        "from prunus.persistence import encode\n"
        "from tests.conditions.memo_classes import Fit\n"
        "data = {'s': set('abcdefghijkl')}\n"
        "print(memo_key(Fit, {'x': 1, 'data': data}).digest)\n"
        "print(hashlib.sha256(encode(data)).hexdigest())"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for seed in ("1", "2", "3")
    ]
    assert {run[0] for run in runs} == {key(x=1, data={"s": set("abcdefghijkl")}).digest}
    assert len({run[1] for run in runs}) > 1  # the plain encoding did differ


json_like = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=4), inner, max_size=4),
        st.frozensets(st.integers(), max_size=4),
    ),
    max_leaves=15,
)


def shuffled(value, rng):
    if type(value) is dict:
        items = list(value.items())
        rng.shuffle(items)
        return {k: shuffled(v, rng) for k, v in items}
    if type(value) is list:
        return [shuffled(v, rng) for v in value]
    return value


@given(json_like, st.randoms())
def test_any_reordering_of_dicts_in_an_input_keeps_the_key(value, rng):
    assert key(x=1, data=value) == key(x=1, data=shuffled(value, rng))


def test_ignore_paths_must_name_input_ports_when_define_returns():
    class Typo(Process):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.input("x")
            spec.cacheable(version="1", ignore=("y",))

    for _ in range(2):  # the failed spec is not kept half-built
        with pytest.raises(ValueError, match=r"'y' is not an input port; the inputs are: x"):
            Typo.spec()


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"version": 1}, "non-empty str"),
        ({"version": ""}, "non-empty str"),
        ({"version": "1", "ignore": "scratch"}, "write ignore=('scratch',)"),
        ({"version": "1", "ignore": [3]}, "dotted input port paths"),
    ],
)
def test_bad_cacheable_settings_are_one_line_errors(options, says):
    class Bad(Process):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.input("scratch")
            spec.cacheable(**options)

    with pytest.raises(ValueError) as caught:
        Bad.spec()
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_the_settings_are_kept_on_the_spec_and_sealed_with_it():
    settings = Fit.spec().cache_settings
    assert settings.version == "1" and settings.ignore == ("handle", "opts.workdir", "scratch")
    assert NotCacheable.spec().cache_settings is None
    with pytest.raises(RuntimeError, match="sealed"):
        Fit.spec().cacheable(version="3")


def test_an_entry_survives_the_store_encoding():
    entry = MemoEntry(key(x=1), "3f9a0c1b2d4e", 1700000000.5)
    assert MemoEntry.from_data(decode(encode(entry.to_data()))) == entry
    with pytest.raises(CodecError, match="memo entry is corrupt"):
        MemoEntry.from_data({"pid": "x"})


def test_the_nearest_entry_shares_the_most_parts_and_is_of_the_same_class():
    far = MemoEntry(key(x=1, y=1, data=1), "far", 1.0)
    near = MemoEntry(key(x=1, y=2, data=3), "near", 2.0)
    other_class = MemoEntry(key(FitV2, x=1, y=2, data=3), "v2", 3.0)
    wanted = key(x=1, y=2, data=4)
    found = nearest_entry(wanted, [far, near, other_class])
    assert found is near and wanted.differing_parts(found.key) == ["inputs.data"]
    newer_twin = MemoEntry(near.key, "newer", 5.0)
    assert nearest_entry(wanted, [newer_twin, near]) is newer_twin
    assert nearest_entry(key(FitIgnoringOpts, x=1), [near]) is None
