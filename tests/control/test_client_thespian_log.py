"""A client process writes no Thespian log to ``$TMPDIR/thespian.log`` (a file shared
by every user of the machine); a daemon keeps its own in its home."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.cli.helpers import ROOT

CLIENT = textwrap.dedent(
    """
    import logging, sys
    from thespian.system.utilis import thesplog
    from prunus import Client

    if len(sys.argv) > 1:
        with Client.connect(sys.argv[1]) as remote:
            remote.list()
    else:
        with Client() as embedded:
            embedded.run("tests.workflows:Steps", {"n": 1})
    thesplog("a warning Thespian logs in a client", level=logging.WARNING)
    """
)


def run_client(tmp_path, *args: str) -> subprocess.CompletedProcess:
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp)}
    env.pop("THESPLOG_FILE", None)
    env.pop("PRUNUS_HOME", None)
    return subprocess.run(
        [sys.executable, "-c", CLIENT, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_an_embedded_client_writes_no_thespian_log_in_the_shared_temp_dir(tmp_path):
    done = run_client(tmp_path)
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_client_of_a_daemon_writes_no_thespian_log_in_the_shared_temp_dir(
    tmp_path, shared_daemon
):
    done = run_client(tmp_path, str(shared_daemon))
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "tmp").iterdir()) == []
