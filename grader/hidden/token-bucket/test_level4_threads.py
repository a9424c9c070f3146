"""Level 4: thread safety. 32 threads are released together by a barrier, with a tiny switch
interval, and every thread yields before each line it runs in your module, so a thread switch
can land between any two lines of your code: between the check and the subtraction, or in the
middle of a refill."""

from __future__ import annotations

from fractions import Fraction

import pytest
import rate_limiter as subject
from rate_limiter import TokenBucket

from grader.checks import FakeClock, fail, run_threads, show
from grader.oracles.token_bucket import TickingClock, slack

pytestmark = [pytest.mark.level(4), pytest.mark.points(4)]

THREADS = 32


def acquired(bucket: TokenBucket) -> bool:
    """``bucket.try_acquire()``, which must answer True or False (any other object would
    decide by its own truthiness)."""
    decision = bucket.try_acquire()
    if type(decision) is not bool:
        fail(f"bucket.try_acquire() gave {show(decision)}; expected True or False.")
    return decision


def test_frozen_clock_admits_exactly_capacity() -> None:
    """32 threads, 4 requests each, on a frozen clock: exactly capacity (50) succeed"""
    bucket = TokenBucket(1, 50, FakeClock())
    admitted = [0] * THREADS

    def work(t: int) -> None:
        for _ in range(4):
            if acquired(bucket):
                admitted[t] += 1
            bucket.tokens  # noqa: B018 - readers run alongside the writers
            bucket.wait_time()

    run_threads(THREADS, work, yield_in=subject)
    total = sum(admitted)
    if total != 50:
        fail(f"{THREADS} threads each called try_acquire() 4 times on TokenBucket(1, 50) with "
             f"a frozen clock; {total} requests succeeded, expected exactly 50. "
             + ("More than the capacity: two threads saw the same token and both took it; "
                "refill, check and take must happen under one lock." if total > 50 else
                "Fewer than the capacity: an update was lost in a race."))
    left = bucket.tokens
    if abs(Fraction(left)) > slack(50):
        fail(f"after {total} successful requests bucket.tokens is {left!r}, expected 0.")


def test_moving_clock_never_admits_more_than_accrued() -> None:
    """32 threads acquiring and reading tokens and wait_time on a clock that ticks with every
    read: admitted <= capacity + rate × elapsed"""
    clock = TickingClock()
    start = clock.now
    bucket = TokenBucket(16, 8, clock)
    admitted = [0] * THREADS

    def work(t: int) -> None:
        for i in range(12):
            if acquired(bucket):
                admitted[t] += 1
            if i % 2:  # reads refill too: they race with the writers as much as writes do
                bucket.tokens  # noqa: B018
            else:
                bucket.wait_time()

    run_threads(THREADS, work, yield_in=subject)
    total = sum(admitted)
    elapsed = Fraction(clock.now) - Fraction(start)
    ceiling = 8 + 16 * elapsed
    if total > ceiling + slack(ceiling):
        fail(f"{THREADS} threads shared TokenBucket(16, 8) on a clock that ticked "
             f"{float(elapsed):.4f} s in all; {total} requests succeeded, but at most "
             f"8 + 16 × {float(elapsed):.4f} = {float(ceiling):.2f} tokens ever existed. Two "
             "threads refilled from the same starting point and both added the same time.")
