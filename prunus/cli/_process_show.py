"""``prunus process show PID``: everything known about one process, and its class's spec.

The spec comes from importing the class here; a class only the daemon can import is
shown without it (the rest still comes from the runtime).
"""

from __future__ import annotations

import time
from typing import Any

import click

from prunus.actors import RAN_ON_PREFIX
from prunus.cli._connect import connect_client
from prunus.cli._loading import load_process_class
from prunus.cli._options import home_option, json_option, pid_argument, timeout_option
from prunus.cli._process_read import value_text
from prunus.cli._render import Output
from prunus.cli._views import (
    flatten,
    format_age,
    format_time,
    jsonable,
    short_class,
    state_label,
    waits_for,
)
from prunus.conditions import Outcome, condition_from_data
from prunus.engine import ProcessDescription, ProcessState
from prunus.errors import PrunusError, UnknownProcessError

__all__ = ["show_command", "spec_rows"]


@click.command("show")
@pid_argument()
@home_option
@timeout_option
@json_option
@click.pass_context
def show_command(
    ctx: click.Context, pid: str, home: str | None, timeout: float, as_json: bool
) -> None:
    """Everything about one process, and the spec of its class.

    Class, state, exit code, timings, inputs, outputs, children, the traceback of
    the error of an EXCEPTED process, where it ran (a daemon with members), and the
    ports.
    """
    with connect_client(ctx, home, timeout, resume=False) as client:
        details = ProcessDescription.from_data(client.describe(pid))
        atoms = _condition_atoms(client, details.when)
        ran_on = [
            (when, line.removeprefix(RAN_ON_PREFIX))
            for when, line in client.report(pid, times=True)
            if line.startswith(RAN_ON_PREFIX)
        ]
        children = []
        for child in details.children:
            try:
                children.append(client.status(child))
            except UnknownProcessError:
                continue
    spec, spec_problem = _spec_description(details.process_class)
    out = Output()
    if as_json:
        data = {**details.to_data(), "spec": spec, "spec_error": spec_problem}
        data["atoms"] = {atom: now for atom, now in atoms}
        data["ran_on"] = [{"since": when, "where": where} for when, where in ran_on]
        out.json(jsonable(data))
        return
    out.fields(_summary(details))
    if atoms:
        held = details.state.name == "CREATED"
        title = "Waiting for" if held else "Launched when"
        out.heading(f"{title}: {condition_from_data(details.when)}")
        out.table(["ATOM", "NOW"], atoms)
    for title, values in (("Inputs", details.inputs), ("Outputs", details.outputs)):
        out.heading(title)
        rows = [(name, value_text(value)) for name, value in flatten(values or {})]
        if rows:
            out.fields(rows, indent=2)
        else:
            out.echo(
                "  (none)" if values is not None or details.is_terminal else "  (once it has ended)"
            )
    if ran_on:  # (a daemon with members: which member ran its steps, from when)
        out.heading("Ran on")
        out.table(["SINCE", "WHERE"], [[format_time(when), where] for when, where in ran_on])
    if children:
        out.heading("Children")
        out.table(
            ["PID", "CLASS", "STATE"],
            [[c.pid, short_class(c.process_class), state_label(c)] for c in children],
        )
    if details.traceback:
        out.heading("Traceback")
        for line in details.traceback.rstrip("\n").splitlines():
            out.echo(f"  {line}")
    out.heading("Spec")
    if spec is None:
        out.echo(f"  (not available here: {spec_problem})")
        return
    out.table(["PORT", "TYPE", "REQUIRED", "DEFAULT", "HELP"], spec_rows(spec))


def _condition_atoms(client: Any, when: list[Any] | None) -> list[list[str]]:
    """Each atom of a process's ``when=`` condition and its value now (holds, never,
    not yet), from the named processes' stored states."""
    if when is None:
        return []
    outcomes: dict[str, Outcome | None] = {}
    condition = condition_from_data(when)
    for named in sorted(condition.pids):
        try:
            found = ProcessDescription.from_data(client.describe(named))
        except UnknownProcessError:
            outcomes[named] = None
            continue
        code = found.exit_code
        ended = found.is_terminal
        outcomes[named] = Outcome(found.state, code[0] if code else 0) if ended else None
    return [[str(atom), atom.evaluate(outcomes).value] for atom in condition.atoms()]


def _summary(details: ProcessDescription) -> list[tuple[str, str]]:
    state, ended = details.state.name, details.is_terminal
    code = details.exit_code
    created, modified = details.created, details.modified
    if created is None:
        took = "-"
    elif ended and modified is not None:
        took = format_age(modified - created)
    else:
        took = f"{format_age(time.time() - created)} so far"
    rows = [
        ("pid", details.pid),
        ("class", details.process_class),
        ("state", f"{state} (paused)" if details.paused and not ended else state),
        ("status", details.status or "-"),
        (
            "waits for",
            waits_for(details.state, details.due, details.signal, time.time())
            or (details.status if details.state is ProcessState.WAITING else None)
            or "-",
        ),
        ("step", details.step or "-"),
        ("exit code", "-" if code is None else f"{code[0]}" + (f" {code[1]}" if code[1] else "")),
        ("exception", details.exception or "-"),
        ("parent", details.parent or "-"),
        ("restarts", str(details.restarts)),
        ("created", format_time(created)),
        ("ended" if ended else "modified", format_time(modified)),
        ("duration", took),
    ]
    if details.cached_from:  # a memo hit: it ran nothing, its outputs are a copy
        rows.insert(3, ("cached", f"outputs copied from {details.cached_from} (no step ran)"))
    return rows


def _spec_description(reference: str) -> tuple[dict[str, Any] | None, str | None]:
    """The class's spec description, or None and why it could not be had."""
    try:
        return load_process_class(reference).spec().get_description(), None
    except PrunusError as error:
        return None, str(error)


def spec_rows(spec: dict[str, Any]) -> list[list[str]]:
    """One row per input and output port, nested namespaces as dotted names."""
    rows: list[list[str]] = []
    for side in ("inputs", "outputs"):
        _port_rows(spec[side], side, rows, is_input=side == "inputs")
    for label, code in spec.get("exit_codes", {}).items():
        rows.append([f"exit {code['status']}", label, "", "", code["message"]])
    return rows


def _port_rows(namespace: dict[str, Any], path: str, rows: list[list[str]], is_input: bool) -> None:
    for name, port in namespace["ports"].items():
        dotted = f"{path}.{name}"
        if "ports" in port:  # a nested namespace
            if port.get("dynamic") or not port["ports"]:
                rows.append([dotted + ".*", "namespace", _yes(port["required"]), "", _help(port)])
            _port_rows(port, dotted, rows, is_input)
            continue
        default = port.get("default", "") if is_input else ""
        rows.append(
            [dotted, port["valid_type"] or "any", _yes(port["required"]), default, _help(port)]
        )


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _help(port: dict[str, Any]) -> str:
    return port.get("help") or ""
