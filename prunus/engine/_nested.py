"""Synchronous nested calls: a process called from inside another process's step.

A step that calls a ``@prunus.function`` runs it at once, in the same host, as a REAL
child of the stepping process: its pid is ``<parent>.<n>`` from the parent's launch
counter (so a replayed step derives the same pid), it is in the parent's children, and
the host stores its record, checkpoint, outputs and report lines. Who runs the child is
a :class:`NestedRunner` the host installs around each step (:func:`using_runner`); it
returns a child's stored result instead of running it again when the child already
ended before a crash. Without a host (a test driving a process by hand) the child runs
in memory.

Why this is the only synchronous call: the other ways to run a process from a step
(``prunus.run``, ``execute``, ``Client``) start a private runtime (the child is then
invisible, has no checkpoint, cannot be killed) or, in a daemon, ask for a host while
this one is held by the step (a deadlock once every host holds such a parent). They
call :func:`refuse_inside_step`, which says so in one line.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol

from prunus.engine._records import ProcessResult
from prunus.errors import InvalidStateError

if TYPE_CHECKING:
    from prunus.engine._process import Process

__all__ = [
    "NestedRunner",
    "call_nested",
    "current_step",
    "enter_runner",
    "enter_step",
    "leave_runner",
    "leave_step",
    "refuse_inside_step",
    "stepping",
    "using_runner",
]

# The process whose step is running in this thread (None between steps).
_stepping: ContextVar[Process | None] = ContextVar("prunus_stepping", default=None)
# Who runs nested children here; installed by a host around a cell's step.
_runner: ContextVar[NestedRunner | None] = ContextVar("prunus_nested_runner", default=None)


class NestedRunner(Protocol):
    """Runs a child called from a step to its end and returns how it ended."""

    def run_nested(self, child: Process) -> ProcessResult: ...


def current_step() -> Process | None:
    """The process whose step is running in this thread, if any."""
    return _stepping.get()


class _Setting:
    """``with``: a context variable holds ``value`` inside the block. A class rather
    than a generator (``contextmanager``): it wraps every step, and costs a third."""

    __slots__ = ("_token", "_value", "_variable")

    def __init__(self, variable: ContextVar[Any], value: Any) -> None:
        self._variable, self._value = variable, value

    def __enter__(self) -> None:
        self._token = self._variable.set(self._value)

    def __exit__(self, *exc_info: object) -> None:
        self._variable.reset(self._token)


def stepping(process: Process) -> _Setting:
    """Mark ``process``'s step as running (the engine wraps every step in this)."""
    return _Setting(_stepping, process)


def enter_step(process: Process) -> Any:
    """The fast form of :func:`stepping` for the step loop: returns the token to pass
    to :func:`leave_step` (a ``try``/``finally`` costs less than a ``with``)."""
    return _stepping.set(process)


leave_step = _stepping.reset


def using_runner(runner: NestedRunner) -> _Setting:
    """Run the nested calls of the steps inside this block with ``runner``."""
    return _Setting(_runner, runner)


def enter_runner(runner: NestedRunner) -> Any:
    """The fast form of :func:`using_runner` for a host's step loop: returns the
    token to pass to :func:`leave_runner`."""
    return _runner.set(runner)


leave_runner = _runner.reset


def refuse_inside_step(what: str) -> None:
    """Raise if called from a step: ``what`` would start a private runtime or deadlock.

    Raises:
        InvalidStateError: one line naming the process and what to do instead.
    """
    process = _stepping.get()
    if process is not None:
        raise InvalidStateError(
            f"{what} cannot be used inside a step of process {process.pid}: call a "
            "@prunus.function directly (the one synchronous nested call) or launch a "
            "child with self.submit(...) and await it"
        )


def call_nested(process_class: type[Process], inputs: dict[str, Any]) -> ProcessResult:
    """Run ``process_class`` as a child of the stepping process, now, to its end.

    Raises:
        InvalidStateError: no step is running in this thread.
        PortValidationError: the inputs do not fit the child's spec (no child is made).
    """
    from prunus.engine._process import child_pid, new_process

    parent = _stepping.get()
    if parent is None:
        raise InvalidStateError("a nested call needs a running step")
    core = parent._prunus
    pid = child_pid(core.pid, core.launch_count)
    child = new_process(process_class, inputs, pid=pid, parent_pid=core.pid)
    core.launch_count += 1
    core.children.append(pid)
    runner = _runner.get() or _IN_MEMORY
    return runner.run_nested(child)


class _InMemoryRunner:
    """Runs a nested child with nothing stored: a process driven without a host."""

    def run_nested(self, child: Process) -> ProcessResult:
        from prunus.engine._driver import ProcessDriver

        driver = ProcessDriver(child)
        while driver.runnable:
            driver.step()
        if not child.has_terminated():
            driver.fail(nested_wait_error(child))
        driver.take_effects()
        return driver.result()


def nested_wait_error(child: Process) -> InvalidStateError:
    """Why a nested child that went WAITING (or paused) is failed."""
    return InvalidStateError(
        f"nested call {child.pid} ({child.qualified_name()}) did not finish in its "
        f"step ({child.state.name}): a nested call cannot wait; launch it with "
        "self.submit(...) instead"
    )


_IN_MEMORY = _InMemoryRunner()
