"""Children a host's steps launched wait in memory for their Activate, a few rounds."""

from __future__ import annotations

from prunus.actors._spawned_here import SpawnedHere


def test_a_child_is_taken_once_and_then_read_from_the_store_again():
    here = SpawnedHere()
    child = object()
    here.add("c", child)
    assert here.take("c") is child
    assert here.take("c") is None


def test_a_child_whose_activate_went_elsewhere_is_dropped_after_a_few_delivers():
    here = SpawnedHere()
    here.add("elsewhere", object())
    for _ in range(3):
        here.next_round()
    here.add("recent", object())
    assert len(here) == 2
    for _ in range(2):
        here.next_round()
    assert len(here) == 1
    assert here.take("elsewhere") is None
    assert here.take("recent") is not None
