"""The attacker: frames sent straight to a port, as another user when the tests run as root.

``Witness`` is the payload of issue 12: unpickling it creates a file, so "nothing ran"
is "the file does not exist". The frames are sent from a forked child that drops to
``nobody`` when this process is root: then nothing but the key stands between it and
the daemon (a same-user attacker could read the key from the home; the private home
is what stops other users from doing that).
"""

from __future__ import annotations

import os
import pickle
import socket
from pathlib import Path

NOBODY = 65534


class Witness:
    """Unpickled anywhere, creates ``path`` (as whoever unpickles it)."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def attack_frame(witness: Path) -> bytes:
    """One Thespian frame, as issue 12 sent it: length prefix, then a bare pickle."""
    payload = pickle.dumps((None, Witness(witness)))
    return b"%d>" % len(payload) + payload


JUNK = b"\x00\xff junk, no length prefix at all \x13\x37" * 8
ABSURD_LENGTH = b"99999999999999999999>" + b"x" * 100
NEGATIVE_LENGTH = b"-5>" + b"x" * 100


def send_as_attacker(port: int, frame: bytes, *, drop_privileges: bool | None = None) -> bytes:
    """Send ``frame`` to 127.0.0.1:``port`` and return what came back (within 1 s).

    When this process is root (and ``drop_privileges`` is not False) the connection is
    made by a forked child running as ``nobody``; the answer comes back through a pipe.
    """
    if drop_privileges is None:
        drop_privileges = os.geteuid() == 0
    if not drop_privileges:
        return _send(port, frame)
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the attacker
        code = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            os.write(write_end, _send(port, frame))
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    answer = b""
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the attacker could not run"
    return answer


def _send(port: int, frame: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5.0) as sock:
        sock.sendall(frame)
        sock.settimeout(1.0)  # a port that reads nothing now (the main process): move on
        answer = b""
        try:
            while chunk := sock.recv(4096):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return answer
