"""``prunus process graph``: the tree of a workchain as DOT, Mermaid, SVG and PNG."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from prunus import Client, Pid, ProcessState
from prunus.errors import StuckError
from prunus.ui import STATE_COLOURS, DependencyEdge, to_dot, to_mermaid
from prunus.ui._graph import builtin_svg, condition_edges
from tests.cli.helpers import invoke
from tests.ui.workflows import Campaign

NODE = re.compile(r'^\s*"([^"]+)" \[(.*)\];$')
EDGE = re.compile(r'^\s*"([^"]+)" -> "([^"]+)"(?: \[(.*)\])?;$')
ATTR = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse_dot(text):
    """Nodes (pid -> attributes) and edges ((from, to, attributes)) of our DOT output."""
    nodes, edges = {}, []
    for line in text.splitlines():
        if edge := EDGE.match(line):
            edges.append((edge[1], edge[2], dict(ATTR.findall(edge[3] or ""))))
        elif node := NODE.match(line):
            nodes[node[1]] = dict(ATTR.findall(node[2]))
    return nodes, edges


@pytest.fixture(scope="module")
def campaign_home(tmp_path_factory):
    """A home holding one Campaign: 2 squares FINISHED, one child EXCEPTED, one WAITING."""
    home = tmp_path_factory.mktemp("graph-home")
    with Client(home) as client:
        pid = client.submit(Campaign, n=2, fail=True, hold=True)
        with pytest.raises(StuckError):
            client.wait(pid, timeout=30)
        tree = {status.pid: status for status in client.list()}
    return home, pid, tree


def test_graph_prints_a_node_per_process_coloured_by_state_and_an_edge_per_child(
    campaign_home, monkeypatch
):
    monkeypatch.delenv("PRUNUS_HOME", raising=False)
    home, pid, statuses = campaign_home
    result = invoke("process", "graph", pid, "--home", str(home))
    assert result.exit_code == 0, result.output
    nodes, edges = parse_dot(result.stdout)
    assert result.stdout.startswith("digraph prunus {")
    assert set(nodes) == set(statuses) and len(nodes) == 5
    for node_pid, attrs in nodes.items():
        state = statuses[node_pid].state
        assert attrs["fillcolor"] == STATE_COLOURS[state]
        assert attrs["class"] == f"state-{state.name.lower()}"
        assert attrs["label"].split("\\n")[0] == node_pid
    states = sorted(statuses[p].state.name for p in nodes)
    assert states == ["EXCEPTED", "FINISHED", "FINISHED", "WAITING", "WAITING"]
    assert sorted((a, b) for a, b, _ in edges) == sorted(
        (pid, child) for child in statuses[pid].children
    )
    assert len(edges) == 4


def test_graph_draws_a_paused_process_with_a_dashed_orange_border(tmp_path):
    with Client(tmp_path) as client:
        pid = client.submit(Campaign, n=1, hold=True)
        with pytest.raises(StuckError):
            client.wait(pid, timeout=30)
        client.pause(pid)
        nodes, _ = parse_dot(to_dot(tree_of(client, pid)))
    assert "dashed" in nodes[pid]["style"] and nodes[pid]["color"] == "#e8710a"
    assert nodes[pid]["label"].endswith("WAITING (paused)")


def tree_of(client, pid):
    from prunus.cli._views import process_tree

    return process_tree(client, pid)


def test_dependency_edges_are_drawn_dashed_apart_from_the_tree(campaign_home):
    home, pid, statuses = campaign_home
    first, second = statuses[pid].children[:2]
    with Client(home, resume=False) as client:
        tree = tree_of(client, pid)
    edges = [DependencyEdge(first, second, "finished_ok")]
    _, dot_edges = parse_dot(to_dot(tree, edges))
    dashed = [(a, b, attrs) for a, b, attrs in dot_edges if attrs.get("style") == "dashed"]
    assert [(a, b, attrs["label"]) for a, b, attrs in dashed] == [(first, second, "finished_ok")]
    mermaid = to_mermaid(tree, edges)
    assert mermaid.count(" --> ") == 4 and mermaid.count(" -.->|finished_ok| ") == 1
    svg = builtin_svg(tree, edges)
    assert svg.count('stroke-dasharray="4 3"') == 1


def test_graph_writes_mermaid_for_markdown(campaign_home, tmp_path):
    home, pid, _ = campaign_home
    target = tmp_path / "tree.mmd"
    result = invoke("process", "graph", pid, "--home", str(home), "-o", str(target))
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert text.startswith("flowchart LR")
    assert text.count(":::finished") == 2 and text.count(":::excepted") == 1
    assert f"classDef excepted fill:{STATE_COLOURS[ProcessState.EXCEPTED]}" in text
    assert text.count(" --> ") == 4


def test_the_built_in_svg_has_a_box_per_process_in_its_state_colour(campaign_home):
    home, pid, statuses = campaign_home
    with Client(home, resume=False) as client:
        svg = builtin_svg(tree_of(client, pid))
    boxes = re.findall(r'<g class="node state-(\w+)" data-pid="([^"]+)">.*?fill="([^"]+)"', svg)
    assert {box[1] for box in boxes} == set(statuses)
    for state, box_pid, fill in boxes:
        assert statuses[box_pid].state.name.lower() == state
        assert fill == STATE_COLOURS[statuses[box_pid].state]
    assert svg.count("<path ") == 4


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_graphviz_reads_the_dot_output_as_the_same_graph(campaign_home, tmp_path):
    home, pid, statuses = campaign_home
    dot_text = invoke("process", "graph", pid, "--home", str(home)).stdout
    laid_out = subprocess.run(
        ["dot", "-Tjson"], input=dot_text, capture_output=True, text=True, check=True
    )
    graph = json.loads(laid_out.stdout)
    names = {obj["_gvid"]: obj["name"] for obj in graph["objects"]}
    assert {obj["name"]: obj["fillcolor"] for obj in graph["objects"]} == {
        p: STATE_COLOURS[s.state] for p, s in statuses.items()
    }
    assert sorted((names[e["tail"]], names[e["head"]]) for e in graph["edges"]) == sorted(
        (pid, child) for child in statuses[pid].children
    )
    for suffix, magic in ((".svg", b"<?xml"), (".png", b"\x89PNG")):
        target = tmp_path / f"tree{suffix}"
        result = invoke("process", "graph", pid, "--home", str(home), "-o", str(target))
        assert result.exit_code == 0, result.output
        assert target.read_bytes().startswith(magic)
        assert "hint" not in result.stderr


def test_without_graphviz_svg_falls_back_with_a_hint_and_png_is_refused(
    campaign_home, tmp_path, monkeypatch
):
    home, pid, _ = campaign_home
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on this PATH
    svg = tmp_path / "tree.svg"
    result = invoke("process", "graph", pid, "--home", str(home), "-o", str(svg))
    assert result.exit_code == 0, result.output
    assert svg.read_text().startswith("<svg")
    assert result.stderr.startswith("hint: Graphviz's dot is not installed")
    png = invoke("process", "graph", pid, "--home", str(home), "-o", str(tmp_path / "t.png"))
    assert png.exit_code == 2 and not (tmp_path / "t.png").exists()
    assert png.stderr.strip().startswith("Error: PNG needs Graphviz's dot")
    assert len(png.stderr.strip().splitlines()) == 1


def test_graph_refuses_an_unknown_suffix_and_an_unknown_pid_with_one_line(campaign_home, tmp_path):
    home, pid, _ = campaign_home
    bad = invoke("process", "graph", pid, "--home", str(home), "-o", str(tmp_path / "t.gif"))
    assert bad.exit_code == 2 and "unknown picture format '.gif'" in bad.stderr
    missing = invoke("process", "graph", "nope", "--home", str(home))
    assert missing.exit_code == 2 and missing.stderr.strip() == "Error: unknown process 'nope'"


def test_a_when_condition_becomes_labelled_dashed_edges_inside_the_picture(campaign_home):
    home, pid, statuses = campaign_home
    first, second = statuses[pid].children[:2]
    when = (Pid(first).finished_ok & ~Pid("elsewhere").killed).to_data()
    edges = condition_edges(second, when)
    assert edges == [
        DependencyEdge(first, second, "finished_ok"),
        DependencyEdge("elsewhere", second, "killed"),
    ]
    with Client(home, resume=False) as client:
        tree = tree_of(client, pid)
    nodes, dot_edges = parse_dot(to_dot(tree, edges))
    dashed = [(a, b, attrs["label"]) for a, b, attrs in dot_edges if "label" in attrs]
    assert dashed == [(first, second, "finished_ok")]  # "elsewhere" is not drawn
    assert "elsewhere" not in nodes
    assert condition_edges(second, None) == [] and condition_edges(second, ["nonsense"]) == []
