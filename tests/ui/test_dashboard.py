"""``prunus ui`` in a real headless Chromium: token, table, process page, live, controls."""

from __future__ import annotations

import re
import stat
import time

import pytest

from prunus import Client, ProcessState
from prunus.errors import StuckError
from tests.conftest import running_daemon
from tests.ui.browser import chromium, requires_browser, running_ui, shot, wait_until
from tests.ui.workflows import Campaign

pytestmark = requires_browser


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """A daemon running one Campaign: 3 squares FINISHED, one child EXCEPTED, one held
    WAITING (so the campaign itself waits) for the tests to pause, play and kill."""
    home = tmp_path_factory.mktemp("ui-daemon")
    with running_daemon(home), Client.connect(home) as client:
        pid = client.submit(Campaign, n=3, fail=True, hold=True)
        wait_until(
            lambda: (
                len(client.status(pid).children) == 5
                and all(client.status(c).state.is_terminal for c in client.status(pid).children[:4])
            ),
            what="the campaign's children",
        )
        yield home, pid, client


@pytest.fixture(scope="module")
def ui(campaign):
    home, _, _ = campaign
    with running_ui(home) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


@pytest.fixture
def signed_in(browser, ui):
    browser.delete_all_cookies()
    browser.get(ui.url)
    wait_until(lambda: browser.find_elements("id", "processes"), what="the table")
    return browser


def text_of(driver, css):
    """The visible text of the first element ``css`` selects (read in one script call:
    a live page may replace the element between finding it and reading it)."""
    script = "const el = document.querySelector(arguments[0]); return el ? el.innerText : null"
    text = driver.execute_script(script, css)
    return None if text is None else text.replace("\t", " ")


def click(driver, css):
    """Click the element ``css`` selects, as a user would; a live page may replace it
    between finding and clicking, so a stale element is looked up again."""
    from selenium.common.exceptions import StaleElementReferenceException

    for _ in range(20):
        try:
            driver.find_element("css selector", css).click()
            return
        except StaleElementReferenceException:
            time.sleep(0.05)
    raise AssertionError(f"{css} kept being replaced")


def pids_of(driver, css):
    """The ``data-pid`` of every element ``css`` selects, read in one script call."""
    script = "return [...document.querySelectorAll(arguments[0])].map(e => e.dataset.pid)"
    return driver.execute_script(script, css)


def row_state(driver, pid):
    return text_of(driver, f'#processes tr[data-pid="{pid}"] .state')


def test_the_dashboard_refuses_without_the_token_and_opens_with_it(browser, ui, tmp_path):
    browser.delete_all_cookies()
    browser.get(ui.base)
    assert browser.find_element("tag name", "h1").text == "Token needed"
    assert text_of(browser, "#message") == "this dashboard needs its token"
    shot(browser, "refused", tmp_path)
    browser.get(ui.base + "?token=not-the-token")
    assert text_of(browser, "#message") == "wrong token"
    assert not browser.find_elements("id", "processes")
    browser.get(ui.url)
    assert browser.title == "processes · prunus"
    assert "token" not in browser.current_url  # traded for a cookie, gone from the URL
    assert browser.find_elements("id", "processes")
    browser.get(ui.base)  # the cookie opens it from now on
    assert browser.find_elements("id", "processes")


def test_the_table_shows_the_campaign_with_counts_per_state(signed_in, campaign, tmp_path):
    _, pid, _ = campaign
    browser = signed_in
    pids = pids_of(browser, "#processes tbody tr")
    assert sorted(pids) == sorted([pid] + [f"{pid}.{i}" for i in range(5)])
    assert row_state(browser, pid) == "WAITING"
    assert row_state(browser, f"{pid}.3") == "EXCEPTED"
    assert row_state(browser, f"{pid}.0") == "FINISHED"
    counts = {
        state.name.lower(): text_of(browser, f"#count-{state.name.lower()}")
        for state in ProcessState
    }
    assert counts["finished"] == "3" and counts["excepted"] == "1" and counts["waiting"] == "2"
    assert text_of(browser, "#count-all") == "6"
    assert text_of(browser, "#shown") == "1\u20136 of 6"
    shot(browser, "table", tmp_path)
    click(browser, 'a.chip[href*="state=excepted"]')
    assert pids_of(browser, "#processes tbody tr") == [f"{pid}.3"]
    browser.get(ui_url(browser) + "?limit=2")
    assert text_of(browser, "#shown") == "1\u20132 of 6"
    click(browser, "#older")
    assert text_of(browser, "#shown") == "3\u20134 of 6"


def ui_url(browser):
    return browser.current_url.split("?")[0]


def test_the_class_and_age_filters_narrow_the_table(signed_in, campaign):
    _, pid, _ = campaign
    browser = signed_in
    browser.find_element(
        "css selector", '#filter-class option[value="tests.ui.workflows:Square"]'
    ).click()
    click(browser, "#apply")
    # The click submits the form: wait for the new page (not the table it replaces).
    wait_until(lambda: "class=" in browser.current_url, what="the filtered page")
    expected = [f"{pid}.{i}" for i in range(3)]
    wait_until(
        lambda: sorted(pids_of(browser, "#processes tbody tr")) == expected, what="the 3 squares"
    )
    browser.get(ui_url(browser) + "?age=0.001")
    assert text_of(browser, "#empty") == "No process matches."


def test_a_process_page_shows_inputs_outputs_error_report_and_tree(signed_in, campaign, tmp_path):
    _, pid, _ = campaign
    browser = signed_in
    click(browser, f'#processes a[href="/process/{pid}"]')
    assert text_of(browser, "#pid") == pid
    inputs = text_of(browser, "table.inputs")
    assert "n 3" in inputs and "fail true" in inputs and "hold true" in inputs
    assert text_of(browser, "#report").endswith("launching 3 squares")
    waits = text_of(browser, "#waits")
    assert (
        "Waiting for:" in waits and f"{pid}.4" in waits and f"{pid}.0" not in waits.splitlines()[-1]
    )
    nodes = browser.find_elements("css selector", "#tree svg g.node")
    assert len(nodes) == 6
    assert pids_of(browser, "#children tbody tr") == [f"{pid}.{i}" for i in range(5)]
    shot(browser, "process", tmp_path)
    click(browser, f'#children a[href="/process/{pid}.3"]')
    assert "RuntimeError: this one breaks on purpose" in text_of(browser, "#traceback")
    assert text_of(browser, "#traceback").startswith("Traceback (most recent call last)")
    browser.get(ui_url(browser).rsplit("/", 1)[0] + f"/{pid}.1")
    assert text_of(browser, "table.outputs") == "y 4"
    assert all(
        b.get_attribute("disabled") for b in browser.find_elements("css selector", "button.control")
    )


def test_the_table_follows_a_state_change_live_without_reloading(signed_in, campaign):
    client = campaign[2]
    browser = signed_in
    extra = client.submit(Campaign, n=1, hold=True)
    browser.execute_script("window.prunusMarker = 'same page'")
    wait_until(lambda: row_state(browser, extra) == "WAITING", what="the new campaign's row")
    client.kill(extra, "stopped by the test")
    wait_until(lambda: row_state(browser, extra) == "KILLED", what="the KILLED state")
    assert browser.execute_script("return window.prunusMarker") == "same page"
    assert int(browser.execute_script("return document.body.dataset.refreshed")) >= 1
    assert "live-on" in browser.find_element("id", "live").get_attribute("class")


def test_a_live_refresh_keeps_the_filters_the_user_is_editing(signed_in, campaign):
    client = campaign[2]
    browser = signed_in
    click(browser, "#filters input[value=excepted]")  # ticked, not applied yet
    refreshed = int(browser.execute_script("return document.body.dataset.refreshed || 0"))
    extra = client.submit(Campaign, n=1, hold=True)
    wait_until(lambda: row_state(browser, extra) == "WAITING", what="the live refresh")
    assert int(browser.execute_script("return document.body.dataset.refreshed")) > refreshed
    assert browser.execute_script(
        "return document.querySelector('#filters input[value=excepted]').checked"
    )
    client.kill(extra)


def test_pause_and_play_ask_first_then_change_the_process(signed_in, campaign, ui, tmp_path):
    _, pid, client = campaign
    browser = signed_in
    held = f"{pid}.4"
    browser.get(f"{ui.base}process/{held}")
    assert text_of(browser, "#mode") == "daemon running: controls enabled"
    click(browser, "#pause")
    dialog = browser.find_element("id", "confirm")
    assert dialog.is_displayed()
    assert text_of(browser, "#confirm-text").startswith(
        f"Pause process {held} and its descendants?"
    )
    shot(browser, "confirm", tmp_path)
    click(browser, "#confirm-cancel")
    time.sleep(0.3)
    assert not client.status(held).paused  # cancelled: nothing sent
    click(browser, "#pause")
    click(browser, "#confirm-ok")
    wait_until(lambda: text_of(browser, "#flash") == f"paused {held}", what="the flash line")
    wait_until(lambda: client.status(held).paused, what="the process paused")
    wait_until(
        lambda: text_of(browser, "#process h1 .state") == "WAITING (paused)",
        what="the page showing it paused",
    )
    click(browser, "#play")
    click(browser, "#confirm-ok")
    wait_until(lambda: not client.status(held).paused, what="the process played")
    wait_until(lambda: text_of(browser, "#process h1 .state") == "WAITING", what="the page")


def test_a_home_without_a_daemon_is_shown_read_only(browser, tmp_path):
    home = tmp_path / "embedded"
    with Client(home) as client:
        pid = client.submit(Campaign, n=1, hold=True)
        with pytest.raises(StuckError):
            client.wait(pid, timeout=30)
    with running_ui(home) as running:
        ui_file = home / "ui.json"
        assert stat.S_IMODE(ui_file.stat().st_mode) == 0o600
        assert running.token in ui_file.read_text()
        browser.delete_all_cookies()
        browser.get(f"{running.url}")
        assert text_of(browser, "#mode") == "read-only: no daemon runs on this home"
        browser.get(f"{running.base}process/{pid}")
        buttons = browser.find_elements("css selector", "button.control")
        assert len(buttons) == 3 and all(b.get_attribute("disabled") for b in buttons)
        assert "read-only" in text_of(browser, ".controls .why")
    assert not ui_file.exists()  # removed when the dashboard stopped
    assert re.fullmatch(r"[\w-]{43}", running.token)
