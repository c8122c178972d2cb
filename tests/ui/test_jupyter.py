"""The notebook views in a real Jupyter kernel: what a notebook receives, message by message."""

from __future__ import annotations

import queue

import pytest

from tests.cli.helpers import ROOT

jupyter_client = pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")

CELL = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import prunus
from tests.ui.workflows import Square
client = prunus.Client()
pids = [client.submit(Square, x=x, delay=0.3) for x in range(3)]
results = client.wait_many(pids, progress=True)
print(sum(r["y"] for r in results))
"""


def run_cell(client, code, timeout=60.0):
    """Execute ``code``; every iopub message of that execution, in order."""
    msg_id = client.execute(code)
    messages = []
    while True:
        try:
            message = client.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no end of the cell within {timeout} s: {messages}") from None
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(message)
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            return messages


@pytest.fixture(scope="module")
def kernel():
    manager = jupyter_client.KernelManager(kernel_name="python3")
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_wait_many_draws_one_progress_output_and_updates_it_in_place(kernel):
    messages = run_cell(kernel, CELL)
    errors = [m["content"] for m in messages if m["msg_type"] == "error"]
    assert errors == []
    shown = [m for m in messages if m["msg_type"] == "display_data"]
    updates = [m for m in messages if m["msg_type"] == "update_display_data"]
    assert len(shown) == 1  # one output, updated: not a new output per redraw
    display_id = shown[0]["content"]["transient"]["display_id"]
    assert updates and {u["content"]["transient"]["display_id"] for u in updates} == {display_id}
    last = updates[-1]["content"]["data"]
    assert "prunus-progress" in last["text/html"]
    assert '<span class="prunus-n-done">3 done</span>' in last["text/html"]
    assert "3/3 processes ended: 3 done, 0 failed" in last["text/plain"]
    printed = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
    assert printed == "5\n"


def test_a_result_and_a_list_show_as_html_in_the_notebook(kernel):
    result = run_cell(kernel, "results[1]")
    [answer] = [m["content"]["data"] for m in result if m["msg_type"] == "execute_result"]
    assert "prunus-result" in answer["text/html"]
    assert "<tr><th>y</th><td><code>1</code></td></tr>" in answer["text/html"]
    assert answer["text/plain"].endswith("Square FINISHED\n  y = 1")
    listed = run_cell(kernel, "client.list()")
    [table] = [m["content"]["data"] for m in listed if m["msg_type"] == "execute_result"]
    assert "3 processes: 3 finished" in table["text/html"]
    assert table["text/plain"].splitlines()[0].split() == [
        "PID",
        "CLASS",
        "STATE",
        "STEP",
        "AGE",
        "STATUS",
    ]
