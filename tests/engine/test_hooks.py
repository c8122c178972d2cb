"""Template hooks on the process class: when they run, the super() rule, and restore."""

from __future__ import annotations

import pytest

from prunus import MissingSuperCallError, Process, ProcessListener, ProcessState, Wait
from prunus.engine import load_process, save_process
from prunus.engine._hooks import HOOKS
from tests.engine.helpers import step_until_blocked


class Recording(Process):
    """Records every hook (calling super() in each), waits once, then finishes."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("done", valid_type=bool, required=False)

    def run(self):
        self.hooks.append("STEP run")
        return Wait(self.finish, "until resumed", data="what I wait for")

    def finish(self):
        self.hooks.append("STEP finish")
        self.out("done", True)

    @property
    def hooks(self):
        return self.__dict__.setdefault("_hooks", [])


def _recorder(name):
    def hook(self, *args):
        getattr(super(Recording, self), name)(*args)
        shown = [a.name if isinstance(a, ProcessState) else a for a in args]
        self.hooks.append(name + (f" {shown}" if shown else ""))

    return hook


for _name in HOOKS:
    setattr(Recording, _name, _recorder(_name))


class Listener(ProcessListener):
    def __init__(self, hooks):
        self.hooks = hooks

    def on_process_running(self, process):
        self.hooks.append("LISTENER running")


def test_hooks_run_in_plumpys_order_around_each_transition_and_before_listeners():
    process = Recording()
    assert process.hooks == ["init", "on_entering ['CREATED']", "on_create", "on_entered [None]"]
    process.hooks.clear()
    process.add_process_listener(Listener(process.hooks))
    step_until_blocked(process)
    assert process.hooks == [
        "on_exiting",
        "on_entering ['RUNNING']",
        "on_run",
        "on_entered ['CREATED']",
        "on_running",
        "LISTENER running",
        "STEP run",
        "on_exiting",
        "on_exit_running",
        "on_entering ['WAITING']",
        "on_wait ['what I wait for']",
        "on_entered ['RUNNING']",
        "on_waiting",
    ]
    process.hooks.clear()
    process.pause("hold")
    process.play()
    process.resume()
    step_until_blocked(process)
    assert process.hooks == [
        "on_pausing ['hold']",
        "on_paused ['hold']",
        "on_playing",
        "on_exiting",
        "on_exit_waiting",
        "on_entering ['RUNNING']",
        "on_run",
        "on_entered ['WAITING']",
        "on_running",
        "LISTENER running",
        "STEP finish",
        "on_output_emitting ['done', True]",
        "on_output_emitted ['done', True, False]",
        "on_exiting",
        "on_exit_running",
        "on_entering ['FINISHED']",
        "on_finish [None, True]",
        "on_entered ['RUNNING']",
        "on_finished",
        "on_terminated",
        "on_close",
    ]


def test_kill_and_except_hooks_receive_the_message_and_the_exc_info():
    killed = Recording()
    killed.hooks.clear()
    killed.kill("enough")
    assert killed.hooks[-6:] == [
        "on_entering ['KILLED']",
        "on_kill ['enough']",
        "on_entered ['CREATED']",
        "on_killed",
        "on_terminated",
        "on_close",
    ]

    class Fails(Recording):
        def run(self):
            raise ValueError("no")

    failed = Fails()
    step_until_blocked(failed)
    entering = next(h for h in failed.hooks if h.startswith("on_except "))
    assert "ValueError" in entering and "'no'" in entering
    assert failed.hooks[-3:] == ["on_excepted", "on_terminated", "on_close"]


def test_an_override_that_does_not_call_super_fails_the_process_naming_the_hook():
    class Forgets(Process):
        def on_running(self):
            pass  # no super().on_running()

    process = Forgets()
    step_until_blocked(process)
    assert process.state is ProcessState.EXCEPTED
    error = process.exception()
    assert isinstance(error, MissingSuperCallError) and isinstance(error, AssertionError)
    assert "Forgets.on_running did not call super().on_running(...)" in str(error)


def test_an_on_create_without_super_is_an_error_at_construction():
    class ForgetsCreate(Process):
        def on_create(self):
            self.made = True

    with pytest.raises(MissingSuperCallError, match=r"ForgetsCreate.on_create did not call super"):
        ForgetsCreate()


def test_an_error_in_on_finish_makes_the_process_excepted_instead_of_finished():
    class Refuses(Process):
        def on_finish(self, result, successful):
            super().on_finish(result, successful)
            raise RuntimeError("results look wrong")

    process = Refuses()
    step_until_blocked(process)
    assert process.state is ProcessState.EXCEPTED
    assert str(process.exception()) == "results look wrong"
    assert process.exit_code is None


def test_a_hook_failing_on_a_control_from_outside_a_step_fails_the_process_not_the_caller():
    class BadPause(Process):
        def on_paused(self, msg=None):
            super().on_paused(msg)
            raise RuntimeError("cannot pause now")

    process = BadPause()
    assert process.pause() is True
    assert process.state is ProcessState.EXCEPTED
    assert "cannot pause now" in process.status


def test_on_restore_only_init_runs_and_later_transitions_run_their_hooks():
    process = Recording()
    step_until_blocked(process)  # WAITING now
    restored = load_process(save_process(process))
    assert restored.hooks == ["init"]
    restored.resume()
    step_until_blocked(restored)
    assert restored.state is ProcessState.FINISHED
    assert restored.hooks[1:6] == [
        "on_exiting",
        "on_exit_waiting",
        "on_entering ['RUNNING']",
        "on_run",
        "on_entered ['WAITING']",
    ]
    assert "STEP finish" in restored.hooks and restored.hooks[-1] == "on_close"


def test_init_sets_up_what_checkpoints_do_not_hold_after_create_and_after_restore():
    class Connects(Process):
        def init(self):
            super().init()
            self.connection = f"connection of {self.pid}"

        def run(self):
            return Wait(self.done)

        def done(self):
            return self.connection

    process = Connects()
    step_until_blocked(process)
    restored = load_process(save_process(process), Connects)
    restored.resume()
    step_until_blocked(restored)
    assert restored.result() == f"connection of {process.pid}"


def test_classes_without_hooks_of_their_own_call_none():
    assert Process._prunus_user_hooks() == frozenset()
    assert "on_run" in Recording._prunus_user_hooks()


def test_an_error_in_on_entered_after_an_ending_makes_the_process_excepted_instead():
    class RaisesOnEntered(Process):
        def on_entered(self, from_state):
            super().on_entered(from_state)
            if from_state is not None and from_state.label is ProcessState.RUNNING:
                raise RuntimeError("exception during on_entered")

    seen = []

    class Sees(ProcessListener):
        def on_process_finished(self, process, outputs):
            seen.append("finished")

        def on_process_excepted(self, process, reason):
            seen.append(reason)

    process = RaisesOnEntered(listeners=[Sees()])
    with pytest.raises(RuntimeError, match="exception during on_entered"):
        process.execute()
    assert process.is_excepted and not process.is_successful
    assert seen == ["RuntimeError: exception during on_entered"]  # never "finished"


def test_a_kill_whose_on_kill_forgets_super_ends_excepted():
    class ForgetsKill(Process):
        def on_kill(self, msg):
            pass

    process = ForgetsKill()
    assert process.kill() is True
    assert process.is_excepted and "on_kill did not call super" in process.status
