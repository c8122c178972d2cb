"""What a process says about itself: the read-only half of :class:`Process`.

State, status, inputs and outputs, how it ended (plumpy's ``successful()``,
``killed()``, ``exception()``, ...). Nothing here changes the process but
``set_status`` and the lazily made ``logger``; the actions are in
:mod:`prunus.engine._process`, the transitions in :mod:`prunus.engine._machine`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from prunus._attributes_dict import AttributesDict, FrozenAttributesDict, frozen_tree, plain_tree
from prunus.engine._failure import StoredError
from prunus.engine._process_logger import process_logger
from prunus.engine._states import ProcessState
from prunus.errors import InvalidStateError, ProcessFailedError
from prunus.spec import ExitCode

if TYPE_CHECKING:
    from prunus.engine._process import Process

__all__ = ["ProcessView"]


class ProcessView:
    """Mixin of :class:`Process`: needs ``_prunus`` (the core), ``_prunus_inputs``,
    ``_prunus_raw_inputs`` and ``spec()``."""

    _prunus: Any
    _prunus_inputs: FrozenAttributesDict
    _prunus_raw_inputs: dict[str, Any]

    @property
    def pid(self) -> str:
        return self._prunus.pid

    @property
    def parent_pid(self) -> str | None:
        return self._prunus.parent

    @property
    def state(self) -> ProcessState:
        return self._prunus.state

    @property
    def paused(self) -> bool:
        return self._prunus.paused

    @property
    def status(self) -> str | None:
        """The human status message: a Wait's message, a kill reason, an error."""
        return self._prunus.status

    @property
    def inputs(self) -> FrozenAttributesDict:
        """The validated inputs, defaults filled in; read-only (nested namespaces too)."""
        return self._prunus_inputs

    @property
    def raw_inputs(self) -> FrozenAttributesDict:
        """The inputs as they were given at launch, before defaults were filled in."""
        raw = plain_tree(self._prunus_raw_inputs)
        for path in self._prunus.defaulted:
            *parents, leaf = path.split(".")
            target = raw
            for part in parents:
                target = target.get(part, {})
            target.pop(leaf, None)
        return frozen_tree(raw)

    @property
    def logger(self) -> logging.Logger:
        """This process's logger: its INFO lines and above also go to its report
        (``prunus process report``), prefixed with the level unless INFO."""
        core = self._prunus
        if core.logger is None:
            core.logger = process_logger(self)
        return core.logger

    def set_status(self, status: str | None) -> None:
        """Set the human status message (shown by ``status``/``list``; checkpointed)."""
        self._prunus.status = status

    @property
    def outputs(self) -> dict[str, Any]:
        return self._prunus.outputs

    @property
    def exit_code(self) -> ExitCode | None:
        return self._prunus.exit_code

    @property
    def is_successful(self) -> bool:
        """FINISHED with exit status 0; False in any other state."""
        core = self._prunus
        return core.state is ProcessState.FINISHED and (
            core.exit_code is None or core.exit_code.status == 0
        )

    def successful(self) -> bool:
        """Whether a FINISHED process finished successfully.

        Raises:
            InvalidStateError: it is not FINISHED.
        """
        if self._prunus.state is not ProcessState.FINISHED:
            raise InvalidStateError(
                f"process {self.pid} is not FINISHED ({self._prunus.state.name})"
            )
        return self.is_successful

    @property
    def is_excepted(self) -> bool:
        return self._prunus.state is ProcessState.EXCEPTED

    def killed(self) -> bool:
        return self._prunus.state is ProcessState.KILLED

    def killed_msg(self) -> str | None:
        """The kill message (the status of a KILLED process).

        Raises:
            InvalidStateError: it was not killed.
        """
        if self._prunus.state is not ProcessState.KILLED:
            raise InvalidStateError(f"process {self.pid} has not been killed")
        return self._prunus.status

    def has_terminated(self) -> bool:
        return self._prunus.state.is_terminal

    is_terminated = property(has_terminated)

    def get_name(self) -> str:
        return type(self).__name__

    def result(self) -> Any:
        """The value the process stopped with; re-raises how it failed otherwise."""
        from prunus.errors import KilledError

        core = self._prunus
        if core.state is ProcessState.FINISHED:
            return core.result
        if core.state is ProcessState.KILLED:
            raise KilledError(core.status or f"process {core.pid} was killed")
        if core.state is ProcessState.EXCEPTED:
            error = self.exception()
            assert error is not None
            raise error
        raise InvalidStateError(f"process {core.pid} has not terminated ({core.state.name})")

    def exception(self) -> BaseException | None:
        """The error that made the process EXCEPTED, else None.

        The very object raised, in the OS process where it was raised; after a restore
        from a checkpoint, the original type rebuilt (where it imports, with its
        message and ``.prunus_traceback``), else a ``ProcessFailedError`` carrying the
        type name, message and traceback text.
        """
        core = self._prunus
        if core.state is not ProcessState.EXCEPTED:
            return None
        if core.error is None:
            stored = StoredError.from_data(core.failure)
            core.error = (
                stored.rebuild()
                if stored is not None
                else ProcessFailedError(
                    f"process {core.pid} excepted: {core.exception}",
                    error_message=core.exception or "",
                    traceback=core.traceback or "",
                )
            )
        return core.error

    def exposed_inputs(
        self, process_class: type[Process], namespace: str | None = None
    ) -> AttributesDict:
        """The inputs this process received for the ports it exposed from ``process_class``.

        Pass the result straight on: ``self.submit(Child, **self.exposed_inputs(Child, 'child'))``.
        """
        names = self.spec().exposed_input_names(process_class, namespace)
        source: Mapping[str, Any] = self.inputs
        for part in (namespace or "").split(".") if namespace else ():
            source = source.get(part, {})
        return AttributesDict({name: source[name] for name in names if name in source})
