"""Examples of the LRU cache rules. Run them with: pytest katas/lru-cache"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # find lru_cache.py from any directory

from lru_cache import LRUCache


class FakeClock:
    """A clock that only moves when the test says so."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_get_and_put() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    assert cache.get("a") == 1
    assert cache.get("missing") is None
    assert cache.get("missing", -1) == -1
    assert len(cache) == 1
    assert "a" in cache


def test_least_recently_used_entry_is_evicted() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")  # "a" is now more recent than "b"
    cache.put("c", 3)  # over capacity: "b" goes
    assert cache.keys() == ["a", "c"]
    assert "b" not in cache


def test_peek_and_in_do_not_change_recency() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.peek("a") == 1
    assert "a" in cache
    cache.put("c", 3)  # "a" is still the least recently used
    assert cache.keys() == ["b", "c"]


def test_update_refreshes_recency_without_evicting() -> None:
    evicted: list[tuple[str, int]] = []
    cache: LRUCache[str, int] = LRUCache(2, on_evict=lambda k, v: evicted.append((k, v)))
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)  # an update, not a new entry
    assert evicted == []
    assert cache.keys() == ["b", "a"]
    cache.put("c", 3)
    assert evicted == [("b", 2)]
    assert cache.get("a") == 10


def test_capacity_zero_and_negative() -> None:
    evicted: list[tuple[str, int]] = []
    cache: LRUCache[str, int] = LRUCache(0, on_evict=lambda k, v: evicted.append((k, v)))
    cache.put("a", 1)
    assert len(cache) == 0
    assert cache.get("a") is None
    assert evicted == []
    with pytest.raises(ValueError):  # noqa: PT011 (any message will do)
        LRUCache(-1)


def test_entry_expires_exactly_at_put_time_plus_ttl() -> None:
    clock = FakeClock(100.0)
    cache: LRUCache[str, int] = LRUCache(3, ttl=5.0, clock=clock)
    cache.put("a", 1)  # expires at 105.0
    cache.put("b", 2, ttl=60.0)  # its own ttl wins: expires at 160.0
    clock.now = 104.5
    assert cache.get("a") == 1
    clock.now = 105.0
    assert cache.get("a") is None
    assert "a" not in cache
    assert len(cache) == 1
    assert cache.keys() == ["b"]


def test_expired_entries_make_room_before_live_ones_are_evicted() -> None:
    clock = FakeClock()
    evicted: list[tuple[str, int]] = []
    cache: LRUCache[str, int] = LRUCache(
        2, clock=clock, on_evict=lambda k, v: evicted.append((k, v))
    )
    cache.put("old", 1)  # no ttl: lives forever
    cache.put("short", 2, ttl=1.0)
    clock.now = 2.0  # "short" has expired
    cache.put("new", 3)
    assert cache.keys() == ["old", "new"]
    assert evicted == []  # expiry is not an eviction
