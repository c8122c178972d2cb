"""A port namespace: a named group of ports, nested to any depth with dotted names.

A process's inputs are one namespace, its outputs another. Namespaces are also what
``expose_inputs`` copies from a child process, and what turns the raw launch mapping into
the checked, default-filled inputs a process sees, so ``pre_process`` and ``validate``
live here and recurse.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from types import MappingProxyType
from typing import Any

from prunus._attributes_dict import AttributesDict
from prunus.errors import PortValidationError, _describe
from prunus.spec._absorb import absorb_ports
from prunus.spec._ports import (
    UNSPECIFIED,
    InputPort,
    Port,
    Validator,
    ValidType,
    is_instance,
    port_path,
    render,
    type_names,
)

__all__ = ["PortNamespace"]


class PortNamespace(MutableMapping[str, Port], Port):
    """A mapping of names to ports and nested namespaces.

    Args:
        name: the key of this namespace in its parent; '' for a root.
        help: what the group is for.
        required: when False, an absent or empty namespace is valid whatever it holds.
        validator: ``validator(values, namespace) -> str | None``, called with the whole
            mapping given for this namespace after its ports passed.
        valid_type: the type of values accepted under names that have no port; setting
            it makes the namespace dynamic.
        default: a mapping (or a callable returning one) used when the namespace is
            absent.
        dynamic: accept names that have no port.
        populate_defaults: when False, an absent namespace stays absent instead of being
            filled with its ports' defaults.
    """

    NAMESPACE_SEPARATOR = "."

    def __init__(
        self,
        name: str = "",
        help: str | None = None,
        required: bool = True,
        validator: Validator | None = None,
        valid_type: ValidType = None,
        default: Any = UNSPECIFIED,
        dynamic: bool = False,
        populate_defaults: bool = True,
    ) -> None:
        self._ports: dict[str, Port] = {}
        # Plain attributes: absorb() and namespace_options set them by name.
        self.dynamic = dynamic
        self.default = default  # a mapping, a callable returning one, or UNSPECIFIED
        self.populate_defaults = populate_defaults
        Port.__init__(self, name, help=help, required=required, validator=validator)
        self.valid_type = valid_type

    @staticmethod
    def _check_name(name: str) -> None:
        if not isinstance(name, str) or "." in name:
            raise ValueError(
                f"a namespace name must be a string without '.', got {_describe(name)}"
            )

    # Identity semantics: two different namespaces that happen to hold the same ports
    # (or none) are still different namespaces, and namespaces must stay hashable.
    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._name!r}, ports={list(self._ports)})"

    # -- mapping protocol -------------------------------------------------------------

    def __getitem__(self, key: str) -> Port:
        return self._ports[key]

    def __setitem__(self, key: str, port: Port) -> None:
        if not isinstance(port, Port):
            raise TypeError(f"namespace '{self._name}' holds ports, got {_describe(port)}")
        if key != port.name:
            raise ValueError(f"port '{port.name}' cannot be stored under the key '{key}'")
        self._ports[key] = port

    def __delitem__(self, key: str) -> None:
        del self._ports[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._ports)

    def __len__(self) -> int:
        return len(self._ports)

    @property
    def ports(self) -> Mapping[str, Port]:
        """A read-only view of the direct children."""
        return MappingProxyType(self._ports)

    # -- properties -------------------------------------------------------------------

    @property
    def valid_type(self) -> ValidType:
        return self._valid_type

    @valid_type.setter
    def valid_type(self, valid_type: ValidType) -> None:
        Port.valid_type.fset(self, valid_type)
        if valid_type is not None:
            self.dynamic = True

    def has_default(self) -> bool:
        return self.default is not UNSPECIFIED

    def resolve_default(self) -> Any:
        """The default mapping to use when the namespace is absent, called if callable."""
        return self.default() if callable(self.default) else self.default

    # -- building ---------------------------------------------------------------------

    def add_port(self, port: Port) -> Port:
        """Store ``port`` under its own name, replacing any port of that name."""
        self[port.name] = port
        return port

    def get_port(self, name: str, create_dynamically: bool = False) -> Port:
        """The port at a dotted ``name`` below this namespace.

        Args:
            create_dynamically: create missing names inside dynamic namespaces as
                optional dynamic sub-namespaces of the same valid_type, the way a
                builder fills a dynamic namespace.

        Raises:
            ValueError: the name is empty, goes through a plain port, or does not exist.
        """
        if not isinstance(name, str) or not name:
            raise ValueError(f"a port name must be a non-empty string, got {_describe(name)}")
        head, _, rest = name.partition(self.NAMESPACE_SEPARATOR)
        if head not in self._ports:
            if not (create_dynamically and self.dynamic):
                known = ", ".join(self._ports) or "none"
                raise ValueError(
                    f"no port '{head}' in namespace '{self._name}'; its ports are: {known}"
                )
            self[head] = type(self)(head, required=False, valid_type=self._valid_type, dynamic=True)
        port = self._ports[head]
        if not rest:
            return port
        if not isinstance(port, PortNamespace):
            raise ValueError(f"'{head}' in namespace '{self._name}' is a port, not a namespace")
        return port.get_port(rest, create_dynamically)

    def has_port(self, name: str) -> bool:
        """Whether the dotted ``name`` exists below this namespace."""
        try:
            self.get_port(name)
        except ValueError:
            return False
        return True

    def create_port_namespace(self, name: str, **kwargs: Any) -> PortNamespace:
        """Return the namespace at a dotted ``name``, creating any that are missing.

        ``kwargs`` go to the constructor of the last namespace only, and only if it is
        created here; intermediate ones take the constructor defaults.

        Raises:
            ValueError: a part of ``name`` is already taken by a plain port.
        """
        if not isinstance(name, str) or not name:
            raise ValueError(f"a namespace name must be non-empty, got {_describe(name)}")
        head, _, rest = name.partition(self.NAMESPACE_SEPARATOR)
        existing = self._ports.get(head)
        if existing is None:
            existing = self[head] = type(self)(head) if rest else type(self)(head, **kwargs)
        elif not isinstance(existing, PortNamespace):
            raise ValueError(
                f"'{head}' in namespace '{self._name}' is already a port, not a namespace"
            )
        return existing.create_port_namespace(rest, **kwargs) if rest else existing

    def absorb(
        self,
        port_namespace: PortNamespace,
        exclude: Sequence[str] | None = None,
        include: Sequence[str] | None = None,
        namespace_options: Mapping[str, Any] | None = None,
        *,
        copy_properties: bool = True,
    ) -> list[str]:
        """Copy the ports of another namespace into this one; the core of expose.

        Ports are deep-copied, so changing an exposed port (say its default) does not
        change the child process's spec. Ports already here under the same name are
        replaced.

        Args:
            exclude: dotted names not to copy. Excluding a namespace drops all of it.
            include: dotted names to copy, all others dropped. Naming a namespace copies
                all of it; naming ``ns.a`` copies ``ns`` with ``a`` only.
            namespace_options: values for this namespace's properties (``required``,
                ``dynamic``, ``validator``...) that win over the copied ones.
            copy_properties: also copy the other namespace's own properties onto this
                one (plumpy's behaviour). ProcessSpec turns it off when exposing into
                the root, so a child's root validator cannot replace the parent's.

        Returns:
            The names of the direct children copied, in their original order.

        Raises:
            ValueError: both ``exclude`` and ``include``, or an unknown option.
        """
        return absorb_ports(
            self, port_namespace, exclude, include, namespace_options, copy_properties
        )

    # -- launching --------------------------------------------------------------------

    def pre_process(self, inputs: Mapping[str, Any] | None = None) -> AttributesDict:
        """A new nested mapping of ``inputs`` with every applicable default filled in;
        namespaces read as attributes too (``processed.params.cutoff``), as in plumpy.

        Callable defaults are called here, once per call. An absent namespace is added
        only if that gives it some value (a default somewhere inside), so optional
        groups the caller left out stay out. Values this namespace would refuse are
        kept as given, for ``validate`` to report.

        Raises:
            PortValidationError: ``inputs`` is not a mapping.
        """
        if inputs is None or inputs is UNSPECIFIED:
            inputs = {}
        if not isinstance(inputs, Mapping):
            raise PortValidationError(
                f"expected a mapping of port names to values, got {_describe(inputs)}",
                port_path((), self._name),
            )
        result = AttributesDict()
        for key, value in inputs.items():
            port = self._ports.get(key)
            if isinstance(port, PortNamespace) and value is None:
                continue  # None for a namespace means "not given"; filled below
            if isinstance(port, PortNamespace) and isinstance(value, Mapping):
                value = port.pre_process(value)
            result[key] = value
        for name, port in self._ports.items():
            if name in result:
                continue
            if isinstance(port, PortNamespace):
                if not port.populate_defaults:
                    continue
                if port.has_default():
                    value = port.resolve_default()
                    result[name] = port.pre_process(value) if isinstance(value, Mapping) else value
                else:
                    filled = port.pre_process({})
                    if filled:
                        result[name] = filled
            elif isinstance(port, InputPort) and port.has_default():
                result[name] = port.resolve_default()
        return result

    def validate(
        self, value: Any = UNSPECIFIED, breadcrumbs: Sequence[str] = ()
    ) -> PortValidationError | None:
        """Check a mapping against this namespace; return the first problem found.

        The order is: not a mapping, names without a port (most often a typo, so it
        comes before the "missing" error the typo also causes), each port in
        declaration order, values under dynamic names, then the namespace validator.
        ``None`` or absence counts as an empty mapping.
        """
        path = port_path(breadcrumbs, self._name)
        if value is UNSPECIFIED or value is None:
            value = {}
        if not isinstance(value, Mapping):
            return PortValidationError(
                f"expected a mapping of port names to values, got {_describe(value)}", path
            )
        if not value and not self.required:
            return None

        extra = [key for key in value if key not in self._ports]
        if extra and not self.dynamic:
            return self._unexpected_port(extra[0], path)
        for name, port in self._ports.items():
            error = port.validate(value.get(name, UNSPECIFIED), path)
            if error is not None:
                return error
        if self._valid_type is not None:
            for key in extra:
                error = self._validate_dynamic(value[key], (*path, str(key)))
                if error is not None:
                    return error
        if self._validator is not None:
            reason = self._run_validator(dict(value))
            if reason is not None:
                return PortValidationError(reason, path)
        return None

    def _unexpected_port(self, key: Any, path: tuple[str, ...]) -> PortValidationError:
        names = list(self._ports)
        message = "not a port of this namespace"
        close = difflib.get_close_matches(str(key), names, n=1)
        if close:
            message += f" (did you mean '{close[0]}'?)"
        accepted = ", ".join(names) if names else "none"
        return PortValidationError(f"{message}; accepted names: {accepted}", (*path, str(key)))

    def _validate_dynamic(self, value: Any, path: tuple[str, ...]) -> PortValidationError | None:
        """Check a value under a name that has no port against ``valid_type``.

        A mapping that is not itself of ``valid_type`` is read as an implicit nested
        namespace, and each of its values is checked in turn.
        """
        if is_instance(value, self._valid_type):
            return None
        if isinstance(value, Mapping):
            for key, item in value.items():
                error = self._validate_dynamic(item, (*path, str(key)))
                if error is not None:
                    return error
            return None
        return PortValidationError(
            f"expected {type_names(self._valid_type)}, got {_describe(value)}", path
        )

    def get_description(self) -> dict[str, Any]:
        """A JSON-able tree: this namespace's properties and, under 'ports', its children.

        Children sit under their own key so that a port named like a property (a port
        called ``help``) cannot collide with one.
        """
        description = super().get_description()
        description["dynamic"] = self.dynamic
        description["populate_defaults"] = self.populate_defaults
        if self.has_default():
            description["default"] = render(self.default)
        description["ports"] = {name: port.get_description() for name, port in self.items()}
        return description
