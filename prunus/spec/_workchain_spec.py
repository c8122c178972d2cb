"""The WorkChain's spec: a ProcessSpec that also holds the outline."""

from __future__ import annotations

from typing import Any

from prunus.spec._outline import Outline
from prunus.spec._process_spec import ProcessSpec

__all__ = ["WorkChainSpec"]


class WorkChainSpec(ProcessSpec):
    """ProcessSpec plus ``outline(...)``; a WorkChain without an outline ends at once."""

    def __init__(self) -> None:
        super().__init__()
        self._outline: Outline | None = None

    def outline(self, *instructions: Any) -> None:
        """Declare the steps, conditionals and loops this WorkChain runs, in order."""
        if self.sealed:
            raise RuntimeError("spec is sealed")
        self._outline = Outline(*instructions)

    def get_outline(self) -> Outline:
        return self._outline if self._outline is not None else Outline()

    def get_description(self) -> dict[str, Any]:
        description = super().get_description()
        description["outline"] = self.get_outline().describe()
        return description
