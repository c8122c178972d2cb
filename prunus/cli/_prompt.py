"""The console's prompt: line editing, history in a file, and tab completion.

This module is the CLI's only ``prompt_toolkit`` import (a seam, as STYLE.md asks). It
is imported only when a console starts: prompt_toolkit takes a tenth of a second to
import, which every other command would pay.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import click
from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory
from prompt_toolkit.shortcuts import CompleteStyle

from prunus.control import Client

__all__ = ["ConsoleCompleter", "Prompt"]

_PID_CACHE_SECONDS = 2.0


class ConsoleCompleter(Completer):
    """Completes the verb in first position, then option names, verbs after ``help``,
    and pids for the verbs that take them.

    Pids come from ``client.list()``, read again after every command and at most every
    two seconds while completing, so that a tab key costs at most one round trip.
    ``client`` may be replaced (the console reconnects after an interrupted command).
    """

    def __init__(
        self, client: Client, commands: Mapping[str, click.Command], words: Iterable[str]
    ) -> None:
        self.client = client
        self._commands = dict(commands)
        self._verbs = [*self._commands, *words]
        self._pids: list[tuple[str, str]] = []
        self._read_at = 0.0

    def refresh(self) -> None:
        try:
            statuses = self.client.list()
        except Exception:  # a daemon gone away: no suggestions; the command will say why
            statuses = []
        self._pids = [(s.pid, f"{s.process_class} {s.state.name}") for s in statuses]
        self._read_at = time.monotonic()

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        words = document.text_before_cursor.split()
        typing = document.get_word_before_cursor(WORD=True)
        if not words or (len(words) == 1 and typing):
            yield from _matching(typing, self._verbs)
            return
        if words[0] == "help":
            yield from _matching(typing, self._commands)
            return
        command = self._commands.get(words[0])
        if command is None:
            return
        if typing.startswith("-"):
            yield from _matching(typing, [o for param in command.params for o in param.opts])
            return
        if any(param.name in ("pid", "pids") for param in command.params):
            if time.monotonic() - self._read_at > _PID_CACHE_SECONDS:
                self.refresh()
            for pid, meta in self._pids:
                if pid.startswith(typing):
                    yield Completion(pid, start_position=-len(typing), display_meta=meta)


def _matching(typing: str, names: Iterable[str]) -> Iterator[Completion]:
    for name in names:
        if name.startswith(typing):
            yield Completion(name, start_position=-len(typing))


class Prompt:
    """Reads console lines: ``read()`` returns one, or None at the end (Ctrl-D)."""

    def __init__(self, completer: ConsoleCompleter, history: Path) -> None:
        self.completer = completer
        self.completer.refresh()
        # What was typed may name secrets: the file is the owner's alone, like the home.
        os.close(os.open(history, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        # Readline-like: Tab inserts a single match, or what all matches share and lists
        # them below, as a shell does; nothing pops up while typing.
        self._session: PromptSession[str] = PromptSession(
            history=FileHistory(str(history)),
            completer=completer,
            complete_style=CompleteStyle.READLINE_LIKE,
            complete_while_typing=False,
        )

    def read(self) -> str | None:
        while True:
            try:
                line = self._session.prompt("prunus> ")
            except KeyboardInterrupt:  # Ctrl-C drops the line, as in a shell
                continue
            except EOFError:
                return None
            return line
