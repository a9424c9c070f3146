"""The token bucket's oracle: an exact model in ``Fraction``s, with the tolerance the kata
grants float arithmetic at boundaries.

The model is the textbook bucket; the GCRA (one theoretical arrival time instead of a token
count) makes the same decisions for a clock that never steps back. Times in the checks are
exact binary fractions (multiples of 1/512 s, whole nanoseconds too), so floats, Fractions and
integer nanoseconds all agree with it except within ``TOLERANCE`` of a boundary, where either
answer is accepted and the model follows the answer it got.
"""

from __future__ import annotations

import threading
from fractions import Fraction

TOLERANCE = Fraction(1, 10**9)  # relative, per the kata's contract
STEP = 1 / 512  # the checks' clock grid: exact in floats and in whole nanoseconds

Number = int | float | Fraction


def slack(scale: Number) -> Fraction:
    """The tolerance around a boundary at ``scale`` (1e-9 relative, at least 1e-9)."""
    return TOLERANCE * max(Fraction(1), abs(Fraction(scale)))


class BucketModel:
    """Tokens and the latest clock reading, refilled lazily; exact."""

    def __init__(self, rate: Number, capacity: Number, now: Number) -> None:
        self.rate = Fraction(rate)
        self.capacity = Fraction(capacity)
        self.tokens = self.capacity
        self.last = Fraction(now)
        self.start = self.last
        self.admitted = Fraction(0)
        self.leeway = Fraction(0)  # what boundary decisions admitted beyond the exact tokens

    def refill(self, now: Number) -> Fraction:
        now = Fraction(now)
        if now > self.last:
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
            self.last = now
        return self.tokens

    def decision(self, tokens: Number, now: Number) -> bool | None:
        """Whether ``try_acquire(tokens)`` succeeds now; None where either answer is accepted."""
        tokens = Fraction(tokens)
        if tokens > self.capacity:
            return False
        available = self.refill(now)
        if abs(available - tokens) <= slack(self.capacity):
            return None
        return available >= tokens

    def follow(self, tokens: Number, admitted: bool) -> None:
        """Apply the answer the learner's bucket gave (it matched, or was free to choose)."""
        if admitted:
            # Admitting a hair more than was there, at a boundary, is allowed: the model
            # follows (its tokens go a hair below 0) and the ceiling grows by that hair.
            self.leeway += max(Fraction(0), Fraction(tokens) - self.tokens)
            self.tokens -= Fraction(tokens)
            self.admitted += Fraction(tokens)

    def wait(self, tokens: Number, now: Number) -> Fraction:
        return max(Fraction(0), (Fraction(tokens) - self.refill(now)) / self.rate)

    def ceiling(self) -> Fraction:
        """The most that may have been admitted so far: capacity + rate × elapsed (plus what
        boundary decisions were allowed to admit)."""
        return self.capacity + self.rate * (self.last - self.start) + self.leeway


def close(actual: Number, expected: Fraction, scale: Number) -> bool:
    """Whether a reported number matches the exact one within the tolerance."""
    try:
        return abs(Fraction(actual) - expected) <= slack(scale)
    except (TypeError, ValueError):
        return False


class TickingClock:
    """A clock whose every reading is one grid step after the previous one, whichever thread
    reads it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            self.now += STEP
            return self.now
