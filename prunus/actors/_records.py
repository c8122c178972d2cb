"""How a process's status is written to the store's registry: plain, codec-safe data."""

from __future__ import annotations

import time
from typing import Any

from prunus.engine import ProcessResult, ProcessState, ProcessStatus

__all__ = ["record_status", "status_record"]


def status_record(status: ProcessStatus, result: ProcessResult | None) -> dict[str, Any]:
    """The registry record for a status (and, once terminal, its result)."""
    record: dict[str, Any] = {
        "pid": status.pid,
        "process_class": status.process_class,
        "state": status.state.value,
        "paused": status.paused,
        "status": status.status,
        "step": status.step,
        "children": list(status.children),
        "parent": status.parent,
        "created": status.created,
        "modified": time.time(),
    }
    if result is not None:
        record["result"] = result.to_data()
    return record


def record_status(record: dict[str, Any]) -> ProcessStatus:
    """The inverse of :func:`status_record` for the status part."""
    return ProcessStatus(
        pid=record["pid"],
        process_class=record["process_class"],
        state=ProcessState(record["state"]),
        paused=record["paused"],
        status=record["status"],
        step=record["step"],
        children=tuple(record["children"]),
        parent=record["parent"],
        created=record.get("created"),
    )
