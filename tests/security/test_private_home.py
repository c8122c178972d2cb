"""A home is its owner's alone: made so when new, tightened (and said, once) when old."""

from __future__ import annotations

import errno
import logging
import os
import stat
from pathlib import Path

import pytest

from prunus import Client, NotAuthorisedError
from prunus.persistence import create_key, make_home_private, read_key
from tests.cli.helpers import invoke, run_prunus
from tests.conftest import running_daemon
from tests.security.attack import NOBODY

LEAF = "tests.workflows:Leaf"


def modes(home: Path) -> dict[str, int]:
    """Permission bits of the home and of everything in it, by path relative to it."""
    found = {".": stat.S_IMODE(home.stat().st_mode)}
    for path in home.rglob("*"):
        found[str(path.relative_to(home))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def assert_private(home: Path) -> None:
    shown = modes(home)
    assert shown["."] == 0o700, shown
    loose = {name: f"{mode:o}" for name, mode in shown.items() if name != "." and mode != 0o600}
    assert not loose, loose


def test_every_file_of_a_fresh_daemon_home_is_private(tmp_path):
    home = tmp_path / "fresh"
    with running_daemon(home):
        with Client.connect(home) as client:
            assert client.run(LEAF, {"x": 1}) == {"y": 2}
        names = set(modes(home))
        expected = {"data.mdb", "lock.mdb", "daemon.json", "daemon.log", "runtime.lock"}
        assert expected | {"secret.key"} <= names, names
        assert_private(home)
    assert_private(home)  # and what the stop wrote
    assert "dropped a frame" not in (home / "daemon.log").read_text()  # honest traffic


def test_an_existing_open_home_is_made_private_at_daemon_start_and_said_once(tmp_path):
    home = tmp_path / "old"
    with Client(home) as client:
        client.run(LEAF, {"x": 1})
    (home / "console_history").write_text("list\n")
    (home / "daemon.log").write_text("old lines\n")
    for path in home.iterdir():
        path.chmod(0o644)
    home.chmod(0o755)
    # the real command: what a user sees on the terminal
    started = run_prunus("daemon", "start", "--home", str(home), "--workers", "1")
    try:
        assert started.returncode == 0, started.stderr
        said = [line for line in started.stderr.splitlines() if "private" in line]
        assert len(said) == 1 and str(home) in said[0] and "755 -> 700" in said[0]
        assert_private(home)
    finally:
        assert invoke("daemon", "stop", "--home", str(home)).exit_code == 0
    again = run_prunus("daemon", "start", "--home", str(home), "--workers", "1")
    try:
        assert again.returncode == 0 and "private" not in again.stderr
    finally:
        assert invoke("daemon", "stop", "--home", str(home)).exit_code == 0


def test_an_embedded_client_makes_its_home_private_and_says_so_once(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="prunus.persistence")
    home = tmp_path / "embedded"
    with Client(home) as client:
        client.run(LEAF, {"x": 1})
    assert_private(home)
    assert "made the prunus home" not in caplog.text  # new: created private, nothing to say
    (home / "data.mdb").chmod(0o644)
    with Client(home):
        pass
    assert caplog.text.count("made the prunus home") == 1
    assert "data.mdb 644 -> 600" in caplog.text
    with Client(home):
        pass
    assert caplog.text.count("made the prunus home") == 1


def test_tightening_touches_only_prunus_files_and_never_follows_a_symlink(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours to change")
    outside.chmod(0o644)
    home = tmp_path / "home"
    home.mkdir()
    (home / "daemon.log").symlink_to(outside)
    (home / "notes.txt").write_text("the user's own file")
    (home / "notes.txt").chmod(0o644)
    make_home_private(home)
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644
    assert stat.S_IMODE((home / "notes.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_a_shared_directory_as_home_is_left_shared_with_a_warning(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="prunus.persistence")
    shared = tmp_path / "like-tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    (shared / "daemon.json").write_text("{}")
    (shared / "daemon.json").chmod(0o644)
    make_home_private(shared)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "daemon.json").stat().st_mode) == 0o600
    assert "is a shared directory" in caplog.text


def test_the_key_is_made_once_private_and_read_back(tmp_path):
    make_home_private(tmp_path)
    key = create_key(tmp_path)
    assert len(key) == 32
    assert create_key(tmp_path) == key  # a second start keeps it
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600
    assert read_key(tmp_path / "secret.key") == key
    (tmp_path / "bad.key").write_text("not hex")
    with pytest.raises(ValueError, match="does not hold a prunus key"):
        read_key(tmp_path / "bad.key")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")
def test_another_user_can_read_nothing_in_a_daemon_home(tmp_path):
    home = tmp_path / "home"
    tmp_path.chmod(0o755)  # so that only the home's own modes stand in the way
    with running_daemon(home):
        paths = [home, *home.iterdir()]
        child = os.fork()
        if child == 0:  # as nobody: every open or listing must be refused
            code = 1
            try:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
                refused = 0
                for path in paths:
                    try:
                        os.listdir(path) if path == home else open(path, "rb").close()
                    except PermissionError as error:
                        refused += error.errno == errno.EACCES
                try:
                    Client.connect(home)
                except NotAuthorisedError as error:
                    said = str(error).startswith(f"not authorised for the daemon on {home}: ")
                code = 0 if refused == len(paths) and said else 3
            finally:
                os._exit(code)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
