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
