"""A port: one named input or output of a process, with its type, default and validator.

Ports are declared once in ``define(spec)`` and then judge every launch. Their job is to
turn a bad call into a message that names the port, the rule and the value that came,
so that ``validate`` returns a :class:`PortValidationError` instead of raising: the
caller (a namespace, the engine) decides whether and when to raise it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any

from prunus.errors import PortValidationError, _describe

__all__ = ["UNSPECIFIED", "InputPort", "OutputPort", "Port", "Validator", "is_instance"]

#: ``validator(value, port) -> reason or None``; the returned string says what is wrong.
Validator = Callable[[Any, "Port"], "str | None"]


class _Unspecified(enum.Enum):
    """The type of :data:`UNSPECIFIED`.

    An enum member, so it survives ``copy``, ``deepcopy`` and ``pickle`` as the same
    object and ``value is UNSPECIFIED`` stays true after a checkpoint round trip.
    """

    UNSPECIFIED = "UNSPECIFIED"

    def __repr__(self) -> str:
        return "UNSPECIFIED"

    def __bool__(self) -> bool:
        return False


#: Marks "no value was given" where ``None`` is a legitimate value (a default of None).
UNSPECIFIED = _Unspecified.UNSPECIFIED

ValidType = type | tuple[type, ...] | None


def _check_valid_type(valid_type: Any, port_name: str) -> None:
    """Refuse at definition time a ``valid_type`` that ``isinstance`` cannot use.

    ``list[int]`` or ``"int"`` would otherwise only fail at the first launch, far from
    the line that declared the port.
    """
    if valid_type is None:
        return
    types = valid_type if isinstance(valid_type, tuple) else (valid_type,)
    for candidate in types:
        try:
            isinstance(None, candidate)
        except TypeError:
            raise TypeError(
                f"port '{port_name}': valid_type must be a type or a tuple of types, "
                f"got {_describe(valid_type)}"
            ) from None


def is_instance(value: Any, valid_type: type | tuple[type, ...]) -> bool:
    """``isinstance``, except that a bool is not a number.

    ``bool`` is a subclass of ``int``, so ``isinstance(True, int)`` holds and ``-i
    x=true`` (JSON ``true``) would pass for an int port. A bool passes only where some
    type other than ``int`` accepts it (``bool`` itself, ``object``, ``numbers.Number``).
    """
    if not isinstance(value, valid_type):
        return False
    if type(value) is not bool:
        return True
    types = valid_type if isinstance(valid_type, tuple) else (valid_type,)
    return any(kind is not int and isinstance(value, kind) for kind in types)


def type_names(valid_type: ValidType) -> str:
    """``int``, ``int or float``: the readable form used in messages and descriptions."""
    if valid_type is None:
        return "any type"
    types = valid_type if isinstance(valid_type, tuple) else (valid_type,)
    return " or ".join(getattr(t, "__qualname__", repr(t)) for t in types)


def render(value: Any) -> str:
    """A JSON-safe string for a default: ``repr`` for values, the name for callables.

    A callable's ``repr`` carries its memory address, which would make two descriptions
    of the same spec differ.
    """
    if callable(value):
        name = getattr(value, "__qualname__", type(value).__qualname__)
        return f"<callable {name}>"
    return repr(value)


def port_path(breadcrumbs: Sequence[str], name: str) -> tuple[str, ...]:
    """The path of a port below ``breadcrumbs``; unnamed (root) namespaces drop out."""
    return tuple(part for part in (*breadcrumbs, name) if part)


class Port:
    """One named value a process takes or gives, with the rules it must satisfy.

    Args:
        name: the key of the value in its namespace; no dots.
        valid_type: a type or tuple of types the value must be an instance of, or None
            for anything.
        help: one line a user reads in ``prunus describe`` and in error hints.
        required: whether a launch (or a finished process) must provide the value.
        validator: ``validator(value, port) -> str | None``; a returned string is the
            reason the value is refused. It runs only on values that passed the type
            check.
    """

    def __init__(
        self,
        name: str,
        valid_type: ValidType = None,
        help: str | None = None,
        required: bool = True,
        validator: Validator | None = None,
    ) -> None:
        self._check_name(name)
        _check_valid_type(valid_type, name)
        self._name = name
        self._valid_type = valid_type
        self._help = help
        self._required = required
        self._validator = validator

    @staticmethod
    def _check_name(name: str) -> None:
        if not isinstance(name, str) or not name or "." in name:
            raise ValueError(
                f"a port name must be a non-empty string without '.', got {_describe(name)}"
            )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self._name!r}, "
            f"valid_type={self.get_description()['valid_type']}, required={self.required})"
        )

    @property
    def name(self) -> str:
        return self._name

    @property
    def valid_type(self) -> ValidType:
        return self._valid_type

    @valid_type.setter
    def valid_type(self, valid_type: ValidType) -> None:
        _check_valid_type(valid_type, self._name)
        self._valid_type = valid_type

    @property
    def help(self) -> str | None:
        return self._help

    @help.setter
    def help(self, help: str | None) -> None:
        self._help = help

    @property
    def required(self) -> bool:
        return self._required

    @required.setter
    def required(self, required: bool) -> None:
        self._required = required

    @property
    def validator(self) -> Validator | None:
        return self._validator

    @validator.setter
    def validator(self, validator: Validator | None) -> None:
        self._validator = validator

    def validate(
        self, value: Any = UNSPECIFIED, breadcrumbs: Sequence[str] = ()
    ) -> PortValidationError | None:
        """Check one value against this port; return the problem rather than raise it.

        Args:
            value: the value given, or :data:`UNSPECIFIED` when none was.
            breadcrumbs: names of the enclosing namespaces, for the error's path.
        """
        # (the path is built only for an error: a valid value is the common case, and
        # every output a step emits is checked here)
        if value is UNSPECIFIED:
            if self.required:
                return PortValidationError(
                    "required value was not provided", port_path(breadcrumbs, self._name)
                )
            return None
        if self._valid_type is not None and not is_instance(value, self._valid_type):
            return PortValidationError(
                f"expected {type_names(self._valid_type)}, got {_describe(value)}",
                port_path(breadcrumbs, self._name),
            )
        reason = self._run_validator(value)
        return (
            None
            if reason is None
            else PortValidationError(reason, port_path(breadcrumbs, self._name))
        )

    def _run_validator(self, value: Any) -> str | None:
        if self._validator is None:
            return None
        reason = self._validator(value, self)
        if reason is not None and not isinstance(reason, str):
            raise TypeError(
                f"the validator of port '{self._name}' must return a str or None, "
                f"got {_describe(reason)}"
            )
        return reason

    def get_description(self) -> dict[str, Any]:
        """A JSON-able summary for ``prunus describe`` and for documentation."""
        valid_type = self._valid_type
        return {
            "name": self._name,
            "valid_type": None if valid_type is None else type_names(valid_type),
            "help": self._help,
            "required": self.required,
        }


class InputPort(Port):
    """A value a process takes, optionally with a default.

    A default may be a value or a zero-argument callable; a callable is called at every
    launch (``default=list`` gives each run its own list). A port with a default is
    never reported missing, so ``required`` reads False while a default is set.
    """

    def __init__(
        self,
        name: str,
        valid_type: ValidType = None,
        help: str | None = None,
        default: Any = UNSPECIFIED,
        required: bool = True,
        validator: Validator | None = None,
    ) -> None:
        super().__init__(
            name, valid_type=valid_type, help=help, required=required, validator=validator
        )
        self._default = UNSPECIFIED
        self.default = default

    @property
    def required(self) -> bool:
        return self._required and not self.has_default()

    @required.setter
    def required(self, required: bool) -> None:
        self._required = required

    def has_default(self) -> bool:
        return self._default is not UNSPECIFIED

    @property
    def default(self) -> Any:
        """The declared default, uncalled; raises RuntimeError when there is none."""
        if self._default is UNSPECIFIED:
            raise RuntimeError(f"input port '{self._name}' has no default")
        return self._default

    @default.setter
    def default(self, default: Any) -> None:
        # A plain default is checked now so that a wrong one fails in define(), at the
        # line that wrote it; a callable's result can only be checked at launch.
        if default is not UNSPECIFIED and not callable(default):
            error = self.validate(default)
            if error is not None:
                raise ValueError(f"invalid default for input port '{self._name}': {error.reason}")
        self._default = default

    def resolve_default(self) -> Any:
        """The value to use when the port is absent: the default, called if callable."""
        default = self.default
        return default() if callable(default) else default

    def get_description(self) -> dict[str, Any]:
        description = super().get_description()
        if self.has_default():
            description["default"] = render(self._default)
        return description


class OutputPort(Port):
    """A value a process gives; ``required`` outputs are checked when it finishes."""
