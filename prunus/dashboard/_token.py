"""The dashboard's token: Jupyter's model, kept in the private home.

A new random token is made at every start, printed once in the URL the user opens,
and written to ``<home>/ui.json`` (mode 0600, like the home's other files) so that the
user who owns the home can find it again; whoever cannot read the home cannot open
the dashboard. The browser trades the token in the URL for a cookie (HttpOnly,
SameSite=Strict, named after the port because cookies are not kept apart by port),
and the page is redirected to a URL without it.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

__all__ = ["UI_FILE", "new_token", "read_ui_file", "remove_ui_file", "same_token", "write_ui_file"]

UI_FILE = "ui.json"


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def same_token(expected: str, given: str | None) -> bool:
    """Whether ``given`` is the token, compared in constant time."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def write_ui_file(home: Path, info: dict[str, Any]) -> Path:
    """Write ``info`` (url, port, pid, token) to ``<home>/ui.json``, readable by the
    owner only; the file never exists with wider permissions, even for a moment."""
    path = home / UI_FILE
    temporary = home / (UI_FILE + f".{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, json.dumps(info, indent=2).encode())
    finally:
        os.close(fd)
    os.replace(temporary, path)
    return path


def read_ui_file(home: Path) -> dict[str, Any] | None:
    try:
        info = json.loads((home / UI_FILE).read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def remove_ui_file(home: Path, token: str) -> None:
    """Remove ``ui.json`` if it is still this dashboard's (another may have started)."""
    info = read_ui_file(home)
    if info is not None and same_token(token, info.get("token")):
        with contextlib.suppress(OSError):
            (home / UI_FILE).unlink()
