"""Hypothesis: any outline runs exactly as the reference interpreter says."""

from __future__ import annotations

from hypothesis import given, settings

from prunus import ProcessState
from prunus.engine import ProcessDriver
from tests.engine.helpers import step_until_blocked
from tests.outlines import build_workchain, number_steps, outcomes, outlines, reference_run


@settings(max_examples=150, deadline=None)
@given(tree=outlines, answers=outcomes)
def test_random_outlines_run_the_steps_the_reference_interpreter_runs(tree, answers):
    block = number_steps(tree)
    expected_trace, expected_status = reference_run(block, answers)
    workchain = build_workchain(block, answers)()
    step_until_blocked(workchain)
    assert workchain.state is ProcessState.FINISHED
    assert workchain.ctx.get("trace", []) == expected_trace
    assert workchain.exit_code.status == expected_status


@settings(max_examples=50, deadline=None)
@given(tree=outlines, answers=outcomes)
def test_the_outline_cursor_is_plain_data_at_every_step(tree, answers):
    workchain = build_workchain(number_steps(tree), answers)()

    def plain(value):
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or type(value) in (int, bool)

    while ProcessDriver(workchain).runnable:
        ProcessDriver(workchain).step()
        assert plain(workchain._prunus.outline_cursor)
