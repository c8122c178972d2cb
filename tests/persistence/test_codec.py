"""The codec: exact round trips, clear encode errors, and safe decoding of any bytes."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import enum
import uuid
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prunus import AttributesDict, CheckpointError, CodecError
from prunus.persistence import (
    CHECKPOINT_FORMAT,
    decode,
    decode_checkpoint,
    encode,
    encode_checkpoint,
    register_type,
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # includes ints far outside 64 bits
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.binary(max_size=20),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.uuids(),
    st.complex_numbers(allow_nan=False),
    st.datetimes(),
    st.datetimes(timezones=st.just(dt.timezone.utc)),
    st.dates(),
    st.timedeltas(),
)
hashables = st.one_of(st.integers(), st.text(max_size=10), st.tuples(st.integers()))
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(hashables, children, max_size=4),
        st.dictionaries(st.text(max_size=5), children, max_size=3).map(AttributesDict),
        st.frozensets(hashables, max_size=4),
        st.sets(hashables, max_size=4),
    ),
    max_leaves=12,
)


def same(a, b):
    """Equal and of exactly the same types all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dt.datetime):
        return a == b and a.tzinfo == b.tzinfo
    return a == b


@settings(max_examples=300, deadline=None)
@given(values)
def test_every_supported_value_round_trips_with_its_exact_types(value):
    assert same(decode(encode(value)), value)


def test_timezones_round_trip_by_name_and_by_offset():
    zurich = dt.datetime(2026, 11, 23, 12, tzinfo=ZoneInfo("Europe/Zurich"))
    fixed = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-3, minutes=-30)))
    assert decode(encode(zurich)).tzinfo == ZoneInfo("Europe/Zurich")
    assert decode(encode(fixed)).utcoffset() == dt.timedelta(hours=-3, minutes=-30)
    assert decode(encode(dt.datetime(2026, 1, 1))).tzinfo is None


def test_big_integers_decimals_and_uuids_keep_their_values():
    value = {"big": 2**100, "neg": -(2**90), "d": decimal.Decimal("1.10"), "u": uuid.UUID(int=7)}
    assert decode(encode(value)) == value
    assert str(decode(encode(decimal.Decimal("1.10")))) == "1.10"


def test_an_unencodable_value_is_reported_with_its_path():
    with pytest.raises(CodecError) as info:
        encode({"results": [1, 2, 3, object()]}, path_prefix="ctx")
    assert info.value.path == "ctx.results[3]"
    assert "object" in str(info.value) and "register_type" in str(info.value)


def test_unregistered_dict_subclasses_and_enums_are_refused():
    class Color(enum.Enum):
        RED = 1

    class MyDict(dict):
        pass

    for value in (Color.RED, MyDict(a=1)):
        with pytest.raises(CodecError):
            encode({"x": value})


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)


def test_registered_user_types_round_trip_by_name():
    register_type(Point, lambda p: [p.x, p.y], lambda d: Point(*d), name="tests.Point")
    assert decode(encode({"p": Point(1, 2)})) == {"p": Point(1, 2)}


def test_a_stored_user_type_that_is_not_registered_fails_to_decode_without_importing():
    class Secret:
        pass

    register_type(Secret, lambda s: None, lambda d: Secret(), name="tests.Secret.never")
    blob = encode(Secret())
    from prunus.persistence import _codec

    del _codec._REGISTRY["tests.Secret.never"]
    with pytest.raises(CodecError, match="not registered"):
        decode(blob)


def test_the_same_name_cannot_be_registered_for_two_types():
    class A:
        pass

    class B:
        pass

    register_type(A, lambda v: 0, lambda d: A(), name="tests.clash")
    with pytest.raises(ValueError, match="already registered"):
        register_type(B, lambda v: 0, lambda d: B(), name="tests.clash")


def test_numpy_arrays_round_trip_when_numpy_is_installed():
    numpy = pytest.importorskip("numpy")
    array = numpy.arange(12, dtype="float32").reshape(3, 4)
    back = decode(encode(array))
    assert back.dtype == array.dtype and (back == array).all()
    with pytest.raises(CodecError):
        encode(numpy.array([object()]))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_decode_to_a_value_or_a_codec_error(blob):
    # Anything but a value or a CodecError (IndexError, UnicodeDecodeError...) fails here.
    with contextlib.suppress(CodecError):
        decode(blob)


@settings(max_examples=200, deadline=None)
@given(values, st.data())
def test_truncated_encodings_fail_with_a_codec_error(value, data):
    blob = encode(value)
    cut = data.draw(st.integers(0, len(blob) - 1))
    with pytest.raises(CodecError):
        decode(blob[:cut])


def test_checkpoints_carry_a_format_version_and_reject_others():
    blob = encode_checkpoint({"a": 1})
    assert decode(blob) == {"format": CHECKPOINT_FORMAT, "body": {"a": 1}}
    assert decode_checkpoint(blob) == {"a": 1}
    with pytest.raises(CheckpointError, match="format 99"):
        decode_checkpoint(encode({"format": 99, "body": {}}))
    with pytest.raises(CheckpointError, match="not a checkpoint"):
        decode_checkpoint(encode([1, 2]))
    with pytest.raises(CheckpointError, match="corrupt"):
        decode_checkpoint(b"\xc1garbage")
