"""Packers and builders made per kind give what the dataclass itself gives."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prunus.actors._field_code import builder, packer


@dataclasses.dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: Any = None
    tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)


@dataclasses.dataclass(frozen=True, slots=True)
class Checked:
    value: int

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValueError("negative")


@dataclasses.dataclass(frozen=True)
class Unslotted:
    value: int


@given(st.integers(), st.none() | st.text(max_size=5), st.lists(st.text(max_size=3)).map(tuple))
def test_a_built_value_equals_the_dataclass_made_from_the_same_values(x, y, tags):
    assert builder(Point, [None, None, None])((x, y, tags)) == Point(x, y, tags)


def test_a_built_value_is_frozen_and_hashes_like_one_made_by_its_init():
    built = builder(Point, [None, None, None])((1, "a", ("t",)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.x = 2  # type: ignore[misc]
    assert hash(built) == hash(Point(1, "a", ("t",))) and type(built) is Point


def test_converters_apply_to_their_own_field_and_start_skips_the_head():
    build = builder(Point, [int, None, tuple], start=1)
    assert build(("tag", "7", None, ["a", "b"])) == Point(7, None, ("a", "b"))


def test_a_packer_puts_the_head_first_then_each_field_converted_where_asked():
    pack = packer(Point, [str, None, len], head=(3,))
    assert pack(Point(1, None, ("a", "b"))) == (3, "1", None, 2)


def test_packing_then_building_gives_the_value_back():
    pack, build = packer(Point, [None] * 3, head=(9,)), builder(Point, [None] * 3, start=1)
    assert build(pack(Point(5, {"k": 1}, ("x",)))) == Point(5, {"k": 1}, ("x",))


@pytest.mark.parametrize("values", [(1, 2), (1, 2, (), 4)])
def test_too_few_or_too_many_packed_values_are_refused(values):
    with pytest.raises(ValueError, match=r"Point: \d+ packed values, not 3"):
        builder(Point, [None, None, None])(values)


def test_a_class_with_a_post_init_is_built_by_calling_it():
    build = builder(Checked, [None])
    assert build((3,)) == Checked(3)
    with pytest.raises(ValueError, match="negative"):
        build((-1,))


def test_a_class_without_slots_is_built_by_calling_it():
    assert builder(Unslotted, [None])((4,)) == Unslotted(4)


def test_one_converter_per_field_is_required():
    with pytest.raises(ValueError, match="3 fields, 2 converters"):
        builder(Point, [None, None])
    with pytest.raises(ValueError, match="3 fields, 1 converters"):
        packer(Point, [None])
