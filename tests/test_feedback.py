"""Learner-facing messages for failures that hypothesis wraps."""

from __future__ import annotations

from pathlib import Path

from hypothesis.errors import FlakyFailure

from grader.feedback import Mismatch, describe


def test_a_failure_that_did_not_replay_still_shows_the_first_failure() -> None:
    flaky = FlakyFailure("Hypothesis found 1 distinct failure, but it was not reproducible",
                         [Mismatch("ring.get_node('key:7') gave 'b', expected 'a'.")])
    feedback = describe(flaky, frozenset[Path]())
    assert feedback.outcome == "failed"
    assert feedback.message.startswith("ring.get_node('key:7') gave 'b', expected 'a'.")
    assert "did not fail the same way" in feedback.message
    assert "time limit" in feedback.message


def test_a_flaky_failure_without_details_says_what_happened() -> None:
    feedback = describe(FlakyFailure("inconsistent", [ValueError("x")]), frozenset[Path]())
    assert "ValueError: x" in feedback.message
    assert "did not fail the same way" in feedback.message


def test_printed_control_characters_cannot_redraw_the_report() -> None:
    """A learner's output or message is shown with terminal control characters escaped, so it
    cannot clear the screen or move the cursor to draw a fake score over the real one."""
    from grader.report import printable

    assert printable("\x1b[2J\x1b[HScore: 100/100\r") == "\\x1b[2J\\x1b[HScore: 100/100\\r"
    assert printable("tabs\tand\nnewlines stay") == "tabs\tand\nnewlines stay"
    assert printable("\x9b31m") == "\\x9b31m"
