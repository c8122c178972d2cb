"""Text for people: names and reasons cut to a line, times and durations for columns.

Shared by the CLI and the dashboard, which show the same values the same way."""

from __future__ import annotations

import datetime as dt

__all__ = ["format_age", "format_time", "shorten"]


def shorten(text: str, limit: int = 120) -> str:
    """``text`` on one line, at most ``limit`` characters (then ``...`` and how many
    were cut). A user may pass a 240,000-character module name; the error that names
    it must still be one line a person can read."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = len(line) - limit
    return f"{line[:limit]}... ({cut:,} more characters)"


def format_time(timestamp: float | None) -> str:
    """A unix time as local ``YYYY-MM-DD HH:MM:SS``, or ``-``."""
    if timestamp is None:
        return "-"
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def format_age(seconds: float | None) -> str:
    """``4s``, ``3m 05s``, ``2h 03m``, ``5d 02h``: a duration for a column."""
    if seconds is None:
        return "-"
    seconds = max(0, int(seconds))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
