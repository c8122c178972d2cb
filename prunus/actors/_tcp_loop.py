"""Two costs of Thespian's TCP select loop cut, for every message between OS processes.

Thespian's TCP transport runs one loop: build a selector, register every socket it
watches, ``select``, then read or write what is ready. A control round trip (client to
supervisor and back) went round it about five times in each process, and each pass
cost ~40 us of CPU on this 2-core machine, on the round trip's critical path:

- **A frame took two passes.** The first ``recv`` of a frame, of at most the shortest
  frame's length (:data:`~prunus.actors._frames.FIRST_READ`), learns its length; the
  second reads the rest, one whole pass later, although a small frame, sent with one
  ``send``, is all in the socket buffer by then. :func:`read_whole_frames` reads again
  at once while the socket has bytes waiting (a ``poll`` with no timeout: one system
  call), through Thespian's own read method, so every check it makes (the frame's
  tag, its size cap, a closed socket) stays where it was.
- **Each pass made an epoll.** ``selectors.DefaultSelector`` is epoll on Linux: a new
  epoll file, one ``epoll_ctl`` per socket and a ``close`` per pass (strace: 35
  ``epoll_ctl`` per control in the supervisor). :class:`OneShotPollSelector` is a
  ``poll``, which takes the sockets with the call itself: one system call a pass. A
  descriptor closed under it fails as epoll's registration did (``OSError`` EBADF),
  so Thespian's handling of a bad descriptor (find it, drop it) is unchanged.

Written without Thespian: the seam (``_thespian``) hands over its transport module.
"""

from __future__ import annotations

import errno
import select
import selectors
import types
from typing import Any

__all__ = ["MAX_READS_AT_ONCE", "OneShotPollSelector", "lighten_select_loop", "read_whole_frames"]

#: Reads of one socket in a row before the loop serves the others (a large frame
#: arriving in many pieces must not hold back every other peer).
MAX_READS_AT_ONCE = 8


def lighten_select_loop(tcp_module: Any) -> None:
    """Both changes, once, on Thespian's ``TCPTransport`` module."""
    if getattr(tcp_module, "_prunus_light_loop", False):
        return
    read_whole_frames(tcp_module.TCPTransport)
    tcp_module.selectors = types.SimpleNamespace(
        DefaultSelector=OneShotPollSelector,
        EVENT_READ=selectors.EVENT_READ,
        EVENT_WRITE=selectors.EVENT_WRITE,
    )
    tcp_module._prunus_light_loop = True


def read_whole_frames(transport_class: Any) -> None:
    """Wrap ``transport_class._handleReadableIncoming`` as described above."""
    read_once = transport_class._handleReadableIncoming

    def read(self: Any, incoming: Any, has_exclusive_flag: bool = False) -> Any:
        result = read_once(self, incoming, has_exclusive_flag=has_exclusive_flag)
        reads = 1
        while result is incoming and reads < MAX_READS_AT_ONCE and _waiting(incoming.socket):
            result = read_once(self, incoming, has_exclusive_flag=has_exclusive_flag)
            reads += 1
        return result

    transport_class._handleReadableIncoming = read


def _waiting(sock: Any) -> bool:
    """Whether ``sock`` has bytes (or its end) to read now, without blocking."""
    try:
        poller = select.poll()
        poller.register(sock.fileno(), select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return False  # closed meanwhile: the loop finds out as before


class _CheckedPoll:
    """``select.poll`` that raises EBADF for a descriptor that is not open, as an
    epoll registration does, instead of reporting it ready (``POLLNVAL``)."""

    __slots__ = ("_poll",)

    def __init__(self) -> None:
        self._poll = select.poll()

    def register(self, fd: int, events: int) -> None:
        self._poll.register(fd, events)

    def modify(self, fd: int, events: int) -> None:
        self._poll.modify(fd, events)

    def unregister(self, fd: int) -> None:
        self._poll.unregister(fd)

    def poll(self, timeout: Any = None) -> list[tuple[int, int]]:
        ready = self._poll.poll(timeout)
        for fd, event in ready:
            if event & select.POLLNVAL:
                raise OSError(errno.EBADF, f"descriptor {fd} is not open")
        return ready


class OneShotPollSelector(selectors.PollSelector):
    """A selector made, used once and dropped in one pass, without system calls of
    its own (see the module docstring)."""

    _selector_cls = _CheckedPoll  # type: ignore[assignment]
