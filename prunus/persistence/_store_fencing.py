"""Fencing in the LMDB store: what a new leader and a lost member's hosts need.

Its own module because it is a rule about who may commit (a leader's generation, a
host's token; checked inside every commit by :func:`._store_keys.fenced`), not about
how the store commits; it writes through the store's ``_write`` and ``flush``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from prunus.persistence import _store_keys as keys

__all__ = ["LeaderFencing"]


class LeaderFencing:
    """Generation and fences of :class:`~prunus.persistence.LmdbStore` (a mixin)."""

    def _write(self, body: Callable[[Any, dict[str, Any]], Any]) -> None:
        raise NotImplementedError  # (the store's)

    def flush(self, unless_within: float = 0.0) -> None:
        raise NotImplementedError  # (the store's)

    def new_generation(self) -> str:
        """A leader starts: fence the hosts every earlier leader started on members (a
        fence token is ``GENERATION.ID``); returns this leader's generation."""
        generation = uuid.uuid4().hex

        def transaction(txn: Any, dbs: dict[str, Any]) -> None:
            txn.put(keys.GENERATION, generation.encode(), db=dbs["meta"])

        self._write(transaction)
        self.flush()
        return generation

    def fence(self, tokens: Sequence[str]) -> None:
        """From now on, refuse every commit made with one of ``tokens`` (the hosts of
        a member declared lost: whatever they do if they come back is not stored)."""
        if not tokens:
            return

        def transaction(txn: Any, dbs: dict[str, Any]) -> None:
            for token in tokens:
                txn.put(keys.fence_key(token), b"1", db=dbs["meta"])

        self._write(transaction)
        self.flush()
