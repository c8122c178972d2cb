"""client.list_page and ``prunus process list`` read the registry in filtered pages."""

from __future__ import annotations

import time

from click.testing import CliRunner

from prunus import Client, ListQuery
from prunus.cli import main
from tests.workflows import Add, WaitsForever


def all_pages(client, query, limit):
    statuses, after = [], None
    while True:
        page = client.list_page(query, after=after, limit=limit)
        assert len(page.statuses) <= limit
        statuses.extend(page.statuses)
        after = page.next
        if after is None:
            return statuses, page


def test_pages_of_a_filtered_listing_add_up_in_both_modes(client):
    started = time.time()
    done = client.submit_many([(Add, {"a": i}) for i in range(7)])
    client.wait_many(done)
    waiting = client.submit(WaitsForever)
    query = ListQuery(include_ended=True, created_after=started - 1)
    statuses, last = all_pages(client, query, limit=3)
    ours = [s.pid for s in statuses if s.pid in {*done, waiting}]
    assert ours == [*done, waiting]  # oldest first, every one once
    assert last.total >= 8 and last.matching >= 8
    finished, _ = all_pages(client, ListQuery(states=("FINISHED",), created_after=started), 2)
    assert set(done) <= {s.pid for s in finished}
    assert waiting not in {s.pid for s in finished}
    newest = client.list_page(ListQuery(include_ended=True, newest=1)).statuses
    assert [s.pid for s in newest] == [waiting]
    client.kill(waiting)


def test_process_list_shows_a_home_read_in_pages(tmp_path, monkeypatch):
    from prunus.cli import _process_read

    monkeypatch.setattr(_process_read, "_PAGE", 2)  # several pages even for a few processes
    home = tmp_path / "home"
    with Client(home) as client:
        pids = client.submit_many([(Add, {"a": i}) for i in range(5)])
        client.wait_many(pids)
        parked = client.submit(WaitsForever)
    runner = CliRunner()
    shown = runner.invoke(main, ["process", "list", "--all", "--home", str(home)])
    assert shown.exit_code == 0, shown.output
    lines = [line.split()[0] for line in shown.output.splitlines()[1:] if line.strip()]
    assert [line for line in lines if line in {*pids, parked}] == [*pids, parked]
    assert "6 of 6 processes shown" in shown.output
    only = runner.invoke(main, ["process", "list", "--limit", "1", "--home", str(home)])
    assert only.exit_code == 0, only.output
    assert parked in only.output and "1 of 6 processes shown" in only.output
