"""A dict whose keys are also attributes: the type of ``self.ctx`` and ``self.inputs``.

Plumpy users write ``self.ctx.iterator += 1`` and ``self.inputs.params.cutoff``; keeping
the same spelling is what lets a workflow be ported by changing imports only.
"""

from __future__ import annotations

from typing import Any

__all__ = ["AttributesDict", "FrozenAttributesDict", "attributes_tree", "frozen_tree", "plain_tree"]


class AttributesDict(dict):
    """``dict`` with attribute access; a missing attribute raises ``AttributeError``."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"'{type(self).__name__}' has no attribute '{name}'") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {k for k in self if isinstance(k, str)})

    def __repr__(self) -> str:
        return f"AttributesDict({dict.__repr__(self)})"


def attributes_tree(value: Any) -> Any:
    """Return ``value`` with every plain nested mapping turned into an AttributesDict.

    Mappings of other types (a child's result record, say) are kept as they are.
    """
    if type(value) is dict or type(value) is AttributesDict:
        return AttributesDict({k: attributes_tree(v) for k, v in value.items()})
    return value


class FrozenAttributesDict(AttributesDict):
    """A read-only AttributesDict: the type of ``self.inputs`` and its namespaces.

    Inputs are validated once and stored once, in the first checkpoint. A step that
    changed them would see its change in an uninterrupted run but not in a run resumed
    from a checkpoint (which holds the inputs as launched), so every change is refused
    with :class:`prunus.errors.ReadOnlyInputsError`, naming the input. Nested mappings
    are frozen as well; other values (lists, arrays) are not copied.
    """

    __slots__ = ("_prunus_path",)

    def __init__(self, values: Any = (), path: str = "") -> None:
        dict.__init__(self, values)
        object.__setattr__(self, "_prunus_path", path)

    def _refuse(self, key: Any = None) -> Any:
        from prunus.errors import ReadOnlyInputsError

        base = self._prunus_path
        name = base if key is None else (f"{base}.{key}" if base else str(key))
        raise ReadOnlyInputsError(name or "inputs")

    def __setitem__(self, key: Any, value: Any) -> None:
        self._refuse(key)

    def __delitem__(self, key: Any) -> None:
        self._refuse(key)

    def __setattr__(self, name: str, value: Any) -> None:
        self._refuse(name)

    def __delattr__(self, name: str) -> None:
        self._refuse(name)

    def __ior__(self, other: Any) -> Any:
        return self._refuse()

    def pop(self, key: Any, *default: Any) -> Any:
        return self._refuse(key)

    def popitem(self) -> Any:
        return self._refuse()

    def setdefault(self, key: Any, default: Any = None) -> Any:
        return self._refuse(key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._refuse()

    def clear(self) -> None:
        self._refuse()

    def __copy__(self) -> AttributesDict:
        return AttributesDict(self)

    def __reduce__(self) -> Any:
        return (FrozenAttributesDict, (dict(self), self._prunus_path))

    def __repr__(self) -> str:
        return f"FrozenAttributesDict({dict.__repr__(self)})"


def frozen_tree(value: Any, path: str = "") -> Any:
    """``value`` with every nested mapping made a FrozenAttributesDict (a new tree)."""
    if type(value) in (dict, AttributesDict, FrozenAttributesDict):
        return FrozenAttributesDict(
            {k: frozen_tree(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()},
            path,
        )
    return value


def plain_tree(value: Any) -> Any:
    """``value`` with every nested dict (frozen or attribute) made a plain dict."""
    if isinstance(value, dict):
        return {k: plain_tree(v) for k, v in value.items()}
    return value
