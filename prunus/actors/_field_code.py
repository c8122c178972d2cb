"""Pack a frozen dataclass into a tuple and build it back, with little Python per field.

Host batches cross OS processes as tuples (``_wire``), and after the pickling itself
what cost most on both sides was Python per field: a generic loop over the fields
(``getattr`` by name, a ``zip``, a list, ``kind(*values)``) and the frozen
dataclass's own ``__init__``, which sets each field through ``object.__setattr__``
(py-spy, a 10k ``submit_many``: 9% of the supervisor's busy samples in dataclass
``__init__`` alone). Measured on this 2-core machine, a 12-field ``ProcessStatus``:
1.40 us through its ``__init__``, 0.93 us setting its slots through their own
descriptors in a loop. So each kind gets two small closures, made once when ``_wire``
is imported: a packer reads every field in one ``operator.attrgetter`` call and
converts only the fields that need it; a builder makes the object with
``object.__new__`` and sets its slots, without a loop for a one-field kind (most
events: a pid, a status). No code is built from text (``tests/security/test_no_eval``).

Invariant: a class is built without its ``__init__`` only if that gives what
``kind(*values)`` gives: a frozen, slotted dataclass whose fields are all ``init``
fields and that has no ``__post_init__``; any other class is called as before.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["builder", "packer"]

Convert = Callable[[Any], Any] | None


def _slotted_plainly(kind: type) -> bool:
    params = getattr(kind, "__dataclass_params__", None)
    return (
        params is not None
        and params.frozen
        and "__slots__" in kind.__dict__
        and not hasattr(kind, "__post_init__")
        and all(field.init for field in dataclasses.fields(kind))
    )


def builder(kind: type, converts: Sequence[Convert], start: int = 0) -> Callable[[Any], Any]:
    """``build(packed)``: ``kind`` of ``convert(packed[start + i])`` for each field i
    (the value as it is where its ``convert`` is None).

    Raises (the built function):
        ValueError: ``packed`` does not hold exactly one value per field after ``start``.
    """
    names = _names(kind, converts)
    length = start + len(names)
    converted = tuple((start + i, c) for i, c in enumerate(converts) if c is not None)

    def check(packed: Sequence[Any]) -> None:
        if len(packed) != length:
            raise ValueError(f"{kind.__name__}: {len(packed)} packed values, not {length}")

    if not _slotted_plainly(kind):

        def call(packed: Sequence[Any]) -> Any:
            check(packed)
            values = list(packed[start:])
            for index, convert in converted:
                values[index - start] = convert(values[index - start])
            return kind(*values)

        return call
    new = object.__new__
    setters = tuple(kind.__dict__[name].__set__ for name in names)  # the slots' own
    pairs = list(enumerate(zip(setters, converts, strict=True)))
    plain = tuple((setter, start + i) for i, (setter, c) in pairs if c is None)
    special = tuple((setter, start + i, c) for i, (setter, c) in pairs if c is not None)
    if len(names) == 1:  # the commonest events (a pid, a status): no loop
        (only,) = setters
        convert = converts[0]
        if convert is None:

            def build_one(packed: Sequence[Any]) -> Any:
                check(packed)
                built = new(kind)
                only(built, packed[start])
                return built

            return build_one

        def build_one_converted(packed: Sequence[Any]) -> Any:
            check(packed)
            built = new(kind)
            only(built, convert(packed[start]))
            return built

        return build_one_converted

    def build(packed: Sequence[Any]) -> Any:
        check(packed)
        built = new(kind)
        for setter, index in plain:
            setter(built, packed[index])
        for setter, index, convert in special:
            setter(built, convert(packed[index]))
        return built

    return build


def packer(
    kind: type, converts: Sequence[Convert], head: tuple[Any, ...] = ()
) -> Callable[[Any], Any]:
    """``pack(message)``: the tuple of ``head``'s values, then each field of
    ``message`` (converted by its ``convert`` where that is not None)."""
    names = _names(kind, converts)
    values = operator.attrgetter(*names)  # one C call: a tuple of them all (2 or more)
    converted = tuple((i, c) for i, c in enumerate(converts) if c is not None)
    if len(names) == 1:
        (name,) = names
        (convert,) = converts
        if convert is None:
            return lambda message: (*head, getattr(message, name))
        return lambda message: (*head, convert(getattr(message, name)))
    if not converted:
        return lambda message: head + values(message)

    def pack(message: Any) -> tuple[Any, ...]:
        packed = [*head, *values(message)]
        for index, convert in converted:
            packed[len(head) + index] = convert(packed[len(head) + index])
        return tuple(packed)

    return pack


def _names(kind: type, converts: Sequence[Convert]) -> list[str]:
    names = [field.name for field in dataclasses.fields(kind)]
    if len(converts) != len(names):
        raise ValueError(f"{kind.__name__}: {len(names)} fields, {len(converts)} converters")
    return names
