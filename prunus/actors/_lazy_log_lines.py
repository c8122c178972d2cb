"""Thespian's per-message DEBUG lines, made to cost nothing when they are discarded.

Thespian logs ``thesplog('ACTOR got %s', envelope.identify(), level=DEBUG)`` on every
receive and send, and ``identify()`` builds the message's ``str`` at once, even when
the line is then discarded: ~11-17% of a busy supervisor (py-spy). The in-process base
also looks its logger up (``logging.getLogger``, under a lock) on every delivery, for
a DEBUG line. Both are fixed here without changing a line that is emitted.

Thespian itself is imported only by :mod:`prunus.actors._thespian`, which applies
these, passing its classes and module.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["deliver_without_lookup", "identify_lazily"]


class _Identity:
    """What ``identify()`` returns now: the text is built by ``str()``, which only a
    log line that is really emitted calls (``%s`` formatting happens after the level
    check in both ``thesplog`` and ``logging``)."""

    __slots__ = ("_identify", "_of")

    def __init__(self, identify: Any, of: Any) -> None:
        self._identify, self._of = identify, of

    def __str__(self) -> str:
        return self._identify(self._of)

    __repr__ = __str__


def identify_lazily(envelope_class: Any, intent_class: Any) -> None:
    """Make Thespian's envelopes (``ReceiveEnvelope``) and intents (``TransmitIntent``)
    describe themselves only when asked.

    Every caller in thespian 4.0.1 passes ``identify()`` as a ``%s`` argument of a log
    call, or uses it through ``__str__``; both still get the same text.
    """
    for cls in (envelope_class, intent_class):
        if getattr(cls, "_prunus_lazy", False):
            continue
        eager = cls.identify
        cls.identify = lambda self, eager=eager: _Identity(eager, self)
        cls._prunus_lazy = True
    # Its __str__ returned identify(), which must stay a str (TransmitIntent's formats it).
    envelope_class.__str__ = lambda self: str(self.identify())


_THESPIAN_LOG = logging.getLogger("Thespian")


def deliver_without_lookup(actor: Any, message: Any, sender: Any) -> None:
    """The in-process base's delivery of one message to an actor: the same DEBUG line
    (when that level is enabled) and call, without a logger lookup per message."""
    if _THESPIAN_LOG.isEnabledFor(logging.DEBUG):
        _THESPIAN_LOG.debug('Actor "%s" got message "%s" from "%s"', actor, message, sender)
    actor.receiveMessage(message, sender)
