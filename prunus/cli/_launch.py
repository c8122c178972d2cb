"""``prunus run`` (to the end, with progress) and ``prunus submit`` (the pid, at once).

``run`` is embedded and durable by default: checkpointed in the home after every step,
so it is listed afterwards and an interrupted run resumes the next time the home is
open. ``--memory`` keeps it in memory only (nothing left behind) and ``--daemon`` hands
it to the daemon on the home. ``submit`` always needs a daemon: an embedded runtime
only runs while its command does, so a pid printed by a command that then exits would
name a process nothing runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
from click.core import ParameterSource

from prunus.cli._connect import connect_client, home_path
from prunus.cli._errors import (
    EXIT_INTERRUPTED,
    EXIT_PROCESS_FAILED,
    CliError,
    show_process_traceback,
)
from prunus.cli._follow import Display, follow
from prunus.cli._loading import (
    check_reference,
    load_inputs_file,
    load_process_class,
    merge_inputs,
    parse_inputs,
)
from prunus.cli._options import Seconds, home_option, timeout_option
from prunus.cli._render import Output
from prunus.cli._views import jsonable
from prunus.cli._when import when_option
from prunus.conditions import Condition
from prunus.control import Client
from prunus.control._daemon_files import read_daemon_file
from prunus.control._worker_pool import default_workers
from prunus.engine import ProcessResult
from prunus.errors import StoreError

__all__ = ["run_command", "submit_command"]


def _inputs_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """PROCESS, ``-i key=value`` and ``--inputs FILE``: how both commands take a launch."""
    for option in reversed(
        [
            click.argument("process", metavar="MODULE:CLASS"),
            click.option(
                "-i",
                "--input",
                "pairs",
                multiple=True,
                metavar="KEY=VALUE",
                help="An input; the value is JSON if it parses, else a string; "
                "dotted keys reach into namespaces (-i params.cutoff=30).",
            ),
            click.option(
                "--inputs",
                "inputs_file",
                metavar="FILE",
                help="Inputs from a .json, .yaml or .yml mapping; -i values go on top.",
            ),
            home_option,
            timeout_option,
        ]
    ):
        command = option(command)
    return command


def _inputs(pairs: tuple[str, ...], inputs_file: str | None) -> dict[str, Any]:
    base = load_inputs_file(inputs_file) if inputs_file else {}
    return merge_inputs(base, parse_inputs(pairs))


@click.command("run")
@_inputs_options
@click.option("--daemon", "on_daemon", is_flag=True, help="Run it on the daemon of the home.")
@click.option(
    "--memory",
    is_flag=True,
    help="Keep it in memory only: not recorded in the home, gone when the command ends.",
)
@click.option(
    "--durable",
    is_flag=True,
    hidden=True,  # the default now; still accepted so that older scripts keep working
    help="Checkpoint it in the home (the default).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    is_flag=False,
    flag_value=default_workers(),
    default=None,
    metavar="N",
    help=f"Run on a private pool of N host processes that ends with the command (alone: "
    f"one per core, {default_workers()} here); 0 or 1: in this process (the default).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show its tree of processes while it runs (default: when stderr is a terminal).",
)
@click.option(
    "--interval",
    type=Seconds(min=0.05),
    default=0.25,
    show_default=True,
    help="Seconds between progress updates.",
)
@click.option(
    "--max-wait",
    type=Seconds(min=0.0),
    default=None,
    metavar="SECONDS",
    help="Give up waiting after this long (exit 4).",
)
@click.pass_context
def run_command(
    ctx: click.Context,
    process: str,
    pairs: tuple[str, ...],
    inputs_file: str | None,
    home: str | None,
    timeout: float,
    on_daemon: bool,
    memory: bool,
    durable: bool,
    workers: int | None,
    progress: bool | None,
    interval: float,
    max_wait: float | None,
) -> None:
    """Run a process to its end and print its outputs as JSON.

    MODULE:CLASS runs embedded and is recorded in the home (--home, else $PRUNUS_HOME,
    else ./.prunus): checkpointed after every step, listed by `prunus process list`
    afterwards, resumed the next time the home is open if the run is interrupted.
    --memory keeps it in memory only; --daemon runs it on the daemon of the home.
    --workers N runs its processes in N OS processes at once (every core), stopped
    when the command ends; its classes must then import by module path.
    Progress goes to stderr, so `prunus run ... | jq` sees only the outputs. Exits 3
    if the process ends other than FINISHED with exit status 0.
    """
    if sum((on_daemon, memory, durable)) > 1:
        raise click.UsageError("--daemon, --memory and --durable exclude each other")
    if workers is not None and on_daemon:
        raise click.UsageError("--workers starts a private pool: drop it with --daemon")
    if memory and ctx.get_parameter_source("home") is ParameterSource.COMMANDLINE:
        raise click.UsageError("--memory records nothing in a home: drop --home or --memory")
    inputs = _inputs(pairs, inputs_file)
    out = Output(err=True)
    show = out.rich if progress is None else progress
    display = Display(out, ("live" if out.rich else "lines") if show else "none")
    if on_daemon:
        with connect_client(ctx, home, timeout, daemon_only=True) as client:
            pid = client.submit(check_reference(process), inputs)
            fate = f"it goes on in the daemon (prunus process watch {pid})"
            result = _follow(client, pid, display, interval, max_wait, fate)
    else:
        process_class = load_process_class(process)
        client = Client(workers=workers) if memory else _open_home(home, workers)
        with client:
            pid = client.submit(process_class, inputs)
            fate = (
                "it ran in memory and is gone"
                if memory
                else f"it is checkpointed in {home_path(home)} and resumes when that home "
                "is next open"
            )
            result = _follow(client, pid, display, interval, max_wait, fate)
    click.echo(json.dumps(jsonable(result.outputs), indent=2, sort_keys=True))
    if not result.is_finished_ok:
        show_process_traceback(ctx, result.traceback)
        raise CliError(_ending(result), EXIT_PROCESS_FAILED)


def _open_home(home: str | None, workers: int | None = None) -> Client:
    """The home, embedded (on a pool with ``workers``); a daemon holding it is named
    with what to do instead."""
    path = home_path(home)
    try:
        return Client(path, workers=workers)
    except StoreError as error:
        if workers is not None or read_daemon_file(path) is None:
            raise
        raise CliError(
            f"{error}: a daemon runs there; run on it with --daemon, or use --memory"
        ) from None


def _follow(
    client: Client,
    pid: str,
    display: Display,
    interval: float,
    max_wait: float | None,
    fate: str,
) -> ProcessResult:
    """Follow ``pid``; Ctrl-C says what becomes of it (``fate``) and exits 130."""
    try:
        return follow(client, pid, display, interval=interval, max_wait=max_wait)
    except KeyboardInterrupt:
        raise CliError(
            f"interrupted: process {pid} had not ended; {fate}", EXIT_INTERRUPTED
        ) from None


def _ending(result: ProcessResult) -> str:
    """``process X ended EXCEPTED: why``: the one line for a run that did not succeed."""
    if result.exit_code is not None and result.exit_code.status:
        reason = f"exit status {result.exit_code.status}: {result.exit_code.message}"
    else:
        reason = result.exception or result.status or "no reason given"
    return f"process {result.pid} ended {result.state.name}: {reason}"


@click.command("submit")
@_inputs_options
@when_option
@click.option("--json", "as_json", is_flag=True, help='Print {"pid": ...} instead of the pid.')
@click.option(
    "--idempotency-key",
    "key",
    metavar="KEY",
    help="Submitting again with the same KEY (e.g. after a timeout) prints the same pid "
    "and starts nothing (keys are kept 7 days).",
)
@click.pass_context
def submit_command(
    ctx: click.Context,
    process: str,
    pairs: tuple[str, ...],
    inputs_file: str | None,
    home: str | None,
    timeout: float,
    when: Condition | None,
    as_json: bool,
    key: str | None,
) -> None:
    """Submit a process to the daemon and print its pid at once.

    The daemon imports the class (from its own working directory and PYTHONPATH) and
    checks the inputs; a bad one is refused with the port's name and nothing starts.
    The pid is printed once the process is recorded, even while every host is busy:
    it starts when one is free. With --when, it starts once EXPR holds.
    """
    inputs = _inputs(pairs, inputs_file)
    with connect_client(ctx, home, timeout, daemon_only=True) as client:
        pid = client.submit(check_reference(process), inputs, when=when, idempotency_key=key)
    click.echo(json.dumps({"pid": pid}) if as_json else pid)
