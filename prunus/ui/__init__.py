"""Seeing workflows: pictures of process trees, notebook views, progress, the dashboard.

Everything here is built on the public client API (and, for the dashboard, a read-only
view of the store), so it works the same on a daemon and on an embedded home.
"""

from __future__ import annotations

from prunus.ui._graph import (
    STATE_COLOURS,
    DependencyEdge,
    GraphvizMissingError,
    condition_edges,
    render,
    to_dot,
    to_mermaid,
    to_svg,
)

__all__ = [
    "STATE_COLOURS",
    "DependencyEdge",
    "GraphvizMissingError",
    "condition_edges",
    "render",
    "to_dot",
    "to_mermaid",
    "to_svg",
]
