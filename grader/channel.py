"""The results channel: JSON-lines records from the grading child to the grader, each signed.

The grader makes a fresh secret key per run and hands it to the child on standard input, which
the child reads and closes before any code under test runs. Every record travels as
``<HMAC-SHA256 of sequence number and payload> <payload>``. The grader checks each line in
order: a line it cannot verify (written by anything but the child's own writer, replayed, or
torn) marks the run as tampered with, and nothing after it is believed.

In the child, the key lives only inside the frame of a suspended generator; the audit hook
(:mod:`grader.guard`) refuses every look into that frame, and the writer accepts records only
from the grader's own plugin, never while the code under test is on the stack.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import threading
from collections.abc import Callable, Generator
from typing import Any

TAG_LENGTH = 64  # hex digits of SHA-256
REFUSED = json.dumps({
    "type": "violation", "kind": "results",
    "message": "forbidden while graded: your code may not write to the grader's results channel",
}, separators=(",", ":")).encode()


def _tag(key: bytes, sequence: int, payload: bytes) -> bytes:
    return hmac.new(key, sequence.to_bytes(8, "big") + payload, hashlib.sha256).hexdigest().encode()


def _signer(fd: int, key: bytes, send: object,
            allowed: Callable[[Any], bool]) -> Generator[bool, bytes, None]:
    """Signs and writes each payload sent in. ``send`` is the code of :meth:`Channel.send`, the
    only way in; ``allowed`` judges the frame that called it. The key, and everything this
    needs, are locals of this frame, which nothing else can see."""
    sequence = 0
    accepted = True
    tag, write, getframe = _tag, os.write, sys._getframe
    while True:
        payload = yield accepted
        caller = getframe(1)
        accepted = caller.f_code is send and allowed(caller.f_back)
        if not accepted:  # reported, in place of the record refused
            payload = REFUSED
        data = tag(key, sequence, payload) + b" " + payload + b"\n"
        sequence += 1
        while data:
            data = data[write(fd, data):]


class Channel:
    """The child's end. ``trusted(frame)`` says whether a record may come from ``frame``."""

    def __init__(self, fd: int, key: bytes, trusted: Callable[[Any], bool]) -> None:
        self._lock = threading.Lock()
        self._writer = _signer(fd, key, Channel.send.__code__, trusted)
        next(self._writer)
        self.broken = False

    @property
    def writer(self) -> object:
        return self._writer

    def send(self, record: dict[str, Any]) -> bool:
        """Sign and write ``record``; False when it was refused or the channel is gone."""
        payload = json.dumps(record, separators=(",", ":")).encode()
        with self._lock:
            try:
                return bool(self._writer.send(payload))
            except (OSError, StopIteration, ValueError):
                self.broken = True
                return False


class Verifier:
    """The grader's end: checks each line and keeps the records it can believe."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._sequence = 0
        self.records: list[dict[str, Any]] = []
        self.forged = ""  # why the first unverifiable line was rejected

    def feed(self, line: bytes) -> None:
        if self.forged:
            return
        tag, _, payload = line.partition(b" ")
        if len(tag) != TAG_LENGTH or not hmac.compare_digest(
                tag, _tag(self._key, self._sequence, payload)):
            self.forged = "a line on the results channel was not written by the grader"
            return
        self._sequence += 1
        try:
            record = json.loads(payload)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            self.forged = "a signed record could not be read"
            return
        self.records.append(record)
