"""A home only its owner can use: the directory 0700, every file in it 0600, and the
secret key that authenticates every message to and from its daemon.

A home holds every process's inputs and outputs, the daemon's port and the key: read
access for another user is control of the daemon. So a new home is made private, and
an existing one is tightened when it is opened (once, with one log line saying what
changed). Modes are only ever narrowed, and only prunus's own files are touched
(:data:`HOME_FILES`, not following symlinks): a home pointed at a directory that holds
other things (``--home ~``, by mistake ``--home /tmp``) must not have them changed.
A shared directory (sticky bit, as /tmp) or one owned by someone else is left as it
is, with a warning: there, only the files are private.

The key is 32 random bytes, written as 64 hex digits and a newline (so it can be
copied into a key file for another client) in ``<home>/secret.key``, made by the first
daemon start. Deleting it while no daemon runs makes the next start create a new one:
that is how a key is rotated.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

__all__ = ["HOME_FILES", "KEY_FILE", "create_key", "make_home_private", "read_key"]

_LOG = logging.getLogger("prunus.persistence")
KEY_FILE = "secret.key"
KEY_BYTES = 32
_DIR_MODE, _FILE_MODE = 0o700, 0o600
#: Every file prunus keeps in a home (LMDB's two, the daemon's, the console's and the
#: dashboard's, the key).
HOME_FILES = (
    "data.mdb",
    "lock.mdb",
    "runtime.lock",
    "daemon.json",
    "daemon.json.tmp",
    "daemon.log",
    "thespian.log",
    "thespian.log.old",
    "console_history",
    "ui.json",
    KEY_FILE,
)


def make_home_private(home: Path) -> list[str]:
    """Create ``home`` (0700) or make an existing one private; returns what changed.

    Raises:
        OSError: the home cannot be created.
    """
    home.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
    info = home.stat()
    if info.st_mode & stat.S_ISVTX or info.st_uid != os.geteuid():
        changed = []
        if info.st_mode & 0o077:
            _LOG.warning(
                "the prunus home %s is a shared directory: its prunus files are private, "
                "but use a directory of your own as the home",
                home,
            )
    else:
        changed = _tighten(home, _DIR_MODE)
    for name in HOME_FILES:
        changed += _tighten(home / name, _FILE_MODE)
    if changed:
        _LOG.warning(
            "made the prunus home %s private (only its owner may read it): %s",
            home,
            ", ".join(changed),
        )
    return changed


def _tighten(path: Path, mode: int) -> list[str]:
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or not stat.S_IMODE(info.st_mode) & 0o077:
            return []
        os.chmod(path, stat.S_IMODE(info.st_mode) & mode)
    except OSError:  # gone meanwhile, or not ours: nothing we may change
        return []
    return [f"{path.name} {stat.S_IMODE(info.st_mode):o} -> {stat.S_IMODE(info.st_mode) & mode:o}"]


def create_key(home: Path) -> bytes:
    """The home's key, made now (0600, atomically) if it has none.

    Raises:
        OSError: it cannot be written or read; ValueError: the file is not a key.
    """
    path = home / KEY_FILE
    if not path.exists():
        temporary = home / f".{KEY_FILE}.{os.getpid()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE)
        try:
            os.write(fd, secrets.token_bytes(KEY_BYTES).hex().encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temporary, path)  # never replaces a key another start just made
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return read_key(path)


def read_key(path: str | os.PathLike[str]) -> bytes:
    """The key in a key file (64 hex digits; surrounding whitespace is ignored).

    Raises:
        OSError: it cannot be read; ValueError: it does not hold a key.
    """
    text = Path(path).read_bytes()[:256].strip()
    try:
        key = bytes.fromhex(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise ValueError(f"{path} does not hold a prunus key ({2 * KEY_BYTES} hex digits)")
    return key
