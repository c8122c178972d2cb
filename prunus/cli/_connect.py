"""Which runtime a command talks to: the daemon on the home if one runs, else the home.

One runtime per home: while a daemon runs on a home an embedded ``Client(home)`` cannot
open it, so every command first tries the daemon (``Client.connect(home)``). Without a
daemon, commands that only make sense with one (``submit``) fail with one line; the
others open the home embedded. Reading commands (list, show, status, report,
outputs) open it without resuming anything, so they never run a step; ``watch`` and
the controls resume the home's unfinished processes while they run. A home nothing
has run on is an error rather than a new, empty home: a mistyped ``--home`` should
not look like "no processes".

The console keeps one client open for its whole session and hands it to the commands it
runs through ``ctx.obj['client']``; they use that one instead of opening their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from prunus.cli._errors import CliError
from prunus.control import Client
from prunus.errors import DaemonError, NotAuthorisedError
from prunus.persistence import resolve_home

__all__ = ["connect_client", "describe_connection", "home_path", "open_client"]


def home_path(home: str | None) -> Path:
    """The absolute home (``--home``, then $PRUNUS_HOME, then ./.prunus)."""
    try:
        return resolve_home(home)
    except ValueError as error:
        raise CliError(f"--home: {error}") from None


def open_client(
    home: str | None, timeout: float, *, daemon_only: bool = False, resume: bool = True
) -> Client:
    """A client of the daemon on ``home``, or (unless ``daemon_only``) of the home itself.

    Raises:
        DaemonError: ``daemon_only`` and no daemon runs on the home.
        CliError: no daemon runs and nothing has ever run on the home.
        StoreError: the home is held by another runtime, or cannot be opened.
    """
    path = home_path(home)
    root = click.get_current_context(silent=True)
    chosen = (root.find_root().obj or {}) if root is not None else {}
    address, key_file = chosen.get("address"), chosen.get("key_file")
    try:
        return Client.connect(path, address=address, key=key_file, timeout=timeout)
    except NotAuthorisedError:
        raise
    except DaemonError:
        if daemon_only or address is not None:
            raise
    if not (path / "data.mdb").is_file():
        raise CliError(
            f"no prunus home at {path}: nothing has run there "
            f"(start a daemon: prunus daemon start --home {path})"
        )
    return Client(path, resume=resume)


@contextmanager
def connect_client(
    ctx: click.Context,
    home: str | None,
    timeout: float,
    *,
    daemon_only: bool = False,
    resume: bool = True,
) -> Iterator[Client]:
    """The console's client if there is one, else a client opened for this command."""
    shared = (ctx.find_root().obj or {}).get("client")
    if shared is not None:
        if daemon_only and not shared.is_remote:
            raise DaemonError(
                "this console runs the home embedded: submitting needs a daemon "
                "(prunus daemon start), or use `prunus run --durable`"
            )
        yield shared
        return
    client = open_client(home, timeout, daemon_only=daemon_only, resume=resume)
    try:
        yield client
    finally:
        client.close()


def describe_connection(client: Client, home: str | None) -> str:
    """``daemon on /path`` or ``embedded on /path``: what the console's banner says."""
    return f"{'daemon' if client.is_remote else 'embedded'} on {home_path(home)}"
