"""Stored bytes as a given version of prunus writes them, for format-compatibility tests.

``python -m tests.durability.stored_formats DIR`` runs :class:`Judge` on an embedded
runtime with an in-memory store and writes, for every process, the exact bytes the
runtime stored last: ``<pid>.record``, ``<pid>.checkpoint`` and (once ended)
``<pid>.outputs``. The fixture in ``fixtures/before-one-format`` was written this way by
the code before exit codes and statuses got one ``to_data``/``from_data`` pair each; a
test loads it with today's code. Never edit those bytes: regenerate into a new folder.

What the run leaves stored (every way an exit code or a status was written then):

- ``judge.0`` FINISHED with a labelled exit code that invalidates the cache (record
  ``result``, checkpoint ``exit_code``);
- ``judge.1`` the same, its result never consumed: it sits in the parent's checkpoint
  ``child_results``;
- ``judge``, paused after its ``keep`` step: its ctx holds ``judge.0``'s
  ``ProcessResult`` and an ``ExitCode`` (the codec's extension types).

Only the public API is used, so the helper runs unchanged on every version.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from prunus import Client, ExitCode, Process, StuckError, ToContext, WorkChain
from prunus.persistence import MemoryStore, StagedWrite

PARENT = "judge"
LOW = ExitCode(300, "x {x} is too low", invalidates_cache=True, label="ERROR_LOW")


class Scorer(Process):
    """Ends with the labelled ERROR_LOW exit code for x < 5, else outputs 2 * x."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.output("y", valid_type=int, required=False)
        spec.exit_code(LOW.status, LOW.label, LOW.message, invalidates_cache=True)

    def run(self):
        if self.inputs.x < 5:
            return self.exit_codes.ERROR_LOW.format(x=self.inputs.x)
        self.out("y", 2 * self.inputs.x)
        return None


class Judge(WorkChain):
    """Awaits one scorer, launches another it never awaits, keeps the first's result
    and exit code in ctx, then pauses itself before ``finish``."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("label", valid_type=str)
        spec.output("status", valid_type=int)
        spec.output("message", valid_type=str)
        spec.output("invalidates_cache", valid_type=bool)
        spec.outline(cls.launch, cls.keep, cls.finish)

    def launch(self):
        low = self.submit(Scorer, x=1)
        self.submit(Scorer, x=2)  # never awaited: its result stays unconsumed
        return ToContext(low=low)

    def keep(self):
        self.ctx.code = self.ctx.low.exit_code
        self.pause()

    def finish(self):
        code = self.ctx.code
        self.out("label", self.ctx.low.exit_code.label)
        self.out("status", code.status)
        self.out("message", code.message)
        self.out("invalidates_cache", code.invalidates_cache)


class _KeepsLastBytes(MemoryStore):
    """A memory store that also keeps the last encoded bytes written per pid."""

    def __init__(self) -> None:
        super().__init__()
        self.last: dict[str, dict[str, bytes]] = {}

    def write_staged(self, staged: Sequence[StagedWrite]) -> None:
        super().write_staged(staged)
        for item in staged:
            parts = self.last.setdefault(item.pid, {})
            for name in ("record", "checkpoint", "outputs"):
                blob = getattr(item, name)
                if blob is not None:
                    parts[name] = blob


def write_stored_formats(folder: Path) -> list[Path]:
    """Run the scenario and write every process's last stored bytes into ``folder``."""
    store = _KeepsLastBytes()
    with Client(store=store) as client:
        client.submit(Judge(pid=PARENT))
        with contextlib.suppress(StuckError):  # paused after ``keep``, as intended
            client.wait(PARENT)
        assert client.status(PARENT).paused, "the scenario must leave the parent paused"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for pid, parts in sorted(store.last.items()):
        for name, blob in sorted(parts.items()):
            path = folder / f"{pid}.{name}"
            path.write_bytes(blob)
            written.append(path)
    return written


if __name__ == "__main__":
    # Through the module's own name: run as __main__, the classes would be stored as
    # ``__main__:Judge``, which nothing could import later.
    from tests.durability.stored_formats import write_stored_formats as write

    for path in write(Path(sys.argv[1])):
        print(path)
