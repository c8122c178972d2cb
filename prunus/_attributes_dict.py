"""A dict whose keys are also attributes: the type of ``self.ctx`` and ``self.inputs``.

Plumpy users write ``self.ctx.iterator += 1`` and ``self.inputs.params.cutoff``; keeping
the same spelling is what lets a workflow be ported by changing imports only.
"""

from __future__ import annotations

from typing import Any

__all__ = ["AttributesDict", "attributes_tree"]


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
