"""A WorkChain ends in its last outline step, as in plumpy: no step of its own to end.

Each engine step is a checkpoint and a round of its host, so the step a WorkChain used
to take only to find its outline done was a sixth of a short WorkChain's cost. It is
taken still when the outline may go on (a loop's condition is evaluated again), and
when the runtime finds the state cannot be stored (so that it can fail the process).
"""

from __future__ import annotations

import pytest

from prunus import ProcessState, WorkChain, if_, while_
from prunus.engine import ProcessDriver, new_process
from prunus.engine._workchain import check_last_steps_with
from prunus.spec import Outline
from tests.engine.helpers import step_until_blocked


def one(self):
    pass


def two(self):
    pass


def holds(self):
    return True


@pytest.mark.parametrize(
    ("outline", "cursor", "ends"),
    [
        (Outline(one, two), [1, True], True),  # the last step ran
        (Outline(one, two), [0, True], False),  # one more step to go
        (Outline(one, if_(holds)(two)), [1, [0, [0, True]]], True),  # last in a branch
        (Outline(if_(holds)(one).else_(two), one), [0, [-1, [0, True]]], False),
        (Outline(one, while_(holds)(two)), [1, [0, True]], False),  # the loop goes on
        (Outline(one, two), None, False),  # not started
    ],
)
def test_an_outline_ends_after_a_cursor_only_when_nothing_can_follow(outline, cursor, ends):
    assert outline.ends_after(cursor) is ends


class Loop(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("total", valid_type=int)
        spec.outline(cls.start, while_(cls.more)(cls.advance), cls.finish)

    def start(self):
        self.ctx.i = 0

    def more(self):
        return self.ctx.i < 3

    def advance(self):
        self.ctx.i += 1

    def finish(self):
        self.out("total", self.ctx.i)


def test_a_workchain_finishes_in_the_step_of_its_last_outline_step():
    process = new_process(Loop, {})
    assert step_until_blocked(process) == 5  # start, advance x3, finish
    assert process.state is ProcessState.FINISHED
    assert process.outputs == {"total": 3}
    assert ProcessDriver(process).status().step == "finish"


def test_a_state_the_runtime_cannot_store_takes_a_step_of_its_own_to_end(monkeypatch):
    import prunus.engine._workchain as workchain

    monkeypatch.setattr(workchain, "_storable", None)
    check_last_steps_with(lambda process: False)
    process = new_process(Loop, {})
    assert step_until_blocked(process) == 6
    assert process.state is ProcessState.FINISHED
