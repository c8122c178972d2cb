"""WorkChain outlines on the pure engine: steps, branches, loops, return_, ctx."""

from __future__ import annotations

import pytest

from prunus import ProcessState, ToContext, WorkChain, if_, return_, while_
from prunus.engine import ProcessDriver, ProcessResult
from tests.engine.helpers import step_until_blocked


class Branching(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("n", valid_type=int)
        spec.output("path", valid_type=str)
        spec.exit_code(401, "ERROR_NEGATIVE", "n was negative")
        spec.outline(
            cls.start,
            if_(cls.is_negative)(return_(cls.exit_codes.ERROR_NEGATIVE))
            .elif_(cls.is_zero)(cls.zero, return_)
            .else_(while_(cls.below_n)(cls.count)),
            cls.finish,
        )

    def start(self):
        self.ctx.path = ["start"]
        self.ctx.i = 0

    def is_negative(self):
        return self.inputs.n < 0

    def is_zero(self):
        return self.inputs.n == 0

    def zero(self):
        self.ctx.path.append("zero")
        self.out("path", "/".join(self.ctx.path))

    def below_n(self):
        return self.ctx.i < self.inputs.n

    def count(self):
        self.ctx.i += 1
        self.ctx.path.append(f"count{self.ctx.i}")

    def finish(self):
        self.ctx.path.append("finish")
        self.out("path", "/".join(self.ctx.path))


def run_to_end(workchain):
    step_until_blocked(workchain)
    return workchain


def test_else_branch_with_a_while_loop_runs_the_body_n_times():
    wc = run_to_end(Branching({"n": 3}))
    assert wc.state is ProcessState.FINISHED
    assert wc.outputs["path"] == "start/count1/count2/count3/finish"


def test_elif_branch_runs_and_return_ends_the_workchain_successfully():
    wc = run_to_end(Branching({"n": 0}))
    assert wc.is_successful
    assert wc.outputs["path"] == "start/zero"


def test_return_with_an_exit_code_finishes_with_that_code():
    wc = run_to_end(Branching({"n": -5}))
    assert wc.state is ProcessState.FINISHED
    assert wc.exit_code.status == 401
    assert wc.exit_code.message == "n was negative"
    assert not wc.is_successful


def test_a_step_returning_an_exit_code_ends_the_workchain():
    class Early(WorkChain):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.exit_code(410, "ERROR_EARLY", "stopped early")
            spec.outline(cls.first, cls.second)

        def first(self):
            return self.exit_codes.ERROR_EARLY

        def second(self):
            raise AssertionError("must not run")

    wc = run_to_end(Early())
    assert wc.exit_code.status == 410


def test_a_step_returning_an_unexpected_value_excepts_with_a_clear_reason():
    class Odd(WorkChain):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.outline(cls.first)

        def first(self):
            return "twelve"

    wc = run_to_end(Odd())
    assert wc.state is ProcessState.EXCEPTED
    assert "step first returned 'twelve'" in str(wc.exception())


def test_a_workchain_without_an_outline_finishes_at_once():
    wc = run_to_end(WorkChain())
    assert wc.state is ProcessState.FINISHED


def test_the_status_names_the_current_outline_step():
    wc = Branching({"n": 1})
    ProcessDriver(wc).step()
    assert ProcessDriver(wc).status().step == "start"
    ProcessDriver(wc).step()
    assert ProcessDriver(wc).status().step == "count"


def test_the_outline_is_part_of_the_description():
    description = Branching.spec().get_description()
    assert description["outline"][0] == "start"
    assert description["outline"][-1] == "finish"
    assert set(description) >= {"inputs", "outputs", "outline"}


class Parent(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.outline(cls.launch, cls.collect)

    def launch(self):
        first = self.submit(Branching, n=1)
        second = self.submit(Branching, n=2)
        return ToContext(one=first, two=second)

    def collect(self):
        self.ctx.paths = [self.ctx.one["path"], self.ctx.two["path"]]


def child_result(pid, path):
    return ProcessResult(pid, ProcessState.FINISHED, {"path": path})


def test_submitted_children_get_deterministic_pids_and_the_parent_waits_for_them():
    parent = Parent(pid="p")
    step_until_blocked(parent)
    assert parent.state is ProcessState.WAITING
    launches, _ = ProcessDriver(parent).take_effects()
    assert [child.pid for child in launches] == ["p.0", "p.1"]
    assert all(child.parent_pid == "p" for child in launches)
    ProcessDriver(parent).child_finished(child_result("p.1", "b"))
    assert parent.state is ProcessState.WAITING
    ProcessDriver(parent).child_finished(child_result("p.0", "a"))
    assert parent.state is ProcessState.RUNNING
    step_until_blocked(parent)
    assert parent.state is ProcessState.FINISHED
    assert parent.ctx.paths == ["a", "b"]
    assert parent.ctx.one.pid == "p.0"
    assert parent.ctx.one.is_finished_ok


def test_child_results_from_strangers_are_ignored():
    parent = Parent(pid="p")
    step_until_blocked(parent)
    ProcessDriver(parent).child_finished(child_result("q.0", "x"))
    ProcessDriver(parent).child_finished(child_result("p.0", "a"))
    assert parent.state is ProcessState.WAITING


def test_to_context_of_a_pid_that_is_not_a_child_excepts():
    class Greedy(WorkChain):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.outline(cls.grab)

        def grab(self):
            return ToContext(x="someone-else")

    wc = run_to_end(Greedy())
    assert wc.state is ProcessState.EXCEPTED
    assert "not a child" in str(wc.exception())


def test_invalid_child_inputs_fail_the_parent_step_with_the_port_path():
    class BadParent(WorkChain):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.outline(cls.launch)

        def launch(self):
            self.submit(Branching, n="many")

    wc = run_to_end(BadParent())
    assert wc.state is ProcessState.EXCEPTED
    assert "'n'" in str(wc.exception())
    assert ProcessDriver(wc).take_effects()[0] == []


@pytest.mark.parametrize("n", [0, 1, 4])
def test_ctx_holds_values_set_in_conditions_and_steps(n):
    wc = run_to_end(Branching({"n": n}))
    assert wc.ctx.i == n
