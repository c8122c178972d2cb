"""Notebook views: HTML and pretty text of results, trees, lists, and progress."""

from __future__ import annotations

import io
import os
import re

import pexpect
import pytest

from prunus import Client, ProcessList, ProcessState, ProcessTree
from prunus.errors import StuckError
from prunus.ui import STATE_COLOURS
from prunus.ui._notebook import LIST_ROWS
from prunus.ui._progress import Progress, wait_with_progress
from tests.cli.helpers import PRUNUS, ROOT
from tests.ui.workflows import Campaign, Fails, Square


class Printer:
    """IPython's pretty-printer interface: ``text`` appends to the output."""

    def __init__(self):
        self.parts = []

    def text(self, text):
        self.parts.append(text)


def pretty(obj):
    printer = Printer()
    obj._repr_pretty_(printer, False)
    return "".join(printer.parts)


def badge(state, paused=False):
    label = f"{state.name} (paused)" if paused else state.name
    return (
        f'<span class="prunus-state prunus-state-{state.name.lower()}" '
        f'style="background:{STATE_COLOURS[state]}">{label}</span>'
    )


def test_a_finished_result_shows_its_outputs_in_a_table_with_values_escaped():
    with Client() as client:
        result = client.wait(client.submit(Square, x=3))
    page = result._repr_html_()
    assert f"<b>{result.pid}</b> Square {badge(ProcessState.FINISHED)}" in page
    assert "<tr><th>y</th><td><code>9</code></td></tr>" in page
    assert pretty(result) == f"{result.pid} Square FINISHED\n  y = 9"


def test_an_excepted_result_shows_its_error_and_html_in_values_is_escaped():
    with Client() as client:
        result = client.wait(client.submit(Fails))
    page = result._repr_html_()
    assert badge(ProcessState.EXCEPTED) in page
    assert '<pre class="prunus-exception">RuntimeError: this one breaks on purpose</pre>' in page
    assert "<i>no outputs</i>" in page
    assert pretty(result).endswith("exception: RuntimeError: this one breaks on purpose")
    from prunus import ProcessResult

    sneaky = ProcessResult("p1", ProcessState.FINISHED, {"<b>": "<script>x</script>"})
    assert "<script>" not in sneaky._repr_html_()
    assert "&lt;script&gt;x&lt;/script&gt;" in sneaky._repr_html_()


def test_a_tree_nests_children_under_their_parent_with_state_badges_and_counts():
    with Client() as client:
        pid = client.submit(Campaign, n=2, fail=True, hold=True)
        with pytest.raises(StuckError):
            client.wait(pid, timeout=30)
        client.pause(f"{pid}.3")
        tree = client.tree(pid)
    assert isinstance(tree, ProcessTree)
    page = tree._repr_html_()
    items = re.findall(r'<li data-pid="([^"]+)">', page)
    assert items == [pid, f"{pid}.0", f"{pid}.1", f"{pid}.2", f"{pid}.3"]
    assert page.index(f'data-pid="{pid}.0"') > page.index("<ul>", page.index(f'data-pid="{pid}"'))
    assert page.count(badge(ProcessState.FINISHED)) == 2
    assert badge(ProcessState.EXCEPTED) in page
    assert badge(ProcessState.WAITING, paused=True) in page
    assert "<i>holding on purpose</i>" in page
    assert "1 excepted, 2 finished, 2 waiting" in page
    lines = pretty(tree).splitlines()
    assert lines[0].startswith(f"{pid}  Campaign  WAITING")
    assert lines[4] == f"  {pid}.3  Hold  WAITING (paused)  holding on purpose"
    assert tree.to_dot().count(" -> ") == 4


def test_list_returns_a_list_that_shows_as_a_table_with_counts_per_state():
    with Client() as client:
        pids = [client.submit(Square, x=x) for x in range(3)]
        client.wait_many(pids)
        statuses = client.list()
    assert isinstance(statuses, list) and isinstance(statuses, ProcessList)
    assert [status.pid for status in statuses] == pids
    assert statuses == list(statuses) and repr(statuses).startswith("[ProcessStatus(")
    page = statuses._repr_html_()
    assert re.findall(r'<tr data-pid="([^"]+)">', page) == pids
    assert page.count(badge(ProcessState.FINISHED)) == 3
    assert "3 processes: 3 finished" in page
    text = pretty(statuses).splitlines()
    assert text[0].split() == ["PID", "CLASS", "STATE", "STEP", "AGE", "STATUS"]
    assert text[-1] == "3 processes: 3 finished"


def test_a_long_list_draws_its_first_rows_and_counts_the_rest():
    with Client() as client:
        pids = client.submit_many([(Square, {"x": x}) for x in range(LIST_ROWS + 5)])
        statuses = client.list()
    page = statuses._repr_html_()
    assert len(re.findall(r"<tr data-pid=", page)) == LIST_ROWS
    assert '<div class="prunus-more">... and 5 more</div>' in page
    assert f"<div>{len(pids)} processes: " in page and sum(statuses.counts().values()) == 205
    assert "... and 5 more" in pretty(statuses)


def test_progress_html_shows_counts_and_a_bar_split_by_outcome():
    progress = Progress(total=10, done=6, failed=2, running=1, waiting=1, elapsed=4.0)
    page = progress._repr_html_()
    assert 'aria-valuenow="8" aria-valuemax="10"' in page
    assert 'class="prunus-fill-done" style="width:60.0%"' in page
    assert 'class="prunus-fill-failed" style="width:20.0%"' in page
    assert '<span class="prunus-n-done">6 done</span>' in page
    assert '<span class="prunus-n-failed">2 failed</span>' in page
    assert '<span class="prunus-n-running">1 running</span>' in page
    assert "2.0/s" in page
    assert progress.text() == (
        "[███████████████████░░░░░] 8/10 processes ended: 6 done, 2 failed, 1 running, "
        "2.0/s, 4s elapsed"
    )


def test_wait_many_with_progress_returns_the_results_and_reports_done_and_failed(client, capsys):
    pids = [client.submit(Square, x=x, delay=0.05) for x in range(4)]
    pids.append(client.submit(Fails))
    stream = io.StringIO()
    results = wait_with_progress(client, pids, timeout=60, stream=stream)
    assert [result.pid for result in results] == pids
    assert [result.state for result in results] == [ProcessState.FINISHED] * 4 + [
        ProcessState.EXCEPTED
    ]
    last = stream.getvalue().splitlines()[-1]
    assert "5/5 processes ended: 4 done, 1 failed, 0 running" in last
    again = client.wait_many(pids, progress=True)
    assert again == results
    assert "5/5 processes ended: 4 done, 1 failed" in capsys.readouterr().err


def test_on_a_terminal_wait_many_redraws_one_progress_line_in_place(tmp_path):
    script = tmp_path / "progress.py"
    script.write_text(
        "import prunus\n"
        "from tests.ui.workflows import Square\n"
        "with prunus.Client() as client:\n"
        "    pids = [client.submit(Square, x=x, delay=0.3) for x in range(3)]\n"
        "    results = client.wait_many(pids, progress=True)\n"
        "    print('total', sum(r['y'] for r in results))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = pexpect.spawn(
        str(PRUNUS.with_name("python")), [str(script)], env=env, cwd=str(ROOT), encoding="utf-8"
    )
    child.expect(pexpect.EOF, timeout=60)
    child.close()
    assert child.exitstatus == 0, child.before
    screen = child.before
    assert screen.count("\r[") >= 2  # redrawn in place, not one line per update
    assert "\r[████████████████████████] 3/3 processes ended: 3 done, 0 failed" in screen
    assert screen.rstrip().endswith("total 5")


def test_prunus_run_on_a_terminal_shows_the_progress_bar_under_the_tree():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm"}
    child = pexpect.spawn(
        str(PRUNUS),
        ["run", "tests.ui.workflows:Campaign", "-i", "n=3", "-i", "delay=0.1"],
        env=env,
        cwd=str(ROOT),
        encoding="utf-8",
        dimensions=(40, 200),
        timeout=60,
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert re.search(r"4/4 processes ended: 4 done, 0 failed, 0 running, [\d.]+/s", child.before)
