"""One warm embedded runtime per thread, for ``prunus.run`` and ``Process.execute``.

Building an embedded runtime (an actor system, its supervisor and host actors, each
created through Thespian's ``inspect.signature`` checks) cost 58% of a trivial
``prunus.run``; this module keeps one per thread instead, opened on first use and
closed when the thread's state is collected or at interpreter exit.

The rules that keep a shared runtime indistinguishable from a private one:

- Never re-entered: the in-process actor system runs in the caller's thread, so a
  ``prunus.run`` inside a step of a process this runtime is running gets a private
  runtime, exactly as before (``busy``).
- Never trusted after a surprise: if a run ends with the process not ended (StuckError,
  a timeout, KeyboardInterrupt, a bug), or leaves a descendant that has not ended (a
  child launched and never awaited), the runtime is closed with everything in it, as
  a private runtime would have been; the next run opens a new one.
- Never grown without bound: every ended process stays registered (and in the memory
  store), so after ``RECYCLE_AFTER`` runs the runtime is replaced.
- Never shared across fork: a child OS process opens its own.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from typing import Any

from prunus.actors import EmbeddedRuntime, open_embedded_runtime
from prunus.engine import Process, ProcessDriver

__all__ = ["RECYCLE_AFTER", "execute_warm"]

_LOG = logging.getLogger(__name__)
RECYCLE_AFTER = 1000  # runs per runtime; its registry and store then hold ~1000 ended processes


class _ThreadRuntime:
    """This thread's runtime and whether it is in use; see the module docstring."""

    __slots__ = ("__weakref__", "busy", "closer", "os_pid", "runs", "runtime")

    def __init__(self) -> None:
        self.runtime: EmbeddedRuntime | None = None
        self.closer: weakref.finalize | None = None
        self.busy = False
        self.runs = 0
        self.os_pid = 0

    def get(self) -> EmbeddedRuntime:
        if self.runtime is not None and self.os_pid == os.getpid():
            return self.runtime
        if self.closer is not None:  # inherited across fork: not ours to close
            self.closer.detach()
        runtime = open_embedded_runtime()
        self.runtime, self.os_pid, self.runs = runtime, os.getpid(), 0
        # Closes it when this thread's state is collected, or at exit (atexit=True).
        self.closer = weakref.finalize(self, _close_quietly, runtime)
        return runtime

    def discard(self) -> None:
        if self.closer is not None:
            self.closer()  # closes once; a finalize never runs twice
        self.runtime = self.closer = None


class _Local(threading.local):
    state: _ThreadRuntime | None = None


_local = _Local()


def execute_warm(process: Process, private: Any) -> dict[str, Any]:
    """Run ``process`` to its end on this thread's warm runtime; ``private(process)``
    runs it on a runtime of its own when the warm one is busy (a nested run)."""
    state = _local.state
    if state is None:
        state = _local.state = _ThreadRuntime()
    if state.busy:
        return private(process)
    runtime = state.get()
    state.busy = True
    clean = False
    try:
        outputs = runtime.run(process, None)
        clean = True
        return outputs
    except BaseException:
        clean = process.state.is_terminal  # the process's own error: the runtime is fine
        raise
    finally:
        state.busy = False
        state.runs += 1
        if not clean or state.runs >= RECYCLE_AFTER or _left_live(runtime, process):
            state.discard()


def _left_live(runtime: EmbeddedRuntime, process: Process) -> bool:
    """Whether a descendant of ``process`` has not ended (one question to the runtime)."""
    if not ProcessDriver(process).has_children:
        return False
    try:
        return bool(runtime.live_descendants(process.pid))
    except Exception:  # cannot tell: do not trust the runtime
        return True


def _close_quietly(runtime: EmbeddedRuntime) -> None:
    try:
        runtime.close()
    except Exception:  # at exit or in a collector: nothing to report to
        _LOG.debug("closing a warm runtime failed", exc_info=True)
