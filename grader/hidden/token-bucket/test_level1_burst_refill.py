"""Level 1: a new bucket is full and allows a burst of capacity; then it refills continuously
at rate, fractions of a token included. Time comes only from the injected clock.

Rates here are powers of two, so every boundary is exact in floats whether the bucket counts
tokens or, like the GCRA, keeps a time (1 / rate is exact too)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from rate_limiter import TokenBucket

from grader.checks import FakeClock, Script, fail, show
from grader.oracles.token_bucket import close

pytestmark = [pytest.mark.level(1), pytest.mark.points(2)]


def expect_tokens(s: Script, bucket: TokenBucket, expected: float, why: str = "") -> None:
    actual = s.observe("bucket.tokens", lambda: bucket.tokens)
    s.note(f"bucket.tokens  # -> {show(actual)}")
    if not close(actual, Fraction(expected), expected):
        reason = f" ({why})" if why else ""
        fail(f"bucket.tokens gave {show(actual)}, expected {expected}{reason}.", s)


def expect_wait(s: Script, bucket: TokenBucket, tokens: float, expected: float,
                why: str = "") -> None:
    actual = s.call("bucket", bucket, "wait_time", tokens)
    if not close(actual, Fraction(expected), expected):
        reason = f" ({why})" if why else ""
        fail(f"bucket.wait_time({tokens}) gave {show(actual)}, expected {expected}{reason}.", s)


def test_a_new_bucket_allows_a_burst_of_capacity() -> None:
    """a new bucket is full: exactly capacity requests succeed at once, then none"""
    clock = FakeClock()
    s = Script()
    bucket = s.new("bucket", TokenBucket, 4, 5, clock)
    expect_tokens(s, bucket, 5, "a new bucket starts full")
    for i in range(5):
        s.expect(s.call("bucket", bucket, "try_acquire"), True, "bucket.try_acquire()",
                 f"request {i + 1} of a burst of 5")
    s.expect(s.call("bucket", bucket, "try_acquire"), False, "bucket.try_acquire()",
             "the burst of 5 used every token and the clock has not moved")
    expect_tokens(s, bucket, 0)


def test_tokens_refill_continuously() -> None:
    """tokens come back at rate per second, fractions included (0.25 s at 2/s is half a token)"""
    clock = FakeClock()
    s = Script()
    bucket = s.new("bucket", TokenBucket, 2, 3, clock)
    for _ in range(3):
        s.call("bucket", bucket, "try_acquire")
    clock.advance(0.25)
    s.note("clock.advance(0.25)")
    expect_tokens(s, bucket, 0.5, "0.25 s at 2 tokens per second")
    s.expect(s.call("bucket", bucket, "try_acquire"), False, "bucket.try_acquire()",
             "only half a token is there")
    expect_tokens(s, bucket, 0.5, "a refused request takes nothing")
    clock.advance(0.25)
    s.note("clock.advance(0.25)")
    s.expect(s.call("bucket", bucket, "try_acquire"), True, "bucket.try_acquire()",
             "0.5 s at 2/s is one whole token")
    clock.advance(0.125)
    s.note("clock.advance(0.125)")
    s.expect(s.call("bucket", bucket, "try_acquire", 0.25), True, "bucket.try_acquire(0.25)",
             "0.125 s at 2/s is a quarter of a token")
    expect_tokens(s, bucket, 0)


def test_requests_take_all_or_nothing() -> None:
    """a request for more tokens than are there takes none; more than capacity is refused"""
    clock = FakeClock()
    s = Script()
    bucket = s.new("bucket", TokenBucket, 1, 2.5, clock)
    s.expect(s.call("bucket", bucket, "try_acquire", 3), False, "bucket.try_acquire(3)",
             "3 is more than the capacity of 2.5")
    expect_tokens(s, bucket, 2.5, "a refused request takes nothing")
    s.expect(s.call("bucket", bucket, "try_acquire", 2), True, "bucket.try_acquire(2)")
    s.expect(s.call("bucket", bucket, "try_acquire", 1), False, "bucket.try_acquire(1)",
             "only 0.5 is left")
    expect_tokens(s, bucket, 0.5, "a refused request takes nothing, not even a part")
    s.expect(s.call("bucket", bucket, "try_acquire", 0.5), True, "bucket.try_acquire(0.5)")


def test_wait_time_says_when_a_request_will_succeed() -> None:
    """wait_time: 0 when the tokens are there, else (missing tokens) / rate; it takes nothing"""
    clock = FakeClock()
    s = Script()
    bucket = s.new("bucket", TokenBucket, 4, 2, clock)
    expect_wait(s, bucket, 2, 0, "the bucket is full")
    s.call("bucket", bucket, "try_acquire", 2)
    expect_wait(s, bucket, 1, 0.25, "1 token at 4 per second")
    expect_wait(s, bucket, 2, 0.5, "2 tokens at 4 per second")
    expect_tokens(s, bucket, 0, "wait_time takes nothing")
    clock.advance(0.125)
    s.note("clock.advance(0.125)")
    expect_wait(s, bucket, 1, 0.125, "half a token is there; the other half takes 0.125 s")
    clock.advance(0.125)
    s.note("clock.advance(0.125)")
    expect_wait(s, bucket, 1, 0, "one token is there now")
    s.expect(s.call("bucket", bucket, "try_acquire"), True, "bucket.try_acquire()")


def test_waiting_wait_time_is_enough() -> None:
    """after waiting exactly wait_time(n) seconds, try_acquire(n) succeeds"""
    clock = FakeClock()
    s = Script()
    bucket = s.new("bucket", TokenBucket, 8, 4, clock)
    for tokens in (4, 1, 3, 0.5, 2, 4):
        admitted = s.call("bucket", bucket, "try_acquire", tokens)
        if type(admitted) is not bool:
            fail(f"bucket.try_acquire({tokens}) gave {show(admitted)}; expected True or False.",
                 s)
        if not admitted:
            wait = s.call("bucket", bucket, "wait_time", tokens)
            clock.advance(float(wait))
            s.note(f"clock.advance({float(wait)!r})")
            s.expect(s.call("bucket", bucket, "try_acquire", tokens), True,
                     f"bucket.try_acquire({tokens})", "after waiting what wait_time said")


def test_time_comes_from_the_injected_clock() -> None:
    """the bucket reads time only from clock, which may start anywhere"""
    for start in (0.0, 1_000_000.0):
        clock = FakeClock(start)
        s = Script()
        s.note(f"clock = FakeClock({start})")
        bucket = s.new("bucket", TokenBucket, 1, 1, clock)
        s.expect(s.call("bucket", bucket, "try_acquire"), True, "bucket.try_acquire()")
        s.expect(s.call("bucket", bucket, "try_acquire"), False, "bucket.try_acquire()",
                 "the injected clock has not moved")
        clock.advance(1)
        s.note("clock.advance(1)")
        s.expect(s.call("bucket", bucket, "try_acquire"), True, "bucket.try_acquire()",
                 "one second on the injected clock refills one token")


def test_invalid_arguments_raise_value_error() -> None:
    """rate or capacity <= 0, a negative request, or wait_time beyond capacity: ValueError"""
    s = Script()
    for rate, capacity in ((0, 1), (-1, 1), (1, 0), (1, -2)):
        s.note(f"TokenBucket({rate}, {capacity})")
        try:
            TokenBucket(rate, capacity, FakeClock())
        except ValueError:
            continue
        except Exception as exc:  # noqa: BLE001 - the wrong error is the learner's mistake
            fail(f"TokenBucket({rate}, {capacity}) raised {type(exc).__name__}; expected "
                 "ValueError.", s)
        fail(f"TokenBucket({rate}, {capacity}) was accepted; rate and capacity must be > 0.", s)
    bucket = s.new("bucket", TokenBucket, 1, 2, FakeClock())
    s.expect_raises(ValueError, "bucket", bucket, "try_acquire", -1)
    s.expect_raises(ValueError, "bucket", bucket, "try_acquire", -0.5)
    s.expect_raises(ValueError, "bucket", bucket, "wait_time", 3)
    expect_tokens(s, bucket, 2, "nothing was taken")


def test_a_hair_short_is_still_short() -> None:
    """one 1/512 s tick before the last token is back (a deficit of 6e-8 at the slowest
    rate), the request is refused; one tick later it succeeds"""
    for rate in (1.0, 2.0**-10, 2.0**-15):
        clock = FakeClock()
        s = Script()
        bucket = s.new("bucket", TokenBucket, rate, 1, clock)
        s.call("bucket", bucket, "try_acquire")
        almost = 1 / rate - 1 / 512
        clock.advance(almost)
        s.note(f"clock.advance({almost!r})  # {rate * almost!r} tokens back")
        s.expect(s.call("bucket", bucket, "try_acquire"), False, "bucket.try_acquire()",
                 f"only {rate * almost!r} of the token is back: no rounding in the "
                 "request's favour")
        clock.advance(1 / 512)
        s.note("clock.advance(1 / 512)")
        s.expect(s.call("bucket", bucket, "try_acquire"), True, "bucket.try_acquire()",
                 "the whole token is back now")
