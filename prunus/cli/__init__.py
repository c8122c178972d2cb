"""The ``prunus`` command line (click); one small module per command group."""

from __future__ import annotations

from prunus.cli._main import main

__all__ = ["main"]
