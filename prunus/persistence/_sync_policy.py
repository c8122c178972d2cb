"""When a home's commits reach the disk: the one setting behind group commit.

By default (``PRUNUS_SYNC=group``) hosts and embedded runtimes commit each step without
an fsync and make a whole group durable with one fsync before anything is answered.
That survives any crash of an OS process, but LMDB documents that without an fsync per
commit an OS crash or a power cut can leave the file inconsistent on a filesystem that
writes pages out of order (ext4 and xfs may): the meta page of a commit can reach the
disk before the pages it points to. ``PRUNUS_SYNC=commit`` trades speed for that case:
every commit is fsynced before it returns (LMDB's own ordering: pages, then the meta
page), so a power cut loses nothing committed and cannot damage the file.

The value is read from the environment because every OS process of a runtime (the
client, a daemon's hosts, a worker pool, a member's store desk) opens its own store and
inherits the environment of whoever started it.
"""

from __future__ import annotations

import os

from prunus.errors import StoreError

__all__ = ["SYNC_ENV", "every_commit_synced"]

SYNC_ENV = "PRUNUS_SYNC"
_CHOICES = {"": False, "group": False, "commit": True}


def every_commit_synced() -> bool:
    """True when each commit must be fsynced by itself (``PRUNUS_SYNC=commit``).

    Raises:
        StoreError: ``PRUNUS_SYNC`` holds anything but ``group`` or ``commit``.
    """
    value = os.environ.get(SYNC_ENV, "")
    choice = _CHOICES.get(value.strip().lower())
    if choice is None:
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise StoreError(f"{SYNC_ENV}={shown!r} is not 'group' or 'commit'")
    return choice
