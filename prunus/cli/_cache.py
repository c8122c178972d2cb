"""``prunus cache list|explain|invalidate``: the memo entries of a home.

Entries live in the home's ``memo`` database (one per key digest: the source pid, the
key's parts, when it was made). These commands read and drop them in the store
directly: LMDB lets this OS process write while a daemon runs on the home, and the
supervisor reads the database at every cacheable launch, so an entry dropped here is
not reused by the next launch. ``explain`` also asks the runtime (daemon or home) for
the process's class and inputs, and computes its key here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from prunus.cli._connect import connect_client, home_path
from prunus.cli._errors import CliError
from prunus.cli._loading import load_process_class
from prunus.cli._options import home_option, json_option, pid_argument, timeout_option
from prunus.cli._render import Output
from prunus.cli._views import format_time, jsonable
from prunus.conditions import MemoEntry, Uncacheable, memo_key, nearest_entry
from prunus.errors import CodecError, PrunusError
from prunus.persistence import LmdbStore

__all__ = ["cache"]


@contextmanager
def _memo_store(home: str | None) -> Iterator[Any]:
    path = home_path(home)
    if not (path / "data.mdb").is_file():
        raise CliError(f"no prunus home at {path}: nothing has run there")
    store = LmdbStore(path)
    try:
        yield store
    finally:
        store.close()


def _entries(store: Any) -> list[tuple[str, MemoEntry]]:
    """Every readable entry, oldest first (a corrupt one is skipped, not fatal)."""
    found = []
    for digest, data in store.items("memo"):
        try:
            found.append((digest, MemoEntry.from_data(data)))
        except CodecError:
            continue
    return sorted(found, key=lambda item: item[1].created)


@click.group("cache")
def cache() -> None:
    """Memoized results: list, explain a key, invalidate entries."""


@cache.command("list")
@home_option
@json_option
def list_command(home: str | None, as_json: bool) -> None:
    """Every cache entry: the class, the pid whose outputs it reuses, when, its key."""
    with _memo_store(home) as store:
        entries = _entries(store)
    out = Output()
    if as_json:
        out.json(jsonable([entry.to_data() for _, entry in entries]))
        return
    out.table(
        ["CLASS", "SOURCE", "CREATED", "KEY"],
        [[e.key.process_class, e.pid, format_time(e.created), d[:12]] for d, e in entries],
    )


@cache.command("explain")
@pid_argument()
@home_option
@timeout_option
@click.pass_context
def explain_command(ctx: click.Context, pid: str, home: str | None, timeout: float) -> None:
    """The memo key of PID's launch: each part with its hash; on a miss, which parts
    differ from the nearest earlier entry of its class."""
    with connect_client(ctx, home, timeout, resume=False) as client:
        described = client.describe(pid)
    cls = load_process_class(described["process_class"])
    if cls.spec().cache_settings is None:
        raise CliError(f"{described['process_class']} is not cacheable (no spec.cacheable)")
    try:
        key = memo_key(cls, described["inputs"] or {})
    except (PrunusError, ValueError) as error:
        raise CliError(f"cannot key process {pid}: {error}") from None
    out = Output()
    if isinstance(key, Uncacheable):
        out.echo(f"process {pid} is not cached: {key.reason}")
        return
    with _memo_store(home) as store:
        entries = dict(_entries(store))
    out.fields([("pid", pid), ("class", key.process_class), ("key", key.digest)])
    if described.get("cached_from"):
        out.echo(f"a hit: outputs copied from {described['cached_from']}")
    out.heading("Parts")
    out.table(["PART", "HASH"], [[part.label, part.digest[:16]] for part in key.parts])
    entry = entries.get(key.digest)
    if entry is not None:
        out.echo(f"entry: {entry.pid} ({format_time(entry.created)}) is reused by this key")
        return
    nearest = nearest_entry(key, entries.values())
    if nearest is None:
        out.echo(f"no entry: no earlier entry of {key.process_class}")
        return
    differing = ", ".join(key.differing_parts(nearest.key))
    out.echo(f"no entry: the nearest, from {nearest.pid}, differs in {differing}")


@cache.command("invalidate")
@click.argument("target", required=False)
@click.option("--all", "every", is_flag=True, help="Drop every entry.")
@home_option
def invalidate_command(target: str | None, every: bool, home: str | None) -> None:
    """Drop entries: the one made by a PID, every one of a MODULE:CLASS, or --all.
    The next launch with a dropped key runs again."""
    if every == (target is not None):
        raise CliError("give one of PID, MODULE:CLASS or --all")
    with _memo_store(home) as store:
        dropped = 0
        for digest, entry in _entries(store):
            if every or target in (entry.pid, entry.key.process_class):
                store.drop("memo", digest)
                dropped += 1
    if not dropped and not every:
        raise CliError(f"no cache entry for {target}")
    click.echo(f"dropped {dropped} cache entr{'y' if dropped == 1 else 'ies'}")
