"""Token bucket kata: allow bursts up to a capacity, and a steady rate after that.

Fill in every method below. The README explains the rules and the five levels.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable


class TokenBucket:
    """A bucket of at most `capacity` tokens that refills continuously at `rate` tokens per
    second. It starts full. A request takes tokens if they are all there, else none.

    Time comes only from `clock`. A clock that steps backwards adds nothing: the bucket
    counts time from the latest reading it has seen.

    The bucket must be safe to use from many threads at once.
    """

    def __init__(
        self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """rate: tokens added per second; capacity: the most tokens the bucket holds.
        Raise ValueError unless both are > 0.

        clock: a zero-argument callable returning the current time in seconds (float).
            Always read the time through it, never through the time module directly.
        """
        raise NotImplementedError

    def try_acquire(self, tokens: float = 1) -> bool:
        """Take `tokens` and return True if that many are available now; otherwise take
        nothing and return False. More than capacity: False. Negative: ValueError."""
        raise NotImplementedError

    def wait_time(self, tokens: float = 1) -> float:
        """Seconds from now until try_acquire(tokens) would succeed: 0.0 if it would now.
        Takes nothing. More than capacity: ValueError (it would never succeed)."""
        raise NotImplementedError

    @property
    def tokens(self) -> float:
        """The tokens available now (after refilling for the time since the last call)."""
        raise NotImplementedError


class RateLimiter:
    """One token bucket per client key (an IP address, an API key, a user id...).

    It never holds more than `max_keys` buckets. When it is full and a new key arrives, it
    first drops buckets that have refilled to capacity (a full bucket is the same as a new
    one), and only if there are none, the least recently used bucket.
    """

    def __init__(
        self,
        rate: float,
        capacity: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        """Every key gets a TokenBucket(rate, capacity, clock), created on first use."""
        raise NotImplementedError

    def allow(self, key: Hashable, tokens: float = 1) -> bool:
        """try_acquire(tokens) on `key`'s bucket; this counts as a use of the key."""
        raise NotImplementedError

    def __len__(self) -> int:
        """The number of buckets held, never more than max_keys."""
        raise NotImplementedError
