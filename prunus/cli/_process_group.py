"""``prunus process ...``: the admin verbs, gathered from one module per kind of verb."""

from __future__ import annotations

import click

from prunus.cli._process_control import (
    kill_command,
    pause_command,
    play_command,
    resume_command,
)
from prunus.cli._process_graph import graph_command
from prunus.cli._process_read import (
    list_command,
    outputs_command,
    report_command,
    status_command,
)
from prunus.cli._process_show import show_command
from prunus.cli._process_signal import signal_command
from prunus.cli._watch import watch_command

__all__ = ["VERBS", "process"]

#: Every verb, in the order ``prunus process --help`` and the console list them.
VERBS = (
    list_command,
    show_command,
    status_command,
    report_command,
    outputs_command,
    graph_command,
    watch_command,
    pause_command,
    play_command,
    resume_command,
    kill_command,
    signal_command,
)


@click.group("process")
def process() -> None:
    """Look at and control processes.

    The commands talk to the daemon on the home if one runs; otherwise they open the
    home itself (embedded), and its unfinished processes resume while they run.
    """


for _verb in VERBS:
    process.add_command(_verb)
