"""Level 1: get, put, peek, in, len and keys behave like an OrderedDict model of an LRU cache."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from lru_cache import LRUCache

from grader.checks import Script, fail, machine_test

pytestmark = pytest.mark.level(1)

MISSING = "<missing>"


class LRUModel(RuleBasedStateMachine):
    """Random sequences of calls, compared after every step with an OrderedDict model."""

    def __init__(self) -> None:
        super().__init__()
        self.script = Script()
        self.model: OrderedDict[int, str] = OrderedDict()
        self.capacity = 0
        self.cache: object = None

    @initialize(capacity=st.integers(0, 4))
    def create(self, capacity: int) -> None:
        self.capacity = capacity
        self.cache = self.script.new("cache", LRUCache, capacity)

    @rule(key=st.integers(0, 5), value=st.sampled_from("abcdefgh"))
    def put(self, key: int, value: str) -> None:
        self.script.call("cache", self.cache, "put", key, value)
        if self.capacity == 0:
            return
        self.model[key] = value
        self.model.move_to_end(key)
        if len(self.model) > self.capacity:
            self.model.popitem(last=False)

    @rule(key=st.integers(0, 5), default=st.sampled_from([None, MISSING]))
    def get(self, key: int, default: str | None) -> None:
        args = (key,) if default is None else (key, default)
        actual = self.script.call("cache", self.cache, "get", *args)
        expected = self.model.get(key, default)
        if key in self.model:
            self.model.move_to_end(key)
        self.script.expect(actual, expected, f"cache.get({', '.join(map(repr, args))})")

    @rule(key=st.integers(0, 5))
    def peek(self, key: int) -> None:
        actual = self.script.call("cache", self.cache, "peek", key)
        self.script.expect(actual, self.model.get(key), f"cache.peek({key!r})")

    @rule(key=st.integers(0, 5))
    def contains(self, key: int) -> None:
        actual = self.script.observe(f"{key!r} in cache", lambda: key in self.cache)  # type: ignore[operator]
        self.script.note(f"{key!r} in cache  # -> {actual!r}")
        self.script.expect(actual, key in self.model, f"{key!r} in cache")

    @invariant()
    def size_and_order(self) -> None:
        if self.cache is None:
            return
        size = self.script.observe("len(cache)", len, self.cache)
        self.script.expect(size, len(self.model), "then len(cache)")
        keys = self.script.observe("list(cache.keys())", lambda: list(self.cache.keys()))  # type: ignore[attr-defined]
        self.script.expect(keys, list(self.model), "then list(cache.keys())",
                           "least recently used first")


TestLRUModel = machine_test(LRUModel, points=4, max_examples=60)


def test_capacity_zero_stores_nothing() -> None:
    """capacity 0: put stores nothing"""
    s = Script()
    cache = s.new("cache", LRUCache, 0)
    s.call("cache", cache, "put", "a", 1)
    s.expect(s.call("cache", cache, "get", "a"), None, "cache.get('a')")
    s.expect(s.observe("len(cache)", len, cache), 0, "len(cache)")
    s.expect(s.observe("'a' in cache", lambda: "a" in cache), False, "'a' in cache")
    s.expect(list(s.call("cache", cache, "keys")), [], "list(cache.keys())")


def test_capacity_one_keeps_the_latest() -> None:
    """capacity 1: each new key replaces the previous one"""
    s = Script()
    cache = s.new("cache", LRUCache, 1)
    s.call("cache", cache, "put", "a", 1)
    s.call("cache", cache, "put", "b", 2)
    s.expect(s.call("cache", cache, "get", "a"), None, "cache.get('a')", "'a' was evicted")
    s.expect(s.call("cache", cache, "get", "b"), 2, "cache.get('b')")
    s.expect(s.observe("len(cache)", len, cache), 1, "len(cache)")


def test_negative_capacity_is_rejected() -> None:
    """capacity < 0 raises ValueError"""
    s = Script()
    s.note("LRUCache(-1)")
    try:
        LRUCache(-1)
    except ValueError:
        return
    except Exception as exc:  # noqa: BLE001
        fail(f"LRUCache(-1) raised {type(exc).__name__}; expected ValueError.", s)
    fail("LRUCache(-1) was accepted; a negative capacity must raise ValueError.", s)


def test_eviction_removes_the_least_recently_used() -> None:
    """a full cache evicts the least recently used key, and get counts as a use"""
    s = Script()
    cache = s.new("cache", LRUCache, 2)
    s.call("cache", cache, "put", "a", 1)
    s.call("cache", cache, "put", "b", 2)
    s.call("cache", cache, "get", "a")
    s.call("cache", cache, "put", "c", 3)
    s.expect(s.call("cache", cache, "get", "b"), None, "cache.get('b')",
             "'b' was the least recently used key, so putting 'c' evicts it")
    s.expect(s.call("cache", cache, "get", "a"), 1, "cache.get('a')")
    s.expect(s.call("cache", cache, "get", "c"), 3, "cache.get('c')")


def test_update_keeps_size_and_refreshes() -> None:
    """putting an existing key updates it, keeps the size, and makes it most recent"""
    s = Script()
    cache = s.new("cache", LRUCache, 2)
    s.call("cache", cache, "put", "a", 1)
    s.call("cache", cache, "put", "b", 2)
    s.call("cache", cache, "put", "a", 10)
    s.expect(s.observe("len(cache)", len, cache), 2, "len(cache)")
    s.expect(list(s.call("cache", cache, "keys")), ["b", "a"], "list(cache.keys())")
    s.call("cache", cache, "put", "c", 3)
    s.expect(s.call("cache", cache, "peek", "a"), 10, "cache.peek('a')",
             "'a' was refreshed by the update, so 'b' is evicted instead")
    s.expect(s.call("cache", cache, "peek", "b"), None, "cache.peek('b')")


def test_contains_does_not_refresh() -> None:
    """`key in cache` does not change recency"""
    s = Script()
    cache = s.new("cache", LRUCache, 2)
    s.call("cache", cache, "put", "a", 1)
    s.call("cache", cache, "put", "b", 2)
    s.note("'a' in cache")
    s.expect(s.observe("'a' in cache", lambda: "a" in cache), True, "'a' in cache")
    s.call("cache", cache, "put", "c", 3)
    s.expect(s.observe("'a' in cache", lambda: "a" in cache), False, "'a' in cache",
             "`in` must not refresh 'a', so 'a' was still the least recently used")


def test_peek_does_not_refresh() -> None:
    """peek returns the value without changing recency"""
    s = Script()
    cache = s.new("cache", LRUCache, 2)
    s.call("cache", cache, "put", "a", 1)
    s.call("cache", cache, "put", "b", 2)
    s.expect(s.call("cache", cache, "peek", "a"), 1, "cache.peek('a')")
    s.expect(s.call("cache", cache, "peek", "zzz", "dflt"), "dflt", "cache.peek('zzz', 'dflt')")
    s.call("cache", cache, "put", "c", 3)
    s.expect(s.call("cache", cache, "peek", "a"), None, "cache.peek('a')",
             "peek must not refresh 'a', so 'a' was evicted")


def test_keys_from_least_to_most_recent() -> None:
    """keys() lists keys from least to most recently used"""
    s = Script()
    cache = s.new("cache", LRUCache, 3)
    for key, value in (("a", 1), ("b", 2), ("c", 3)):
        s.call("cache", cache, "put", key, value)
    s.call("cache", cache, "get", "a")
    s.expect(list(s.call("cache", cache, "keys")), ["b", "c", "a"], "list(cache.keys())")


def test_get_miss_and_default() -> None:
    """get of a missing key returns the default (None unless given)"""
    s = Script()
    cache = s.new("cache", LRUCache, 2)
    s.expect(s.call("cache", cache, "get", "nope"), None, "cache.get('nope')")
    s.expect(s.call("cache", cache, "get", "nope", 42), 42, "cache.get('nope', 42)")
    s.expect(s.observe("len(cache)", len, cache), 0, "len(cache)", "a miss stores nothing")


def test_stored_none_and_falsy_values_are_present() -> None:
    """None, 0 and '' are ordinary values: present, counted, returned"""
    s = Script()
    cache = s.new("cache", LRUCache, 3)
    s.call("cache", cache, "put", "n", None)
    s.call("cache", cache, "put", "z", 0)
    s.call("cache", cache, "put", "e", "")
    s.expect(s.observe("'n' in cache", lambda: "n" in cache), True, "'n' in cache")
    s.expect(s.call("cache", cache, "get", "z", 5), 0, "cache.get('z', 5)")
    s.expect(s.call("cache", cache, "get", "e", 5), "", "cache.get('e', 5)")
    s.expect(s.observe("len(cache)", len, cache), 3, "len(cache)")


def test_any_hashable_key() -> None:
    """keys may be any hashable: str, int, tuple, frozenset, None"""
    s = Script()
    cache = s.new("cache", LRUCache, 5)
    keys = ["k", 7, ("t", 1), frozenset({1, 2}), None]
    for i, key in enumerate(keys):
        s.call("cache", cache, "put", key, i)
    for i, key in enumerate(keys):
        s.expect(s.call("cache", cache, "get", key), i, f"cache.get({key!r})")
