"""How a process result looks in a notebook: HTML (``_repr_html_``) and plain text
(``_repr_pretty_``), and the colour of each state that every view of prunus shares.

Here, in the engine, because ``ProcessResult`` shows itself: its display methods call
these pure string functions, and the layers above (``prunus.ui``, the dashboard) reuse
the colours and the badge instead of defining their own.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from prunus.engine._states import ProcessState

if TYPE_CHECKING:
    from prunus.engine._records import ProcessResult

__all__ = [
    "STATE_COLOURS",
    "STYLE",
    "result_html",
    "result_text",
    "short_class",
    "state_badge",
    "state_label",
    "value_text",
]

#: Fill colour per state, shared by every picture, notebook view and the dashboard.
STATE_COLOURS: dict[ProcessState, str] = {
    ProcessState.CREATED: "#e0e0e0",
    ProcessState.RUNNING: "#8ab4f8",
    ProcessState.WAITING: "#fdd663",
    ProcessState.FINISHED: "#81c995",
    ProcessState.EXCEPTED: "#f28b82",
    ProcessState.KILLED: "#c58af9",
}

_VALUE_CHARS = 200

STYLE = (
    "<style>.prunus-view{font-family:sans-serif;font-size:13px}"
    ".prunus-view table{border-collapse:collapse}"
    ".prunus-view td,.prunus-view th{padding:2px 8px;text-align:left;vertical-align:top}"
    ".prunus-state{padding:1px 6px;border-radius:8px;font-size:12px;white-space:nowrap}"
    ".prunus-tree ul{list-style:none;margin:0;padding-left:18px}"
    ".prunus-tree>ul{padding-left:0}"
    ".prunus-bar{display:inline-block;width:240px;height:12px;background:#eee;"
    "border-radius:6px;overflow:hidden;vertical-align:middle;margin-right:8px}"
    ".prunus-fill-done{display:inline-block;height:100%;background:#81c995}"
    ".prunus-fill-failed{display:inline-block;height:100%;background:#f28b82}</style>"
)


def short_class(process_class: str) -> str:
    """``pkg.module:Outer.Name`` -> ``Name``."""
    return process_class.rpartition(":")[2].rpartition(".")[2] or process_class


def state_label(state: ProcessState, paused: bool) -> str:
    """``WAITING`` or ``WAITING (paused)``; an ended process is never shown paused."""
    return f"{state.name} (paused)" if paused and not state.is_terminal else state.name


def state_badge(state: ProcessState, paused: bool = False) -> str:
    """A state as a small coloured label (HTML)."""
    return (
        f'<span class="prunus-state prunus-state-{state.name.lower()}" '
        f'style="background:{STATE_COLOURS[state]}">{state_label(state, paused)}</span>'
    )


def value_text(value: Any) -> str:
    """A value on one line, cut at 200 characters."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 1] + "…"


def result_text(result: ProcessResult) -> str:
    """A result as a few lines: pid, class, state, exit status, outputs, error."""
    names = [result.pid, short_class(result.process_class), result.state.name]
    head = " ".join(name for name in names if name)
    code = result.exit_code
    if code is not None and code.status:
        head += f"  exit status {code.status}: {code.message}"
    lines = [head]
    lines.extend(f"  {name} = {value_text(value)}" for name, value in result.outputs.items())
    if result.exception:
        lines.append(f"  exception: {result.exception}")
    elif result.status and not result.is_finished_ok:
        lines.append(f"  status: {result.status}")
    return "\n".join(lines)


def result_html(result: ProcessResult) -> str:
    """A result as HTML: a header line, an outputs table, the error if any."""
    code = result.exit_code
    parts = [
        f'<div class="prunus-view prunus-result">{STYLE}<div><b>{html.escape(result.pid)}</b> '
        f"{html.escape(short_class(result.process_class))} {state_badge(result.state)}"
    ]
    if code is not None:
        parts.append(f" exit status {code.status}")
        if code.message:
            parts.append(f": {html.escape(code.message)}")
    parts.append("</div>")
    if result.outputs:
        rows = "".join(
            f"<tr><th>{html.escape(str(name))}</th><td><code>{html.escape(value_text(value))}"
            "</code></td></tr>"
            for name, value in result.outputs.items()
        )
        parts.append(f'<table class="prunus-outputs">{rows}</table>')
    else:
        parts.append("<div><i>no outputs</i></div>")
    if result.exception:
        parts.append(f'<pre class="prunus-exception">{html.escape(result.exception)}</pre>')
    elif result.status and not result.is_finished_ok:
        parts.append(f'<div class="prunus-status">{html.escape(result.status)}</div>')
    parts.append("</div>")
    return "".join(parts)
