"""``prunus ui``: the web dashboard of a home, until Ctrl-C.

It reads the home's store read-only (so it works on a home with no daemon, and never
runs a step) and asks the daemon, when one runs, to pause, play or kill. It listens on
127.0.0.1 and prints its URL with a new token once; the token is also in
``<home>/ui.json`` (mode 0600), removed when the dashboard stops.
"""

from __future__ import annotations

import os
import signal
import sys
import webbrowser
from typing import Any

import click

from prunus.cli._connect import home_path
from prunus.cli._errors import CliError
from prunus.cli._options import home_option, timeout_option
from prunus.errors import StoreError

__all__ = ["ui_command"]


@click.command("ui")
@home_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback exposes the dashboard to the network "
    "(the token still guards it, without encryption).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the dashboard in a browser.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=0.5,
    show_default=True,
    help="Seconds between re-reads of the store, at least (more for big homes).",
)
@timeout_option
def ui_command(
    home: str | None, host: str, port: int, open_browser: bool, interval: float, timeout: float
) -> None:
    """A web dashboard of the processes of a home: table, pages, trees, live updates.

    Pause, play and kill need the daemon on the home; without one the dashboard is
    read-only. Prints its URL with a token once; Ctrl-C stops it.
    """
    from prunus.dashboard._daemon_link import DaemonLink
    from prunus.dashboard._index import ProcessIndex
    from prunus.dashboard._server import Dashboard, DashboardServer, serve
    from prunus.dashboard._token import new_token, remove_ui_file, write_ui_file

    path = home_path(home)
    if not (path / "data.mdb").is_file():
        raise CliError(f"no prunus home at {path}: nothing has run there")
    try:
        index = ProcessIndex(path, min_interval=interval)
    except StoreError as error:
        raise CliError(str(error)) from None
    token = new_token()
    link = DaemonLink(path, timeout)
    dashboard = Dashboard(path, index, link, token)

    def ready(server: DashboardServer) -> None:
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        url = f"http://{shown}:{server.server_address[1]}/?token={token}"
        info: dict[str, Any] = {"url": url, "port": server.server_address[1], "token": token}
        ui_file = write_ui_file(path, {**info, "pid": os.getpid(), "home": str(path)})
        mode = "daemon running" if link.running else "read-only: no daemon on this home"
        click.echo(f"prunus ui: {url}")
        click.echo(f"  home {path} ({mode}); token also in {ui_file}; Ctrl-C stops it")
        if host not in ("127.0.0.1", "localhost", "::1"):
            click.echo(f"  warning: listening on {host}: reachable from the network", err=True)
        sys.stdout.flush()
        if open_browser:
            webbrowser.open(url)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    index.start()
    try:
        serve(dashboard, host, port, ready)
    except OSError as error:
        raise CliError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    except KeyboardInterrupt:
        click.echo("prunus ui stopped", err=True)
    finally:
        remove_ui_file(path, token)
        index.close()
        link.close()
