"""``prunus daemon status`` (and ``prunus.daemon_status()``) names the processes the
daemon holds as blocked, with why: here, a daemon started from a directory where the
process's module does not import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from prunus import daemon_status
from tests.cli.test_working_directory import FLOWS, environment, prunus

pytestmark = pytest.mark.slow


def test_daemon_status_shows_each_blocked_process_with_its_pid_and_reason(tmp_path):
    work, elsewhere, home = tmp_path / "work", tmp_path / "elsewhere", tmp_path / "home"
    work.mkdir()
    elsewhere.mkdir()
    (work / "flows.py").write_text(FLOWS)
    code = (
        "import sys\nfrom prunus import Client\n"
        "with Client(sys.argv[1]) as client:\n"
        "    print(client.submit('flows:Square', x=3))\n"
        "    print(client.submit('flows:Square', x=4))\n"
    )
    made = subprocess.run(
        [sys.executable, "-c", code, str(home)],
        capture_output=True,
        text=True,
        cwd=work,
        env=environment(),
        check=True,
    )
    pids = sorted(made.stdout.split())
    started = prunus(elsewhere, "daemon", "start", "--home", str(home), "--workers", "1")
    assert started.returncode == 0, started.stderr
    try:
        reason = "blocked: cannot import process class flows:Square: No module named 'flows'"
        shown = prunus(elsewhere, "daemon", "status", "--home", str(home))
        assert shown.returncode == 0, shown.stderr
        for pid in pids:
            assert f"blocked    {pid}  {reason}\n" in shown.stdout, shown.stdout
        as_json = json.loads(
            prunus(elsewhere, "daemon", "status", "--home", str(home), "--json").stdout
        )
        assert as_json["blocked"] == [{"pid": pid, "reason": reason} for pid in pids]
        assert as_json["blocked_count"] == 2
        info = daemon_status(home)
        assert [entry["pid"] for entry in info["blocked"]] == pids
        assert "RUNNING" in info["processes"]  # kept as they were, not EXCEPTED
    finally:
        stopped = prunus(elsewhere, "daemon", "stop", "--home", str(home))
    assert stopped.returncode == 0, stopped.stderr
