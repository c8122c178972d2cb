"""Where a daemon listens and which leader it joins: its addresses, checked.

``--bind`` and ``--join`` are checked before anything forks, each with one line
saying what is wrong: by ``prunus daemon start`` (``_daemon_control``) and again by
``python -m prunus.control._daemon_process``; a port is picked free on the bind
address when none is given. Its own module because those callers, and a member's
drain (``_member_drain``), need these checks without the daemon's process management
(:mod:`prunus.control._daemon_process` re-exports them for its importers).
"""

from __future__ import annotations

import socket

from prunus.actors import LOOPBACK

__all__ = ["check_bind_address", "free_port", "parse_leader"]


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port free on ``host`` right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def check_bind_address(text: str) -> str:
    """``--bind``: one IPv4 address of this machine, which the daemon listens on and
    advertises (Thespian advertises one address, so not 0.0.0.0).

    Raises:
        ValueError: one line saying what is wrong with ``text``.
    """
    try:
        packed = socket.inet_aton(text)
    except OSError:
        raise ValueError(f"--bind {text!r}: expected an IPv4 address such as 10.0.0.5") from None
    if text != socket.inet_ntoa(packed) or text == "0.0.0.0":
        raise ValueError(f"--bind {text!r}: expected one IPv4 address of this machine")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((text, 0))
        except OSError as error:
            reason = error.strerror or error
            raise ValueError(f"--bind {text}: not an address of this machine ({reason})") from None
    return text


def parse_leader(text: str) -> tuple[str, int]:
    """``HOST:PORT`` -> (host, port).

    Raises:
        ValueError: one line saying what is wrong with ``text``.
    """
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"bad leader address {text!r}: expected HOST:PORT")
    return host, int(port)
