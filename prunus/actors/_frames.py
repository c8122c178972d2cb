"""Authenticated frames: no byte from a socket is unpickled unless it carries our tag.

Thespian's TCP transport sends every message as one frame, ``b"%d>" % len(p) + p``
with ``p`` a pickle, and unpickles every frame it receives: whoever can send a frame
to any port of a daemon or a client runs code as its user. This module holds the
pieces that close that, written without Thespian (``_thespian._install_frame_auth``
fits them into it):

- :func:`sign_frame`: the frame becomes ``b"%d>" % (32 + len(p)) + tag + p`` where
  ``tag = HMAC-SHA256(key, p)`` under the home's secret key;
- :class:`AuthenticatedReceiveBuffer`: a drop-in for Thespian's receive buffer that
  caps the length prefix and the frame size, and checks the tag with
  ``hmac.compare_digest`` *before* handing the payload to the deserializer. A frame
  that fails is never deserialized: the buffer reports "done, nothing usable", which
  Thespian answers with its data-error ack and a closed connection; the receiver goes
  on serving everyone else. Drops are logged (rate-limited, with the peer address).
- Thespian's two acknowledgements (``'ACK'``, ``'ACK+DATAERR'``) are constants sent
  without a tag; they are recognised by exact comparison with their known pickled
  bytes, never unpickled. A forged ack can only make a sender believe a frame arrived,
  which whoever can forge it (the far end of a connection we opened) could do anyway
  by dropping it.

The keys are per OS process (:data:`KEYS`): ``default`` for every transport made in a
daemon process (set before its actor system starts, so forked actor processes inherit
it), ``pending`` for the transports a client connection is making in this thread, and
``accepted``, the keys frames may be signed with (a client may talk to several
daemons). Each key's HMAC pads are hashed once (:class:`FrameMac`): with OpenSSL 3,
``hmac.digest`` spends most of its time setting up, and this makes a tag of a small
frame 2-4 times cheaper (measured: 3.4 us against 12.6 us on a loaded 2-core machine),
against about 500 us of CPU per Thespian message.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = [
    "FIRST_READ",
    "KEYS",
    "MAX_FRAME_BYTES",
    "TAG_BYTES",
    "AuthenticatedReceiveBuffer",
    "FrameKeys",
    "FrameMac",
    "FramesRefused",
    "log_drops_to",
    "sign_frame",
]

_LOG = logging.getLogger("prunus.frames")
TAG_BYTES = 32
#: A frame longer than this is dropped unread: without a cap a made-up length prefix
#: would make the receiver buffer whatever it is sent before it can check the tag.
#: Honest messages are far smaller (outputs that big belong in files); one that is not
#: fails where it is sent, with this limit in the error (:func:`sign_frame`).
MAX_FRAME_BYTES = 128 * 2**20
_MAX_PREFIX_DIGITS = len(str(MAX_FRAME_BYTES))
#: What is read while a frame's length is unknown: no more than the shortest frame
#: (Thespian's ``ACK``, 21 bytes as Python 3.8 and later pickle it, protocols 4 and 5),
#: so a read never takes bytes of the next frame; and no less, so an ACK takes one
#: read, where Thespian's 20 took two reads and two passes of its select loop.
FIRST_READ = 21


class FrameMac:
    """HMAC-SHA256 under one key, its two padded key blocks hashed once (RFC 2104)."""

    __slots__ = ("_inner", "_outer", "key")

    def __init__(self, key: bytes) -> None:
        if not 16 <= len(key) <= 64:  # one SHA-256 block at most, so no key hashing
            raise ValueError(f"a frame key is 16 to 64 bytes, got {len(key)}")
        block = key.ljust(64, b"\0")
        self.key = key
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in block))
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in block))

    def tag(self, payload: Any) -> bytes:
        inner = self._inner.copy()
        inner.update(payload)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


class FrameKeys:
    """The keys of this OS process (see the module docstring)."""

    def __init__(self) -> None:
        self.default: FrameMac | None = None
        self.accepted: tuple[FrameMac, ...] = ()
        self._local = threading.local()
        # Invariant: a key in ``default`` or ``pending`` is also in ``accepted``.

    def use_everywhere(self, key: bytes) -> None:
        """This process (a daemon's) signs with ``key`` and accepts nothing else."""
        self.default = FrameMac(key)
        self.accepted = (self.default,)

    def accept(self, key: bytes) -> FrameMac:
        for mac in self.accepted:
            if mac.key == key:
                return mac
        mac = FrameMac(key)
        self.accepted = (*self.accepted, mac)
        return mac

    def set_pending(self, key: bytes | None) -> bytes | None:
        """Sign with ``key`` in the transports this thread makes next; returns the old one."""
        previous = getattr(self._local, "mac", None)
        self._local.mac = None if key is None else self.accept(key)
        return None if previous is None else previous.key

    def for_new_transport(self) -> FrameMac:
        mac = getattr(self._local, "mac", None) or self.default
        if mac is None:
            raise RuntimeError("no prunus frame key is installed in this process")
        return mac


KEYS = FrameKeys()


def sign_frame(mac: FrameMac, payload: bytes) -> bytes:
    """One frame on the wire: length prefix, tag, payload (copied once).

    Raises:
        ValueError: the frame would be over :data:`MAX_FRAME_BYTES` (every receiver
            would drop it).
    """
    if len(payload) + TAG_BYTES > MAX_FRAME_BYTES:
        raise ValueError(
            f"a message of {len(payload)} bytes is over prunus's limit of "
            f"{MAX_FRAME_BYTES >> 20} MiB per message between processes"
        )
    return b"".join((b"%d>" % (TAG_BYTES + len(payload)), mac.tag(payload), payload))


class _DropLog:
    """Logs dropped frames, at most ``burst`` lines per ``window`` seconds per OS
    process: an attacker may not fill the disk, and one line says enough."""

    def __init__(self, burst: int = 5, window: float = 60.0) -> None:
        self.burst, self.window = burst, window
        self._start, self._lines, self._suppressed = -window, 0, 0
        self._lock = threading.Lock()

    def drop(self, peer: str, reason: str) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._start >= self.window:
                self._start, self._lines = now, 0
            if self._lines >= self.burst:
                self._suppressed += 1
                return
            self._lines += 1
            suppressed, self._suppressed = self._suppressed, 0
        more = f" ({suppressed} more dropped frames not logged)" if suppressed else ""
        _LOG.warning("dropped a frame from %s: %s; nothing was unpickled%s", peer, reason, more)


DROPS = _DropLog()


class AuthenticatedReceiveBuffer:
    """Collects one frame from a stream; Thespian's ``ReceiveBuffer`` interface.

    ``addMore`` takes bytes as they arrive, ``remainingAmount`` says how many to read
    next, ``isDone`` is true once the frame is complete *or rejected*, and
    ``completed`` returns ``(message, extra bytes)``, or None for a rejected frame.

    Invariant: ``self._deserialize`` is only ever called on a payload whose tag was
    checked against an accepted key.
    """

    #: payload bytes of Thespian's unsigned acks -> the ack they stand for; filled by
    #: the seam from Thespian's own constants.
    UNSIGNED: dict[bytes, str] = {}

    __slots__ = ("_body", "_deserialize", "_extra", "_head", "_rejected", "_size", "socket")

    def __init__(self, deserialize: Callable[[Any], Any], sock: socket.socket | None = None):
        self._deserialize = deserialize
        self.socket = sock  # for naming the peer in a log line, nothing else
        self._head = b""  # the length prefix, until its ``>`` has come
        self._size: int | None = None
        self._body = bytearray()
        self._extra = b""
        self._rejected = False

    def addMore(self, data: bytes) -> None:
        if self._rejected:
            return
        if self._size is None:
            head = self._head + data
            mark = head.find(b">")
            if mark < 0:
                self._head = head
                if len(head) > _MAX_PREFIX_DIGITS:
                    self._reject(f"no length prefix in the first {len(head)} bytes")
                return
            digits = head[:mark]
            if not digits.isdigit() or len(digits) > _MAX_PREFIX_DIGITS:
                self._reject(f"bad length prefix {bytes(digits[:24])!r}")
                return
            size = int(digits)
            if size > MAX_FRAME_BYTES:
                self._reject(f"a frame of {size} bytes is over the cap of {MAX_FRAME_BYTES}")
                return
            self._size, self._head = size, b""
            data = head[mark + 1 :]
        room = self._size - len(self._body)
        if len(data) <= room:
            self._body += data
        else:
            self._body += data[:room]
            self._extra += data[room:]

    def remainingAmount(self) -> int:
        return FIRST_READ if self._size is None else self._size - len(self._body)

    def isDone(self) -> bool:
        return self._rejected or (self._size is not None and len(self._body) == self._size)

    def is_empty(self) -> bool:
        return self._size is None and not self._head

    def removeExtra(self) -> None:
        self._extra = b""

    def completed(self) -> tuple[Any, bytes] | None:
        if self._rejected or self._size is None or len(self._body) != self._size:
            return None
        body = self._body
        if len(body) < TAG_BYTES + 8:
            ack = self.UNSIGNED.get(bytes(body))
            if ack is not None:
                return ack, self._extra
            self._reject(f"a frame of {len(body)} bytes is too short to carry a tag")
            return None
        view = memoryview(body)
        tag, payload = view[:TAG_BYTES], view[TAG_BYTES:]
        for mac in KEYS.accepted:
            if hmac.compare_digest(mac.tag(payload), tag):
                return self._deserialize(payload), self._extra
        self._reject("its tag does not match this home's key")
        return None

    def _reject(self, reason: str) -> None:
        self._rejected = True
        DROPS.drop(_peer_of(self.socket), reason)


def _peer_of(sock: socket.socket | None) -> str:
    try:
        host, port = sock.getpeername()[:2]  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError):
        return "a peer this process connected to"
    return f"{host}:{port}"


class FramesRefused(Exception):
    """The daemon dropped our frames unread: we do not hold its key."""


def log_drops_to(log_file: str) -> None:
    """Write dropped-frame lines of this process, and of the actor processes it forks,
    straight to ``log_file``: Thespian re-roots logging in each actor process, but this
    logger object and its handler are inherited as they are."""
    logger = logging.getLogger("prunus.frames")
    if not logger.handlers:
        handler = logging.FileHandler(log_file)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
        )
        logger.addHandler(handler)
        logger.propagate = False
