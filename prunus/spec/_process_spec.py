"""The spec of a process class: its input and output namespaces and its exit codes.

Every process class builds one in ``define(spec)`` and the engine seals it, so a spec is
a declaration read at each launch, never changed by one. Subclasses (the WorkChain's
spec) add declarations of their own and guard them with :meth:`ProcessSpec._check_open`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from prunus.errors import PortValidationError, _describe
from prunus.spec._cache import CacheSettings
from prunus.spec._exit_code import ExitCode, ExitCodesNamespace
from prunus.spec._namespace import PortNamespace
from prunus.spec._ports import InputPort, OutputPort, Port

__all__ = ["ProcessSpec"]


def _class_key(process_class: type) -> str:
    return f"{process_class.__module__}.{process_class.__qualname__}"


class ProcessSpec:
    """What a process takes, what it gives and how it can end.

    The port classes are class attributes so that a subclass can swap in its own port
    types without overriding the declaration methods.
    """

    NAME_INPUTS_PORT_NAMESPACE: str = "inputs"  # plumpy's names of the two roots
    NAME_OUTPUTS_PORT_NAMESPACE: str = "outputs"
    namespace_separator: str = "."  # how port paths are written: 'params.cutoff'
    INPUT_PORT_TYPE: type[InputPort] = InputPort
    OUTPUT_PORT_TYPE: type[OutputPort] = OutputPort
    PORT_NAMESPACE_TYPE: type[PortNamespace] = PortNamespace

    def __init__(self) -> None:
        # The roots are unnamed so that error paths read 'params.cutoff', not
        # 'inputs.params.cutoff': a user passes the mapping, not an 'inputs' key.
        self._inputs = self.PORT_NAMESPACE_TYPE()
        self._outputs = self.PORT_NAMESPACE_TYPE()
        self._exit_codes = ExitCodesNamespace()
        self._sealed = False
        # (qualified class name, namespace) -> names of the direct children exposed.
        self._exposed_inputs: dict[tuple[str, str | None], list[str]] = {}
        self._exposed_outputs: dict[tuple[str, str | None], list[str]] = {}
        self._cache_settings: CacheSettings | None = None
        self._requirements: dict[str, int | str] = {}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(inputs={list(self._inputs)}, "
            f"outputs={list(self._outputs)}, exit_codes={list(self._exit_codes)})"
        )

    # -- state ------------------------------------------------------------------------

    @property
    def inputs(self) -> PortNamespace:
        return self._inputs

    @property
    def outputs(self) -> PortNamespace:
        return self._outputs

    @property
    def exit_codes(self) -> ExitCodesNamespace:
        return self._exit_codes

    @property
    def sealed(self) -> bool:
        return self._sealed

    @property
    def cache_settings(self) -> CacheSettings | None:
        """The memoization settings from :meth:`cacheable`, or None (not cacheable)."""
        return self._cache_settings

    def seal(self) -> None:
        """Refuse further declarations; the engine calls this once ``define`` returns.

        Raises:
            ValueError: a ``cacheable(ignore=...)`` path names no input port (checked
                here, when every port is declared, so define() may list them in any
                order).
        """
        if self._cache_settings is not None:
            for path in self._cache_settings.ignore:
                if not self._inputs.has_port(path):
                    known = ", ".join(self._inputs) or "none"
                    raise ValueError(
                        f"spec.cacheable(ignore=...): {path!r} is not an input port; "
                        f"the inputs are: {known}"
                    )
        self._sealed = True

    def _check_open(self) -> None:
        """Raise if sealed; call it first in every method that declares something."""
        if self._sealed:
            raise RuntimeError(
                "spec is sealed: declare ports, exit codes and exposes inside define()"
            )

    # -- declaring --------------------------------------------------------------------

    def _create_port(
        self, root: PortNamespace, port_class: type[Port], name: str, **kwargs: Any
    ) -> Port:
        self._check_open()
        parent, _, leaf = name.rpartition(PortNamespace.NAMESPACE_SEPARATOR)
        namespace = root.create_port_namespace(parent) if parent else root
        return namespace.add_port(port_class(leaf, **kwargs))

    def input(self, name: str, **kwargs: Any) -> InputPort:
        """Declare an input; a dotted name creates the namespaces on the way."""
        return self._create_port(self._inputs, self.INPUT_PORT_TYPE, name, **kwargs)

    def output(self, name: str, **kwargs: Any) -> OutputPort:
        """Declare an output; a dotted name creates the namespaces on the way."""
        return self._create_port(self._outputs, self.OUTPUT_PORT_TYPE, name, **kwargs)

    def input_namespace(self, name: str, **kwargs: Any) -> PortNamespace:
        """Declare an input namespace, replacing any port or namespace of that name."""
        return self._create_port(self._inputs, self.PORT_NAMESPACE_TYPE, name, **kwargs)

    def output_namespace(self, name: str, **kwargs: Any) -> PortNamespace:
        """Declare an output namespace, replacing any port or namespace of that name."""
        return self._create_port(self._outputs, self.PORT_NAMESPACE_TYPE, name, **kwargs)

    def has_input(self, name: str) -> bool:
        """Whether the (dotted) input name is declared."""
        return self._inputs.has_port(name)

    def has_output(self, name: str) -> bool:
        """Whether the (dotted) output name is declared."""
        return self._outputs.has_port(name)

    def exit_code(
        self, status: int, label: str, message: str, invalidates_cache: bool = False
    ) -> ExitCode:
        """Declare a way to fail, reachable as ``spec.exit_codes.<label>``.

        Raises:
            ValueError: a negative or non-int status, a label that is not an
                identifier or that shadows a mapping method, or a label or status that
                is already declared.
        """
        self._check_open()
        if not isinstance(status, int) or isinstance(status, bool) or status < 0:
            raise ValueError(f"exit code status must be an int >= 0, got {_describe(status)}")
        if not isinstance(label, str) or not label.isidentifier():
            raise ValueError(f"exit code label must be an identifier, got {_describe(label)}")
        if hasattr(ExitCodesNamespace, label):
            raise ValueError(
                f"exit code label {label!r} would be hidden by the mapping method of that "
                "name; choose another (labels are usually UPPER_CASE)"
            )
        if not isinstance(message, str):
            raise ValueError(f"exit code message must be a str, got {_describe(message)}")
        if label in self._exit_codes:
            raise ValueError(f"exit code label {label!r} is already declared")
        for existing in self._exit_codes.values():
            if existing.status == status:
                raise ValueError(
                    f"exit code status {status} is already declared as {existing.label!r}"
                )
        exit_code = ExitCode(status, message, invalidates_cache, label)
        self._exit_codes[label] = exit_code
        return exit_code

    def cacheable(self, version: str, ignore: Iterable[str] = ()) -> None:
        """Let launches with equal inputs reuse a finished run's outputs (memoization).

        The key is this class's import path, ``version`` and its validated inputs
        (defaults applied), minus the ``ignore`` port paths. Bump ``version`` whenever
        the outputs for the same inputs change.

        Raises:
            ValueError: a bad version or ignore list; an ignore path that names no
                input port is reported when define() returns.
        """
        self._check_open()
        self._cache_settings = CacheSettings.build(version, ignore)

    def requires(self, **requirements: int | str) -> None:
        """Run this process only on a daemon member that offers ``requirements``:
        ``gpu=1`` (at least one unit of a countable resource still free there),
        ``site="sns"`` (that label, exactly). A launch's own ``placement`` replaces
        them. The embedded runtime has no members and ignores them.

        Raises:
            ValueError: a value that is neither a non-negative int nor a text.
        """
        self._check_open()
        for key, value in requirements.items():
            countable = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            if not countable and not (isinstance(value, str) and value):
                raise ValueError(f"requires({key}={value!r}): give a count (int >= 0) or a label")
        self._requirements.update(requirements)

    @property
    def requirements(self) -> dict[str, int | str]:
        """What :meth:`requires` asked for (a copy)."""
        return dict(self._requirements)

    # -- exposing ---------------------------------------------------------------------

    def expose_inputs(
        self,
        process_class: type,
        namespace: str | None = None,
        exclude: Sequence[str] | None = None,
        include: Sequence[str] | None = None,
        namespace_options: Mapping[str, Any] | None = None,
    ) -> None:
        """Copy the inputs of ``process_class`` into this spec, to pass them through.

        Args:
            namespace: a (dotted) namespace to put them in, created if missing and given
                the child's root properties; by default they go into the root, whose
                own properties are kept.
            exclude: dotted names not to expose; excludes ``include``.
            include: the only dotted names to expose; excludes ``exclude``.
            namespace_options: properties of the receiving namespace to set
                (``required``, ``dynamic``, ``help``, ``validator``...).
        """
        self._expose(
            process_class.spec().inputs,
            self._inputs,
            self._exposed_inputs,
            process_class,
            namespace,
            exclude,
            include,
            namespace_options,
        )

    def expose_outputs(
        self,
        process_class: type,
        namespace: str | None = None,
        exclude: Sequence[str] | None = None,
        include: Sequence[str] | None = None,
        namespace_options: Mapping[str, Any] | None = None,
    ) -> None:
        """Copy the outputs of ``process_class`` into this spec; see expose_inputs."""
        self._expose(
            process_class.spec().outputs,
            self._outputs,
            self._exposed_outputs,
            process_class,
            namespace,
            exclude,
            include,
            namespace_options,
        )

    def _expose(
        self,
        source: PortNamespace,
        root: PortNamespace,
        record: dict[tuple[str, str | None], list[str]],
        process_class: type,
        namespace: str | None,
        exclude: Sequence[str] | None,
        include: Sequence[str] | None,
        namespace_options: Mapping[str, Any] | None,
    ) -> None:
        self._check_open()
        if exclude is not None and include is not None:
            raise ValueError("exclude and include are mutually exclusive; give one of them")
        destination = root.create_port_namespace(namespace) if namespace else root
        names = destination.absorb(
            source,
            exclude=exclude,
            include=include,
            namespace_options=namespace_options,
            copy_properties=bool(namespace),
        )
        # Exposing the same class twice into one namespace (two include lists) adds up.
        exposed = record.setdefault((_class_key(process_class), namespace or None), [])
        exposed.extend(name for name in names if name not in exposed)

    def exposed_input_names(self, process_class: type, namespace: str | None = None) -> list[str]:
        """The direct input names exposed from ``process_class`` into ``namespace``.

        Empty when nothing of that class was exposed there, so a caller can look in
        each enclosing namespace in turn.
        """
        return list(self._exposed_inputs.get((_class_key(process_class), namespace or None), []))

    def exposed_output_names(self, process_class: type, namespace: str | None = None) -> list[str]:
        """The direct output names exposed from ``process_class`` into ``namespace``."""
        return list(self._exposed_outputs.get((_class_key(process_class), namespace or None), []))

    # -- using ------------------------------------------------------------------------

    def pre_process_inputs(self, inputs: Mapping[str, Any] | None) -> dict[str, Any]:
        """The launch inputs as a new nested dict with defaults filled in."""
        return self._inputs.pre_process(inputs)

    def validate_inputs(self, inputs: Mapping[str, Any] | None) -> PortValidationError | None:
        """The first problem with ``inputs`` (best after pre_process_inputs), or None."""
        return self._inputs.validate(inputs)

    def validate_outputs(self, outputs: Mapping[str, Any] | None) -> PortValidationError | None:
        """The first problem with a finished process's outputs, or None."""
        return self._outputs.validate(outputs)

    def get_description(self) -> dict[str, Any]:
        """A JSON-able description with keys 'inputs', 'outputs' and 'exit_codes'."""
        return {
            "inputs": self._inputs.get_description(),
            "outputs": self._outputs.get_description(),
            "exit_codes": {
                label: {
                    "status": code.status,
                    "message": code.message,
                    "invalidates_cache": code.invalidates_cache,
                }
                for label, code in self._exit_codes.items()
            },
        }
