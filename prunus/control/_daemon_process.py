"""The daemon's main OS process: starts the actor system, waits, stops it cleanly.

``python -m prunus.control._daemon_process --home H ...`` forks the daemon (a new
session, output to ``<home>/daemon.log``) and returns once it answers: exit status 0
and ``ok <pid> <port>`` on stdout, or 1 and a one-line reason. ``prunus daemon start``
runs it. The daemon then:

1. holds ``<home>/runtime.lock`` (one runtime per home; the lock is inherited by every
   actor process, so it stays held until the last of them is gone);
2. makes the home private (0700, files 0600, umask 077) and its key (``secret.key``)
   if it has none; starts the daemon's actors (``prunus.actors.start_daemon_actors``:
   Thespian's TCP base on 127.0.0.1, or on its ``--bind`` address, with every frame
   authenticated by that key, the supervisor and its hosts) and has them resume every
   unfinished process; writes ``daemon.json``;
3. on SIGTERM or SIGINT shuts the actor system down, SIGKILLs (by pid) any of its
   processes still there after a grace period, removes ``daemon.json``, and exits;
4. watches its actor system: if the supervisor's OS process or the admin is gone, what
   is left of that system is SIGKILLed (by pid) and this process re-executes itself
   (same pid, same port, ``--serve``): a new actor system resumes every process from
   the store. No ``daemon stop`` is needed after such a crash. (The other way round,
   the supervisor ends the actor system if this process is gone:
   ``prunus.actors`` watches it.)
5. with ``--owner PID`` (a client's private pool of workers, ``prunus.control``), it
   stops as on SIGTERM once that OS process is gone, so a client that dies without
   closing leaves nothing running.

It never opens the LMDB store itself: actors are forked from it.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import select
import signal
import sys
import time
from pathlib import Path

from prunus.actors import LOOPBACK, parse_capabilities, serve_allowance, start_daemon_actors
from prunus.control._daemon_addresses import check_bind_address, free_port, parse_leader
from prunus.control._daemon_files import DAEMON_FILE, read_daemon_file, write_daemon_file
from prunus.control._proc_table import (
    children_of,
    parent_of,
    pid_alive,
    session_of,
    session_pids,
)
from prunus.errors import DaemonError, StoreError
from prunus.persistence import (
    KEY_FILE,
    HomeLock,
    create_key,
    every_commit_synced,
    make_home_private,
    read_key,
    resolve_home,
)

__all__ = ["check_bind_address", "free_port", "main", "parse_leader", "run_daemon"]

_LOG = logging.getLogger("prunus.daemon")
LOG_FILE = "daemon.log"
_STARTUP_SECONDS = 60.0
# How long the launcher waits for the forked daemon's ready line: all serve may take.
READY_SECONDS = serve_allowance(_STARTUP_SECONDS) + 30.0
_GRACE_SECONDS = 5.0
_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
_DRAIN_SECONDS = 20.0  # a member's drain on a stop signal (stop_daemon waits 30 s)
_WATCH_SECONDS = 1.0  # how often the actor system is checked
RESTART = 75  # run_daemon's status when its actor system died and must start again
_STEADY_SECONDS = 30.0  # a system that served this long restarts at once, else after:
_RESTART_PAUSE_SECONDS = 5.0


def run_daemon(
    home: Path,
    port: int,
    workers: int,
    restart_limit: int,
    ready_fd: int | None = None,
    *,
    host: str = LOOPBACK,
    join: tuple[str, int] | None = None,
    capabilities: dict[str, int | str] | None = None,
    owner: int | None = None,
) -> int:
    """Run the daemon in this process until it is told to stop (or, with ``owner``,
    until that OS process is gone); returns an exit status.

    With ``join`` it is a member of that leader: no store, no supervisor; the leader
    starts hosts on it.
    (:data:`RESTART`: its actor system died; run it again, see :func:`restart`)."""
    log_file = str(home / LOG_FILE)
    # Warnings and errors from everything (actors inherit this when forked); the
    # daemon's own lifecycle at INFO. Process reports live in the store, not here.
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    _LOG.setLevel(logging.INFO)
    try:
        every_commit_synced()  # a bad PRUNUS_SYNC fails the start, not every host
        lock = HomeLock(home)
    except StoreError as error:
        return _not_ready(ready_fd, str(error))
    try:
        key = create_key(home) if join is None else read_key(home / KEY_FILE)
    except (OSError, ValueError) as error:
        lock.release()
        return _not_ready(ready_fd, f"cannot read the key: {error}")
    actors = start_daemon_actors(
        port, log_file, key, host=host, join=join, capabilities=capabilities, workers=workers
    )
    # Thespian double-forks its admin (which calls setsid): our child is the
    # intermediate, and its session is the admin's and every actor's.
    forked = children_of(os.getpid())
    admin_session = session_of(forked[0]) if forked else None
    for pid in forked:
        _reap(pid)

    def abandon(*_: object) -> None:
        raise SystemExit(1)  # a stop before we are ready: clean up in ``finally``

    signal.signal(signal.SIGTERM, abandon)
    restarting = False
    try:
        record: dict[str, object] = {
            "pid": os.getpid(),
            "port": port,
            "host": host,
            "address": f"{host}:{port}",
            "home": str(home),
            "workers": workers,
            "started": time.time(),
            "sessions": [os.getsid(0), admin_session],
            "log": log_file,
        }
        if owner is not None:
            record["owner"] = owner  # a client's private pool (see the module docstring)
        if join is None:
            try:
                resumed = actors.serve(
                    home, workers=workers, restart_limit=restart_limit, timeout=_STARTUP_SECONDS
                )
            except DaemonError as error:
                return _not_ready(ready_fd, str(error))
            _LOG.info(
                "daemon %d serving %s on %s:%d with %d hosts; resumed %d processes",
                *(os.getpid(), home, host, port, workers, resumed),
            )
        else:
            record.update(role="member", leader=f"{join[0]}:{join[1]}", capabilities=capabilities)
            _LOG.info(
                "member %d on %s:%d joining %s:%d with %s; %d hosts",
                *(os.getpid(), host, port, *join, capabilities, workers),
            )
        write_daemon_file(home, record)
        # From now on a stop signal is waited for, not handled (sigtimedwait below).
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        if ready_fd is not None:
            os.write(ready_fd, f"ok {os.getpid()} {port}\n".encode())
            os.close(ready_fd)
            ready_fd = None
        # Stop on a signal at once; every second check that the actor system lives.
        admin = forked_admin(admin_session)
        while signal.sigtimedwait(_STOP_SIGNALS, _WATCH_SECONDS) is None:
            dead = _dead_part(admin, actors.supervisor_pid)
            if dead is not None:
                _LOG.error("%s died; starting the actor system again", dead)
                restarting = True
                return RESTART
            if owner is not None and not pid_alive(owner):
                _LOG.info("owner %d is gone", owner)
                break
        _LOG.info("stopping")
        if join is not None:  # its processes move first (see _member_drain)
            from prunus.control._member_drain import drain_before_stop  # (imports us)

            drain_before_stop(record, _DRAIN_SECONDS)
        return 0
    finally:
        if restarting:
            _sweep(admin_session, grace=0.0)  # no shutdown: its admin may be gone
        else:
            actors.shutdown()
            _sweep(admin_session)
        info = read_daemon_file(home)
        if not restarting and info is not None and info.get("pid") == os.getpid():
            (home / DAEMON_FILE).unlink(missing_ok=True)
        lock.release()
        _LOG.info("stopped" if not restarting else "actor system ended; restarting")


def forked_admin(session: int | None) -> int | None:
    """Thespian's admin: the process of its session whose parent is outside it. (Not
    the session's leader: that is the middle process of Thespian's double fork, gone
    at once, so the admin was never watched and a SIGKILLed admin left the daemon
    half-alive, every client refused, until a manual stop.)"""
    if session is None:
        return None
    members = session_pids(session)
    outside = [pid for pid in members if parent_of(pid) not in members]
    return min(outside) if outside else None


def _dead_part(admin: int | None, supervisor: int) -> str | None:
    """Which part of the actor system is gone, if any."""
    if admin is not None and not pid_alive(admin):
        return f"the actor system's admin (pid {admin})"
    if supervisor and not pid_alive(supervisor):
        return f"the supervisor (pid {supervisor})"
    return None


def restart(
    home: Path,
    port: int,
    workers: int,
    restart_limit: int,
    served: float,
    host: str = LOOPBACK,
    owner: int | None = None,
) -> None:
    """Run the daemon again in this same OS process (same pid: ``daemon.json`` stays
    true), with a fresh interpreter: Thespian keeps one actor system per process. A
    system that died soon after it started waits a little first, so a daemon whose
    supervisor dies at once does not spin."""
    if served < _STEADY_SECONDS:
        time.sleep(_RESTART_PAUSE_SECONDS)
    sys.stdout.flush()
    sys.stderr.flush()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # a mask survives exec
    command = [sys.executable, "-m", "prunus.control._daemon_process", "--serve"]
    command += ["--home", str(home), "--port", str(port), "--workers", str(workers)]
    command += ["--restart-limit", str(restart_limit), "--bind", host]
    if owner is not None:
        command += ["--owner", str(owner)]
    os.execv(sys.executable, command)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _sweep(session: int | None, grace: float = _GRACE_SECONDS) -> None:
    """SIGKILL, by pid, whatever of the actor system outlived its shutdown.

    Killed again until the session is empty: an actor process forked while the first
    pass ran (the admin creating an actor a client asked for, just before its own
    SIGKILL) is not in that pass's list, and lived on after a restart (fault matrix,
    kind ``supervisor``)."""
    if session is None:
        return
    deadline = time.monotonic() + grace
    while session_pids(session) and time.monotonic() < deadline:
        time.sleep(0.1)
    killed: set[int] = set()
    deadline = time.monotonic() + _GRACE_SECONDS
    while (left := session_pids(session)) and time.monotonic() < deadline:
        for pid in left:
            if pid not in killed:
                _LOG.warning("killing leftover actor process %d", pid)
                killed.add(pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)  # gone before the lock is released and a new system starts


def _not_ready(ready_fd: int | None, reason: str) -> int:
    _LOG.error("%s", reason)
    if ready_fd is not None:
        os.write(ready_fd, f"error {reason}\n".encode())
    return 1


def main(argv: list[str] | None = None) -> int:
    """Fork the daemon and report whether it came up (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m prunus.control._daemon_process")
    parser.add_argument("--home", default=None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--bind", default=LOOPBACK)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--restart-limit", type=int, default=3)
    parser.add_argument("--join", default=None, help="HOST:PORT of the leader")
    parser.add_argument("--capability", action="append", default=[])
    parser.add_argument("--owner", type=int, default=None, help="stop when this pid is gone")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        join = parse_leader(args.join) if args.join else None
        capabilities = parse_capabilities(args.capability)
        host = check_bind_address(args.bind)
    except ValueError as error:
        print(error)
        return 1
    home = resolve_home(args.home)
    os.umask(0o077)  # everything the daemon and its actors create is the owner's alone
    make_home_private(home)
    port = args.port or free_port(host)
    if args.serve:  # a restart (see ``restart``): already detached, nobody to tell
        _serve(home, port, args.workers, args.restart_limit, None, host, owner=args.owner)
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the daemon
        os.close(read_end)
        os.setsid()
        log = os.open(home / LOG_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        _serve(
            home,
            *(port, args.workers, args.restart_limit, write_end, host, join, capabilities),
            owner=args.owner,
        )
    os.close(write_end)
    answer = _read_line(read_end, READY_SECONDS)
    if answer.startswith("ok "):
        print(answer)
        return 0
    _stop_unready(child)
    reason = answer.removeprefix("error ") or f"the daemon did not start (see {home / LOG_FILE})"
    print(reason)
    return 1


def _serve(
    home: Path,
    port: int,
    workers: int,
    restart_limit: int,
    ready_fd: int | None,
    host: str = LOOPBACK,
    join: tuple[str, int] | None = None,
    capabilities: dict[str, int | str] | None = None,
    owner: int | None = None,
) -> None:
    """Run the daemon; never returns (exits, or, a leader, runs again in place after
    its actor system died; a member just exits: its leader restarts its work)."""
    code = 1
    started = time.monotonic()
    try:
        code = run_daemon(
            home,
            *(port, workers, restart_limit, ready_fd),
            host=host,
            join=join,
            capabilities=capabilities,
            owner=owner,
        )
    except BaseException:
        _LOG.exception("the daemon failed")
    if code == RESTART and join is None:
        restart(home, port, workers, restart_limit, time.monotonic() - started, host, owner)
    code = 1 if code == RESTART else code
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _stop_unready(child: int) -> None:
    """The daemon did not come up: stop it (it cleans up its actor system), by pid."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(child, signal.SIGTERM)
    deadline = time.monotonic() + _GRACE_SECONDS * 3
    while time.monotonic() < deadline:
        if os.waitpid(child, os.WNOHANG) != (0, 0):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)


def _read_line(fd: int, timeout: float) -> str:
    data = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace").strip()


if __name__ == "__main__":
    sys.exit(main())
