"""The checkpoint envelope: a checkpoint's body and the format version it was written in.

A reader refuses a format it does not know (with "upgrade prunus" when it is newer)
instead of misreading it; the body itself is encoded like any value (:mod:`._codec`).
"""

from __future__ import annotations

from typing import Any

from prunus.errors import CheckpointError, CodecError
from prunus.persistence._codec import _pack, _raise_codec_error, decode
from prunus.persistence._codec_problems import one_line

__all__ = ["CHECKPOINT_FORMAT", "decode_checkpoint", "encode_checkpoint"]

CHECKPOINT_FORMAT = 1


def encode_checkpoint(data: dict[str, Any], *, path_prefix: str = "") -> bytes:
    """A checkpoint: ``data`` in an envelope that carries :data:`CHECKPOINT_FORMAT`.

    Raises:
        CodecError: as :func:`encode`; the path is relative to ``data``.
    """
    if not isinstance(data, dict):
        raise TypeError(f"a checkpoint is a dict, got {type(data).__qualname__}")
    try:
        return _pack({"format": CHECKPOINT_FORMAT, "body": data})
    except Exception as error:  # paths name the body's keys (ctx.results[3])
        _raise_codec_error(data, path_prefix, error)


def decode_checkpoint(blob: bytes) -> dict[str, Any]:
    """The body of a checkpoint written by :func:`encode_checkpoint`.

    Raises:
        CheckpointError: corrupt, not a checkpoint, or of an unknown format version
            (a one-line reason).
    """
    try:
        envelope = decode(blob)
    except CodecError as error:
        raise CheckpointError(f"corrupt checkpoint: {one_line(str(error))}") from None
    if type(envelope) is not dict or envelope.keys() != {"format", "body"}:
        raise CheckpointError("corrupt checkpoint: not a checkpoint envelope")
    version = envelope["format"]
    if type(version) is not int:
        raise CheckpointError(f"corrupt checkpoint: format {one_line(repr(version))}")
    if version != CHECKPOINT_FORMAT:
        hint = "; upgrade prunus" if version > CHECKPOINT_FORMAT else ""
        raise CheckpointError(
            f"checkpoint format {version} is not supported "
            f"(this prunus reads format {CHECKPOINT_FORMAT}){hint}"
        )
    body = envelope["body"]
    if not isinstance(body, dict):
        raise CheckpointError("corrupt checkpoint: its body is not a mapping")
    return body
