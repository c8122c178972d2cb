"""What every dashboard page shares: the layout, the small pages, and value formatting.

The dashboard's HTML is rendered on the server. Each page is this layout around a
fragment; the fragment alone is what the page's script fetches again when the event
stream says something it shows has changed, so a live page is one request per change,
never a reload. Every value from the store is escaped here (``e``).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from prunus._text import format_age, format_time
from prunus.engine import ProcessState
from prunus.ui._graph import STATE_COLOURS

__all__ = [
    "badge",
    "e",
    "fields_html",
    "flatten",
    "format_age",
    "format_time",
    "layout",
    "message_page",
    "process_url",
    "refused_page",
    "short_class",
    "value_html",
]

_VALUE_CHARS = 4000

e = html.escape


def short_class(process_class: str) -> str:
    return process_class.rpartition(":")[2].rpartition(".")[2] or process_class


def process_url(pid: str) -> str:
    return "/process/" + quote(pid, safe="")


def badge(state: str, paused: bool = False) -> str:
    """A state name as a coloured label (ended processes are never shown paused)."""
    colour = STATE_COLOURS[ProcessState(state.lower())]
    ended = ProcessState(state.lower()).is_terminal
    label = f"{state.upper()} (paused)" if paused and not ended else state.upper()
    return (
        f'<span class="state state-{state.lower()}" style="background:{colour}">{e(label)}</span>'
    )


def value_html(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=repr, sort_keys=True)
    if len(text) > _VALUE_CHARS:
        text = text[: _VALUE_CHARS - 1] + "…"
    return f"<code>{e(text)}</code>"


def flatten(values: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in values.items():
        if isinstance(value, Mapping) and value:
            rows.extend(flatten(value, f"{prefix}{key}."))
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


def fields_html(pairs: Sequence[tuple[str, str]], css: str) -> str:
    rows = "".join(f"<tr><th>{e(name)}</th><td>{value}</td></tr>" for name, value in pairs)
    return f'<table class="{css}">{rows}</table>'


# ---- layout ----------------------------------------------------------------------------


def layout(
    title: str,
    fragment: str,
    *,
    csrf: str,
    home: str,
    daemon: bool,
    page: str,
    pid: str = "",
    version: int = 0,
) -> str:
    """A whole page: header (home, daemon or read-only), the fragment, the dialog."""
    mode = (
        '<span id="mode" class="mode-daemon">daemon running: controls enabled</span>'
        if daemon
        else '<span id="mode" class="mode-readonly">read-only: no daemon runs on this home</span>'
    )
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        f"<title>{e(title)} · prunus</title>"
        f'<meta name="prunus-csrf" content="{e(csrf)}">'
        '<link rel="stylesheet" href="/static/dashboard.css">'
        '<script src="/static/dashboard.js" defer></script></head>'
        f'<body data-page="{e(page)}" data-pid="{e(pid)}" data-daemon="{int(daemon)}" '
        f'data-version="{version}">'
        '<header><a class="brand" href="/">prunus</a> <a href="/">processes</a>'
        f' <span class="home">{e(home)}</span> {mode}'
        ' <span id="live" class="live-off" title="live updates">● live</span></header>'
        f'<main id="content">{fragment}</main>'
        '<div id="flash" role="status"></div>'
        '<dialog id="confirm"><form method="dialog"><p id="confirm-text"></p>'
        '<button value="cancel" id="confirm-cancel">Cancel</button> '
        '<button value="ok" id="confirm-ok" class="danger">Confirm</button></form></dialog>'
        "</body></html>\n"
    )


def refused_page(reason: str) -> str:
    """The page for a request without the token."""
    return message_page(
        "Token needed",
        reason,
        "Open the URL that <code>prunus ui</code> printed, or read the token in "
        "<code>ui.json</code> in the home.",
    )


def message_page(title: str, text: str, more: str = "") -> str:
    """A page that only says something (a refusal, an unknown process)."""
    return (
        f"<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>{e(title)} · prunus"
        '</title><link rel="stylesheet" href="/static/dashboard.css"></head><body>'
        f'<main><h1>{e(title)}</h1><p id="message">{e(text)}</p><p>{more}</p>'
        '<p><a href="/">all processes</a></p></main></body></html>\n'
    )
