"""Pictures of a process tree: DOT (Graphviz), Mermaid, and SVG with or without Graphviz.

One colour per state, the same in every picture (and in the dashboard's table), so a
campaign reads at a glance: what finished, what failed, what still waits. The tree
edges are parent -> child in launch order. ``extra_edges`` is the hook for edges that
are not parenthood (dependencies between processes, once conditions exist): they are
drawn dashed, with an optional label, between any two pids in the picture.

SVG comes from Graphviz's ``dot`` when it is installed (the best layout); without it a
small built-in layout draws the same tree left to right, so the dashboard and
``prunus process graph -o x.svg`` always have a picture. PNG needs ``dot``.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from prunus.conditions import condition_from_data
from prunus.engine import ProcessStatus
from prunus.engine._result_views import STATE_COLOURS
from prunus.errors import PrunusError

__all__ = [
    "FORMATS",
    "STATE_COLOURS",
    "DependencyEdge",
    "GraphvizMissingError",
    "TreeLike",
    "condition_edges",
    "dot_path",
    "render",
    "to_dot",
    "to_mermaid",
    "to_svg",
]

_PAUSED_BORDER = "#e8710a"

#: Output formats by file suffix.
FORMATS = ("dot", "mmd", "svg", "png")

_DOT_TIMEOUT = 30.0
_BOX_W, _BOX_H, _GAP_X, _GAP_Y = 190, 46, 50, 12


class TreeLike(Protocol):
    """A process and its descendants: ``status`` and ``children`` (of the same kind)."""

    @property
    def status(self) -> ProcessStatus: ...

    @property
    def children(self) -> Sequence[TreeLike]: ...


@dataclass(frozen=True)
class DependencyEdge:
    """An edge that is not parenthood: ``source`` must happen before ``target``."""

    source: str
    target: str
    label: str = ""


def condition_edges(pid: str, when: Any) -> list[DependencyEdge]:
    """The edges of ``pid``'s ``when=`` condition (as its registry record stores it:
    ``record["when"]``): one per atom, from the pid it names, labelled with the atom's
    kind (``finished_ok``...). A condition that cannot be read draws no edge."""
    if when is None:
        return []
    try:
        condition = condition_from_data(when)
    except PrunusError:
        return []
    return [DependencyEdge(atom.pid, pid, atom.kind.value) for atom in condition.atoms()]


class GraphvizMissingError(PrunusError):
    """A format that needs Graphviz's ``dot`` was asked for and ``dot`` is not installed."""


def dot_path() -> str | None:
    """Where Graphviz's ``dot`` is, or None."""
    return shutil.which("dot")


def _walk(tree: TreeLike, depth: int = 0) -> Iterator[tuple[int, TreeLike]]:
    yield depth, tree
    for child in tree.children:
        yield from _walk(child, depth + 1)


def _short(process_class: str) -> str:
    return process_class.rpartition(":")[2].rpartition(".")[2] or process_class


def _state_text(status: ProcessStatus) -> str:
    paused = status.paused and not status.state.is_terminal
    return f"{status.state.name} (paused)" if paused else status.state.name


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(
    tree: TreeLike,
    extra_edges: Iterable[DependencyEdge] = (),
    link: Callable[[str], str] | None = None,
    highlight: str | None = None,
) -> str:
    """The tree as Graphviz DOT text: one node per process, filled by state.

    ``link(pid)``: a URL for each node (the dashboard links nodes to their pages);
    ``highlight``: a pid drawn with a thick border (the page's own process).
    """
    lines = [
        "digraph prunus {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [color="#5f6368"];',
    ]
    edges = []
    for _, node in _walk(tree):
        status = node.status
        label = f"{status.pid}\n{_short(status.process_class)}\n{_state_text(status)}"
        attrs = {
            "label": label,
            "fillcolor": STATE_COLOURS[status.state],
            "class": f"state-{status.state.name.lower()}",
            "tooltip": status.status or status.state.name,
        }
        if link is not None:
            attrs |= {"URL": link(status.pid), "target": "_top"}
        if status.pid == highlight:
            attrs |= {"penwidth": "3"}
        if status.paused and not status.state.is_terminal:
            attrs |= {"color": _PAUSED_BORDER, "penwidth": "2", "style": "rounded,filled,dashed"}
        body = ", ".join(f"{key}={_dot_quote(value)}" for key, value in attrs.items())
        lines.append(f"  {_dot_quote(status.pid)} [{body}];")
        edges.extend(
            f"  {_dot_quote(status.pid)} -> {_dot_quote(c.status.pid)};" for c in node.children
        )
    lines.extend(edges)
    drawn = {node.status.pid for _, node in _walk(tree)}
    for edge in extra_edges:
        if edge.source not in drawn or edge.target not in drawn:
            continue  # an edge to a process outside the picture would add a bare node
        attrs = 'style="dashed", color="#1a73e8", constraint="false"'
        if edge.label:
            attrs += f", label={_dot_quote(edge.label)}"
        lines.append(f"  {_dot_quote(edge.source)} -> {_dot_quote(edge.target)} [{attrs}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(tree: TreeLike, extra_edges: Iterable[DependencyEdge] = ()) -> str:
    """The tree as a Mermaid flowchart (renders in GitHub and GitLab Markdown)."""
    ids: dict[str, str] = {}
    lines = ["flowchart LR"]
    links = []
    for _, node in _walk(tree):
        status = node.status
        ids[status.pid] = node_id = f"p{len(ids)}"
        text = f"{status.pid}<br/>{_short(status.process_class)}<br/>{_state_text(status)}"
        text = text.replace('"', "#quot;")
        lines.append(f'  {node_id}["{text}"]:::{status.state.name.lower()}')
    for _, node in _walk(tree):
        links.extend(f"  {ids[node.status.pid]} --> {ids[c.status.pid]}" for c in node.children)
    lines.extend(links)
    for edge in extra_edges:
        if edge.source in ids and edge.target in ids:
            label = f"|{edge.label}|" if edge.label else ""
            lines.append(f"  {ids[edge.source]} -.->{label} {ids[edge.target]}")
    for state, colour in STATE_COLOURS.items():
        lines.append(f"  classDef {state.name.lower()} fill:{colour},stroke:#5f6368;")
    return "\n".join(lines) + "\n"


def to_svg(
    tree: TreeLike,
    extra_edges: Iterable[DependencyEdge] = (),
    link: Callable[[str], str] | None = None,
    highlight: str | None = None,
) -> str:
    """SVG text: Graphviz's layout when ``dot`` is installed, else the built-in one."""
    edges = list(extra_edges)
    if dot_path() is not None:
        return _run_dot(to_dot(tree, edges, link, highlight), "svg").decode("utf-8")
    return builtin_svg(tree, edges, link, highlight)


def render(tree: TreeLike, fmt: str, extra_edges: Iterable[DependencyEdge] = ()) -> bytes:
    """The picture in ``fmt`` (one of :data:`FORMATS`) as bytes to write to a file.

    Raises:
        GraphvizMissingError: ``png`` without Graphviz installed.
        ValueError: an unknown format.
    """
    edges = list(extra_edges)
    if fmt == "dot":
        return to_dot(tree, edges).encode()
    if fmt == "mmd":
        return to_mermaid(tree, edges).encode()
    if fmt == "svg":
        return to_svg(tree, edges).encode()
    if fmt == "png":
        if dot_path() is None:
            raise GraphvizMissingError(
                "PNG needs Graphviz's dot, which is not installed (apt-get install graphviz); "
                "-o FILE.svg, .dot or .mmd work without it"
            )
        return _run_dot(to_dot(tree, edges), "png")
    raise ValueError(f"unknown picture format {fmt!r}; one of {', '.join(FORMATS)}")


def _run_dot(text: str, fmt: str) -> bytes:
    dot = dot_path()
    assert dot is not None
    try:
        done = subprocess.run(
            [dot, f"-T{fmt}"],
            input=text.encode(),
            capture_output=True,
            timeout=_DOT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PrunusError(
            f"Graphviz dot took more than {_DOT_TIMEOUT:g} s; try -o FILE.dot"
        ) from None
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        raise PrunusError(f"Graphviz dot failed: {reason[0] if reason else done.returncode}")
    return done.stdout


def builtin_svg(
    tree: TreeLike,
    extra_edges: Iterable[DependencyEdge] = (),
    link: Callable[[str], str] | None = None,
    highlight: str | None = None,
) -> str:
    """A left-to-right tree drawn without Graphviz: a column per depth, leaves stacked
    in launch order, each parent centred on its children."""
    places: dict[str, tuple[float, float]] = {}
    next_row = [0.0]

    def place(node: TreeLike, depth: int) -> float:
        x = depth * (_BOX_W + _GAP_X)
        if node.children:
            ys = [place(child, depth + 1) for child in node.children]
            y = (ys[0] + ys[-1]) / 2
        else:
            y = next_row[0] * (_BOX_H + _GAP_Y)
            next_row[0] += 1
        places[node.status.pid] = (x, y)
        return y

    place(tree, 0)
    width = max(x for x, _ in places.values()) + _BOX_W + 2
    height = max(y for _, y in places.values()) + _BOX_H + 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="-1 -1 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif" '
        'font-size="11">'
    ]
    for _, node in _walk(tree):
        x, y = places[node.status.pid]
        for child in node.children:
            cx, cy = places[child.status.pid]
            parts.append(
                f'<path d="M{x + _BOX_W:.0f},{y + _BOX_H / 2:.0f} C{x + _BOX_W + _GAP_X / 2:.0f},'
                f"{y + _BOX_H / 2:.0f} {cx - _GAP_X / 2:.0f},{cy + _BOX_H / 2:.0f} "
                f'{cx:.0f},{cy + _BOX_H / 2:.0f}" fill="none" stroke="#5f6368"/>'
            )
    for edge in extra_edges:
        if edge.source in places and edge.target in places:
            (sx, sy), (tx, ty) = places[edge.source], places[edge.target]
            ends = f'x1="{sx + _BOX_W / 2:.0f}" y1="{sy + _BOX_H:.0f}" '
            ends += f'x2="{tx + _BOX_W / 2:.0f}" y2="{ty:.0f}"'
            parts.append(f'<line {ends} stroke="#1a73e8" stroke-dasharray="4 3"/>')
    for _, node in _walk(tree):
        box = _svg_box(node.status, *places[node.status.pid], node.status.pid == highlight)
        if link is not None:
            box = f'<a href="{html.escape(link(node.status.pid))}">{box}</a>'
        parts.append(box)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _svg_box(status: ProcessStatus, x: float, y: float, highlight: bool = False) -> str:
    paused = status.paused and not status.state.is_terminal
    stroke = (
        f'stroke="{_PAUSED_BORDER}" stroke-width="2" stroke-dasharray="5 3"'
        if paused
        else 'stroke="#5f6368"'
    )
    if highlight:
        stroke += ' stroke-width="3"' if not paused else ""
    lines = [
        (status.pid, ' font-weight="bold"'),
        (_short(status.process_class), ""),
        (_state_text(status), ""),
    ]
    texts = "".join(
        f'<text x="{x + 8:.0f}" y="{y + 15 + 13 * row:.0f}"{extra}>{html.escape(text)}</text>'
        for row, (text, extra) in enumerate(lines)
    )
    return (
        f'<g class="node state-{status.state.name.lower()}" data-pid="{html.escape(status.pid)}">'
        f"<title>{html.escape(status.status or status.state.name)}</title>"
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{_BOX_W}" height="{_BOX_H}" rx="6" '
        f'fill="{STATE_COLOURS[status.state]}" {stroke}/>{texts}</g>'
    )
