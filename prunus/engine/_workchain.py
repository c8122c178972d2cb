"""The WorkChain: a Process whose outline is the program and whose state lives in ctx.

Each engine step advances the outline cursor to the next step function and calls it.
A step that launched children and put them in the context (``ToContext``,
``to_context``) makes the WorkChain WAIT; it resumes when every awaited child has sent
its result, and ``ctx.<name>`` then holds that child's :class:`ProcessResult`.
Awaited results are applied in the order they were awaited, not the order children
happened to finish, so a replayed WorkChain builds the same ``ctx``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prunus._attributes_dict import AttributesDict
from prunus.engine._commands import Command, Continue, Stop, UnsuccessfulResult, Wait
from prunus.engine._machine import OutlineDriven
from prunus.engine._process import Process
from prunus.engine._records import ProcessResult
from prunus.engine._states import ProcessState
from prunus.errors import InvalidStateError
from prunus.spec import ExitCode, WorkChainSpec

__all__ = ["ToContext", "WorkChain", "append_", "check_last_steps_with"]

# Whether a WorkChain's state can be stored (set by the runtime, which stores it).
_storable: Callable[[Any], bool] | None = None


def check_last_steps_with(storable: Callable[[Any], bool] | None) -> None:
    """A WorkChain whose last outline step ran ends in that step, as in plumpy (a step
    less than ending in a step of its own), but only if ``storable(workchain)``: a
    state that cannot be stored must fail the process, which an ended one cannot do,
    so it takes the step of its own and the runtime fails it there."""
    global _storable
    _storable = storable


class ToContext(dict):
    """Returned from a step: ``ToContext(name=child_pid)`` awaits the child into ctx.name."""


class _Append:
    """Marks an awaited child whose result is appended to a list in ctx."""

    __slots__ = ("pid",)

    def __init__(self, pid: str) -> None:
        self.pid = pid

    def __repr__(self) -> str:
        return f"append_({self.pid!r})"


def append_(pid: str) -> _Append:
    """Await ``pid`` and append its result to the ctx list instead of replacing it."""
    return _Append(pid)


class WorkChain(OutlineDriven, Process):
    """A Process driven by ``spec.outline(...)``; keep state in ``self.ctx``."""

    _prunus_spec_type = WorkChainSpec

    @property
    def ctx(self) -> AttributesDict:
        """Persisted per-process context; instance attributes are not checkpointed."""
        return self._prunus.ctx

    def to_context(self, **awaitables: Any) -> None:
        """Await children: ``self.to_context(result=pid)`` or ``items=append_(pid)``."""
        core = self._prunus
        for key, value in awaitables.items():
            append = isinstance(value, _Append)
            pid = value.pid if append else value
            if not isinstance(pid, str):
                raise TypeError(
                    f"to_context('{key}') takes the pid returned by submit(), got {pid!r}"
                )
            if pid not in core.children:
                raise InvalidStateError(
                    f"to_context('{key}'): {pid} is not a child of process {core.pid}"
                )
            core.awaiting.append([key, pid, append])

    def run(self) -> Any:
        return self._prunus_do_step()

    def _prunus_then(self, then: Any) -> Any:
        # ``return self.sleep(s)`` from a step: the outline goes on after the wait
        return self._prunus_do_step if then is None else then

    def _prunus_do_step(self) -> Any:
        core = self._prunus
        outline = self.spec().get_outline()  # type: ignore[attr-defined]
        action, cursor = outline.advance(core.outline_cursor, self)
        core.outline_cursor = cursor
        if action.kind == "done":
            return Stop(None, True)
        if action.kind == "return":
            return self._prunus_exit_code(action.exit_code)
        core.step_name = action.fn.__name__
        returned = action.fn(self)
        if returned is None:
            pass  # (most steps)
        elif isinstance(returned, ToContext):
            self.to_context(**returned)
        elif isinstance(returned, int) and not isinstance(returned, bool):
            return self._prunus_exit_code(returned)  # an int is an exit status (plumpy)
        elif isinstance(returned, (ExitCode, Command, UnsuccessfulResult)) and not isinstance(
            returned, Continue
        ):
            return returned
        elif returned is not None:
            raise TypeError(
                f"step {core.step_name} returned {returned!r}; a step returns None, "
                "an ExitCode or an int exit status, ToContext(...), Stop or Kill"
            )
        if core.awaiting and not self._prunus_awaits_ready():
            pids = [pid for _, pid, _ in core.awaiting]
            return Wait(self._prunus_do_step, f"Waiting for: {', '.join(pids)}", pids)
        self._prunus_apply_awaited()
        if outline.ends_after(cursor) and (_storable is None or _storable(self)):
            core.outline_cursor = None  # (as the outline's "done" leaves it)
            return Stop(None, True)  # see check_last_steps_with
        return Continue(self._prunus_do_step)

    def _prunus_exit_code(self, code: ExitCode | int | None) -> ExitCode:
        """``return_``/``return_(code)`` and int step results as an ExitCode: a status
        declared with ``spec.exit_code`` keeps its label and message."""
        if code is None:
            return ExitCode(status=0)
        if isinstance(code, ExitCode):
            return code
        if isinstance(code, bool) or not isinstance(code, int):
            raise TypeError(f"an exit status is an int or an ExitCode, got {code!r}")
        for declared in self.exit_codes.values():
            if declared.status == code:
                return declared
        return ExitCode(status=code, message=None if code == 0 else f"exit status {code}")

    def resume(self, *args: Any, **kwargs: Any) -> None:
        """Wake a WAITING WorkChain that waits on a plain ``Wait`` (not on children).

        Raises:
            InvalidStateError: it waits for children (it resumes by itself when they
                have ended), or it is not WAITING.
        """
        core = self._prunus
        if core.state is ProcessState.WAITING and core.awaiting:
            pids = ", ".join(pid for _, pid, _ in core.awaiting)
            raise InvalidStateError(
                f"cannot resume process {core.pid}: it waits for its children ({pids}) "
                "and resumes by itself when they have ended"
            )
        super().resume(*args, **kwargs)

    def _prunus_awaits_ready(self) -> bool:
        results = self._prunus.child_results
        return all(pid in results for _, pid, _ in self._prunus.awaiting)

    def _prunus_apply_awaited(self) -> None:
        core = self._prunus
        for key, pid, append in core.awaiting:
            result: ProcessResult = core.child_results.pop(pid)
            core.consumed.append(pid)
            *parents, leaf = key.split(".")
            target = core.ctx
            for part in parents:
                target = target.setdefault(part, AttributesDict())
            if append:
                target.setdefault(leaf, []).append(result)
            else:
                target[leaf] = result
        core.awaiting = []

    def _prunus_child_finished(self, result: ProcessResult) -> None:
        super()._prunus_child_finished(result)
        core = self._prunus
        if core.state is ProcessState.WAITING and core.awaiting and self._prunus_awaits_ready():
            self._prunus_apply_awaited()
            super().resume()
