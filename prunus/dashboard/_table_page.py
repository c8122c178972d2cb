"""The dashboard's table of processes: counts per state, filters, one page, a pager."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from prunus.dashboard._index import Page, TableQuery
from prunus.dashboard._page_parts import badge, e, format_age, process_url, short_class
from prunus.engine import ProcessState

__all__ = ["AGES", "table_fragment", "table_query_string"]

#: The age filter's choices: (label, seconds or None).
AGES: tuple[tuple[str, float | None], ...] = (
    ("any age", None),
    ("last 5 minutes", 300.0),
    ("last hour", 3600.0),
    ("last day", 86400.0),
    ("last week", 604800.0),
)


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
        f"{e(short_class(name))} ({count:,})</option>"
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
            f'<td title="{e(record["process_class"])}">'
            f"{e(short_class(record['process_class']))}</td>"
            f"<td>{badge(record['state'], record['paused'])}</td>"
            f"<td>{e(record.get('step') or '')}</td>"
            f"<td>{format_age(None if created is None else now - created)}</td>"
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
