"""``prunus ui`` over plain HTTP: refusals, the CSRF header, the event stream, errors."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

from prunus import Client
from prunus.errors import StuckError
from tests.cli.helpers import invoke, run_prunus
from tests.ui.browser import running_ui
from tests.ui.workflows import Campaign, Square


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("ui-embedded")
    with Client(home) as client:
        pid = client.submit(Campaign, n=1, hold=True)
        with pytest.raises(StuckError):
            client.wait(pid, timeout=30)
    return home


@pytest.fixture(scope="module")
def ui(home):
    with running_ui(home) as running:
        yield running


def request(ui, method, path, headers=None, host=None):
    parts = urlsplit(ui.base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    all_headers = {"Authorization": f"token {ui.token}", **(headers or {})}
    if host is not None:
        all_headers["Host"] = host
    connection.request(method, path, headers=all_headers)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body


def csrf(ui):
    _, page = request(ui, "GET", "/")
    return page.split('name="prunus-csrf" content="')[1].split('"')[0]


def test_api_calls_without_the_token_are_refused_as_json(ui):
    status, body = request(ui, "GET", "/fragment/table", headers={"Authorization": ""})
    assert status == 403 and json.loads(body) == {"error": "this dashboard needs its token"}


def test_a_host_header_that_is_not_loopback_is_refused(ui):
    status, body = request(ui, "GET", "/", host="evil.example:80")
    assert status == 403 and "answers only on 127.0.0.1" in body


def test_a_control_without_the_csrf_header_is_refused(ui, home):
    with Client(home, resume=False) as client:
        pid = client.list()[0].pid
    status, body = request(ui, "POST", f"/api/process/{pid}/pause")
    assert status == 403 and json.loads(body)["message"] == "missing CSRF header"


def test_controls_on_a_home_without_a_daemon_say_it_is_read_only(ui, home):
    with Client(home, resume=False) as client:
        pid = client.list()[0].pid
    status, body = request(ui, "POST", f"/api/process/{pid}/kill", {"X-Prunus-CSRF": csrf(ui)})
    answer = json.loads(body)
    assert status == 409 and answer["ok"] is False
    assert answer["message"].startswith(f"read-only: no daemon runs on {home}")
    status, body = request(ui, "POST", "/api/process/nope/kill", {"X-Prunus-CSRF": csrf(ui)})
    assert status == 404 and json.loads(body)["message"] == "unknown process 'nope'"


def test_unknown_pages_and_static_files_are_not_found(ui):
    assert request(ui, "GET", "/process/nope")[0] == 404
    assert "unknown process &#x27;nope&#x27;" in request(ui, "GET", "/process/nope")[1]
    assert request(ui, "GET", "/static/../setup.cfg")[0] == 404
    status, script = request(ui, "GET", "/static/dashboard.js")
    assert status == 200 and "EventSource" in script


def test_the_event_stream_names_the_processes_that_changed(ui, home):
    parts = urlsplit(ui.base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    connection.request("GET", "/events", headers={"Authorization": f"token {ui.token}"})
    stream = connection.getresponse()
    assert stream.status == 200
    assert stream.getheader("Content-Type") == "text/event-stream"
    assert stream.readline() == b"retry: 2000\n"
    with Client(home) as client:  # a writer next to the dashboard, as a notebook would be
        pid = client.submit(Square, x=7)
        client.wait(pid, timeout=30)
    while True:  # events until an update naming the new process
        block = {}
        while (line := stream.readline().decode().rstrip("\n")) != "":
            name, _, value = line.partition(": ")
            block[name] = value
        if block.get("event") == "update" and pid in json.loads(block["data"])["changed"]:
            break
    update = json.loads(block["data"])
    assert update["counts"]["FINISHED"] >= 1 and update["total"] >= 3
    assert update["daemon"] is False
    connection.close()


def test_prunus_ui_refuses_a_home_where_nothing_ran_with_one_line(tmp_path):
    result = invoke("ui", "--home", str(tmp_path / "none"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: no prunus home at {tmp_path / 'none'}: nothing has run there\n"


def test_prunus_ui_refuses_a_port_in_use_with_one_line(ui, home):
    port = urlsplit(ui.base).port
    done = run_prunus("ui", "--home", str(home), "--port", str(port), timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
