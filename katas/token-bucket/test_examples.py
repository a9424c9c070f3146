"""Examples of the token bucket rules. Run them with: pytest katas/token-bucket"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # find rate_limiter.py from any directory

from rate_limiter import RateLimiter, TokenBucket


class FakeClock:
    """A clock that only moves when the test says so."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_burst_then_refill() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2, capacity=3, clock=clock)
    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]
    clock.now = 0.25  # a quarter second at 2 tokens per second
    assert bucket.tokens == pytest.approx(0.5)
    assert not bucket.try_acquire()
    assert bucket.wait_time() == pytest.approx(0.25)
    clock.now = 0.5
    assert bucket.try_acquire()


def test_all_or_nothing() -> None:
    bucket = TokenBucket(rate=1, capacity=2.5, clock=FakeClock())
    assert not bucket.try_acquire(3)  # more than the capacity: never
    assert bucket.try_acquire(2)
    assert not bucket.try_acquire(1)  # 0.5 left: takes nothing
    assert bucket.tokens == pytest.approx(0.5)


def test_never_above_capacity_and_time_only_moves_forward() -> None:
    clock = FakeClock(100.0)
    bucket = TokenBucket(rate=1, capacity=3, clock=clock)
    assert bucket.try_acquire(3)
    clock.now = 50.0  # the clock steps back: nothing is added
    assert bucket.tokens == pytest.approx(0)
    clock.now = 100.0  # back where it was: still nothing, that time was already counted
    assert not bucket.try_acquire()
    clock.now = 10_000.0
    assert bucket.tokens == pytest.approx(3)


def test_errors() -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (any message will do)
        TokenBucket(rate=0, capacity=1)
    bucket = TokenBucket(rate=1, capacity=2, clock=FakeClock())
    with pytest.raises(ValueError):  # noqa: PT011
        bucket.try_acquire(-1)
    with pytest.raises(ValueError):  # noqa: PT011
        bucket.wait_time(3)


def test_keyed_limiter() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=1, capacity=2, clock=clock, max_keys=2)
    assert [limiter.allow("10.0.0.1") for _ in range(3)] == [True, True, False]
    assert limiter.allow("10.0.0.2")  # a bucket of its own
    assert len(limiter) == 2
    assert limiter.allow("10.0.0.3")  # full: the least recently used bucket goes
    assert len(limiter) <= 2
