"""Memoization in the supervisor: reuse a finished run's outputs for the same key.

A class opts in with ``spec.cacheable(version=..., ignore=...)``; a launch's key is
``prunus.conditions.memo_key`` over its class, version and validated inputs. What
this part decides for a launch (:meth:`MemoCache.plan`):

- ``cache=False``: no key; it neither uses nor fills the cache.
- an entry whose source FINISHED with exit status 0 (and ``cache`` is not
  ``"refresh"``): a *hit*; the supervisor writes the new pid FINISHED at once with a
  copy of the outputs and ``cached_from``, in one transaction, and runs no step.
- a live process with the same key: the launch is *held* on ``first.completed`` and
  asks again when released (a hit then, or it runs itself if the first failed): one
  run per key at a time.
- otherwise it runs; when it FINISHES with exit status 0 its entry is put in the
  ``memo`` database (under the key's digest), replacing any older one.

The entry is put after the process's terminal record, in its own transaction: a crash
between the two loses the entry (the next launch runs again), never the reverse. The
running keys and the keys of held launches are kept in memory only: after a restart a
process that was running fills no entry, and a held duplicate runs itself. Both err
on the side of running again, never of reusing what was not a finished run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from prunus.actors._registry import Registry
from prunus.conditions import MemoEntry, MemoKey, Uncacheable, memo_key
from prunus.engine import Process, ProcessDriver, ProcessResult, ProcessState
from prunus.errors import CodecError, PrunusError

__all__ = ["MemoCache", "Plan"]


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do with one launch: ``hit`` (reuse ``source``), ``wait`` (for the
    live ``source`` with the same key), or ``run``; ``key`` None for no caching."""

    action: str
    key: MemoKey | None = None
    source: str | None = None
    reason: str | None = None  # why no key (an input that cannot be keyed)


_RUN = Plan("run")


class MemoCache:
    """Keys of live launches, and the ``memo`` database of finished ones."""

    def __init__(self, registry: Registry, store: Any) -> None:
        self._registry = registry
        self._store = store
        self._running: dict[str, str] = {}  # digest -> the pid running it
        self._keys: dict[str, tuple[MemoKey, Any]] = {}  # pid -> its key and mode

    def plan(self, process: Process, mode: Any = True) -> Plan:
        """What to do with a launch of ``process`` (see the module docstring)."""
        if mode is False or process.spec().cache_settings is None:
            return _RUN
        try:
            key = memo_key(type(process), ProcessDriver(process).raw_inputs)
        except (PrunusError, ValueError) as error:
            return Plan("run", reason=str(error))
        if isinstance(key, Uncacheable):
            return Plan("run", reason=key.reason)
        if mode != "refresh":
            source = self.source_of(key)
            if source is not None:
                return Plan("hit", key, source)
        running = self._running.get(key.digest)
        if running is not None and running != process.pid:
            return Plan("wait", key, running)
        return Plan("run", key)

    def source_of(self, key: MemoKey) -> str | None:
        """The pid whose outputs a launch with ``key`` may reuse, if any."""
        try:
            data = self._store.get("memo", key.digest)
            entry = MemoEntry.from_data(data) if data is not None else None
        except CodecError:
            return None
        if entry is None:
            return None
        source = self._registry.get(entry.pid)
        result = source.result if source is not None else None
        if result is None or result.state is not ProcessState.FINISHED:
            return None
        if result.exit_code is not None and result.exit_code.status != 0:
            return None
        return entry.pid

    def running(self, pid: str, key: MemoKey, mode: Any) -> None:
        """``pid`` runs for ``key``: launches with that key wait for it."""
        self._running[key.digest] = pid
        self._keys[pid] = (key, mode)

    def held(self, pid: str, key: MemoKey, mode: Any) -> None:
        """``pid`` waits for the live run of ``key``; it asks again when released."""
        self._keys[pid] = (key, mode)

    def released(self, pid: str) -> Plan:
        """A held launch is released: a hit now, or it runs itself."""
        key, mode = self._keys.pop(pid, (None, True))
        if key is None:
            return _RUN
        source = self.source_of(key) if mode != "refresh" else None
        if source is not None:
            return Plan("hit", key, source)
        self.running(pid, key, mode)
        return Plan("run", key)

    def ended(self, pid: str, result: ProcessResult) -> None:
        """``pid`` ended: a successful run fills (or replaces) its key's entry."""
        found = self._keys.pop(pid, None)
        if found is None:
            return
        key, _ = found
        if self._running.get(key.digest) == pid:
            del self._running[key.digest]
        code = result.exit_code
        if result.state is ProcessState.FINISHED and (code is None or code.status == 0):
            self._store.put("memo", key.digest, MemoEntry(key, pid, time.time()).to_data())

    def hit_result(self, pid: str, source: str, process_class: str) -> ProcessResult:
        """The result of a hit: a copy of ``source``'s outputs and exit code."""
        result = self._registry[source].result
        assert result is not None
        return ProcessResult(
            pid,
            ProcessState.FINISHED,
            dict(result),
            exit_code=result.exit_code,
            process_class=process_class,
        )
