"""What authenticating a Thespian frame costs: sign on send, check on receive.

For messages of a few sizes, the time to frame and unframe one message with
Thespian's own framing (length prefix and pickle, its receive buffer) and with
prunus's (plus an HMAC-SHA256 tag, checked before unpickling), in this process: the
difference is what issue 12 added per message and per side. A Thespian TCP message
costs about 500 us of CPU end to end (DESIGN.md section 7): compare the two.

Prints a table and writes ``benchmarks/results/frames.json``.
Run: ``python benchmarks/frames.py [--n 20000]``.
"""

from __future__ import annotations

import argparse
import json
import pickle
import secrets
import timeit
from pathlib import Path

from thespian.system.transport import streamBuffer  # Thespian's own framing, as it is

from prunus.actors._frames import KEYS, AuthenticatedReceiveBuffer, sign_frame

HERE = Path(__file__).resolve().parent
SIZES = {"status (~200 B)": 20, "batch (~2 KB)": 300, "results (~64 KB)": 9000}


def plain_round(message: object) -> object:
    frame = streamBuffer.toSendBuffer(message, pickle.dumps)
    buffer = streamBuffer.ReceiveBuffer(pickle.loads)
    buffer.addMore(frame[:20])  # Thespian's first read, then the rest
    buffer.addMore(frame[20:])
    return buffer.completed()[0]


def signed_round(message: object) -> object:
    frame = sign_frame(KEYS.default, pickle.dumps(message))
    buffer = AuthenticatedReceiveBuffer(pickle.loads)
    buffer.addMore(frame[:20])
    buffer.addMore(frame[20:])
    return buffer.completed()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    KEYS.use_everywhere(secrets.token_bytes(32))
    results = {}
    print(f"{'message':18} {'plain us':>9} {'signed us':>10} {'added us':>9}")
    for name, items in SIZES.items():
        message = ("sender", [(f"pid-{i:06d}", i, {"y": i * 2}) for i in range(items)])
        assert signed_round(message) == plain_round(message) == message
        number = max(10, args.n // max(1, items // 20))
        plain = min(timeit.repeat(lambda m=message: plain_round(m), number=number, repeat=5))
        signed = min(timeit.repeat(lambda m=message: signed_round(m), number=number, repeat=5))
        plain_us, signed_us = 1e6 * plain / number, 1e6 * signed / number
        results[name] = {"plain_us": plain_us, "signed_us": signed_us}
        print(f"{name:18} {plain_us:9.1f} {signed_us:10.1f} {signed_us - plain_us:9.1f}")
    out = HERE / "results" / "frames.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
