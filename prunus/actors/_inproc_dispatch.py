"""A leaner delivery loop for Thespian's in-process base (the embedded runtime).

Why: every actor message in the embedded runtime goes through the base's send loop,
which per message looked for expired wake-ups (a clock read and a partition of the
wake-up list, even when it is empty), built a list of the asker's answers to see
whether one had come, and checked each message against four Thespian system message
types before calling the actor. A trivial ``prunus.run`` is four messages, a step of
a one-at-a-time WorkChain two; this loop was about a tenth of their CPU.

What stays exactly as in the base (thespian 4.0.1, ``simpleSystemBase``):

- the order: one FIFO queue, wake-ups that fell due queued before the next message;
- the asker's ``ask``/``listen`` return as soon as an answer that is not a Thespian
  system message is there, and time out (or sleep until a wake-up) the same way;
- prunus's own messages (the only ones whose class lives in ``prunus``) go straight
  to the actor, and a failure is retried and logged as the base does; every other
  message (Thespian's exits, status requests, dead letters, poison) takes the base's
  own path.

Thespian itself is imported only by :mod:`prunus.actors._thespian`, which installs
this loop with :func:`install_lean_sends`, passing the base module.
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any

__all__ = ["install_lean_sends"]


def install_lean_sends(simple: Any) -> None:
    """Replace ``ActorSystemBase._runSends`` of the in-process base module ``simple``."""
    base = simple.ActorSystemBase
    if getattr(base, "_prunus_lean_sends", False):
        return
    expiration_timer = simple.ExpirationTimer
    as_delta = simple.toTimeDeltaOrNone
    unexpired = simple.unexpired
    seconds_of = simple.timePeriodSeconds
    is_internal = simple.isInternalActorSystemMessage
    warn = logging.getLogger("Thespian").warning
    ours: dict[type, bool] = {}  # message class -> whether it is a prunus message

    def is_ours(kind: type) -> bool:
        known = ours.get(kind)
        if known is None:
            known = ours[kind] = kind.__module__.split(".", 1)[0] == "prunus"
        return known

    def deliver(system: Any, send: Any) -> None:
        """One message: a prunus message to a live actor directly, else the base's way."""
        message = send.msg
        kind = type(message)
        if send.attempts == 0 and (ours.get(kind) or is_ours(kind)):
            address = send.toActor._aaddr  # (what actorAddressString reads, unconverted)
            target = system.actorRegistry.get(address if type(address) is str else str(address))
            if target is not None and target.instance is not None:
                try:
                    target.instance._receive(message, send.sender)
                except Exception:
                    warn(
                        "Failure of Actor %s during message processing (attempt %s)",
                        target.address,
                        send.attempts,
                        exc_info=True,
                    )
                    send.attempts += 1
                    send.fail_details = traceback.format_exc()
                    system._pendingSends.append(send)
                return
        system._runSingleSend(send)

    def answered(asker: Any) -> bool:
        responses = getattr(asker.instance, "responses", None)
        if responses:
            for response in responses:
                if not is_internal(response):
                    return True
        return False

    def run_sends(self: Any, timeout: Any = None, stop_on_available: Any = False) -> None:
        sent = 0
        end = expiration_timer(as_delta(timeout))
        lock = self._private_lock
        for endt in unexpired(end):
            while self._pendingSends:
                sent += 1
                if self.procLimit and sent > self.procLimit:
                    raise RuntimeError("Too many sends")
                if self._wakeUps:
                    self._realizeWakeups()
                with lock:
                    try:
                        message = self._pendingSends.pop(0)
                    except IndexError:
                        pass
                    else:
                        deliver(self, message)
                if stop_on_available and answered(stop_on_available):
                    return
            if endt.remaining(forever=-1) == -1:
                return
            next_wakeup = self._next_wakeup()
            if next_wakeup is None or next_wakeup > endt:
                return
            time.sleep(max(0, seconds_of(next_wakeup.view().remaining())))
            self._realizeWakeups()

    base._runSends = run_sends
    base._prunus_lean_sends = True
