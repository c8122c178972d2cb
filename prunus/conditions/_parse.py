"""The ``--when`` grammar: a condition written as text, parsed without ``eval``.

::

    condition := term ("|" term)*
    term      := factor ("&" factor)*
    factor    := "~" factor | "(" condition ")" | PID "." ATOM
    ATOM      := completed | finished_ok | failed | killed

``~`` binds tightest, then ``&``, then ``|`` (as in Python). A pid may contain dots
(a child's ``3f9a0c1b2d4e.2``), so the atom is the last dotted part of a word.
``str(condition)`` writes this grammar, and ``parse_condition(str(c)) == c``.
"""

from __future__ import annotations

import re

from prunus.conditions._expr import (
    ATOM_NAMES,
    PID_PATTERN,
    And,
    Atom,
    AtomKind,
    Condition,
    Not,
    Or,
)
from prunus.errors import ConditionError

__all__ = ["parse_condition"]

_MAX_NESTING = 100  # parentheses and ~ together; deeper text is refused, not recursed
_WORD = re.compile(r"[A-Za-z0-9_.\-]+")
_SPACE = re.compile(r"\s*")
_OPERATORS = "&|~()"
# Words people reach for by habit, and the operator the grammar spells them with.
_HINTS = {"and": "&", "or": "|", "not": "~", "!": "~", "&&": "&", "||": "|"}
_ATOMS = ", ".join(ATOM_NAMES[:-1]) + " or " + ATOM_NAMES[-1]


class _Token:
    __slots__ = ("position", "text")

    def __init__(self, text: str, position: int) -> None:
        self.text, self.position = text, position

    @property
    def shown(self) -> str:
        return "the end" if not self.text else repr(self.text)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = _SPACE.match(text, 0).end()  # type: ignore[union-attr]
    while position < len(text):
        char = text[position]
        word = _WORD.match(text, position)
        if char in _OPERATORS:
            tokens.append(_Token(char, position))
            position += 1
        elif word is not None:
            tokens.append(_Token(word.group(), position))
            position = word.end()
        else:
            hint = _HINTS.get(char)
            raise ConditionError(
                f"unexpected character {char!r}" + (f" (write {hint})" if hint else ""),
                position,
            )
        position = _SPACE.match(text, position).end()  # type: ignore[union-attr]
    tokens.append(_Token("", len(text)))  # the end, so errors there have a position
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def condition(self) -> Condition:
        parts = [self.term()]
        while self.current.text == "|":
            self.take()
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def term(self) -> Condition:
        parts = [self.factor()]
        while self.current.text == "&":
            self.take()
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def factor(self) -> Condition:
        token = self.current
        if token.text in ("~", "("):
            self.depth += 1
            if self.depth > _MAX_NESTING:
                raise ConditionError(f"nested more than {_MAX_NESTING} levels deep", token.position)
            self.take()
            if token.text == "~":
                inner: Condition = Not(self.factor())
            else:
                inner = self.condition()
                if self.current.text != ")":
                    raise ConditionError(
                        f"expected ')' to close the '(' at column {token.position + 1}, "
                        f"got {self.current.shown}",
                        self.current.position,
                    )
                self.take()
            self.depth -= 1
            return inner
        if token.text and token.text not in _OPERATORS:
            self.take()
            return _atom(token)
        before = self.tokens[self.index - 1].text if self.index else ""
        where = f" after {before!r}" if before else ""
        raise ConditionError(
            f"expected PID.ATOM, '~' or '('{where}, got {token.shown}", token.position
        )


def _atom(token: _Token) -> Atom:
    word = token.text
    pid, dot, name = word.rpartition(".")
    if word.lower() in _HINTS:
        raise ConditionError(
            f"{word!r} is not an operator here; write {_HINTS[word.lower()]}", token.position
        )
    if not dot:
        raise ConditionError(
            f"{word!r} needs an atom: write {word}.ATOM with ATOM {_ATOMS}",
            token.position,
        )
    if name not in ATOM_NAMES:
        raise ConditionError(
            f"unknown atom {name!r} in {word!r}; the atoms are {_ATOMS}",
            token.position + len(pid) + 1,
        )
    if PID_PATTERN.fullmatch(pid) is None:
        raise ConditionError(
            f"invalid pid {pid!r} in {word!r}: dot-separated parts of letters, digits, '_' and '-'",
            token.position,
        )
    return Atom(pid, AtomKind(name))


def parse_condition(text: str) -> Condition:
    """The condition ``text`` writes in the ``--when`` grammar (see the module doc).

    Raises:
        ConditionError: malformed text; one line naming the column, and ``.position``.
    """
    if not isinstance(text, str):
        raise ConditionError(f"a condition is written as a str, got {type(text).__name__}")
    parser = _Parser(text)
    if not parser.current.text:
        raise ConditionError(
            "empty condition: write PID.ATOM, e.g. 3f9a0c1b2d4e.finished_ok",
            parser.current.position,
        )
    condition = parser.condition()
    token = parser.current
    if token.text:
        hint = _HINTS.get(token.text.lower())
        raise ConditionError(
            f"expected '&', '|' or the end, got {token.shown}"
            + (f" (write {hint})" if hint else ""),
            token.position,
        )
    return condition
