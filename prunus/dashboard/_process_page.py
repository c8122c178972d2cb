"""The dashboard's page of one process: summary, controls, what it waits for, inputs,
outputs, error, report lines, the picture of its tree, and its children."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from prunus.conditions import condition_from_data
from prunus.dashboard._page_parts import (
    badge,
    e,
    fields_html,
    flatten,
    format_age,
    format_time,
    process_url,
    short_class,
    value_html,
)
from prunus.engine import ProcessState
from prunus.ui._graph import condition_edges

__all__ = ["process_fragment"]

_REPORT_LINES = 500
_CHILD_ROWS = 200


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
        ("created", format_time(created)),
        ("modified", format_time(modified)),
        ("age", format_age(None if created is None else now - created)),
        ("restarts", e(str(record.get("restarts", 0)))),
    ]
    summary.extend(_condition_and_cache(record))
    parts = [
        f'<section id="process" data-pid="{e(pid)}" data-state="{e(state)}">'
        f'<h1><span id="pid">{e(pid)}</span> {e(short_class(record["process_class"]))} '
        f"{badge(state, record.get('paused', False))}</h1>",
        _controls(pid, ended, daemon),
        f'<div class="top"><div>{fields_html(summary, "summary")}</div>'
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
        return value_html(values)
    return fields_html([(name, value_html(value)) for name, value in flatten(values)], css)


def _report(lines: Sequence[Sequence[Any]]) -> str:
    if not lines:
        return '<h2>Report</h2><p class="none">nothing logged</p>'
    shown = lines[-_REPORT_LINES:]
    more = (
        f"<p>{len(lines) - len(shown)} earlier lines not shown</p>"
        if len(lines) > len(shown)
        else ""
    )
    rows = "".join(
        f"<li><time>{format_time(when)}</time> {e(str(line))}</li>" for when, line in shown
    )
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
        f"</a></td><td>{e(short_class(c['process_class']))}</td>"
        f"<td>{badge(c['state'], c['paused'])}</td>"
        f'<td class="status">{e(c.get("status") or "")}</td></tr>'
        for c in children[:_CHILD_ROWS]
    )
    more = len(children) - _CHILD_ROWS
    tail = f"<p>and {more:,} more</p>" if more > 0 else ""
    return (
        f'<h2>Children ({len(children):,})</h2><table id="children"><thead><tr><th>PID</th>'
        f"<th>CLASS</th><th>STATE</th><th>STATUS</th></tr></thead><tbody>{rows}</tbody>"
        f"</table>{tail}"
    )
