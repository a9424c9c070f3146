"""The signed results channel: what the grader believes, and what it refuses."""

from __future__ import annotations

import json
import os
from typing import Any

from grader.channel import Channel, Verifier


def _lines(read_fd: int) -> list[bytes]:
    data = b""
    while chunk := os.read(read_fd, 65536):
        data += chunk
    return data.splitlines()


def channel_pair(trusted: Any = lambda frame: True) -> tuple[Channel, Verifier, int, int]:
    key = os.urandom(32)
    read_fd, write_fd = os.pipe()
    return Channel(write_fd, key, trusted), Verifier(key), read_fd, write_fd


def test_signed_records_arrive_in_order() -> None:
    channel, verifier, read_fd, write_fd = channel_pair()
    assert channel.send({"type": "collected", "tests": []})
    assert channel.send({"type": "done", "exitstatus": 0})
    os.close(write_fd)
    for line in _lines(read_fd):
        verifier.feed(line)
    assert not verifier.forged
    assert [r["type"] for r in verifier.records] == ["collected", "done"]


def test_a_line_written_around_the_channel_spoils_the_run() -> None:
    channel, verifier, read_fd, write_fd = channel_pair()
    channel.send({"type": "collected", "tests": []})
    os.write(write_fd, json.dumps({"type": "test", "outcome": "passed"}).encode() + b"\n")
    channel.send({"type": "done", "exitstatus": 0})
    os.close(write_fd)
    for line in _lines(read_fd):
        verifier.feed(line)
    assert verifier.forged
    assert [r["type"] for r in verifier.records] == ["collected"], "nothing after it counts"


def test_a_replayed_or_reordered_record_is_not_believed() -> None:
    channel, verifier, read_fd, write_fd = channel_pair()
    channel.send({"type": "test", "id": "a", "outcome": "passed"})
    channel.send({"type": "test", "id": "b", "outcome": "failed"})
    os.close(write_fd)
    first, second = _lines(read_fd)
    for line in (first, first, second):  # the first record again, in the second's place
        verifier.feed(line)
    assert verifier.forged
    assert [r["id"] for r in verifier.records] == ["a"]


def test_a_record_from_an_untrusted_caller_is_replaced_by_a_report() -> None:
    channel, verifier, read_fd, write_fd = channel_pair(trusted=lambda frame: False)
    assert not channel.send({"type": "test", "id": "a", "outcome": "passed"})
    os.close(write_fd)
    for line in _lines(read_fd):
        verifier.feed(line)
    assert not verifier.forged
    assert verifier.records == [{"type": "violation", "kind": "results", "message": (
        "forbidden while graded: your code may not write to the grader's results channel")}]


def test_the_writer_accepts_nothing_but_channel_send() -> None:
    channel, verifier, read_fd, write_fd = channel_pair()
    writer: Any = channel.writer
    assert writer.send(b'{"type":"done","exitstatus":0}') is False
    os.close(write_fd)
    for line in _lines(read_fd):
        verifier.feed(line)
    assert [r["type"] for r in verifier.records] == ["violation"]
