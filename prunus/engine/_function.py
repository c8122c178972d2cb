"""``@prunus.function``: a plain Python function as a Process class.

The decorator returns a real Process class (subclass of :class:`FunctionProcess`) bound
to the function's own module and name, so ``flows:add`` names it everywhere: records,
views, checkpoints and the daemon's import. Its spec comes from the signature:

- each parameter is an input port; an annotation that is a class (or a union of
  classes) becomes ``valid_type``, a default becomes the port's default (and makes it
  optional); keyword-only and positional-only parameters are allowed;
- ``*args`` and ``**kwargs`` are refused when the function is decorated: a port needs a
  name, and a process's inputs are stored by name;
- the return value becomes the output ``result``, or, with ``outputs=("a", "b")``, the
  returned mapping becomes those outputs;
- the docstring is the help of the process.

Calling the class runs the function and returns its value: from plain Python on an
embedded runtime, from inside another process's step as a nested child (see
:mod:`prunus.engine._nested`). ``prunus.run``, ``client.submit`` and ``self.submit``
take it as any process class.
"""

from __future__ import annotations

import builtins
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from prunus.engine._nested import call_nested, current_step
from prunus.engine._process import Process, new_process
from prunus.engine._records import ProcessResult
from prunus.errors import KilledError, ProcessFailedError
from prunus.spec import ProcessSpec

__all__ = ["FunctionProcess", "function"]

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


class _FunctionProcessType(type):
    """Calling a function process class runs it (the runtime builds instances with
    :func:`~prunus.engine.new_process` instead)."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._prunus_call(args, kwargs)  # type: ignore[attr-defined]


class FunctionProcess(Process, metaclass=_FunctionProcessType):
    """The base of every class ``@prunus.function`` makes; see the module docstring."""

    _prunus_function: ClassVar[Callable[..., Any]]
    _prunus_signature: ClassVar[inspect.Signature]
    _prunus_output_names: ClassVar[tuple[str, ...] | None] = None
    _prunus_cache_version: ClassVar[str | None] = None

    @classmethod
    def define(cls, spec: ProcessSpec) -> None:
        super().define(spec)
        if "_prunus_function" not in cls.__dict__:
            return  # the base class itself declares nothing
        if cls.__doc__:
            spec.inputs.help = inspect.cleandoc(cls.__doc__)
        hints = _type_hints(cls._prunus_function)
        for name, parameter in cls._prunus_signature.parameters.items():
            valid_type = _valid_type(hints.get(name))
            options: dict[str, Any] = {}
            if parameter.default is not inspect.Parameter.empty:
                options["default"] = parameter.default
                if (
                    parameter.default is None
                    and valid_type is not None
                    and type(None) not in _as_tuple(valid_type)
                ):
                    # ``x: int = None``: None is what the author means by "not given"
                    valid_type = (*_as_tuple(valid_type), type(None))
            spec.input(name, valid_type=valid_type, **options)
        if cls._prunus_output_names is None:
            spec.output("result", valid_type=_valid_type(hints.get("return")), required=False)
        else:
            for name in cls._prunus_output_names:
                spec.output(name)
        if cls._prunus_cache_version is not None:
            spec.cacheable(version=cls._prunus_cache_version)

    def run(self) -> Any:
        function = type(self)._prunus_function
        raw = self._prunus_raw_inputs
        args, kwargs = [], {}
        for name, parameter in type(self)._prunus_signature.parameters.items():
            if name not in raw:
                continue  # optional, no default given: the function's own default
            if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
                args.append(raw[name])
            else:
                kwargs[name] = raw[name]
        value = function(*args, **kwargs)
        names = type(self)._prunus_output_names
        if names is None:
            if value is not None:
                self.out("result", value)
        elif not isinstance(value, Mapping):
            raise TypeError(
                f"{self.qualified_name()} returned {type(value).__name__}; with "
                f"outputs={names!r} it must return a mapping of those outputs"
            )
        else:
            for name, item in value.items():
                self.out(str(name), item)
        return None

    @classmethod
    def _prunus_call(cls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Bind the call to the signature, run it (nested if inside a step), return
        the function's value."""
        try:
            bound = cls._prunus_signature.bind_partial(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{cls.qualified_name()}: {error}") from None
        inputs = dict(bound.arguments)
        if current_step() is not None:
            return cls._prunus_value(call_nested(cls, inputs))
        return cls._prunus_value_of_outputs(new_process(cls, inputs).execute())

    @classmethod
    def _prunus_value(cls, result: ProcessResult) -> Any:
        if result.is_killed:
            raise KilledError(result.status or f"nested call {result.pid} was killed")
        if not result.is_finished_ok:
            raise ProcessFailedError(
                f"nested call {result.pid} ({cls.qualified_name()}) failed: "
                f"{result.exception or result.status}"
            )
        return cls._prunus_value_of_outputs(result.outputs)

    @classmethod
    def _prunus_value_of_outputs(cls, outputs: Mapping[str, Any]) -> Any:
        if cls._prunus_output_names is None:
            return outputs.get("result")
        return dict(outputs)


def function(
    fn: Callable[..., Any] | None = None,
    *,
    outputs: Sequence[str] | None = None,
    cacheable: bool = False,
    version: str | None = None,
) -> Any:
    """Make a Process class of ``fn``; use as ``@function`` or ``@function(...)``.

    Args:
        outputs: the names of the outputs; the function then returns a mapping of them.
            By default its return value is the output ``result``.
        cacheable: let equal launches reuse a finished run (``spec.cacheable``); the
            version is ``version``, or ``"1"``.
        version: the cache version (implies ``cacheable``); bump it when the function's
            outputs for the same inputs change.

    Raises:
        TypeError: ``fn`` takes ``*args`` or ``**kwargs``, or ``outputs`` is not a
            sequence of names.
    """
    names: tuple[str, ...] | None = None
    if outputs is not None:
        if isinstance(outputs, str) or not all(isinstance(n, str) for n in outputs):
            raise TypeError(f"outputs= takes a tuple of output names, got {outputs!r}")
        names = tuple(outputs)
    cache_version = version if version is not None else ("1" if cacheable else None)

    def build(target: Callable[..., Any]) -> type[FunctionProcess]:
        return _function_class(target, names, cache_version)

    return build if fn is None else build(fn)


def _function_class(
    fn: Callable[..., Any], names: tuple[str, ...] | None, cache_version: str | None
) -> type[FunctionProcess]:
    if not callable(fn) or isinstance(fn, type):
        raise TypeError(f"@prunus.function decorates a function, got {fn!r}")
    qualname = getattr(fn, "__qualname__", getattr(fn, "__name__", repr(fn)))
    signature = inspect.signature(fn)
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            raise TypeError(
                f"@prunus.function {qualname}: *{parameter.name} is not supported; "
                "every input needs a name (use a list parameter instead)"
            )
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            raise TypeError(
                f"@prunus.function {qualname}: **{parameter.name} is not supported; "
                "every input needs a name (use a dict parameter instead)"
            )
    namespace = {
        "__module__": fn.__module__,
        "__qualname__": qualname,
        "__doc__": fn.__doc__,
        "__wrapped__": fn,
        "_prunus_function": staticmethod(fn),
        "_prunus_signature": signature,
        "_prunus_output_names": names,
        "_prunus_cache_version": cache_version,
    }
    return types.new_class(fn.__name__, (FunctionProcess,), {}, lambda ns: ns.update(namespace))


def _type_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    """The function's annotations, with those written as text (``from __future__ import
    annotations`` makes them all text) resolved WITHOUT evaluating them: a name, or
    names joined by ``|`` (``None`` too), looked up in the function's module and the
    builtins. Anything else (``list[int]``, an unknown name) is left out: that port
    takes any value. (prunus never evaluates text: tests/security/test_no_eval.py.)"""
    namespace = {**vars(builtins), **getattr(fn, "__globals__", {})}
    hints: dict[str, Any] = {}
    for name, annotation in inspect.get_annotations(fn).items():
        if not isinstance(annotation, str):
            hints[name] = annotation
            continue
        parts = [part.strip() for part in annotation.split("|")]
        if not all(part.isidentifier() for part in parts):
            continue
        found = [type(None) if part == "None" else namespace.get(part) for part in parts]
        if all(isinstance(item, type) for item in found):
            hints[name] = found[0] if len(found) == 1 else tuple(found)
    return hints


def _as_tuple(valid_type: Any) -> tuple[type, ...]:
    return valid_type if isinstance(valid_type, tuple) else (valid_type,)


def _valid_type(hint: Any) -> Any:
    """A ``valid_type`` for an annotation: a class, or a tuple of the classes of a
    union; None (any value) for anything an ``isinstance`` check cannot take
    (``list[int]``, ``Any``, a TypeVar...)."""
    if hint is None:
        return None
    if isinstance(hint, tuple):  # ``int | None`` resolved from text by _type_hints
        return hint
    if isinstance(hint, type) and not isinstance(hint, types.GenericAlias):
        return None if hint is typing.Any else hint
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        members = typing.get_args(hint)
        if all(isinstance(m, type) and not isinstance(m, types.GenericAlias) for m in members):
            return tuple(members)
    return None
