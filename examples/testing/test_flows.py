"""Testing your own workflows with prunus's pytest plugin (installed with prunus).

Run with ``pytest examples/testing``. The fixtures come from the plugin: no conftest.py
is needed. ``prunus_client`` is a durable embedded client in a fresh home per test;
``prunus_daemon_client`` talks to one real daemon started for the whole session (and
stopped after it, leaving no process behind).
"""

from __future__ import annotations

from flows import Square, SumSquares

from prunus import Client
from prunus.testing import assert_finished_ok, assert_tree, run_to_end


def test_sum_squares_adds_the_squares_of_its_values(prunus_client):
    result = run_to_end(prunus_client, SumSquares, xs=[1, 2, 3])
    assert_finished_ok(result)
    assert result["total"] == 14
    assert_tree(
        prunus_client,
        result.pid,
        """
        SumSquares FINISHED
          Square FINISHED
          Square FINISHED
          Square FINISHED
        """,
    )


def test_a_failing_square_shows_in_the_tree_and_is_left_out_of_the_total(prunus_client):
    result = run_to_end(prunus_client, SumSquares, xs=[2, -1])
    assert result["total"] == 4
    assert_tree(
        prunus_client,
        result.pid,
        """
        SumSquares FINISHED
          Square FINISHED
          Square EXCEPTED
        """,
    )


def test_a_square_of_a_negative_number_fails_with_the_reason(prunus_client):
    result = run_to_end(prunus_client, Square, x=-3)
    assert result.is_excepted and "refusing to square -3" in result.exception


def test_a_workflow_resumes_from_its_home_after_the_client_is_closed(prunus_home):
    with Client(prunus_home) as client:
        pid = client.submit(SumSquares, xs=[4, 5])  # checkpointed, not yet run
    with Client(prunus_home) as client:  # a new runtime resumes it from LMDB
        assert client.wait(pid, timeout=30)["total"] == 41


def test_the_daemon_runs_the_same_workflow_by_its_module_path(prunus_daemon_client):
    result = run_to_end(prunus_daemon_client, "flows:SumSquares", xs=[1, 2])
    assert_finished_ok(result)
    assert result["total"] == 5
    assert_tree(
        prunus_daemon_client,
        result.pid,
        """
        SumSquares FINISHED
          Square FINISHED
          Square FINISHED
        """,
    )
