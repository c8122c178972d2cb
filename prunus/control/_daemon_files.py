"""Where a daemon tells the world it runs: ``<home>/daemon.json``.

Written by the daemon once it answers (atomically: write then rename), removed when it
stops. A file left by a daemon that was SIGKILLed is recognised as stale: its pid is
gone, or nothing listens on its port.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

from prunus.actors import LOOPBACK
from prunus.control._proc_table import pid_alive
from prunus.errors import DaemonError, NotAuthorisedError
from prunus.persistence import KEY_FILE, read_key, resolve_home

__all__ = [
    "DAEMON_FILE",
    "daemon_address",
    "daemon_key",
    "local_reads",
    "parse_daemon_address",
    "read_daemon_file",
    "recorded_host",
    "write_daemon_file",
]

DAEMON_FILE = "daemon.json"


def write_daemon_file(home: Path, info: dict[str, Any]) -> None:
    temporary = home / (DAEMON_FILE + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w") as file:
        file.write(json.dumps(info, indent=2))
    os.replace(temporary, home / DAEMON_FILE)


def read_daemon_file(home: Path) -> dict[str, Any] | None:
    """The daemon's record, or None if there is none (or it is unreadable)."""
    try:
        info = json.loads((home / DAEMON_FILE).read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and "pid" in info and "port" in info else None


def local_reads(home: str | os.PathLike[str] | None, address: str | int | None) -> dict[str, Any]:
    """What a client needs to read the daemon's store itself (``open_remote_runtime``'s
    ``home`` and ``daemon_alive``): given a home, the daemon is on this machine, and its
    reads come from the store while the daemon recorded there runs; given only an
    ``address``, none (every read asks the supervisor)."""
    if address is not None:
        return {}
    path = resolve_home(home)
    info = read_daemon_file(path)
    pid = int(info["pid"]) if info is not None else 0
    return {"home": path, "daemon_alive": lambda: pid > 0 and pid_alive(pid)}


def daemon_address(
    home: str | os.PathLike[str] | None, address: str | int | None
) -> tuple[str, int, str]:
    """The daemon to talk to: (its IPv4 address, its admin port, how to name it in
    messages). ``address`` is ``PORT`` (on 127.0.0.1) or ``HOST:PORT`` (a daemon
    started with ``--bind HOST``, maybe on another machine); else the home's record.

    Raises:
        DaemonError: no daemon is recorded for ``home``, or ``address`` is malformed.
        NotAuthorisedError: the home is another user's (private to its owner).
    """
    if address is not None:
        return parse_daemon_address(str(address))
    path = resolve_home(home)
    if not _may_enter(path):
        raise NotAuthorisedError(
            f"not authorised for the daemon on {path}: the home is private to its owner "
            "(with a copy of its key: --address HOST:PORT --key-file FILE)"
        )
    info = read_daemon_file(path)
    if info is None or not pid_alive(int(info["pid"])):
        raise DaemonError(
            f"no prunus daemon is running on {path} (start one: prunus daemon start --home {path})"
        )
    return recorded_host(info), int(info["port"]), f"{path} (port {info['port']})"


def parse_daemon_address(text: str) -> tuple[str, int, str]:
    """``PORT`` or ``HOST:PORT`` -> (IPv4 address, port, ``HOST:PORT``); a host name is
    looked up once, here.

    Raises:
        DaemonError: one line naming ``text`` and what is wrong with it.
    """
    host, _, port_text = text.rpartition(":")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise DaemonError(f"bad daemon address {text!r}: expected PORT or HOST:PORT")
    try:
        address = socket.gethostbyname(host) if host else LOOPBACK
    except (OSError, UnicodeError):
        raise DaemonError(f"bad daemon address {text!r}: no such host {host!r}") from None
    return address, int(port_text), f"{host or LOOPBACK}:{port_text}"


def recorded_host(info: dict[str, Any]) -> str:
    """The address a daemon's record says it listens on (older records: loopback)."""
    host = info.get("host")
    return host if isinstance(host, str) and host else LOOPBACK


def daemon_key(
    home: str | os.PathLike[str] | None, key: bytes | str | os.PathLike[str] | None, where: str
) -> bytes:
    """The key to sign messages to the daemon with: ``key`` itself (32 bytes), the key
    file it names, or else the home's ``secret.key``.

    Raises:
        NotAuthorisedError: there is no usable key (one line: which file, and why).
    """
    if isinstance(key, bytes):
        if len(key) != 32:
            raise NotAuthorisedError(
                f"not authorised for the daemon on {where}: a key is 32 bytes, got {len(key)}"
            )
        return key
    path = Path(key) if key is not None else resolve_home(home) / KEY_FILE
    try:
        return read_key(path)
    except OSError as error:
        reason = f"cannot read {path} ({error.strerror or error})"
    except ValueError as error:
        reason = str(error)
    raise NotAuthorisedError(f"not authorised for the daemon on {where}: {reason}")


def _may_enter(path: Path) -> bool:
    """False for a home that exists but is not ours to read (or is behind one)."""
    try:
        path.stat()
    except PermissionError:
        return False
    except OSError:
        return True  # missing: "no daemon is running there" says it better
    return os.access(path, os.R_OK | os.X_OK)
