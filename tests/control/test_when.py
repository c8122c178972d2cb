"""``submit(..., when=...)`` end to end, on the embedded runtime and on a real daemon.

Ordering is read from the timestamps the jobs' steps write (tests/conditions/jobs.py),
so it holds across OS processes.
"""

from __future__ import annotations

import threading

import pytest

from prunus import ConditionError, Pid, ProcessState
from tests.conditions.jobs import Job, Siblings, stamps
from tests.modes import settle
from tests.workflows import PausesItself


def job(client, folder, name, **options):
    return client.submit(Job, witness=str(folder / name), **options)


def test_submit_returns_a_pid_that_is_still_a_str(client, tmp_path):
    pid = job(client, tmp_path, "a")
    assert isinstance(pid, Pid) and isinstance(pid, str)
    assert client.wait(pid).state is ProcessState.FINISHED
    assert all(isinstance(p, Pid) for p in client.submit_many([(Job, {"witness": "/dev/null"})]))


def test_a_dependent_starts_only_after_its_dependencies_ended(client, tmp_path):
    a = job(client, tmp_path, "a", seconds=0.4)
    b = job(client, tmp_path, "b", seconds=0.2)
    fit = job(client, tmp_path, "fit", when=a.finished_ok & b.completed)
    assert fit in [status.pid for status in client.list()]  # recorded at once
    assert client.wait(fit, timeout=30).state is ProcessState.FINISHED
    started = stamps(tmp_path / "fit")["start"]
    assert started >= stamps(tmp_path / "a")["end"]
    assert started >= stamps(tmp_path / "b")["end"]


def test_a_pending_process_shows_what_it_waits_for_and_runs_no_step(client, tmp_path):
    gate = client.submit(PausesItself)
    settle(client, gate)
    held = job(client, tmp_path, "held", when=gate.finished_ok)
    status = client.status(held)
    assert status.state is ProcessState.CREATED
    assert status.status == f"waiting for: {gate}.finished_ok"
    settle(client, held)
    assert stamps(tmp_path / "held") == {}
    client.play(gate)
    assert client.wait(held, timeout=30).state is ProcessState.FINISHED


def test_cancellation_propagates_through_any_depth_and_a_cleanup_still_runs(client, tmp_path):
    reduction = job(client, tmp_path, "reduction", fail=True)
    fetch = job(client, tmp_path, "fetch", when=reduction.finished_ok)
    fit = job(client, tmp_path, "fit", when=fetch.finished_ok)
    report = job(client, tmp_path, "report", when=fit.finished_ok)
    cleanup = job(client, tmp_path, "cleanup", when=fit.completed)
    for pid in (fetch, fit, report):
        result = client.wait(pid, timeout=30)
        assert result.state is ProcessState.KILLED
        assert result.status.startswith("cancelled: ")
        assert stamps(tmp_path / pid) == {}
    assert client.wait(fetch).status == (
        f"cancelled: {reduction} EXCEPTED, so {reduction}.finished_ok can never hold"
    )
    assert client.wait(cleanup, timeout=30).state is ProcessState.FINISHED
    assert stamps(tmp_path / "fetch") == stamps(tmp_path / "fit") == {}


def test_a_pending_process_can_be_paused_played_and_killed_without_starting(client, tmp_path):
    gate = client.submit(PausesItself)
    settle(client, gate)
    held = job(client, tmp_path, "held", when=gate.finished_ok)
    after = job(client, tmp_path, "after", when=held.finished_ok)
    assert client.pause(held)
    assert client.status(held).paused
    assert client.play(held)
    settle(client, held)
    assert client.status(held).state is ProcessState.CREATED  # played, still held
    assert client.kill(held, "not needed")
    assert client.wait(held).state is ProcessState.KILLED
    result = client.wait(after, timeout=30)
    assert result.state is ProcessState.KILLED and result.status.startswith("cancelled: ")
    assert stamps(tmp_path / "held") == stamps(tmp_path / "after") == {}
    client.kill(gate)


def test_a_paused_pending_process_stays_paused_when_its_condition_holds(client, tmp_path):
    gate = client.submit(PausesItself)
    settle(client, gate)
    held = job(client, tmp_path, "held", when=gate.finished_ok)
    client.pause(held)
    client.play(gate)
    assert client.wait(gate, timeout=30).state is ProcessState.FINISHED
    settle(client, held)
    assert stamps(tmp_path / "held") == {}
    client.play(held)
    assert client.wait(held, timeout=30).state is ProcessState.FINISHED


def test_a_condition_naming_an_unknown_pid_is_refused_and_nothing_is_stored(client, tmp_path):
    before = len(client.list())
    refused = r"^unknown process 'nosuch' in when=nosuch\.completed$"
    with pytest.raises(ConditionError, match=refused):
        job(client, tmp_path, "x", when=Pid("nosuch").completed)
    a = job(client, tmp_path, "a")
    with pytest.raises(ConditionError, match="unknown process 'ghost'"):
        ghostly = a.completed | Pid("ghost").failed
        client.submit_many([(Job, {"witness": "/dev/null"})], when=ghostly)
    assert len(client.list()) == before + 1


def test_when_must_be_a_condition(client, tmp_path):
    with pytest.raises(ConditionError, match="when= takes a condition"):
        job(client, tmp_path, "x", when="a.completed")


def test_siblings_in_a_workchain_wait_for_each_other(client, tmp_path):
    pid = client.submit(Siblings, folder=str(tmp_path))
    result = client.wait(pid, timeout=30)
    assert result["states"] == {"first": "FINISHED", "second": "FINISHED", "cleanup": "FINISHED"}
    assert stamps(tmp_path / "second")["start"] >= stamps(tmp_path / "first")["end"]
    assert stamps(tmp_path / "cleanup")["start"] >= stamps(tmp_path / "second")["end"]


def test_a_failed_sibling_cancels_its_dependent_and_the_cleanup_runs(client, tmp_path):
    pid = client.submit(Siblings, folder=str(tmp_path), first_fails=True)
    result = client.wait(pid, timeout=30)
    assert result["states"] == {"first": "EXCEPTED", "second": "KILLED", "cleanup": "FINISHED"}
    assert stamps(tmp_path / "second") == {}


def test_defaults_apply_to_every_submit_in_the_block_and_an_explicit_option_wins(client, tmp_path):
    gate = client.submit(PausesItself)
    settle(client, gate)
    with client.defaults(when=gate.finished_ok):
        held = job(client, tmp_path, "held")
        [held_too] = client.submit_many([(Job, {"witness": str(tmp_path / "too")})])
        free = job(client, tmp_path, "free", when=None)
    assert client.wait(free, timeout=30).state is ProcessState.FINISHED
    assert client.status(held).state is ProcessState.CREATED
    assert client.status(held_too).status == f"waiting for: {gate}.finished_ok"
    unblocked = job(client, tmp_path, "after")  # the block is closed
    assert client.wait(unblocked, timeout=30).state is ProcessState.FINISHED
    client.play(gate)
    assert client.wait(held_too, timeout=30).state is ProcessState.FINISHED
    assert client.wait(held, timeout=30).state is ProcessState.FINISHED
    assert stamps(tmp_path / "too")["start"] >= stamps(tmp_path / "after")["end"]


def test_defaults_of_a_block_do_not_reach_other_threads(tmp_path):
    from prunus.control._launch_options import UNSET, LaunchDefaults

    defaults = LaunchDefaults()
    condition = Pid("a").completed
    seen = []
    with defaults.block(when=condition):
        other = threading.Thread(target=lambda: seen.append(defaults.resolve("when", UNSET)))
        other.start()
        other.join()
        assert defaults.resolve("when", UNSET) == condition
    assert seen == [None]
    unknown = pytest.raises(TypeError, match="unknown launch option 'colour'")
    with unknown, defaults.block(colour="red"):
        pass


def test_a_placement_default_nests_is_checked_when_the_block_opens_and_a_launch_wins():
    from prunus.control._launch_options import UNSET, LaunchDefaults

    defaults = LaunchDefaults()
    with defaults.block(placement={"site": "sns"}):
        assert defaults.resolve("placement", UNSET) == {"site": "sns"}
        with defaults.block(placement={"gpu": 1}):
            assert defaults.resolve("placement", UNSET) == {"gpu": 1}
            assert defaults.resolve("placement", {"site": "ornl"}) == {"site": "ornl"}
        with defaults.block(placement=None):  # the class's own requirements
            assert defaults.resolve("placement", UNSET) is None
    assert defaults.resolve("placement", UNSET) is None
    with (
        pytest.raises(TypeError, match="placement must be a mapping"),
        defaults.block(placement=["gpu"]),
    ):
        pass
    with pytest.raises(ValueError, match="give a count"), defaults.block(placement={"gpu": -1}):
        pass
