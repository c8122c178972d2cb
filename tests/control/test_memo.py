"""Memoization end to end, on the embedded runtime and on a real daemon.

``Square`` appends its pid to a witness file each time its step runs: a hit runs
nothing, so the file does not grow (tests/conditions/jobs.py).
"""

from __future__ import annotations

import pytest

from prunus import CodecError, ProcessState
from tests.conditions.jobs import Square, SquareTree, SquareV2, TwoSquares, runs


def square(client, tmp_path, x=3, name="w", **options):
    return client.submit(Square, x=x, witness=str(tmp_path / name), **options)


def test_a_hit_runs_nothing_and_ends_finished_with_a_copy_of_the_outputs(client, tmp_path):
    first = square(client, tmp_path, x=4)
    assert client.wait(first, timeout=30)["y"] == 16
    again = square(client, tmp_path, x=4, name="other")  # witness is ignored by the key
    result = client.wait(again, timeout=30)
    assert again != first
    assert result.state is ProcessState.FINISHED and result["y"] == 16
    assert runs(tmp_path / "w") == 1 and runs(tmp_path / "other") == 0
    assert client.describe(again)["cached_from"] == first
    assert client.describe(first)["cached_from"] is None
    assert client.outputs(again) == {"y": 16}


def test_other_inputs_or_another_version_miss(client, tmp_path):
    client.wait(square(client, tmp_path, x=5), timeout=30)
    client.wait(square(client, tmp_path, x=6), timeout=30)
    v2 = client.submit(SquareV2, x=5, witness=str(tmp_path / "w"))
    assert client.wait(v2, timeout=30)["y"] == 25
    assert runs(tmp_path / "w") == 3
    assert client.describe(v2)["cached_from"] is None


def test_cache_false_neither_uses_nor_fills_and_refresh_runs_and_replaces(client, tmp_path):
    first = square(client, tmp_path, x=7)
    client.wait(first, timeout=30)
    unused = square(client, tmp_path, x=7, cache=False)
    client.wait(unused, timeout=30)
    assert runs(tmp_path / "w") == 2 and client.describe(unused)["cached_from"] is None
    fresh = square(client, tmp_path, x=7, cache="refresh")
    client.wait(fresh, timeout=30)
    assert runs(tmp_path / "w") == 3
    hit = square(client, tmp_path, x=7)
    client.wait(hit, timeout=30)
    assert runs(tmp_path / "w") == 3
    assert client.describe(hit)["cached_from"] == fresh  # the entry was replaced
    never_filled = square(client, tmp_path, x=8, cache=False)
    client.wait(never_filled, timeout=30)
    client.wait(square(client, tmp_path, x=8), timeout=30)
    assert runs(tmp_path / "w") == 5


def test_two_identical_launches_while_the_first_runs_run_once(client, tmp_path):
    first = square(client, tmp_path, x=9, seconds=0.5)
    second = square(client, tmp_path, x=9)
    assert client.wait(second, timeout=30)["y"] == 81
    assert client.wait(first).state is ProcessState.FINISHED
    assert runs(tmp_path / "w") == 1
    assert client.describe(second)["cached_from"] == first


def test_if_the_running_one_fails_the_waiting_one_runs_itself(client, tmp_path):
    first = client.submit(Square, x=10, witness=str(tmp_path / "w"), seconds=0.3, fail=True)
    second = client.submit(Square, x=10, witness=str(tmp_path / "w"), fail=True)
    assert client.wait(first, timeout=30).state is ProcessState.EXCEPTED
    assert client.wait(second, timeout=30).state is ProcessState.EXCEPTED
    assert runs(tmp_path / "w") == 2  # both ran: a failure is never reused


def test_a_cacheable_workchain_hit_skips_its_whole_subtree(client, tmp_path):
    first = client.submit(SquareTree, x=11, witness=str(tmp_path / "w"))
    assert client.wait(first, timeout=30)["y"] == 121
    again = client.submit(SquareTree, x=11, witness=str(tmp_path / "w"))
    assert client.wait(again, timeout=30)["y"] == 121
    assert runs(tmp_path / "w") == 1
    assert client.status(again).children == ()


def test_cache_takes_only_true_false_or_refresh(client, tmp_path):
    with pytest.raises(ValueError, match="cache= takes True, False or 'refresh'"):
        square(client, tmp_path, cache="sometimes")


def test_entries_survive_a_restart_of_the_runtime(open_runtime, tmp_path):
    home, witness = tmp_path / "home", str(tmp_path / "w")
    with open_runtime(home) as client:
        first = client.submit(Square, x=12, witness=witness)
        client.wait(first, timeout=30)
    with open_runtime(home) as client:
        again = client.submit(Square, x=12, witness=witness)
        assert client.wait(again, timeout=30)["y"] == 144
        assert client.describe(again)["cached_from"] == first
    assert runs(witness) == 1


def test_an_input_with_no_canonical_form_runs_uncached_every_time(client, tmp_path):
    data = {float("nan"): 1, float("nan"): 2}  # storable, but no canonical order
    first = square(client, tmp_path, x=13, data=data)
    second = square(client, tmp_path, x=13, data=data)
    for pid in (first, second):
        assert client.wait(pid, timeout=30)["y"] == 169
        assert client.describe(pid)["cached_from"] is None
    assert runs(tmp_path / "w") == 2


def test_an_input_that_cannot_be_stored_is_one_line_and_nothing_is_stored(client, tmp_path):
    before = len(client.list())
    with pytest.raises(CodecError) as refused:
        square(client, tmp_path, x=14, data=object())
    assert "\n" not in str(refused.value) and "data" in str(refused.value)
    assert len(client.list()) == before and runs(tmp_path / "w") == 0


def test_cacheable_children_of_a_workchain_run_once_per_key(client, tmp_path):
    first = client.submit(TwoSquares, x=15, witness=str(tmp_path / "w"))
    assert client.wait(first, timeout=30)["ys"] == [225, 225]
    assert runs(tmp_path / "w") == 1
    a, b = client.status(first).children
    assert client.describe(b)["cached_from"] == a
    again = client.submit(TwoSquares, x=15, witness=str(tmp_path / "w"))
    assert client.wait(again, timeout=30)["ys"] == [225, 225]
    assert runs(tmp_path / "w") == 1
    assert all(client.describe(c)["cached_from"] == a for c in client.status(again).children)


def test_run_of_a_cached_class_returns_the_reused_outputs(client, tmp_path):
    assert client.run(Square, x=16, witness=str(tmp_path / "w")) == {"y": 256}
    assert client.run(Square, x=16, witness=str(tmp_path / "w")) == {"y": 256}
    assert runs(tmp_path / "w") == 1
