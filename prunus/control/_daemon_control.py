"""Starting, stopping and asking about a daemon from another OS process.

What ``prunus daemon start|stop|status`` call; tests and benchmarks use them too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prunus.actors import open_remote_runtime, parse_capabilities
from prunus.control._daemon_files import (
    DAEMON_FILE,
    daemon_key,
    read_daemon_file,
    recorded_host,
)
from prunus.control._daemon_process import READY_SECONDS, check_bind_address, parse_leader
from prunus.control._member_drain import drain_before_stop
from prunus.control._proc_table import listening_sockets, pid_alive, session_pids
from prunus.errors import DaemonError, NotAuthorisedError
from prunus.persistence import KEY_FILE, make_home_private, read_key, resolve_home

__all__ = ["daemon_pids", "daemon_status", "start_daemon", "stop_daemon"]

_LEFTOVER_SECONDS = 10.0


def start_daemon(
    home: str | os.PathLike[str] | None = None,
    *,
    port: int | None = None,
    workers: int | None = None,
    restart_limit: int = 3,
    timeout: float = READY_SECONDS + 30.0,
    join: str | None = None,
    capabilities: Sequence[str] = (),
    key_file: str | os.PathLike[str] | None = None,
    bind: str | None = None,
    owner: int | None = None,
    env: dict[str, str] | None = None,
    no_work: bool = False,
) -> dict[str, Any]:
    """Start a detached daemon on ``home`` and return its ``daemon.json`` record.

    It listens on 127.0.0.1 only, unless ``bind`` names another address of this
    machine (for members and clients on other machines: frames there are
    authenticated, not encrypted; use a private network).

    With ``owner`` (an OS pid) it stops by itself once that process is gone (a
    client's private pool of workers); ``env`` is its environment (default: ours).

    With ``join`` (``HOST:PORT`` of a leader daemon) it is a member of that leader,
    offering ``capabilities`` (``"gpu=1"``, ``"site=sns"``), with ``key_file`` (a copy
    of the leader's ``secret.key``; copied into its home, which holds only its log,
    lock, key and ``daemon.json``).

    With ``no_work`` a leader has no hosts of its own: every process runs on a member
    (and waits, ``waiting for a host``, while none has joined).

    Raises:
        DaemonError: one is already running there, or it did not come up (the reason,
            or where its log is).
    """
    path = resolve_home(home)
    if no_work and join:
        raise DaemonError("--no-work is for a leader: a member only does work")
    if no_work and workers:
        raise DaemonError("--no-work and --workers contradict: a --no-work leader has no hosts")
    info = read_daemon_file(path)
    if info is not None and pid_alive(int(info["pid"])):
        raise DaemonError(
            f"a prunus daemon is already running on {path} (pid {info['pid']}, port {info['port']})"
        )
    if info is not None:
        _end_leftovers(path, info)
    try:
        make_home_private(path)  # here, so that a tightened home is said where it is seen
    except OSError as error:
        raise DaemonError(f"cannot create the home {path}: {error.strerror or error}") from None
    command = [sys.executable, "-m", "prunus.control._daemon_process", "--home", str(path)]
    command += ["--restart-limit", str(restart_limit)]
    if port:
        command += ["--port", str(port)]
    if bind is not None:
        try:
            command += ["--bind", check_bind_address(bind)]
        except ValueError as error:
            raise DaemonError(str(error)) from None
    if workers or no_work:
        command += ["--workers", str(0 if no_work else workers)]
    if join:
        try:
            leader = parse_leader(join)
            parse_capabilities(list(capabilities))
        except ValueError as error:
            raise DaemonError(str(error)) from None
        _member_key(path, key_file, leader)
        command += ["--join", join]
        for capability in capabilities:
            command += ["--capability", capability]
    elif capabilities:
        raise DaemonError("--capability is for a member: give --join HOST:PORT of the leader")
    if owner is not None:
        command += ["--owner", str(owner)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise DaemonError(f"the daemon did not start within {timeout:g} s") from None
    if done.returncode != 0:
        lines = (done.stdout.strip() or done.stderr.strip() or "unknown reason").splitlines()
        raise DaemonError(f"the daemon did not start: {lines[-1]}")
    info = read_daemon_file(path)
    if info is None:
        raise DaemonError(f"the daemon started but wrote no {path / DAEMON_FILE}")
    return info


def stop_daemon(home: str | os.PathLike[str] | None = None, *, timeout: float = 30.0) -> int:
    """Stop the daemon on ``home`` and wait until none of its processes is left.

    Returns the pid it had. After ``timeout`` seconds its remaining processes are
    SIGKILLed, by pid.

    Raises:
        DaemonError: no daemon is running there.
    """
    path = resolve_home(home)
    info = read_daemon_file(path)
    if info is not None and not pid_alive(int(info["pid"])) and daemon_pids(info):
        # Its main process died (SIGKILL?) but its actor system lives on: end that.
        for leftover in daemon_pids(info):
            with contextlib.suppress(ProcessLookupError):
                os.kill(leftover, signal.SIGKILL)
        (path / DAEMON_FILE).unlink(missing_ok=True)
        return int(info["pid"])
    info = _running(path)
    pid = int(info["pid"])
    if info.get("role") == "member":
        drain_before_stop(info, timeout)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    for leftover in daemon_pids(info):
        with contextlib.suppress(ProcessLookupError):
            os.kill(leftover, signal.SIGKILL)
    (path / DAEMON_FILE).unlink(missing_ok=True)
    return pid


def daemon_status(
    home: str | os.PathLike[str] | None = None, *, timeout: float = 5.0
) -> dict[str, Any]:
    """``daemon.json`` plus what the supervisor says: hosts, live cells, states, and
    the processes no host can hold for now (``blocked``: pid and reason, the first 50
    by pid; ``blocked_count``: all of them).

    Raises:
        DaemonError: no daemon is running there, or it does not answer.
    """
    path = resolve_home(home)
    info = dict(_running(path))
    info["uptime"] = time.time() - float(info["started"])
    if info.get("role") == "member":
        return _member_status(info, timeout)
    where = f"{path} (port {info['port']})"
    key = daemon_key(path, None, where)
    runtime = open_remote_runtime(
        int(info["port"]), key=key, timeout=timeout, where=where, host=recorded_host(info)
    )
    try:
        status = runtime.info()
    finally:
        runtime.close()
    info.update(
        uptime=time.time() - float(info["started"]),
        hosts=status.hosts,
        host_pids=list(status.host_pids),
        supervisor_pid=status.supervisor_pid,
        active=status.active,
        paused=status.paused,
        processes=dict(sorted(status.by_state.items())),
        key_file=str(path / KEY_FILE),
        members=[_with_heartbeat_age(member) for member in status.members],
        blocked=[{"pid": pid, "reason": reason} for pid, reason in status.blocked],
        blocked_count=status.blocked_count,
    )
    sockets = listening_sockets(daemon_pids(info))
    roles = {pid: "admin" for _, port, pid in sockets if port == int(info["port"])}
    roles.update({int(info["pid"]): "main", status.supervisor_pid: "supervisor"})
    roles.update({pid: "host" for pid in status.host_pids})
    info["listening"] = [
        {"address": address, "port": port, "pid": pid, "role": roles.get(pid, "logger/echo")}
        for address, port, pid in sockets
    ]
    return info


def _member_key(home: Path, key_file: Any, leader: tuple[str, int]) -> None:
    """Put the leader's key in the member's home, after checking the leader takes it.

    Raises:
        DaemonError: no key file, one that holds no key, or a leader that refuses it
            (said in the member's log too; the leader logs the frames it dropped).
    """
    if key_file is None:
        raise DaemonError("a member needs --key-file: a copy of the leader's secret.key")
    try:
        key = read_key(key_file)
    except (OSError, ValueError) as error:
        raise DaemonError(f"cannot read the key {key_file}: {error}") from None
    temporary = home / f".{KEY_FILE}.{os.getpid()}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, key.hex().encode() + b"\n")
    finally:
        os.close(fd)
    os.replace(temporary, home / KEY_FILE)
    where = f"{leader[0]}:{leader[1]}"
    try:
        open_remote_runtime(leader[1], key=key, timeout=5.0, where=where, host=leader[0]).close()
    except NotAuthorisedError:
        reason = f"the leader at {where} refused this member's key ({key_file})"
        with open(home / "daemon.log", "a") as log:
            log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} ERROR prunus.daemon: {reason}\n")
        raise DaemonError(reason) from None
    except DaemonError:
        pass  # no leader yet: the member joins when it comes up


def _with_heartbeat_age(member: dict[str, Any]) -> dict[str, Any]:
    """A member's row, with how many seconds ago its last heartbeat came."""
    row = dict(member)
    row["heartbeat_age"] = max(0.0, time.time() - float(row.get("last_heartbeat") or 0.0))
    return row


def _member_status(info: dict[str, Any], timeout: float) -> dict[str, Any]:
    """A member's own record, with its host pids and load as its leader knows them
    (the member holds no registry); ``joined`` False while the leader does not list it."""
    info.update(host_pids=[], processes=0, joined=False)
    try:
        leader_host, leader_port = parse_leader(str(info["leader"]))
        key = read_key(Path(info["home"]) / KEY_FILE)
        runtime = open_remote_runtime(
            leader_port, key=key, timeout=timeout, where=str(info["leader"]), host=leader_host
        )
    except (DaemonError, OSError, ValueError):  # (a refused key is a DaemonError too)
        return info
    try:
        members = runtime.info().members
    except DaemonError:
        return info
    finally:
        runtime.close()
    for member in members:
        if member["address"] == info["address"]:
            info.update(
                host_pids=list(member["host_pids"]),
                processes=member["processes"],
                in_use=member["in_use"],
                last_heartbeat=member.get("last_heartbeat"),
                joined=True,
            )
    return info


def daemon_pids(info: dict[str, Any]) -> list[int]:
    """Every live OS process of the daemon ``info`` describes (its sessions)."""
    pids = {int(info["pid"])} if pid_alive(int(info["pid"])) else set()
    for session in info.get("sessions") or ():
        if session is not None:
            pids.update(session_pids(int(session)))
    return sorted(pids)


def _end_leftovers(path: Path, info: dict[str, Any]) -> None:
    """A previous daemon's main process died and left OS processes of its actor system
    (they end themselves within a second or two; do not wait for that): SIGKILL them by
    pid and wait until they are gone, so the home's lock is free for the new daemon.

    Raises:
        DaemonError: some would not go.
    """
    deadline = time.monotonic() + _LEFTOVER_SECONDS
    while left := daemon_pids(info):
        if time.monotonic() > deadline:
            raise DaemonError(
                f"a previous daemon on {path} left processes that will not end "
                f"(pids {' '.join(map(str, left))})"
            )
        for leftover in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(leftover, signal.SIGKILL)
        time.sleep(0.05)
    (path / DAEMON_FILE).unlink(missing_ok=True)


def _running(path: Path) -> dict[str, Any]:
    info = read_daemon_file(path)
    if info is None or not pid_alive(int(info["pid"])):
        raise DaemonError(f"no prunus daemon is running on {path}")
    return info
