"""``prunus process list`` prints each page as it arrives: the first rows are on screen
before the last page is asked for, in the same format as one table."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess

from prunus import Client
from prunus.cli._render import Output
from tests.cli.helpers import PRUNUS, ROOT

ROWS = [["a1", "RUNNING", "count"], ["a1.0", "FINISHED", ""]]


def test_one_page_prints_exactly_as_one_table(capsys):
    Output(rich=False).table(["PID", "STATE", "STEP"], ROWS)
    whole = capsys.readouterr().out
    assert Output(rich=False).table_pages(["PID", "STATE", "STEP"], iter([ROWS])) == 2
    assert capsys.readouterr().out == whole


def test_later_pages_print_no_header_and_widen_a_column_they_do_not_fit(capsys):
    pages = iter([ROWS, [], [["a1.0.0.0", "WAITING", "x"]]])
    assert Output(rich=False).table_pages(["PID", "STATE", "STEP"], pages) == 3
    assert capsys.readouterr().out.splitlines() == [
        "PID   STATE     STEP",
        "a1    RUNNING   count",
        "a1.0  FINISHED",
        "a1.0.0.0  WAITING   x",
    ]


def test_no_rows_print_no_header(capsys):
    assert Output(rich=False).table_pages(["PID"], iter([[], []])) == 0
    assert capsys.readouterr().out == ""


def test_a_rich_listing_has_one_header_however_many_pages(capsys):
    Output(rich=True).table_pages(["PID", "STATE"], iter([[["p", "KILLED"]], [["q", "WAITING"]]]))
    text = capsys.readouterr().out
    assert text.count("PID") == 1 and "p" in text and "q" in text


def test_json_written_an_item_at_a_time_is_the_json_of_the_list(capsys):
    items = [{"pid": "a", "children": ["a.0"], "text": "two\nlines"}, {"pid": "b"}, {}]
    for count in (0, 1, 3):
        Output().json(items[:count])
        whole = capsys.readouterr().out
        assert Output().json_items(iter(items[:count])) == count
        assert capsys.readouterr().out == whole
        assert json.loads(whole) == items[:count]


def test_the_first_page_is_printed_before_the_last_one_is_asked_for(daemon_home):
    """The listing writes into a pipe of 4 KiB that nobody reads yet: streaming, it
    blocks while printing its first page of 100 rows. A process submitted only after
    the header arrived is newer than every other, so it is in the last page: listed
    only if that page was asked for after the first was printed."""
    with Client.connect(daemon_home, timeout=60) as client:
        before = client.submit_many([("tests.workflows:WaitsForever", {})] * 300)
        read, write = os.pipe()
        fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, 4096)
        listing = subprocess.Popen(
            [str(PRUNUS), "process", "list", "--home", str(daemon_home), "--page-size", "100"],
            stdout=write,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
        )
        os.close(write)
        with os.fdopen(read, "rb") as output:
            header = output.readline()
            late = client.submit("tests.workflows:WaitsForever")
            rest = output.read().decode()
        assert listing.wait(timeout=60) == 0, listing.stderr.read()  # type: ignore[union-attr]
        assert header.split() == [b"PID", b"CLASS", b"STATE", b"STEP", b"AGE", b"STATUS"]
        lines = rest.splitlines()
        pids = [line.split()[0] for line in lines[:-1]]
        assert sorted(pids) == sorted([*before, late]) and pids[-1] == late
        assert lines[-1].startswith("301 of ")
