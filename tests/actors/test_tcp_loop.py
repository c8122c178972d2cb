"""The lighter select loop (``_tcp_loop``) on real sockets.

The whole-frame read is checked against a reader that works like Thespian's
``_handleReadableIncoming`` (one ``recv`` of what the frame still needs per call);
every daemon test runs the real one through it.
"""

from __future__ import annotations

import errno
import selectors
import socket

import pytest

from prunus.actors._tcp_loop import MAX_READS_AT_ONCE, OneShotPollSelector, read_whole_frames


@pytest.fixture
def pair():
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    yield ours, theirs
    ours.close()
    theirs.close()


class Incoming:
    """A frame being received: ``size`` bytes, of which ``got`` have come."""

    def __init__(self, sock: socket.socket, size: int, first: int = 5) -> None:
        self.socket, self.size, self.got, self.first = sock, size, b"", first


class Reader:
    """Thespian's shape: one recv per call; the incoming back while it is incomplete,
    None once done (or when the peer closed)."""

    def __init__(self) -> None:
        self.reads = 0

    def _handleReadableIncoming(self, incoming, has_exclusive_flag=False):
        self.reads += 1
        need = incoming.first if not incoming.got else incoming.size - len(incoming.got)
        try:
            data = incoming.socket.recv(need)
        except BlockingIOError:
            return incoming
        if not data:
            return None
        incoming.got += data
        return None if len(incoming.got) == incoming.size else incoming


class WholeReader(Reader):
    pass


read_whole_frames(WholeReader)


def test_a_frame_whose_bytes_are_all_there_is_read_in_one_call(pair):
    ours, theirs = pair
    theirs.sendall(b"x" * 300)
    reader, incoming = WholeReader(), Incoming(ours, 300)
    assert reader._handleReadableIncoming(incoming) is None
    assert incoming.got == b"x" * 300 and reader.reads == 2


def test_a_frame_still_on_its_way_goes_back_to_the_loop_incomplete(pair):
    ours, theirs = pair
    theirs.sendall(b"x" * 100)
    reader, incoming = WholeReader(), Incoming(ours, 300)
    assert reader._handleReadableIncoming(incoming) is incoming
    assert len(incoming.got) == 100 and reader.reads == 2  # nothing more waited: no 3rd
    theirs.sendall(b"y" * 200)
    assert reader._handleReadableIncoming(incoming) is None and len(incoming.got) == 300


def test_the_bytes_after_a_frame_stay_in_the_socket_for_the_next_one(pair):
    ours, theirs = pair
    theirs.sendall(b"a" * 50 + b"b" * 50)
    reader = WholeReader()
    assert reader._handleReadableIncoming(Incoming(ours, 50)) is None
    second = Incoming(ours, 50)
    assert reader._handleReadableIncoming(second) is None and second.got == b"b" * 50


def test_one_socket_is_read_at_most_a_few_times_in_a_row(pair):
    ours, theirs = pair
    theirs.sendall(b"x" * 1000)
    incoming = Incoming(ours, 10**6, first=1)  # a frame far longer than what has come

    def one_byte_at_a_time(self, incoming, has_exclusive_flag=False):
        self.reads += 1
        incoming.got += incoming.socket.recv(1)
        return incoming

    class Slow:
        reads = 0
        _handleReadableIncoming = one_byte_at_a_time

    read_whole_frames(Slow)
    slow = Slow()
    assert slow._handleReadableIncoming(incoming) is incoming
    assert slow.reads == MAX_READS_AT_ONCE and len(incoming.got) == MAX_READS_AT_ONCE


def test_a_closed_peer_ends_the_reads_as_before(pair):
    ours, theirs = pair
    theirs.sendall(b"x" * 10)
    theirs.close()
    reader, incoming = WholeReader(), Incoming(ours, 300)
    assert reader._handleReadableIncoming(incoming) is None  # the empty read: closed
    assert incoming.got == b"x" * 10


def test_the_poll_selector_reports_what_is_ready_as_epoll_does(pair):
    ours, theirs = pair
    for cls in (OneShotPollSelector, selectors.EpollSelector):
        selector = cls()
        selector.register(ours.fileno(), selectors.EVENT_READ)
        selector.register(theirs.fileno(), selectors.EVENT_WRITE)
        assert [(key.fd, events) for key, events in selector.select(0)] == [
            (theirs.fileno(), selectors.EVENT_WRITE)
        ]
        theirs.send(b"!")
        ready = {key.fd: events for key, events in selector.select(0)}
        assert ready == {
            ours.fileno(): selectors.EVENT_READ,
            theirs.fileno(): selectors.EVENT_WRITE,
        }
        ours.recv(1)
        selector.close()


def test_a_descriptor_closed_under_the_poll_selector_raises_ebadf_as_epoll_does():
    selector, epoll = OneShotPollSelector(), selectors.EpollSelector()  # (before: the
    sock = socket.socket()  # closed number must not be reused by the epoll's own file)
    fd = sock.fileno()
    sock.close()
    selector.register(fd, selectors.EVENT_READ)
    with pytest.raises(OSError) as raised:
        selector.select(0)
    assert raised.value.errno == errno.EBADF
    with pytest.raises(OSError) as by_epoll:
        epoll.register(fd, selectors.EVENT_READ)
    assert by_epoll.value.errno == errno.EBADF
    epoll.close()
