"""The seam to Thespian: the only module in prunus that imports it.

Everything else in prunus names actors, addresses and system messages through this
module, so a change of Thespian version (or of actor library) touches one file.

Pitfalls measured here (thespian 4.0.1), for the daemon's TCP base:

- ``logDefs=False`` works for ``simpleSystemBase`` but makes every child actor of
  ``multiprocTCPBase`` crash at start-up (``get_min_log_level`` calls ``.get`` on it),
  so ``createActor`` then hangs with no error. Give the TCP base a logging dict.
- Every TCP socket Thespian opens (admin, actors, clients) binds to all interfaces
  (``''``), whatever ``THESPIAN_BASE_IPADDR`` says; that variable only changes the
  address actors *advertise*. Messages cross as pickles, so a port open beyond the
  address the user chose lets anyone who reaches it try to run code. :func:`_bind_to`
  makes every socket bind to the address it advertises alone (checked with
  ``ss -ltn``: every listener of a daemon on 127.0.0.1, or on its ``--bind`` address).
- A Thespian client always looks for its admin on its own machine (``getAdminAddr``
  builds the admin's address from the local one). A client of a daemon on another
  address (``Client.connect(address="10.0.0.5:7710")``) therefore names the admin
  itself while it connects (:func:`_install_remote_admin`), and advertises the local
  address its packets to that daemon leave from, so the answers find their way back.
- Loopback does not stop other users of the host, so every frame is authenticated
  too (:func:`_install_frame_auth`, pieces in ``_frames``). Thespian has no hook for
  it; these are the places it is fitted in, all in ``thespian.system.transport.
  TCPTransport``: the module's ``ReceiveBuffer`` (every buffer it makes: incoming
  frames and the acks to our own sends), ``TCPIncoming_Common.__init__`` (to give
  the buffer its socket, for the peer's address in a log line), and on the
  ``TCPTransport`` class ``__init__`` (each transport takes its signing key when it
  is made), ``serializer`` (the one place a frame is built),
  ``external_transport_clone`` (a clone signs like its original) and
  ``_finishIntent`` (a client whose first frame is refused says so at once, instead
  of Thespian retrying for 11 s and then calling the admin unusable). Thespian forks
  every actor process (admin, logger, actors) from the process that starts the
  system, so what is installed there, and the key, are in force in all of them; the
  start method is pinned to ``fork`` below so that stays true.
- Thespian builds the text of a DEBUG line on every receive and send even when the
  line is discarded (~11-17% of a busy supervisor), and the in-process base looks its
  logger up on every delivery: applied on import, :mod:`._lazy_log_lines` fixes both
  without changing a line that is emitted.
- Its select loop makes a new epoll per pass and reads a frame in two passes; with
  the frame authentication, :mod:`._tcp_loop` installs a one-shot ``poll`` and reads
  a frame whose bytes have all come in one pass (``TCPTransport.selectors`` and
  ``_handleReadableIncoming``).
- A client's ``ActorSystem(...)`` that finds nothing bound on the admin port *starts
  an admin there itself*, forked from the client. A client reconnecting while its
  daemon restarted its actor system did (CI met it as a wait that never ended): the
  client's admin took the daemon's port, the daemon could not come back, and an
  orphan actor system outlived the client. :func:`connect_to_daemon` forbids it
  (:func:`_install_no_client_admin`) and says nothing listens there.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import timedelta
from typing import Any

from thespian.actors import (
    Actor,
    ActorAddress,
    ActorExitRequest,
    ActorSystem,
    ActorSystemConventionUpdate,
    ChildActorExited,
    PoisonMessage,
    WakeupMessage,
)
from thespian.system import multiprocCommon as _multiproc
from thespian.system import simpleSystemBase as _simple
from thespian.system import systemBase as thespian_system_base  # see _supervisor_lookup
from thespian.system.admin import convention as _convention
from thespian.system.messages.status import Thespian_StatusReq, Thespian_SystemStatus
from thespian.system.timing import currentTime as _thespian_now
from thespian.system.transport import IPBase, ReceiveEnvelope, TransmitIntent
from thespian.system.transport import TCPTransport as _tcp
from thespian.system.transport import streamBuffer as _stream
from thespian.system.utilis import thesplog_control

from prunus.actors._daemon_network import LOOPBACK, heartbeat_timing, route_source
from prunus.actors._frames import (
    KEYS,
    AuthenticatedReceiveBuffer,
    FramesRefused,
    log_drops_to,
    sign_frame,
)
from prunus.actors._inproc_dispatch import install_lean_sends
from prunus.actors._lazy_log_lines import deliver_without_lookup, identify_lazily
from prunus.actors._tcp_loop import lighten_select_loop

__all__ = [
    "LOOPBACK",
    "SUPERVISOR_NAME",
    "Actor",
    "ActorAddress",
    "ActorExitRequest",
    "ActorSystem",
    "ActorSystemConventionUpdate",
    "ChildActorExited",
    "FramesRefused",
    "PoisonMessage",
    "WakeupMessage",
    "actor_endpoint",
    "admin_status_request",
    "check_in_ages",
    "connect_to_daemon",
    "disconnect",
    "heartbeat_timing",
    "is_admin_status",
    "open_daemon_system",
    "open_embedded_system",
    "thespian_system_base",
]

SUPERVISOR_NAME = "prunus.supervisor"  # the supervisor's Thespian global name
_TCP_BASE = "multiprocTCPBase"
_QUIET_LOGS: dict[str, Any] = {"version": 1, "root": {"level": "WARNING", "handlers": []}}


def open_embedded_system() -> Any:
    """A private in-process actor system: runs actors in the caller's thread.

    ``transientUnique`` gives every caller its own system, so a process that runs
    another process to completion inside one of its steps (nested ``prunus.run``) gets
    a fresh system instead of re-entering the one that is executing it.
    """
    _no_shared_thespian_log()
    return ActorSystem("simpleSystemBase", transientUnique=True, logDefs=False)


def _no_shared_thespian_log() -> None:
    """A client (embedded, or connected to a daemon) writes no Thespian log file.

    Thespian writes its own warnings to ``$TMPDIR/thespian.log`` unless
    ``THESPLOG_FILE`` names a file: one file shared by every user and process of the
    machine, that nobody reads. A daemon names one in its home before it forks its
    actors (:func:`open_daemon_system`), so its processes, and a client opened inside
    one of them (a nested run in a step), keep theirs; a user who sets
    ``THESPLOG_FILE`` keeps it too.
    """
    if not os.environ.get("THESPLOG_FILE"):
        thesplog_control(logging.WARNING, False, 0)  # 0: no file


def open_daemon_system(
    port: int,
    log_file: str,
    key: bytes,
    *,
    host: str = LOOPBACK,
    leader: tuple[str, int] | None = None,
    capabilities: dict[str, Any] | None = None,
) -> Any:
    """Start a multiprocess TCP actor system on ``host``:``port`` (an IPv4 address of
    this machine; every socket of the system listens on it alone); actors log to
    ``log_file``; every frame is signed with and checked against ``key``. Call it
    before this process starts any thread (actors are forked).

    With ``leader`` (host, port) the system is a member of that daemon's convention,
    publishing ``capabilities``; it keeps registering again every heartbeat, so one
    started before its leader, or that lost it, joins when the leader answers.
    """
    _bind_to(host)
    _install_frame_auth()
    _short_convention_timing()
    KEYS.use_everywhere(key)  # forked actor processes inherit it: never on a command line
    log_drops_to(log_file)
    # Thespian's own log goes to /tmp/thespian.log unless told: keep it in the home.
    os.environ["THESPLOG_FILE"] = os.path.join(os.path.dirname(log_file), "thespian.log")
    log_defs = {
        "version": 1,
        "formatters": {"line": {"format": "%(asctime)s %(process)d %(levelname)s %(message)s"}},
        "handlers": {
            "file": {"class": "logging.FileHandler", "filename": log_file, "formatter": "line"}
        },
        "root": {"level": "WARNING", "handlers": ["file"]},
    }
    system_capabilities: dict[str, Any] = {
        **(capabilities or {}),
        "Admin Port": port,
        "Process Startup Method": "fork",
    }
    if leader is not None:
        system_capabilities["Convention Address.IPv4"] = leader
    return ActorSystem(_TCP_BASE, system_capabilities, logDefs=log_defs)


def admin_status_request() -> Any:
    """What an actor sends its system's admin to get its status (with the convention
    members and when each must next register); answered with a message that
    :func:`is_admin_status` recognises."""
    return Thespian_StatusReq()


def is_admin_status(message: Any) -> bool:
    return isinstance(message, Thespian_SystemStatus)


def check_in_ages(status: Any) -> list[tuple[Any, float]]:
    """Each convention member's admin address, and how many seconds ago it last
    registered (its last heartbeat), from the admin's status. The admin keeps only
    when each registration runs out (``heartbeat_timing`` seconds x misses after it
    came), on Thespian's clock: the age is that window less what is left of it."""
    seconds, misses = heartbeat_timing()
    window, now = seconds * misses, _thespian_now()
    ages = []
    for address, valid in getattr(status, "conventionAttendees", None) or ():
        runs_out = getattr(valid, "_time_to_quit", None)
        if isinstance(runs_out, (int, float)):
            ages.append((address, max(0.0, window - (runs_out - now))))
    return ages


def _short_convention_timing() -> None:
    """Thespian's convention re-registers every 7 min 22 s and declares a member lost
    after 3 misses (~22 min). It reads those from the environment only in whole
    seconds, at import; setting its module's values here, before the admin is forked,
    makes them apply in every process of this system, to sub-second precision."""
    seconds, misses = heartbeat_timing()
    _convention.CONVENTION_REREGISTRATION_PERIOD = timedelta(seconds=seconds)
    _convention.CONVENTION_RESTART_PERIOD = timedelta(seconds=seconds)
    _convention.CONVENTION_REGISTRATION_MISS_MAX = misses


def connect_to_daemon(port: int, key: bytes, host: str = LOOPBACK) -> Any:
    """A client-side connection to the daemon's admin on ``host``:``port``.

    ``transientUnique``: each connection has its own reply address, so one that gave
    up on an answer can be dropped along with any late reply to it. Never call
    ``shutdown()`` on it: that would stop the daemon's whole actor system. Frames are
    signed with ``key``; ones signed with it are accepted on this process's sockets.

    Raises:
        FramesRefused: the admin answered our first frame with a data error: with prunus
            on both ends, it did not accept the key. Said at once, where Thespian would
            retry for 11 s and then call the admin "not a valid or useable" one.
    """
    _bind_to(LOOPBACK if host == LOOPBACK else route_source(host))
    _install_frame_auth()
    _install_remote_admin()
    _install_no_client_admin()
    _no_shared_thespian_log()
    previous = KEYS.set_pending(key)
    _CONNECTING.active = True
    _CONNECTING.admin = None if host == LOOPBACK else (host, port)
    try:
        return ActorSystem(
            _TCP_BASE, {"Admin Port": port}, logDefs=_QUIET_LOGS, transientUnique=True
        )
    except _NoAdmin as nothing:
        nothing.transport.close()
        raise ConnectionRefusedError(f"nothing listens on {host}:{port}") from None
    except _Refused as refused:
        refused.transport.close()
        raise FramesRefused(f"{host}:{port} refused this key") from None
    finally:
        _CONNECTING.active = False
        _CONNECTING.admin = None
        KEYS.set_pending(previous)


def actor_endpoint(address: Any) -> tuple[str, int] | None:
    """The host and port the actor at ``address`` listens on, or None when its
    address says neither (a base other than TCP). A client uses it to tell that the
    actor it talks to is gone while the daemon's own port still answers."""
    sockname = getattr(getattr(address, "addressDetails", None), "sockname", None)
    if not isinstance(sockname, tuple) or len(sockname) < 2:
        return None
    return sockname[0] or LOOPBACK, sockname[1]


class _Unwind(BaseException):
    """Unwinds a connection attempt out of Thespian's retry loop. A BaseException,
    because Thespian's transmit machinery catches and logs every Exception."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport


class _Refused(_Unwind):
    """The admin refused our first frame: it does not accept the key."""


class _NoAdmin(_Unwind):
    """Nothing listens: the attempt would have started an admin of its own."""


_CONNECTING = threading.local()  # .active while this thread is in connect_to_daemon


def disconnect(system: Any) -> None:
    """Close a client connection's own socket, and nothing else: Thespian's only public
    way out, ``shutdown()``, would stop the daemon. (Reaches into the system base: if a
    Thespian version moves it, the socket is left to the garbage collector.)"""
    transport = getattr(getattr(system, "_systemBase", None), "transport", None)
    if transport is not None:
        transport.close()


def _bind_to(address: str) -> None:
    """Advertise ``address`` and make Thespian's sockets listen on the address they
    advertise alone, never on every interface (see above)."""
    os.environ["THESPIAN_BASE_IPADDR"] = address
    address_class = IPBase.IPActorAddress
    if getattr(address_class, "_prunus_bound", False):
        return
    original = address_class.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if self.sockname[0] not in ("", "0.0.0.0"):
            self.bindname = self.sockname

    address_class.__init__ = init
    address_class._prunus_bound = True


def _install_remote_admin() -> None:
    """While a thread connects to a daemon on another address, Thespian's client looks
    for the admin there instead of on this machine (see above), once per process."""
    if getattr(_tcp.TCPTransport, "_prunus_remote_admin", False):
        return
    local_admin = _tcp.TCPTransport.getAdminAddr

    def admin_address(capabilities: dict[str, Any]) -> Any:
        target = getattr(_CONNECTING, "admin", None)
        if target is None:
            return local_admin(capabilities)
        return ActorAddress(_tcp.TCPv4ActorAddress(target[0], target[1], external=True))

    _tcp.TCPTransport.getAdminAddr = staticmethod(admin_address)
    _tcp.TCPTransport._prunus_remote_admin = True


def _install_no_client_admin() -> None:
    """While a thread connects to a daemon, Thespian may not start an admin of its own
    (see above); once per process. The daemon starts its admin outside a connect."""
    if getattr(_multiproc, "_prunus_no_client_admin", False):
        return
    start_admin = _multiproc.multiprocessCommon._startAdmin

    def start_admin_unless_connecting(self: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(_CONNECTING, "active", False):
            raise _NoAdmin(self.transport)
        return start_admin(self, *args, **kwargs)

    _multiproc.multiprocessCommon._startAdmin = start_admin_unless_connecting
    _multiproc._prunus_no_client_admin = True


def _install_frame_auth() -> None:
    """Fit ``_frames`` into Thespian's TCP transport, once per process (see above)."""
    if getattr(_tcp, "_prunus_frames", False):
        return
    dumps, loads = _tcp.serializer.dumps, _tcp.serializer.loads
    ack_payloads = {_stream.ackPacket, _stream.ackDataErrPacket}
    for protocol in range(2, 6):  # a peer on another Python may pickle them otherwise
        for ack in ack_payloads:
            AuthenticatedReceiveBuffer.UNSIGNED[dumps(ack, protocol=protocol)] = ack
    _tcp.ReceiveBuffer = AuthenticatedReceiveBuffer
    transport_class, incoming_class = _tcp.TCPTransport, _tcp.TCPIncoming_Common
    original_init = transport_class.__init__
    original_clone = transport_class.external_transport_clone
    original_incoming = incoming_class.__init__
    original_finish = transport_class._finishIntent

    def init(self: Any, *args: Any) -> None:
        self._prunus_mac = KEYS.for_new_transport()
        original_init(self, *args)

    def serializer(self: Any, intent: Any) -> bytes:
        return sign_frame(self._prunus_mac, dumps((self.myAddress, intent.message)))

    def clone(self: Any) -> Any:
        previous = KEYS.set_pending(self._prunus_mac.key)
        try:
            return original_clone(self)
        finally:
            KEYS.set_pending(previous)

    def incoming(self: Any, remote: Any, sock: Any, buffer: Any = None) -> None:
        original_incoming(self, remote, sock, buffer or AuthenticatedReceiveBuffer(loads, sock))

    def finish(self: Any, intent: Any, status: Any = _tcp.SendStatus.Sent) -> Any:
        if status == _tcp.SendStatus.BadPacket and getattr(_CONNECTING, "active", False):
            raise _Refused(self)
        return original_finish(self, intent, status)

    transport_class.__init__ = init
    transport_class.serializer = serializer
    transport_class.external_transport_clone = clone
    transport_class._finishIntent = finish
    incoming_class.__init__ = incoming
    lighten_select_loop(_tcp)  # fewer passes of its select loop, each lighter (_tcp_loop)
    _tcp._prunus_frames = True


identify_lazily(ReceiveEnvelope, TransmitIntent)

# Bound to each actor when it is created (thespian 4.0.1, simpleSystemBase).
if hasattr(_simple, "actor_base_receive"):
    _simple.actor_base_receive = deliver_without_lookup
    install_lean_sends(_simple)  # the in-process send loop (_inproc_dispatch)
