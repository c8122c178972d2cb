"""The codec: exact round trips, clear encode errors, and safe decoding of any bytes."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import enum
import struct
import sys
import threading
import uuid
from zoneinfo import ZoneInfo

import msgpack  # only to craft hostile bytes; prunus itself imports it in _codec alone
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
from prunus.persistence._codec import decode_all, store_as_str
from prunus.persistence._codec_canonical import encode_canonical


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return type(other) is Point and (self.x, self.y) == (other.x, other.y)

    def __hash__(self):
        return hash((self.x, self.y))


class Color(enum.Enum):
    RED = 1
    BLUE = "blue"


register_type(Point, lambda p: [p.x, p.y], lambda d: Point(*d), name="tests.Point")
register_type(Color, lambda c: c.value, Color, name="tests.Color")

timezones = st.one_of(
    st.just(dt.timezone.utc),
    st.timedeltas(min_value=-dt.timedelta(hours=23), max_value=dt.timedelta(hours=23)).map(
        dt.timezone
    ),
    st.builds(dt.timezone, st.just(dt.timedelta(hours=-5)), st.just("EST")),
    st.sampled_from(["Europe/Zurich", "America/New_York", "Asia/Kolkata", "UTC"]).map(ZoneInfo),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # includes ints far outside 64 bits
    st.integers(min_value=-(2**64) - 2, max_value=-(2**63) + 2),  # around the edges
    st.integers(min_value=2**64 - 2, max_value=2**64 + 2),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.binary(max_size=20),
    st.decimals(allow_nan=False),
    st.uuids(),
    st.complex_numbers(allow_nan=False),
    st.datetimes(),
    st.datetimes(timezones=timezones),
    st.dates(),
    st.timedeltas(),
    st.builds(Point, st.integers(), st.text(max_size=5)),
    st.sampled_from(Color),
)
hashables = st.one_of(
    st.integers(), st.text(max_size=10), st.tuples(st.integers()), st.frozensets(st.integers())
)
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
    """Equal and of exactly the same types all the way down (tzinfo and fold too)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dt.datetime):
        return (a, a.tzinfo, a.fold, repr(a)) == (b, b.tzinfo, b.fold, repr(b))
    if isinstance(a, decimal.Decimal):
        return str(a) == str(b)
    return a == b


@settings(max_examples=300, deadline=None)
@given(values)
def test_every_supported_value_round_trips_with_its_exact_types(value):
    assert same(decode(encode(value)), value)


def test_timezones_round_trip_by_name_by_offset_and_with_their_fold():
    zurich = dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Zurich"))
    named = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-3, minutes=-30), "NST"))
    utc = dt.datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=dt.timezone.utc)
    assert decode(encode(zurich)).tzinfo is ZoneInfo("Europe/Zurich")
    assert decode(encode(zurich)).fold == 1
    assert decode(encode(zurich)).utcoffset() == dt.timedelta(hours=1)
    assert decode(encode(named)).tzname() == "NST"
    assert decode(encode(utc)).tzinfo is dt.timezone.utc
    assert decode(encode(dt.datetime(2026, 1, 1))).tzinfo is None


def test_big_integers_decimals_and_uuids_keep_their_values():
    value = {"big": 2**100, "neg": -(2**90), "d": decimal.Decimal("1.10"), "u": uuid.UUID(int=7)}
    assert decode(encode(value)) == value
    assert str(decode(encode(decimal.Decimal("-0E+3")))) == "-0E+3"
    huge = 7**20000  # more digits than int() accepts from text by default
    assert decode(encode([huge, -huge])) == [huge, -huge]


def test_dict_keys_of_any_storable_type_keep_their_types():
    value = {1: "int", (1, "a"): "tuple", frozenset({2}): "frozenset", None: "none", 2.5: "f"}
    back = decode(encode(value))
    assert back == value
    assert [type(k) for k in back] == [type(k) for k in value]


def test_a_bytearray_comes_back_as_bytes_but_a_stored_bytearray_decodes_as_bytearray():
    # msgpack packs a bytearray natively, before any hook runs (see the ext table).
    assert decode(encode(bytearray(b"ab"))) == b"ab"
    assert decode(msgpack.packb(msgpack.ExtType(11, b"ab"))) == bytearray(b"ab")
    assert type(decode(msgpack.packb(msgpack.ExtType(11, b"ab")))) is bytearray


@pytest.mark.parametrize(
    ("value", "prefix", "path"),
    [
        ({"ctx": {"results": [1, 2, 3, object()]}}, "", "ctx.results[3]"),
        ({"results": [1, 2, 3, object()]}, "ctx", "ctx.results[3]"),
        (object(), "", "<root>"),
        (object(), "ctx", "ctx"),
        ({"a b": {7: (1, {2, 3}, [object()])}}, "", "['a b'][7][2][0]"),
        (AttributesDict(inner=AttributesDict(x=object())), "ctx", "ctx.inner.x"),
        ({"p": [Point(1, object())]}, "", "p[0]"),
    ],
)
def test_an_unencodable_value_is_reported_with_its_exact_path(value, prefix, path):
    with pytest.raises(CodecError) as info:
        encode(value, path_prefix=prefix)
    assert info.value.path == path
    assert str(info.value).startswith(f"{path}: ")


def test_the_error_names_the_type_and_says_what_to_do():
    with pytest.raises(CodecError) as info:
        encode({"results": [1, 2, 3, object()]}, path_prefix="ctx")
    assert info.value.reason == (
        "cannot encode value of type object; register it with prunus.register_type"
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({object(): 1}, "dict key: cannot encode value of type object"),
        ("\ud800", "not valid Unicode"),
        (dt.datetime(2026, 1, 1, tzinfo=type("Zone", (dt.tzinfo,), {})()), "use zoneinfo"),
    ],
)
def test_unencodable_keys_text_and_timezones_say_why(value, reason):
    with pytest.raises(CodecError, match=reason):
        encode(value)


def test_a_value_that_contains_itself_is_reported_not_recursed_forever():
    loop: list = [1]
    loop.append({"back": loop})
    with pytest.raises(CodecError, match="contains itself") as info:
        encode({"ctx": loop})
    assert info.value.path == "ctx[1].back"


def test_unregistered_dict_subclasses_and_enums_are_refused_but_attributes_dicts_are_not():
    class Shade(enum.Enum):
        DARK = 1

    class MyDict(dict):
        pass

    with pytest.raises(CodecError, match=r"MyDict \(a dict subclass\)"):
        encode({"x": MyDict(a=1)})
    with pytest.raises(CodecError, match="Shade"):
        encode({"x": Shade.DARK})
    assert type(decode(encode(AttributesDict(a=1)))) is AttributesDict


def test_registered_user_types_and_enums_round_trip_by_name():
    value = {"p": Point(1, 2), "c": [Color.RED, Color.BLUE], Point(0, 0): "as a key"}
    assert decode(encode(value)) == value


def test_the_default_registered_name_is_the_qualified_class_name():
    class Local:
        pass

    register_type(Local, lambda v: None, lambda d: Local())
    assert f"{__name__}.{Local.__qualname__}".encode() in encode(Local())


def test_to_data_errors_are_reported_at_the_value_that_failed():
    class Broken:
        pass

    register_type(Broken, lambda v: 1 / 0, lambda d: Broken(), name="tests.Broken")
    with pytest.raises(CodecError, match=r"to_data for .tests\.Broken. raised ZeroDivisionError"):
        encode({"ctx": {"b": Broken()}})


def test_a_registered_type_may_encode_while_it_is_being_encoded():
    class Wrapper:
        def __init__(self, blob):
            self.blob = blob

    register_type(Wrapper, lambda w: encode(w.blob), lambda d: Wrapper(decode(d)), "tests.W")
    back = decode(encode(("x", Wrapper((1, {2}))), path_prefix="ctx"))
    assert back[0] == "x" and back[1].blob == (1, {2})


def test_a_stored_user_type_that_is_not_registered_fails_to_decode_without_importing():
    blob = msgpack.packb(msgpack.ExtType(14, msgpack.packb(["tests_not_a_module.Evil", 1])))
    with pytest.raises(CodecError, match="not registered"):
        decode(blob)
    assert "tests_not_a_module" not in sys.modules


def test_the_same_name_cannot_be_registered_for_two_types_but_a_redefinition_replaces():
    class A:
        pass

    class B:
        pass

    register_type(A, lambda v: 0, lambda d: A(), name="tests.clash")
    with pytest.raises(ValueError, match="already registered"):
        register_type(B, lambda v: 0, lambda d: B(), name="tests.clash")
    first = A

    class A:
        pass

    register_type(A, lambda v: 1, lambda d: A(), name="tests.clash")
    assert type(decode(encode(A()))) is A
    with pytest.raises(CodecError):
        encode(first())


@pytest.mark.parametrize("cls", [dict, tuple, int, AttributesDict, dt.datetime])
def test_natively_stored_types_cannot_be_registered(cls):
    with pytest.raises(ValueError, match="natively"):
        register_type(cls, lambda v: v, lambda d: d)


def test_numpy_arrays_and_scalars_round_trip_when_numpy_is_installed():
    numpy = pytest.importorskip("numpy")
    arrays = [
        numpy.arange(12, dtype="float32").reshape(3, 4),
        numpy.arange(6, dtype=">i4").reshape(2, 3).T,  # big-endian, not contiguous
        numpy.array(5),
        numpy.zeros((0, 3)),
        numpy.array([True, False]),
        numpy.array([1 + 2j]),
    ]
    for array in arrays:
        back = decode(encode({"a": array}))["a"]
        assert type(back) is numpy.ndarray
        assert (back.dtype, back.shape) == (array.dtype, array.shape)
        assert (back == array).all() and back.flags.writeable
    for scalar in (numpy.float64(2.5), numpy.int8(-3), numpy.bool_(True)):
        back = decode(encode(scalar))
        assert type(back) is type(scalar) and back == scalar


def test_numpy_object_arrays_are_refused_both_ways():
    numpy = pytest.importorskip("numpy")
    with pytest.raises(CodecError, match="dtype object") as info:
        encode({"ctx": [numpy.array([object()])]})
    assert info.value.path == "ctx[0]"
    hostile = msgpack.packb(msgpack.ExtType(13, msgpack.packb(["|O", [1], b"\0" * 8])))
    with pytest.raises(CodecError, match="refusing numpy dtype"):
        decode(hostile)


def test_encoding_from_many_threads_at_once_gives_the_same_bytes():
    value = {"t": (1, (2, (3, {4}))), "when": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)}
    expected = encode(value)
    seen: list[bytes] = []

    def work() -> None:
        seen.extend(encode(value) for _ in range(300))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 1200 and set(seen) == {expected}


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_decode_to_a_value_or_a_codec_error(blob):
    # Anything but a value or a CodecError (IndexError, UnicodeDecodeError...) fails here.
    with contextlib.suppress(CodecError):
        decode(blob)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 15), st.binary(max_size=40))
def test_random_extension_payloads_decode_to_a_value_or_a_codec_error(code, payload):
    with contextlib.suppress(CodecError):
        decode(msgpack.packb([msgpack.ExtType(code, payload)]))


@settings(max_examples=200, deadline=None)
@given(values, st.data())
def test_truncated_encodings_fail_with_a_codec_error(value, data):
    blob = encode(value)
    cut = data.draw(st.integers(0, len(blob) - 1))
    with pytest.raises(CodecError):
        decode(blob[:cut])


def test_checkpoints_carry_a_format_version():
    blob = encode_checkpoint({"a": (1, 2)})
    assert decode(blob) == {"format": CHECKPOINT_FORMAT, "body": {"a": (1, 2)}}
    assert decode_checkpoint(blob) == {"a": (1, 2)}


def test_a_checkpoint_encode_error_names_the_path_inside_the_checkpoint():
    with pytest.raises(CodecError) as info:
        encode_checkpoint({"ctx": {"results": [1, object()]}})
    assert info.value.path == "ctx.results[1]"


@pytest.mark.parametrize(
    ("blob", "reason"),
    [
        (encode({"format": 2, "body": {}}), "format 2 is not supported .* upgrade prunus"),
        (encode({"format": 0, "body": {}}), "format 0 is not supported"),
        (encode({"format": "1", "body": {}}), "corrupt checkpoint: format '1'"),
        (encode({"format": True, "body": {}}), "corrupt checkpoint: format True"),
        (encode([1, 2]), "not a checkpoint envelope"),
        (encode({"format": 1}), "not a checkpoint envelope"),
        (encode({"format": 1, "body": [1]}), "body is not a mapping"),
        (b"\xc1garbage", "corrupt checkpoint"),
        (b"", "corrupt checkpoint"),
        (encode_checkpoint({"a": "x" * 50})[:-3], "corrupt checkpoint"),
        (encode_checkpoint({"a": 1}) + b"\x00", "corrupt checkpoint"),
    ],
)
def test_unreadable_checkpoints_raise_a_one_line_checkpoint_error(blob, reason):
    with pytest.raises(CheckpointError, match=reason) as info:
        decode_checkpoint(blob)
    assert "\n" not in str(info.value)


# ---- canonical encoding (memo keys) ---------------------------------------------------


def reordered(value, rng):
    """The same value with every dict and set rebuilt in another insertion order."""
    kind = type(value)
    if kind in (dict, AttributesDict):
        items = [(k, reordered(v, rng)) for k, v in value.items()]
        rng.shuffle(items)
        return kind(items)
    if kind in (list, tuple):
        return kind(reordered(v, rng) for v in value)
    if kind in (set, frozenset):
        items = list(value)
        rng.shuffle(items)
        return kind(items)
    return value


@settings(max_examples=200, deadline=None)
@given(values, st.randoms(use_true_random=False))
def test_canonical_bytes_do_not_depend_on_insertion_order(value, rng):
    assert encode_canonical(value) == encode_canonical(reordered(value, rng))


@settings(max_examples=200, deadline=None)
@given(values)
def test_canonical_bytes_decode_to_an_equal_value(value):
    assert decode(encode_canonical(value)) == value


def test_canonical_bytes_differ_where_the_plain_encoding_keeps_insertion_order():
    first, second = {"a": 1, "b": {2, 1}}, {"b": {1, 2}, "a": 1}
    assert encode(first) != encode(second)
    assert encode_canonical(first) == encode_canonical(second)
    assert encode_canonical({1: "x", "1": "y", (1,): "z"}) == encode_canonical(
        {(1,): "z", "1": "y", 1: "x"}
    )


def test_every_nan_has_one_canonical_encoding():
    other_nan = struct.unpack("<d", struct.pack("<Q", 0x7FF8_0000_0000_0001))[0]
    assert encode(other_nan) != encode(float("nan"))
    assert encode_canonical([other_nan]) == encode_canonical([float("nan")])
    assert encode_canonical(complex(other_nan, 1)) == encode_canonical(complex(float("nan"), 1))


def test_a_value_with_no_canonical_order_is_refused_with_its_path():
    with pytest.raises(CodecError) as caught:
        encode_canonical({"x": {float("nan"), float("nan")}}, path_prefix="inputs")
    assert "encode alike" in str(caught.value) and "\n" not in str(caught.value)


def test_canonical_encoding_names_the_path_of_an_unstorable_value():
    with pytest.raises(CodecError) as caught:
        encode_canonical({"b": [1, object()]}, path_prefix="data")
    assert caught.value.path == "data.b[1]"


class Label(str):
    __slots__ = ()


class Tag(str):
    __slots__ = ()


store_as_str(Label)


def test_a_str_subclass_declared_with_store_as_str_is_stored_as_its_text():
    assert encode(Label("x")) == encode("x") and encode({Label("k"): 1}) == encode({"k": 1})
    assert type(decode(encode(Label("x")))) is str
    assert encode_canonical({Label("b"): 1, "a": 2}) == encode_canonical({"a": 2, "b": 1})
    with pytest.raises(CodecError, match=r"type tests\.persistence\.test_codec\.Tag"):
        encode(Tag("x"))  # undeclared subclasses are still refused


@pytest.mark.parametrize("cls", [str, int, Point])
def test_store_as_str_takes_only_str_subclasses(cls):
    with pytest.raises(TypeError, match="subclass of str"):
        store_as_str(cls)


@given(
    st.lists(
        st.recursive(
            st.none() | st.integers() | st.text(),
            lambda kids: st.lists(kids, max_size=3),
            max_leaves=6,
        ),
        max_size=20,
    )
)
def test_decode_all_gives_what_decoding_each_gives(values):
    blobs = [encode(value) for value in values]
    assert decode_all(blobs) == [decode(blob) for blob in blobs]


def test_decode_all_refuses_a_blob_that_is_not_one_whole_value():
    whole, cut = encode([1, 2, 3]), encode([1, 2, 3])[:-1]
    for blobs in ([whole, cut], [cut, whole], [whole + whole]):
        with pytest.raises(CodecError):
            decode_all(blobs)
