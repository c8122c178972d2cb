"""Where a runtime keeps its data: ``home=`` argument, else $PRUNUS_HOME, else ./.prunus."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["resolve_home"]

HOME_ENV = "PRUNUS_HOME"
_NAME_MAX = 255  # bytes in one file name, on every Linux filesystem (NAME_MAX)


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The home directory, absolute, ``~`` expanded; nothing is created or checked.

    The path is made absolute now so that a later ``chdir`` cannot move a runtime's
    data, and error messages name the directory the user can find. An empty
    $PRUNUS_HOME counts as unset.

    Raises:
        ValueError: ``home`` is an empty string (most likely an unset variable), or a
            name in it is longer than any filesystem here allows.
    """
    if home is not None:
        text = os.fspath(home)
        if not text:
            raise ValueError("home is an empty path; pass None for the default home")
    else:
        text = os.environ.get(HOME_ENV) or os.path.join(os.getcwd(), ".prunus")
    path = Path(os.path.abspath(os.path.expanduser(text)))
    if any(len(os.fsencode(part)) > _NAME_MAX for part in path.parts):
        shown = str(path) if len(str(path)) <= 120 else f"{str(path)[:117]}..."
        raise ValueError(f"home {shown}: a name in it is longer than {_NAME_MAX} bytes")
    return path
