"""The dashboard's HTML, rendered on the server: a table of processes and a process page.

Each page is a layout around a fragment; the fragment alone is what the page's script
fetches again when the event stream says something it shows has changed, so a live
page is one request per change, never a reload. Every value from the store is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from prunus.conditions import condition_from_data
from prunus.engine import ProcessState
from prunus.ui._graph import STATE_COLOURS, condition_edges
from prunus.ui._index import Page, TableQuery

__all__ = [
    "AGES",
    "layout",
    "message_page",
    "process_fragment",
    "refused_page",
    "table_fragment",
    "table_query_string",
]

#: The age filter's choices: (label, seconds or None).
AGES: tuple[tuple[str, float | None], ...] = (
    ("any age", None),
    ("last 5 minutes", 300.0),
    ("last hour", 3600.0),
    ("last day", 86400.0),
    ("last week", 604800.0),
)
_VALUE_CHARS = 4000
_REPORT_LINES = 500
_CHILD_ROWS = 200

e = html.escape


def _short(process_class: str) -> str:
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


def _time(timestamp: float | None) -> str:
    if timestamp is None:
        return "-"
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _age(seconds: float | None) -> str:
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
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=repr, sort_keys=True)
    if len(text) > _VALUE_CHARS:
        text = text[: _VALUE_CHARS - 1] + "…"
    return f"<code>{e(text)}</code>"


def _flatten(values: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in values.items():
        if isinstance(value, Mapping) and value:
            rows.extend(_flatten(value, f"{prefix}{key}."))
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


def _fields(pairs: Sequence[tuple[str, str]], css: str) -> str:
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


# ---- the table ------------------------------------------------------------------------


def table_query_string(query: TableQuery, **changes: Any) -> str:
    """The URL query of ``query`` with ``changes`` applied (offset, states...)."""
    values = {
        "state": sorted(query.states),
        "class": query.process_class,
        "age": "" if query.max_age is None else f"{query.max_age:g}",
        "paused": "1" if query.paused_only else "",
        "offset": str(query.offset),
        "limit": str(query.limit),
    }
    values.update(changes)
    pairs = [(k, v) for k, v in values.items() if v not in ("", [], "0") or k == "limit"]
    flat = [(k, item) for k, v in pairs for item in (v if isinstance(v, list) else [v])]
    return "?" + urlencode(flat)


def table_fragment(page: Page, now: float) -> str:
    """Counts per state, the filters, one page of rows and the pager."""
    query = page.query
    chips = [
        f'<a class="chip{" on" if not query.states else ""}" '
        f'href="{e(table_query_string(query, state=[], offset="0"))}">'
        f'all <b id="count-all">{page.total:,}</b></a>'
    ]
    for state in ProcessState:
        name = state.name
        on = " on" if name.lower() in {s.lower() for s in query.states} else ""
        link = table_query_string(query, state=[name.lower()], offset="0")
        chips.append(
            f'<a class="chip{on}" href="{e(link)}">'
            f'{badge(name)} <b id="count-{name.lower()}">{page.counts.get(name, 0):,}</b></a>'
        )
    return (
        f'<section id="table" data-version="{page.version}">'
        f'<nav class="counts">{"".join(chips)}</nav>{_filters(page)}'
        f"{_rows(page, now)}{_pager(page)}</section>"
    )


def _filters(page: Page) -> str:
    query = page.query
    chosen = {state.lower() for state in query.states}
    states = "".join(
        f'<label><input type="checkbox" name="state" value="{s.name.lower()}"'
        f"{' checked' if s.name.lower() in chosen else ''}> {s.name.lower()}</label>"
        for s in ProcessState
    )
    classes = '<option value="">any class</option>' + "".join(
        f'<option value="{e(name)}"{" selected" if name == query.process_class else ""}>'
        f"{e(_short(name))} ({count:,})</option>"
        for name, count in page.classes
    )
    ages = "".join(
        f'<option value="{"" if seconds is None else f"{seconds:g}"}"'
        f"{' selected' if seconds == query.max_age else ''}>{label}</option>"
        for label, seconds in AGES
    )
    paused = " checked" if query.paused_only else ""
    return (
        '<form id="filters" method="get" action="/">'
        f'<span class="states">{states}</span>'
        f'<select name="class" id="filter-class">{classes}</select>'
        f'<select name="age" id="filter-age">{ages}</select>'
        f'<label><input type="checkbox" name="paused" value="1"{paused}> paused only</label>'
        f'<input type="hidden" name="limit" value="{query.limit}">'
        '<button type="submit" id="apply">Filter</button></form>'
    )


def _rows(page: Page, now: float) -> str:
    if not page.rows:
        return '<p id="empty">No process matches.</p>'
    body = []
    for record in page.rows:
        pid, created = record["pid"], record.get("created")
        body.append(
            f'<tr data-pid="{e(pid)}"><td><a href="{e(process_url(pid))}">{e(pid)}</a></td>'
            f'<td title="{e(record["process_class"])}">{e(_short(record["process_class"]))}</td>'
            f"<td>{badge(record['state'], record['paused'])}</td>"
            f"<td>{e(record.get('step') or '')}</td>"
            f"<td>{_age(None if created is None else now - created)}</td>"
            f'<td class="status">{e(record.get("status") or "")}</td></tr>'
        )
    return (
        '<table id="processes"><thead><tr><th>PID</th><th>CLASS</th><th>STATE</th>'
        f"<th>STEP</th><th>AGE</th><th>STATUS</th></tr></thead><tbody>{''.join(body)}"
        "</tbody></table>"
    )


def _pager(page: Page) -> str:
    query = page.query
    first = query.offset + 1 if page.matching else 0
    last = min(query.offset + query.limit, page.matching)
    links = []
    if query.offset > 0:
        newer = str(max(0, query.offset - query.limit))
        links.append(
            f'<a id="newer" href="{e(table_query_string(query, offset=newer))}">&lsaquo; newer</a>'
        )
    if last < page.matching:
        older = str(query.offset + query.limit)
        links.append(
            f'<a id="older" href="{e(table_query_string(query, offset=older))}">older &rsaquo;</a>'
        )
    return (
        f'<nav class="pager"><span id="shown">{first:,}&ndash;{last:,} of {page.matching:,}</span> '
        f"{' '.join(links)}</nav>"
    )


# ---- a process --------------------------------------------------------------------------


def process_fragment(
    details: Mapping[str, Any],
    children: Sequence[Mapping[str, Any]],
    tree_svg: str,
    left_out: int,
    *,
    daemon: bool,
    now: float,
) -> str:
    """Everything about one process: summary, controls, waits, inputs, outputs, error,
    report lines, the tree picture and the children."""
    record = details["record"]
    pid, state = record["pid"], record["state"]
    ended = ProcessState(state).is_terminal
    code = details.get("exit_code")
    created, modified = record.get("created"), record.get("modified")
    parent = record.get("parent")
    summary = [
        ("class", e(record["process_class"])),
        ("state", badge(state, record.get("paused", False))),
        ("status", e(record.get("status") or "-")),
        ("step", e(record.get("step") or "-")),
        ("exit code", "-" if not code else e(f"{code[0]}" + (f": {code[1]}" if code[1] else ""))),
        ("parent", f'<a href="{e(process_url(parent))}">{e(parent)}</a>' if parent else "-"),
        ("created", _time(created)),
        ("modified", _time(modified)),
        ("age", _age(None if created is None else now - created)),
        ("restarts", e(str(record.get("restarts", 0)))),
    ]
    summary.extend(_condition_and_cache(record))
    parts = [
        f'<section id="process" data-pid="{e(pid)}" data-state="{e(state)}">'
        f'<h1><span id="pid">{e(pid)}</span> {e(_short(record["process_class"]))} '
        f"{badge(state, record.get('paused', False))}</h1>",
        _controls(pid, ended, daemon),
        f'<div class="top"><div>{_fields(summary, "summary")}</div>'
        f"<div>{_tree(tree_svg, left_out)}</div></div>",
    ]
    if not ended:
        parts.append(_waits(details, children))
    parts.append("<h2>Inputs</h2>" + _values(details.get("inputs"), "inputs"))
    parts.append("<h2>Outputs</h2>" + _values(details.get("outputs"), "outputs"))
    if details.get("exception") or details.get("traceback"):
        text = details.get("traceback") or details.get("exception")
        parts.append(f'<h2>Error</h2><pre id="traceback">{e(text)}</pre>')
    if details.get("checkpoint_error"):
        parts.append(f'<p class="warning">{e(details["checkpoint_error"])}</p>')
    parts.append(_report(details.get("logs") or []))
    parts.append(_children(children, now))
    parts.append("</section>")
    return "".join(parts)


def _condition_and_cache(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Rows for a ``when=`` condition (each pid it names linked) and a cache source."""
    rows = []
    edges = condition_edges(record["pid"], record.get("when"))
    if record.get("when") is not None:
        named = "".join(
            f' <a href="{e(process_url(edge.source))}">{e(edge.source)}</a>.{e(edge.label)}'
            for edge in edges
        )
        text = str(condition_from_data(record["when"])) if edges else "(unreadable)"
        rows.append(("condition", f"<code>{e(text)}</code>{' on' + named if named else ''}"))
    if record.get("cached_from"):
        source = record["cached_from"]
        rows.append(("cached from", f'<a href="{e(process_url(source))}">{e(source)}</a>'))
    return rows


def _controls(pid: str, ended: bool, daemon: bool) -> str:
    disabled = " disabled" if ended or not daemon else ""
    why = (
        "it has ended"
        if ended
        else ""
        if daemon
        else "read-only: start a daemon on this home to control processes"
    )
    buttons = "".join(
        f'<button class="control{" danger" if verb == "kill" else ""}" id="{verb}" '
        f'data-action="{verb}" data-pid="{e(pid)}"{disabled}>{verb.capitalize()}</button> '
        for verb in ("pause", "play", "kill")
    )
    note = f' <span class="why">{e(why)}</span>' if why else ""
    return f'<div class="controls">{buttons}{note}</div>'


def _waits(details: Mapping[str, Any], children: Sequence[Mapping[str, Any]]) -> str:
    record = details["record"]
    state_of = {child["pid"]: child["state"] for child in children}
    awaited = [pid for pid in details.get("awaiting") or () if pid in state_of]
    open_ = [pid for pid in awaited if not ProcessState(state_of[pid]).is_terminal]
    items = "".join(
        f'<li><a href="{e(process_url(pid))}">{e(pid)}</a> {badge(state_of[pid])}</li>'
        for pid in open_
    )
    message = e(record.get("status") or "")
    what = f"<ul>{items}</ul>" if items else "<p>no child process</p>"
    paused = " It is paused: it takes no step until played." if record.get("paused") else ""
    return (
        f'<div id="waits"><h2>Waiting for</h2><p>{message or record["state"]}{paused}</p>'
        f"{what}</div>"
    )


def _values(values: Any, css: str) -> str:
    if not values:
        return f'<p class="none" id="{css}-none">none</p>'
    if not isinstance(values, Mapping):
        return _value(values)
    return _fields([(name, _value(value)) for name, value in _flatten(values)], css)


def _report(lines: Sequence[Sequence[Any]]) -> str:
    if not lines:
        return '<h2>Report</h2><p class="none">nothing logged</p>'
    shown = lines[-_REPORT_LINES:]
    more = (
        f"<p>{len(lines) - len(shown)} earlier lines not shown</p>"
        if len(lines) > len(shown)
        else ""
    )
    rows = "".join(f"<li><time>{_time(when)}</time> {e(str(line))}</li>" for when, line in shown)
    return f'<h2>Report</h2>{more}<ol id="report">{rows}</ol>'


def _tree(svg: str, left_out: int) -> str:
    more = f"<p>{left_out:,} more processes not drawn</p>" if left_out else ""
    start = svg.find("<svg")
    return f'<div id="tree">{svg[start:] if start >= 0 else ""}</div>{more}'


def _children(children: Sequence[Mapping[str, Any]], now: float) -> str:
    if not children:
        return ""
    rows = "".join(
        f'<tr data-pid="{e(c["pid"])}"><td><a href="{e(process_url(c["pid"]))}">{e(c["pid"])}'
        f"</a></td><td>{e(_short(c['process_class']))}</td><td>{badge(c['state'], c['paused'])}"
        f'</td><td class="status">{e(c.get("status") or "")}</td></tr>'
        for c in children[:_CHILD_ROWS]
    )
    more = len(children) - _CHILD_ROWS
    tail = f"<p>and {more:,} more</p>" if more > 0 else ""
    return (
        f'<h2>Children ({len(children):,})</h2><table id="children"><thead><tr><th>PID</th>'
        f"<th>CLASS</th><th>STATE</th><th>STATUS</th></tr></thead><tbody>{rows}</tbody>"
        f"</table>{tail}"
    )
