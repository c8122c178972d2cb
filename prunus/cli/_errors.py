"""How every ``prunus`` command fails: one line on stderr and a documented exit status.

The root group (:class:`ErrorReportingGroup`) turns any error raised below it into that
line, so commands just raise. ``prunus --debug`` re-raises instead, with the traceback.

Exit statuses (documented in the README, asserted in tests/cli):

====  ===================================================================================
0     success
1     an unexpected internal error (a bug: ``prunus --debug`` shows the traceback)
2     the request cannot be done: bad usage or input, unknown class or pid, no daemon (or
      it stopped answering within ``--timeout``), a home that is in use or unreadable
3     the process ended, but not FINISHED with exit status 0 (``run``, ``process watch``)
4     a wait gave up: ``--max-wait`` passed, or (embedded) the process can never end;
      or a pause, play or kill was not answered within ``--timeout`` (it still stands)
130   interrupted (Ctrl-C)
====  ===================================================================================

A reader of stdout that goes away early (``prunus process list | head -1``) ends the
command quietly, with status 0: what was asked was done, only not all of it was read.
"""

from __future__ import annotations

import os
import select
import sys
from typing import Any, NoReturn

import click

from prunus._text import shorten
from prunus.errors import PrunusError, WaitTimeoutError

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_PROCESS_FAILED",
    "EXIT_TIMEOUT",
    "CliError",
    "ErrorReportingGroup",
    "exit_status_of",
    "fail",
    "show_process_traceback",
]

_MAX_LINE = 2000
EXIT_INTERNAL = 1
EXIT_ERROR = 2
EXIT_PROCESS_FAILED = 3
EXIT_TIMEOUT = 4
EXIT_INTERRUPTED = 130


class CliError(click.ClickException):
    """A one-line error with its own exit status, raised by command code."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


def exit_status_of(error: BaseException) -> int:
    """The documented exit status for an error that reached the top."""
    if isinstance(error, WaitTimeoutError):
        return EXIT_TIMEOUT
    if isinstance(error, PrunusError):
        return EXIT_ERROR
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    return EXIT_INTERNAL


def fail(ctx: click.Context, error: BaseException, code: int | None = None) -> NoReturn:
    """One line on stderr and exit ``code``; ``prunus --debug`` re-raises instead."""
    if (ctx.find_root().obj or {}).get("debug"):
        raise error
    code = exit_status_of(error) if code is None else code
    if isinstance(error, KeyboardInterrupt):
        message = "interrupted"
    elif code == EXIT_INTERNAL:
        message = (
            f"internal error: {type(error).__name__}: {_one_line(error)} "
            "(prunus --debug shows the traceback; please report it)"
        )
    else:
        message = _one_line(error)
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def show_process_traceback(ctx: click.Context, traceback: str | None) -> None:
    """With ``prunus --debug``: the stored traceback of a process's own error (user
    code, where it was raised) on stderr, before the one-line error."""
    if traceback and (ctx.find_root().obj or {}).get("debug"):
        click.echo("Traceback of the process's error, as stored:", err=True)
        click.echo(traceback.rstrip("\n"), err=True)


def _one_line(error: BaseException) -> str:
    """The error as one line, cut at ``_MAX_LINE`` characters: whatever a message
    quotes (a name, a value), the line stays readable."""
    return shorten(str(error), _MAX_LINE) or type(error).__name__


class ErrorReportingGroup(click.Group):
    """A click group that reports every error of its subcommands as one line.

    click's own usage errors keep click's format (they say how to call the command);
    everything else goes through :func:`fail`. Catching here, once, means no command
    can forget to, and the console (which invokes these commands in-process) gets the
    same lines and statuses as a shell.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError as error:
            if not _stdout_reader_gone():
                fail(ctx, error)  # another pipe (a bug, or a socket): say so
            _stop_writing_stdout()
            sys.exit(0)
        except (Exception, KeyboardInterrupt) as error:
            fail(ctx, error)


def _stdout_reader_gone() -> bool:
    """Whether stdout is a pipe whose reader has gone (``prunus process list | head
    -1``): the command is not at fault, the reader simply wants no more. Linux marks the
    write end of such a pipe with POLLERR."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no real file (CliRunner), no poll
        return False


def _stop_writing_stdout() -> None:
    """Point stdout at /dev/null: Python flushes it once more on the way out, and that
    would print a second BrokenPipeError to stderr."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
