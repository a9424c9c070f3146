"""Level 2: tokens never exceed capacity, and a clock that steps backwards adds nothing: the
bucket counts time from the latest reading it has seen, so the time the clock spends catching
up again adds nothing either."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rate_limiter import TokenBucket

from grader.checks import FakeClock, Script, fail, show, written
from grader.oracles.token_bucket import STEP, close, slack

pytestmark = [pytest.mark.level(2), pytest.mark.points(2)]


def read_tokens(s: Script, bucket: TokenBucket) -> Fraction:
    actual = s.observe("bucket.tokens", lambda: bucket.tokens)
    s.note(f"bucket.tokens  # -> {show(actual)}")
    try:
        return Fraction(actual)
    except (TypeError, ValueError):
        fail(f"bucket.tokens gave {show(actual)}, not a number.", s)


def test_never_above_capacity_after_a_long_idle() -> None:
    """after an hour idle, a bucket holds exactly capacity, not rate × an hour"""
    clock = FakeClock()
    s = Script()
    bucket = s.new("bucket", TokenBucket, 8, 4, clock)
    s.call("bucket", bucket, "try_acquire", 3)
    clock.advance(3600)
    s.note("clock.advance(3600)")
    s.call("bucket", bucket, "wait_time", 4)
    tokens = read_tokens(s, bucket)
    if not close(tokens, Fraction(4), 4):
        fail(f"bucket.tokens gave {show(float(tokens))}, expected 4: the bucket refills up to "
             "its capacity and no further.", s)
    s.expect(s.call("bucket", bucket, "try_acquire", 4), True, "bucket.try_acquire(4)")
    s.expect(s.call("bucket", bucket, "try_acquire", 1), False, "bucket.try_acquire(1)",
             "the 4 tokens were all the bucket could hold")


def test_cap_applies_after_the_refill() -> None:
    """capacity caps the sum of what was left and what refilled"""
    clock = FakeClock()
    s = Script()
    bucket = s.new("bucket", TokenBucket, 1, 2, clock)
    s.call("bucket", bucket, "try_acquire", 0.5)
    clock.advance(1)
    s.note("clock.advance(1)")
    tokens = read_tokens(s, bucket)
    if not close(tokens, Fraction(2), 2):
        fail(f"bucket.tokens gave {show(float(tokens))}, expected 2: 1.5 left plus 1 refilled "
             "is 2.5, capped at the capacity of 2.", s)


def test_a_clock_stepping_back_adds_nothing() -> None:
    """the clock steps back 50 s and returns: no token is added on the way back or forth"""
    clock = FakeClock(100.0)
    s = Script()
    bucket = s.new("bucket", TokenBucket, 1, 3, clock)
    for _ in range(3):
        s.call("bucket", bucket, "try_acquire")
    clock.now = 50.0
    s.note("clock.now = 50.0  # the clock steps back")
    tokens = read_tokens(s, bucket)
    if tokens > slack(3):
        fail(f"bucket.tokens gave {show(float(tokens))} after the clock stepped back; it was "
             "empty, and going back in time adds nothing.", s)
    clock.now = 100.0
    s.note("clock.now = 100.0  # back where it was")
    s.expect(s.call("bucket", bucket, "try_acquire"), False, "bucket.try_acquire()",
             "the bucket was emptied at 100.0 and the clock is at 100.0 again; counting "
             "50.0 -> 100.0 again would mint 50 tokens that never accrued")
    clock.now = 100.5
    s.note("clock.now = 100.5")
    tokens = read_tokens(s, bucket)
    if not close(tokens, Fraction(1, 2), 1):
        fail(f"bucket.tokens gave {show(float(tokens))}, expected 0.5: half a second has "
             "passed since the latest reading of 100.0.", s)


def test_a_full_bucket_stays_full_when_the_clock_steps_back() -> None:
    """stepping back never takes a bucket above capacity"""
    clock = FakeClock(1000.0)
    s = Script()
    bucket = s.new("bucket", TokenBucket, 4, 2, clock)
    for now in (900.0, 1000.0, 999.0, 5000.0, 4000.0, 5000.0):
        clock.now = now
        s.note(f"clock.now = {now}")
        tokens = read_tokens(s, bucket)
        if tokens > 2 + slack(2):
            fail(f"bucket.tokens gave {show(float(tokens))}, above the capacity of 2.", s)




@pytest.fixture
def bucket_written() -> None:
    written(lambda: TokenBucket(2, 3, FakeClock()).try_acquire(1))


@pytest.mark.usefixtures("bucket_written")
@settings(max_examples=100)
@given(moves=st.lists(st.tuples(st.integers(-2048, 2048), st.sampled_from([0.5, 1, 2, 3])),
                      min_size=1, max_size=40))
@pytest.mark.points(3)
def test_no_schedule_with_backward_steps_mints_tokens(moves: list[tuple[int, float]]) -> None:
    """random clock jumps, backwards too: admitted <= capacity + rate × (latest time - start)"""
    rate, capacity = 2, 3
    clock = FakeClock()
    start = latest = clock.now
    s = Script()
    bucket = s.new("bucket", TokenBucket, rate, capacity, clock)
    admitted = Fraction(0)
    for steps, tokens in moves:
        clock.now += steps * STEP
        s.note(f"clock.now = {clock.now!r}")
        latest = max(latest, clock.now)
        decision = s.call("bucket", bucket, "try_acquire", tokens)
        if type(decision) is not bool:
            fail(f"bucket.try_acquire({tokens}) gave {show(decision)}; expected True or False.",
                 s)
        if decision:
            admitted += Fraction(tokens)
        ceiling = capacity + rate * (Fraction(latest) - Fraction(start))
        if admitted > ceiling + slack(ceiling):
            fail(f"the bucket admitted {float(admitted)} tokens in all, but the clock has never "
                 f"been past {latest!r}, {latest - start!r} s after the start: at most "
                 f"{capacity} + {rate} × {latest - start!r} = {float(ceiling)} could have "
                 "accrued. A step back must not let the bucket count the same time twice.", s)
        tokens_now = read_tokens(s, bucket)
        if tokens_now > capacity + slack(capacity) or tokens_now < -slack(capacity):
            fail(f"bucket.tokens gave {show(float(tokens_now))}; it must stay between 0 and "
                 f"the capacity of {capacity}.", s)
