"""Reading a JSON or YAML file a user hands us, within limits: the CLI's only YAML import.

A data file is input from whoever wrote it, so reading one must neither run code nor
take unbounded time or memory:

- no YAML tags that build objects (the safe loader only makes plain data);
- at most :data:`MAX_FILE_BYTES` read, and at most :data:`MAX_DEPTH` levels of
  nesting (deeper JSON or YAML overflows the parsers' recursion, and nothing needs it);
- YAML aliases (``*name``) may repeat a node, but the document *with every alias
  expanded* may have at most :data:`MAX_NODES` nodes. The parser shares the aliased
  node, so a 600-byte "billion laughs" file parses fast and small, and then blows up
  in whatever walks it (validating, encoding, printing: 4.6 GB measured). It is
  refused here after counting, in time proportional to the file, not to the expansion.

Every refusal is a :class:`ValueError` with a one-line reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_NODES", "read_data_file"]

MAX_FILE_BYTES = 16 * 2**20
MAX_DEPTH = 100
MAX_NODES = 1_000_000


def read_data_file(path: Path, kind: str) -> Any:
    """The data in ``path``, parsed as ``kind`` (``"json"`` or ``"yaml"``).

    Raises:
        OSError: it cannot be read.
        ValueError: it is too large, not UTF-8, not valid, or too deep or too big
            once its aliases are expanded (one line each).
    """
    with open(path, "rb") as file:
        raw = file.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"larger than the limit of {MAX_FILE_BYTES >> 20} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 text (byte {error.start})") from None
    try:
        if kind == "json":
            data = json.loads(text)
            _check_depth(data)
            return data
        return _load_yaml(text)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        reason = " ".join(str(error).split())
        raise ValueError(f"not valid {kind.upper()}: {reason}") from None


def _check_depth(data: Any) -> None:
    """Iteratively, so that the check itself cannot overflow."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _load_yaml(text: str) -> Any:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, 1, {}, set())
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expanded_size(
    node: yaml.Node, depth: int, seen: dict[int, tuple[int, int]], path: set[int]
) -> tuple[int, int]:
    """``(nodes, height)`` of ``node`` with aliases expanded; each distinct node is
    walked once (``seen``), so the cost is the file's, not the expansion's."""
    key = id(node)
    if key in path:
        raise ValueError("an alias refers to a node that contains it (a recursive structure)")
    if key not in seen:
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        if depth > MAX_DEPTH:
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
        path.add(key)
        nodes, height = 1, 1
        for child in children:
            child_nodes, child_height = _expanded_size(child, depth + 1, seen, path)
            nodes += child_nodes
            height = max(height, child_height + 1)
            if nodes > MAX_NODES:
                raise ValueError(
                    f"more than {MAX_NODES:,} values once its aliases (*name) are expanded"
                )
        path.discard(key)
        seen[key] = (nodes, height)
    nodes, height = seen[key]
    if depth + height - 1 > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    return nodes, height
