"""The frame pieces on their own: signing, the checking receive buffer, the drop log."""

from __future__ import annotations

import hmac
import logging
import pickle
import secrets

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from thespian.system.transport import streamBuffer as _stream

from prunus.actors import _frames
from prunus.actors._frames import (
    FIRST_READ,
    MAX_FRAME_BYTES,
    TAG_BYTES,
    AuthenticatedReceiveBuffer,
    FrameKeys,
    FrameMac,
    sign_frame,
)
from prunus.actors._thespian import _install_frame_auth
from tests.security.attack import ABSURD_LENGTH, JUNK, NEGATIVE_LENGTH, Witness, attack_frame

KEY = secrets.token_bytes(32)
MAC = FrameMac(KEY)


@pytest.fixture(autouse=True)
def keys(monkeypatch):
    """This process accepts KEY only, and its drop log starts empty, for each test."""
    _install_frame_auth()  # fills in Thespian's unsigned acks
    keys = FrameKeys()
    keys.use_everywhere(KEY)
    monkeypatch.setattr(_frames, "KEYS", keys)
    monkeypatch.setattr(_frames, "DROPS", _frames._DropLog())
    return keys


class Recorder:
    """A deserializer that records what it was asked to unpickle."""

    def __init__(self):
        self.calls = []

    def __call__(self, payload):
        self.calls.append(bytes(payload))
        return pickle.loads(payload)


def receive(frame: bytes, cuts: list[int] | None = None):
    """Feed ``frame`` as Thespian does: reads of at most ``remainingAmount`` bytes
    (further cut to the sizes in ``cuts``), until the buffer is done."""
    recorder = Recorder()
    buffer = AuthenticatedReceiveBuffer(recorder)
    position, cuts = 0, list(cuts or [])
    while not buffer.isDone() and position < len(frame):
        size = min(buffer.remainingAmount(), cuts.pop(0) if cuts else len(frame))
        buffer.addMore(frame[position : position + size])
        position += size
    return buffer, recorder


@given(key=st.binary(min_size=16, max_size=64), payload=st.binary(max_size=5000))
def test_the_frame_mac_is_hmac_sha256(key, payload):
    assert FrameMac(key).tag(payload) == hmac.digest(key, payload, "sha256")
    assert FrameMac(key).tag(memoryview(payload)) == hmac.digest(key, payload, "sha256")


def test_a_signed_frame_is_the_length_the_tag_and_the_payload():
    payload = pickle.dumps(("sender", "hello"))
    frame = sign_frame(MAC, payload)
    prefix, _, rest = frame.partition(b">")
    assert int(prefix) == TAG_BYTES + len(payload) == len(rest)
    assert rest[TAG_BYTES:] == payload


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=st.recursive(st.integers() | st.text(), st.lists), cuts=st.lists(st.integers(1, 40)))
def test_a_signed_frame_arrives_whole_however_the_stream_is_cut(message, cuts):
    frame = sign_frame(MAC, pickle.dumps(("sender", message)))
    buffer, _ = receive(frame + b"next frame", cuts)
    assert buffer.isDone()
    assert buffer.completed() == (("sender", message), b"")


def test_bytes_after_a_frame_come_back_as_extra():
    buffer = AuthenticatedReceiveBuffer(pickle.loads)
    buffer.addMore(sign_frame(MAC, pickle.dumps(("sender", 1))) + b"7>")
    assert buffer.completed() == (("sender", 1), b"7>")


def test_the_witness_pickle_unsigned_is_dropped_unread_and_logged(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="prunus.frames")
    witness = tmp_path / "ran"
    buffer, recorder = receive(attack_frame(witness))
    assert buffer.isDone() and buffer.completed() is None
    assert recorder.calls == [] and not witness.exists()
    assert "its tag does not match this home's key; nothing was unpickled" in caplog.text


def test_a_frame_signed_with_another_key_is_dropped_unread(tmp_path):
    payload = pickle.dumps((None, Witness(tmp_path / "ran")))
    buffer, recorder = receive(sign_frame(FrameMac(secrets.token_bytes(32)), payload))
    assert buffer.completed() is None and recorder.calls == []
    assert not (tmp_path / "ran").exists()


def test_a_frame_with_a_tampered_payload_is_dropped_unread():
    frame = bytearray(sign_frame(MAC, pickle.dumps(("sender", "pay 10"))))
    frame[-3] ^= 1
    buffer, recorder = receive(bytes(frame))
    assert buffer.completed() is None and recorder.calls == []


def test_a_frame_signed_with_a_second_accepted_key_is_read(keys):
    other = secrets.token_bytes(32)
    keys.accept(other)
    buffer, _ = receive(sign_frame(FrameMac(other), pickle.dumps(("sender", 1))))
    assert buffer.completed() == (("sender", 1), b"")


@pytest.mark.parametrize(
    "frame, reason",
    [
        (JUNK, "no length prefix"),
        (ABSURD_LENGTH, "length prefix"),  # (its ">" may come in the first read or not)
        (b"999999999>" + b"x" * 50, "over the cap"),
        (NEGATIVE_LENGTH, "bad length prefix"),
        (b"1_000>" + b"x" * 50, "bad length prefix"),
        (b"12>" + b"x" * 12, "too short to carry a tag"),
    ],
)
def test_junk_and_made_up_lengths_are_dropped_at_once(frame, reason, caplog):
    caplog.set_level(logging.WARNING, logger="prunus.frames")
    buffer, recorder = receive(frame)
    assert buffer.isDone() and buffer.completed() is None and recorder.calls == []
    assert reason in caplog.text


def test_a_message_over_the_cap_fails_where_it_is_sent():
    with pytest.raises(ValueError, match="over prunus's limit of 128 MiB"):
        sign_frame(MAC, bytes(MAX_FRAME_BYTES))


def test_the_length_cap_is_checked_before_any_of_the_frame_is_kept():
    buffer = AuthenticatedReceiveBuffer(Recorder())
    buffer.addMore(b"%d>" % (MAX_FRAME_BYTES + 1))
    assert buffer.isDone() and buffer.remainingAmount() == FIRST_READ


def test_thespians_acks_are_recognised_without_unpickling():
    for ack in ("ACK", "ACK+DATAERR"):
        payload = pickle.dumps(ack)
        buffer, recorder = receive(b"%d>" % len(payload) + payload)
        assert buffer.completed() == (ack, b"") and recorder.calls == []


def test_an_ack_takes_one_read_that_takes_nothing_of_the_frame_after_it():
    # Thespian's ACK, as this Python pickles it, is the shortest frame there is
    assert FIRST_READ == len(_stream.ackMsg) < len(_stream.ackDataErrMsg)
    assert len(sign_frame(MAC, pickle.dumps(None))) > FIRST_READ
    stream = _stream.ackMsg + sign_frame(MAC, pickle.dumps(("sender", 2)))
    buffer = AuthenticatedReceiveBuffer(Recorder())
    buffer.addMore(stream[: buffer.remainingAmount()])
    assert buffer.isDone() and buffer.completed() == ("ACK", b"")
    rest, _ = receive(stream[FIRST_READ:])
    assert rest.completed() == (("sender", 2), b"")


def test_the_drop_log_says_at_most_a_burst_per_window_then_how_many_it_left_out(caplog):
    caplog.set_level(logging.WARNING, logger="prunus.frames")
    log = _frames._DropLog(burst=2, window=3600)
    for _ in range(5):
        log.drop("127.0.0.1:1", "junk")
    assert caplog.text.count("dropped a frame") == 2
    log._start -= 3600  # the window has passed
    log.drop("127.0.0.1:1", "junk")
    assert caplog.text.count("dropped a frame") == 3
    assert "(3 more dropped frames not logged)" in caplog.text


def test_a_process_without_a_key_refuses_to_make_a_transport(monkeypatch):
    monkeypatch.setattr(_frames, "KEYS", FrameKeys())
    with pytest.raises(RuntimeError, match="no prunus frame key"):
        _frames.KEYS.for_new_transport()
