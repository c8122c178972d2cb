"""``self.logger``: a logger per process whose lines also go to the process's report.

plumpy gives every process a ``logger``; here its lines are also stored with the
process (like ``self.report``), so ``prunus process report`` shows them after the fact
and from any OS process. The logger is not registered with ``logging.getLogger`` (one
per pid would never be freed); it hangs below ``prunus.process`` so that handlers set
up there, or at the root, see its records as well.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["process_logger"]

_PARENT = logging.getLogger("prunus.process")


class _ReportHandler(logging.Handler):
    """Appends each record to the process's pending report lines."""

    def __init__(self, core: Any) -> None:
        super().__init__(logging.INFO)
        self._core = core

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a bad format string: keep what was given
            text = str(record.msg)
        if record.levelno != logging.INFO:
            text = f"{record.levelname}: {text}"
        self._core.reports.append(text)


def process_logger(process: Any) -> logging.Logger:
    """A new logger for ``process`` (INFO and above are reported)."""
    logger = logging.Logger(f"prunus.process.{process.pid}", logging.INFO)
    logger.parent = _PARENT
    logger.addHandler(_ReportHandler(process._prunus))
    return logger
