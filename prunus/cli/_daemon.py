"""``prunus daemon start|stop|status``: the daemon's lifecycle from the terminal.

A second start on the same home, a stop or status with no daemon running, and a daemon
that does not answer are each one line on stderr and exit status 2.
"""

from __future__ import annotations

import json
import time

import click

from prunus.cli._errors import fail
from prunus.cli._options import Seconds, home_option
from prunus.control import daemon_status, start_daemon, stop_daemon
from prunus.errors import PrunusError

__all__ = ["daemon"]


@click.group()
def daemon() -> None:
    """Run prunus as a service on this host (on loopback unless --bind says otherwise)."""


@daemon.command()
@home_option
@click.option("--port", type=click.IntRange(1, 65535), help="Admin port (default: a free one).")
@click.option(
    "--bind",
    metavar="ADDRESS",
    help="Listen on this IPv4 address of this machine instead of 127.0.0.1, for members "
    "and clients on other machines (frames are signed, not encrypted: a private network).",
)
@click.option("--workers", type=click.IntRange(1), help="Host actors (default: one per core).")
@click.option(
    "--restart-limit",
    type=click.IntRange(0),
    default=3,
    show_default=True,
    help="Restarts of a process whose host died, before it is EXCEPTED.",
)
@click.option("--join", metavar="HOST:PORT", help="Be a member of the leader daemon there.")
@click.option(
    "--capability",
    "capabilities",
    multiple=True,
    metavar="KEY=VALUE",
    help="A member's resource (gpu=2) or label (site=sns); repeat for more.",
)
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False),
    help="A member's copy of the leader's secret.key.",
)
@click.option(
    "--no-work",
    is_flag=True,
    help="A leader that runs no process itself: all work goes to its members.",
)
@click.pass_context
def start(
    ctx: click.Context,
    home: str | None,
    port: int | None,
    bind: str | None,
    workers: int | None,
    restart_limit: int,
    join: str | None,
    capabilities: tuple[str, ...],
    key_file: str | None,
    no_work: bool,
) -> None:
    """Start the daemon, detached; its log is <home>/daemon.log.

    With --join it is a member: the leader runs work on it; it keeps nothing durable.
    """
    try:
        info = start_daemon(
            home,
            port=port,
            workers=workers,
            restart_limit=restart_limit,
            join=join,
            capabilities=capabilities,
            key_file=key_file,
            bind=bind,
            no_work=no_work,
        )
    except PrunusError as error:
        fail(ctx, error)
    if join:
        click.echo(
            f"prunus member started: pid {info['pid']}, {info['address']}, "
            f"{info['workers']} hosts, leader {info['leader']}, home {info['home']}"
        )
        return
    hosts = f"{info['workers']} hosts" if info["workers"] else "no hosts (--no-work)"
    click.echo(
        f"prunus daemon started: pid {info['pid']}, {info['address']}, {hosts}, home {info['home']}"
    )


@daemon.command()
@home_option
@click.option(
    "--timeout", type=Seconds(min=0.1), default=30.0, show_default=True, help="Seconds to wait."
)
@click.pass_context
def stop(ctx: click.Context, home: str | None, timeout: float) -> None:
    """Stop the daemon and wait until none of its processes is left."""
    try:
        pid = stop_daemon(home, timeout=timeout)
    except PrunusError as error:
        fail(ctx, error)
    click.echo(f"prunus daemon stopped (pid {pid})")


@daemon.command()
@home_option
@click.option(
    "--timeout", type=Seconds(min=0.1), default=5.0, show_default=True, help="Seconds to wait."
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def status(ctx: click.Context, home: str | None, timeout: float, as_json: bool) -> None:
    """Show the daemon: pid, port, uptime, host actors, processes by state, and each
    process no host can hold for now (blocked: its class does not import in the
    daemon, or it cannot be written), with why."""
    try:
        info = daemon_status(home, timeout=timeout)
    except PrunusError as error:
        fail(ctx, error)
    if as_json:
        click.echo(json.dumps(info, indent=2, sort_keys=True))
        return
    if info.get("role") == "member":
        _show_member(info)
        return
    states = ", ".join(f"{count} {state}" for state, count in info["processes"].items())
    lines = [
        ("status", "running"),
        ("pid", info["pid"]),
        ("address", info["address"]),
        ("home", info["home"]),
        ("uptime", _duration(info["uptime"])),
        ("hosts", f"{info['hosts']} host actors, {info['active']} processes active in them"),
        ("host pids", " ".join(str(pid) for pid in info["host_pids"])),
        ("processes", f"{states or 'none'}; {info['paused']} paused"),
        ("listening", _listeners(info["listening"])),
        ("key", f"{info['key_file']} (every message to or from the daemon is signed with it)"),
        ("log", info["log"]),
    ]
    for name, value in lines:
        click.echo(f"{name:<10} {value}")
    for member in info.get("members", ()):
        click.echo(f"{'member':<10} {_member_line(member)}")
    for blocked in info.get("blocked", ()):
        click.echo(f"{'blocked':<10} {blocked['pid']}  {blocked['reason']}")
    hidden = info.get("blocked_count", 0) - len(info.get("blocked", ()))
    if hidden > 0:
        click.echo(f"{'blocked':<10} ... and {hidden} more (prunus process list shows them)")


def _member_line(member: dict) -> str:
    capabilities = " ".join(f"{k}={v}" for k, v in sorted(member["capabilities"].items()))
    in_use = " ".join(f"{k}={v}" for k, v in sorted(member["in_use"].items()) if v)
    pids = " ".join(str(pid) for pid in member["host_pids"])
    draining = "; draining" if member.get("draining") else ""
    return (
        f"{member['address']} [{capabilities or 'no capabilities'}] "
        f"in use: {in_use or 'nothing'}; {member['processes']} processes; host pids {pids}; "
        f"last heartbeat {member['heartbeat_age']:.1f} s ago{draining}"
    )


def _last_heartbeat(when: float | None) -> str:
    if not when:
        return "-"
    return f"last {max(0.0, time.time() - when):.1f} s ago, as the leader saw it"


def _show_member(info: dict) -> None:
    capabilities = " ".join(f"{k}={v}" for k, v in sorted((info["capabilities"] or {}).items()))
    joined = "joined" if info["joined"] else "not joined (yet): the leader does not list it"
    lines = [
        ("status", f"running, member of {info['leader']}, {joined}"),
        ("pid", info["pid"]),
        ("address", info["address"]),
        ("home", info["home"]),
        ("uptime", _duration(info["uptime"])),
        ("offers", capabilities or "no capabilities"),
        ("host pids", " ".join(str(pid) for pid in info["host_pids"])),
        ("processes", info["processes"]),
        ("heartbeat", _last_heartbeat(info.get("last_heartbeat"))),
        ("log", info["log"]),
    ]
    for name, value in lines:
        click.echo(f"{name:<10} {value}")


def _listeners(sockets: list[dict]) -> str:
    """``127.0.0.1: admin 41493, supervisor 40111, ...``, one group per address."""
    by_address: dict[str, list[str]] = {}
    for entry in sockets:
        by_address.setdefault(entry["address"], []).append(f"{entry['role']} {entry['port']}")
    return "; ".join(f"{address}: {', '.join(ports)}" for address, ports in by_address.items())


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m {secs:02d}s" if hours else f"{minutes}m {secs:02d}s"
