"""The web dashboard of a home (``prunus ui``): a table of processes, a page per
process with the picture of its tree, live updates, and pause, play and kill.

It reads the home's store read-only and asks the daemon, when one runs, for controls;
the command line starts it (``prunus.cli._ui``). Nothing here is public API.
"""

from __future__ import annotations

__all__: list[str] = []
