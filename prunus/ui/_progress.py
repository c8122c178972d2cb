"""Progress of many processes: counts, a rate and a bar, for terminals and notebooks.

``Progress`` is a snapshot (how many of the watched processes are done, failed, running
or waiting, and how fast they end); it draws itself as one line of text, or as HTML in
a notebook. :func:`wait_with_progress` is what ``client.wait_many(pids, progress=True)``
runs: it waits in short slices (an embedded runtime only runs while a call is inside
it) and redraws between them: in place on a terminal (a carriage-return line), as one
updating output in a Jupyter notebook, or as a line every few seconds elsewhere.
"""

from __future__ import annotations

import contextlib
import html
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from prunus.engine import ProcessResult, ProcessState
from prunus.errors import WaitTimeoutError

__all__ = ["Progress", "count_states", "wait_with_progress"]

_BAR_WIDTH = 24
_SLICE_SECONDS = 0.2
_PLAIN_EVERY_SECONDS = 5.0
_STATUS_CALLS_UP_TO = 50  # more pids than this: one list() per redraw, not a status each


@dataclass(frozen=True)
class Progress:
    """How far a set of processes has got: counts by outcome, and ends per second."""

    total: int
    done: int = 0
    failed: int = 0
    running: int = 0
    waiting: int = 0
    elapsed: float = 0.0

    @property
    def ended(self) -> int:
        return self.done + self.failed

    @property
    def rate(self) -> float:
        """Processes ended per second so far."""
        return self.ended / self.elapsed if self.elapsed > 0 else 0.0

    def bar(self, width: int = _BAR_WIDTH) -> str:
        filled = width if not self.total else round(width * self.ended / self.total)
        return "█" * filled + "░" * (width - filled)

    def text(self) -> str:
        """``[███░░] 3/5 processes ended: 2 done, 1 failed, 2 running, 1.5/s, 2s elapsed``."""
        return (
            f"[{self.bar()}] {self.ended}/{self.total} processes ended: {self.done} done, "
            f"{self.failed} failed, {self.running} running, {self.rate:.1f}/s, "
            f"{_seconds(self.elapsed)} elapsed"
        )

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        from prunus.ui._notebook import STYLE

        share = 100.0 if not self.total else 100.0 * self.ended / self.total
        failed = 0.0 if not self.total else 100.0 * self.failed / self.total
        return (
            f'<div class="prunus-progress">{STYLE}'
            f'<div class="prunus-bar" role="progressbar" aria-valuenow="{self.ended}" '
            f'aria-valuemax="{self.total}"><span class="prunus-fill-done" '
            f'style="width:{share - failed:.1f}%"></span><span class="prunus-fill-failed" '
            f'style="width:{failed:.1f}%"></span></div>'
            f"<span><b>{self.ended}/{self.total}</b> ended: "
            f'<span class="prunus-n-done">{self.done} done</span>, '
            f'<span class="prunus-n-failed">{self.failed} failed</span>, '
            f'<span class="prunus-n-running">{self.running} running</span>, '
            f"{self.waiting} waiting; {self.rate:.1f}/s, {html.escape(_seconds(self.elapsed))}"
            "</span></div>"
        )


def _seconds(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def count_states(
    states: Iterable[ProcessState], total: int, elapsed: float, failed_ok: int = 0
) -> Progress:
    """A :class:`Progress` from the states of the watched processes; ``failed_ok`` moves
    that many FINISHED ones (with a non-zero exit status, known from results) to failed."""
    done = failed = running = waiting = 0
    for state in states:
        if state is ProcessState.FINISHED:
            done += 1
        elif state.is_terminal:
            failed += 1
        elif state is ProcessState.RUNNING:
            running += 1
        else:
            waiting += 1
    return Progress(total, done - failed_ok, failed + failed_ok, running, waiting, elapsed)


class _Display:
    """Where progress goes: a Jupyter output, a terminal line, or occasional lines."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.handle = None if stream is not None else _notebook_handle()
        self.tty = self.handle is None and _isatty(self.stream)
        self.last_plain = -_PLAIN_EVERY_SECONDS

    def show(self, progress: Progress, final: bool = False) -> None:
        if self.handle is not None:
            self.handle.update(progress)
        elif self.tty:
            self.stream.write("\r" + progress.text() + ("\n" if final else ""))
            self.stream.flush()
        elif final or progress.elapsed - self.last_plain >= _PLAIN_EVERY_SECONDS:
            self.last_plain = progress.elapsed
            self.stream.write(progress.text() + "\n")
            self.stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _notebook_handle() -> Any:
    """An updatable Jupyter output showing an empty progress, or None outside a kernel."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "kernel"):
        return None
    from IPython.display import display

    return display(Progress(0), display_id=True)


def wait_with_progress(
    client: Any,
    pids: Sequence[str],
    timeout: float | None = None,
    *,
    stream: TextIO | None = None,
) -> list[ProcessResult]:
    """``client.wait_many(pids, timeout)``, showing a :class:`Progress` as it goes.

    ``stream``: write text there instead of choosing (stderr, or a notebook output).

    Raises:
        WaitTimeoutError: not all ended within ``timeout`` seconds.
        StuckError: (embedded) one can never end.
    """
    pids = list(pids)
    display = _Display(stream)
    started = time.monotonic()
    while True:
        elapsed = time.monotonic() - started
        states = _states(client, pids)
        display.show(count_states(states.values(), len(pids), elapsed))
        unended = [pid for pid in pids if not states[pid].is_terminal]
        if not unended:
            break
        if timeout is not None and elapsed >= timeout:
            raise WaitTimeoutError(f"process {unended[0]} did not end within {timeout} s")
        slice_ = _SLICE_SECONDS if timeout is None else min(_SLICE_SECONDS, timeout - elapsed)
        with contextlib.suppress(WaitTimeoutError):
            client.wait(unended[0], timeout=max(0.01, slice_))
    results = client.wait_many(pids)
    not_ok = sum(1 for result in results if result.is_finished and not result.is_finished_ok)
    final = count_states((r.state for r in results), len(pids), time.monotonic() - started, not_ok)
    display.show(final, final=True)
    return results


def _states(client: Any, pids: Sequence[str]) -> Mapping[str, ProcessState]:
    if len(pids) <= _STATUS_CALLS_UP_TO:
        return {pid: client.status(pid).state for pid in pids}
    wanted = set(pids)
    found = {status.pid: status.state for status in client.list() if status.pid in wanted}
    for pid in wanted - found.keys():  # not listed: ask, so an unknown pid raises
        found[pid] = client.status(pid).state
    return found
