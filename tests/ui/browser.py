"""A real headless Chromium driven by Selenium, and ``prunus ui`` as a real OS process.

Chromium and its driver come from the system's package manager (``make test`` installs
them as root with apt-get); without them the browser tests skip with one line. Every
process started here (the dashboard, chromedriver, the browser) is stopped by pid.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from prunus.control._proc_table import children_of, pid_alive
from tests.cli.helpers import PRUNUS, ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
]
SHOTS_ENV = "PRUNUS_UI_SHOTS"


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        return "chromium and chromedriver are not installed (make test installs them as root)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


def _descendants(pid: int) -> list[int]:
    found, frontier = [], [pid]
    while frontier:
        following = [child for parent in frontier for child in children_of(parent)]
        found.extend(following)
        frontier = following
    return found


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A fresh headless Chromium (own profile directory); every process of it is gone
    afterwards, killed by pid if ``quit`` left any."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="prunus-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    service = Service(CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    driver_pid = service.process.pid
    try:
        yield driver
    finally:
        started = [driver_pid, *_descendants(driver_pid)]
        driver.quit()
        deadline = time.monotonic() + 10
        while any(pid_alive(p) for p in started) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in started:
            if pid_alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(profile, ignore_errors=True)


class RunningUI:
    """``prunus ui`` on a home: its URL with the token, and its OS process."""

    def __init__(self, process: subprocess.Popen, url: str, home: Path) -> None:
        self.process, self.url, self.home = process, url, home
        self.base = url.split("?")[0]
        self.token = url.split("token=")[1]


@contextlib.contextmanager
def running_ui(home: Path, *args: str) -> Iterator[RunningUI]:
    """``prunus ui --home HOME`` until the block ends, then SIGTERM by pid."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PRUNUS_HOME", None)
    process = subprocess.Popen(
        [str(PRUNUS), "ui", "--home", str(home), "--interval", "0.2", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("prunus ui: "):
            process.kill()
            raise AssertionError(f"prunus ui did not start: {line}{process.stderr.read()}")
        yield RunningUI(process, line.split(": ", 1)[1].strip(), home)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def shot(driver, name: str, fallback_dir: Path) -> Path:
    """Save a screenshot of the page: under $PRUNUS_UI_SHOTS (``make ui-shots``), else
    in the test's own temporary directory."""
    directory = Path(os.environ.get(SHOTS_ENV) or fallback_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def wait_until(predicate, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        time.sleep(0.05)


requires_browser = pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or "")
