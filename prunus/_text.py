"""Text for error lines: names and reasons cut to a length a terminal line can show."""

from __future__ import annotations

__all__ = ["shorten"]


def shorten(text: str, limit: int = 120) -> str:
    """``text`` on one line, at most ``limit`` characters (then ``...`` and how many
    were cut). A user may pass a 240,000-character module name; the error that names
    it must still be one line a person can read."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = len(line) - limit
    return f"{line[:limit]}... ({cut:,} more characters)"
