"""Level 3: on_evict is called once per entry evicted to make room, and entries expire at
clock() >= t + ttl on an injected clock (times here are exact binary fractions)."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from lru_cache import LRUCache

from grader.checks import FakeClock, Recorder, Script, machine_test

pytestmark = pytest.mark.level(3)

TTLS = st.sampled_from([None, 0.5, 1.0, 2.0, 3.25])


class ExpiringLRUModel(RuleBasedStateMachine):
    """Random calls with ttl, a moving clock and on_evict, compared with a model."""

    def __init__(self) -> None:
        super().__init__()
        self.script = Script()
        self.clock = FakeClock()
        self.evicted = Recorder("on_evict")
        self.expected_evictions: list[tuple[object, ...]] = []
        self.model: OrderedDict[int, tuple[str, float | None]] = OrderedDict()
        self.cache: object = None
        self.capacity = 0
        self.default_ttl: float | None = None

    @initialize(capacity=st.integers(0, 3), ttl=TTLS)
    def create(self, capacity: int, ttl: float | None) -> None:
        self.capacity, self.default_ttl = capacity, ttl
        self.script.note("clock = FakeClock()  # a fake clock, now 1000.0")
        self.script.note("on_evict = <records every call>")
        self.cache = self.script.new("cache", LRUCache, capacity, ttl=ttl, clock=self.clock,
                                     on_evict=self.evicted)

    def expire(self) -> None:
        now = self.clock.now
        for key in [k for k, (_, exp) in self.model.items() if exp is not None and now >= exp]:
            del self.model[key]

    @rule(seconds=st.sampled_from([0.25, 0.5, 1.0, 1.75]))
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.script.note(f"clock.advance({seconds})  # now {self.clock.now}")

    @rule(key=st.integers(0, 4), value=st.sampled_from("abcdef"), ttl=TTLS)
    def put(self, key: int, value: str, ttl: float | None) -> None:
        args: tuple[object, ...] = (key, value) if ttl is None else (key, value, ttl)
        self.script.call("cache", self.cache, "put", *args)
        self.expire()
        if self.capacity == 0:
            return
        effective = ttl if ttl is not None else self.default_ttl
        self.model[key] = (value, None if effective is None else self.clock.now + effective)
        self.model.move_to_end(key)
        if len(self.model) > self.capacity:
            old_key, (old_value, _) = self.model.popitem(last=False)
            self.expected_evictions.append((old_key, old_value))
        self.script.expect(self.evicted.calls, self.expected_evictions,
                           "the on_evict calls so far, as (key, value)")

    @rule(key=st.integers(0, 4))
    def get(self, key: int) -> None:
        actual = self.script.call("cache", self.cache, "get", key)
        self.expire()
        expected = self.model[key][0] if key in self.model else None
        if key in self.model:
            self.model.move_to_end(key)
        self.script.expect(actual, expected, f"cache.get({key!r})")

    @rule(key=st.integers(0, 4))
    def peek(self, key: int) -> None:
        actual = self.script.call("cache", self.cache, "peek", key)
        self.expire()
        expected = self.model[key][0] if key in self.model else None
        self.script.expect(actual, expected, f"cache.peek({key!r})")

    @rule(key=st.integers(0, 4))
    def contains(self, key: int) -> None:
        actual = self.script.observe(f"{key!r} in cache", lambda: key in self.cache)  # type: ignore[operator]
        self.script.note(f"{key!r} in cache  # -> {actual!r}")
        self.expire()
        self.script.expect(actual, key in self.model, f"{key!r} in cache")

    @invariant()
    def size_order_and_evictions(self) -> None:
        if self.cache is None:
            return
        self.expire()
        size = self.script.observe("len(cache)", len, self.cache)
        self.script.expect(size, len(self.model), "then len(cache)", "expired entries are absent")
        keys = self.script.observe("list(cache.keys())", lambda: list(self.cache.keys()))  # type: ignore[attr-defined]
        self.script.expect(keys, list(self.model), "then list(cache.keys())",
                           "live entries, least recently used first")
        self.script.expect(self.evicted.calls, self.expected_evictions,
                           "the on_evict calls so far, as (key, value)")


TestExpiringLRUModel = machine_test(ExpiringLRUModel, points=4, max_examples=80, steps=30)


def new_cache(s: Script, capacity: int, **kwargs: object) -> tuple[object, FakeClock, Recorder]:
    clock, evicted = FakeClock(), Recorder("on_evict")
    s.note("clock = FakeClock()  # now 1000.0")
    cache = s.new("cache", LRUCache, capacity, clock=clock, on_evict=evicted, **kwargs)
    return cache, clock, evicted


def advance(s: Script, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    s.note(f"clock.advance({seconds})  # now {clock.now}")


def test_on_evict_once_per_eviction_in_lru_order() -> None:
    """on_evict(key, value) runs once for each evicted entry, least recently used first"""
    s = Script()
    cache, _, evicted = new_cache(s, 2)
    for key, value in (("a", 1), ("b", 2), ("c", 3), ("d", 4)):
        s.call("cache", cache, "put", key, value)
    s.expect(evicted.calls, [("a", 1), ("b", 2)], "the on_evict calls, as (key, value)")


def test_update_is_not_an_eviction() -> None:
    """updating an existing key does not call on_evict"""
    s = Script()
    cache, _, evicted = new_cache(s, 2)
    s.call("cache", cache, "put", "a", 1)
    s.call("cache", cache, "put", "b", 2)
    s.call("cache", cache, "put", "a", 3)
    s.call("cache", cache, "put", "b", 4)
    s.expect(evicted.calls, [], "the on_evict calls, as (key, value)",
             "updates replace a value; nothing is evicted")


def test_capacity_zero_calls_nothing() -> None:
    """capacity 0: put stores nothing and calls nothing"""
    s = Script()
    cache, _, evicted = new_cache(s, 0, ttl=1.0)
    s.call("cache", cache, "put", "a", 1)
    s.expect(evicted.calls, [], "the on_evict calls")
    s.expect(s.observe("len(cache)", len, cache), 0, "len(cache)")


def test_expiry_boundary_is_inclusive() -> None:
    """an entry put at t with ttl expires exactly when clock() >= t + ttl"""
    s = Script()
    cache, clock, _ = new_cache(s, 4, ttl=2.0)
    s.call("cache", cache, "put", "a", 1)
    advance(s, clock, 1.96875)
    s.expect(s.call("cache", cache, "get", "a"), 1, "cache.get('a')", "1.96875 s < ttl 2.0")
    advance(s, clock, 0.03125)
    s.expect(s.call("cache", cache, "get", "a"), None, "cache.get('a')",
             "at exactly t + ttl the entry has expired")


@pytest.mark.parametrize("view", ["get", "peek", "in", "len", "keys"])
def test_expired_entries_are_absent_everywhere(view: str) -> None:
    """an expired entry is absent from get, peek, in, len and keys"""
    s = Script()
    cache, clock, _ = new_cache(s, 4)
    s.call("cache", cache, "put", "old", 1, 1.0)
    s.call("cache", cache, "put", "new", 2, 5.0)
    advance(s, clock, 1.0)
    if view == "get":
        s.expect(s.call("cache", cache, "get", "old"), None, "cache.get('old')")
    elif view == "peek":
        s.expect(s.call("cache", cache, "peek", "old"), None, "cache.peek('old')")
    elif view == "in":
        s.expect(s.observe("'old' in cache", lambda: "old" in cache), False, "'old' in cache")
    elif view == "len":
        s.expect(s.observe("len(cache)", len, cache), 1, "len(cache)")
    else:
        s.expect(list(s.call("cache", cache, "keys")), ["new"], "list(cache.keys())")


def test_per_entry_ttl_overrides_default() -> None:
    """a per-entry ttl overrides the cache's default, longer or shorter"""
    s = Script()
    cache, clock, _ = new_cache(s, 4, ttl=2.0)
    s.call("cache", cache, "put", "short", 1, 0.5)
    s.call("cache", cache, "put", "long", 2, 8.0)
    s.call("cache", cache, "put", "default", 3)
    advance(s, clock, 0.5)
    s.expect(s.call("cache", cache, "peek", "short"), None, "cache.peek('short')")
    advance(s, clock, 1.5)
    s.expect(s.call("cache", cache, "peek", "default"), None, "cache.peek('default')")
    s.expect(s.call("cache", cache, "peek", "long"), 2, "cache.peek('long')")
    advance(s, clock, 6.0)
    s.expect(s.call("cache", cache, "peek", "long"), None, "cache.peek('long')")


def test_no_ttl_never_expires() -> None:
    """without any ttl, entries never expire"""
    s = Script()
    cache, clock, _ = new_cache(s, 2)
    s.call("cache", cache, "put", "a", 1)
    advance(s, clock, 1e9)
    s.expect(s.call("cache", cache, "get", "a"), 1, "cache.get('a')")


def test_put_again_restarts_the_ttl_but_get_does_not() -> None:
    """putting a key again restarts its ttl; get does not extend it"""
    s = Script()
    cache, clock, _ = new_cache(s, 2, ttl=2.0)
    s.call("cache", cache, "put", "a", 1)
    advance(s, clock, 1.5)
    s.call("cache", cache, "put", "a", 2)
    advance(s, clock, 1.5)
    s.expect(s.call("cache", cache, "get", "a"), 2, "cache.get('a')",
             "the second put at t=1001.5 set a new expiry, 1003.5")
    advance(s, clock, 0.5)
    s.expect(s.call("cache", cache, "get", "a"), None, "cache.get('a')",
             "get does not extend the ttl")


@pytest.mark.parametrize("expired_first", [True, False])
def test_expired_entry_makes_room_before_eviction(expired_first: bool) -> None:
    """a full cache drops expired entries (silently) before evicting a live one"""
    s = Script()
    cache, clock, evicted = new_cache(s, 2)
    if expired_first:
        s.call("cache", cache, "put", "gone", 0, 1.0)
        s.call("cache", cache, "put", "live", 1)
    else:
        s.call("cache", cache, "put", "live", 1)
        s.call("cache", cache, "put", "gone", 0, 1.0)
    advance(s, clock, 1.0)
    s.call("cache", cache, "put", "new", 2)
    s.expect(evicted.calls, [], "the on_evict calls",
             "'gone' expired (no on_evict), which left room for 'new'")
    s.expect(list(s.call("cache", cache, "keys")), ["live", "new"], "list(cache.keys())")


def test_update_without_ttl_uses_the_default() -> None:
    """a put without ttl uses the cache's default, even when the key had its own ttl before"""
    for default in (None, 4.0):
        s = Script()
        cache, clock, _ = new_cache(s, 2, ttl=default)
        s.call("cache", cache, "put", "a", 1, 1.0)
        s.call("cache", cache, "put", "a", 2)
        advance(s, clock, 2.0)
        s.expect(s.call("cache", cache, "get", "a"), 2, "cache.get('a')",
                 "the second put had no ttl, so the cache's default applies, not the first 1.0")
        if default is not None:
            advance(s, clock, 2.0)
            s.expect(s.call("cache", cache, "get", "a"), None, "cache.get('a')",
                     "the default ttl 4.0 has passed since the second put")


def test_expiring_keys_of_unorderable_types() -> None:
    """keys that cannot be ordered against each other (str, int, tuple, None) may share an expiry"""
    s = Script()
    cache, clock, evicted = new_cache(s, 3, ttl=2.0)
    keys: list[object] = ["a", 1, ("t", 2), None, frozenset({3})]
    for i, key in enumerate(keys):
        s.call("cache", cache, "put", key, i)
    s.expect(evicted.calls, [("a", 0), (1, 1)], "the on_evict calls, as (key, value)")
    s.expect(s.call("cache", cache, "get", ("t", 2)), 2, "cache.get(('t', 2))")
    advance(s, clock, 2.0)
    s.expect(s.observe("len(cache)", len, cache), 0, "len(cache)", "every entry has expired")
    s.expect(evicted.calls, [("a", 0), (1, 1)], "the on_evict calls, as (key, value)")
