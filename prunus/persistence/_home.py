"""Where a runtime keeps its data: ``home=`` argument, else $PRUNUS_HOME, else ./.prunus."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["resolve_home"]


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    if home is not None:
        return Path(home)
    env = os.environ.get("PRUNUS_HOME")
    return Path(env) if env else Path.cwd() / ".prunus"
