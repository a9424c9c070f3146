"""Level 4: thread safety. Many threads call get and put at once; the keys yield the GIL inside
__hash__ and __eq__, so a thread switch lands in the middle of your operations. Invariants a
race breaks: no entry lost or duplicated, every eviction reported once, len <= capacity.
Threads also yield before every line of your module, so a switch can land between any two."""

from __future__ import annotations

import lru_cache as subject
import pytest
from lru_cache import LRUCache

from grader.checks import CountingKey, KeyStats, fail, run_threads, same, show, within

pytestmark = [pytest.mark.level(4), pytest.mark.points(2)]

THREADS = 8


class Evictions(list[tuple[object, object]]):
    def __call__(self, key: object, value: object) -> None:
        self.append((key, value))


def keys_for(thread: int, count: int, stats: KeyStats) -> list[CountingKey]:
    return [CountingKey(thread * 100_000 + i, stats, switch=True) for i in range(count)]


def test_no_entry_lost_without_eviction() -> None:
    """8 threads put distinct keys into a cache large enough for all: none is lost"""
    stats = KeyStats()
    per_thread = 100
    cache = LRUCache(THREADS * per_thread)
    mine = [keys_for(t, per_thread, stats) for t in range(THREADS)]

    def work(t: int) -> None:
        for i, key in enumerate(mine[t]):
            cache.put(key, key.ident)
            back = cache.get(mine[t][i // 2])
            if not same(back, mine[t][i // 2].ident):
                fail(f"with {THREADS} threads putting at once, cache.get({mine[t][i // 2]!r}) "
                     f"gave {show(back)} right after this thread had put it "
                     f"(value {mine[t][i // 2].ident}); an entry was lost in a race.")

    run_threads(THREADS, work, yield_in=subject)
    total = THREADS * per_thread
    if len(cache) != total:
        fail(f"{THREADS} threads each put {per_thread} distinct keys into "
             f"LRUCache({total}); afterwards len(cache) was {len(cache)}, expected {total}.")
    listed = list(cache.keys())
    if len(listed) != total or len(set(listed)) != total:
        fail(f"after {THREADS} threads put {total} distinct keys, keys() listed "
             f"{len(listed)} keys ({len(set(listed))} distinct), expected {total}.")
    for keys in mine:
        for key in keys:
            if not same(cache.peek(key), key.ident):
                fail(f"after the threads finished, cache.peek({key!r}) gave "
                     f"{show(cache.peek(key))}, expected {key.ident}: a put was lost.")


def test_evictions_are_accounted_exactly() -> None:
    """with evictions, every key is either still cached or was evicted exactly once"""
    capacity = 64
    stats = KeyStats()
    per_thread = 120
    evicted = Evictions()
    cache = LRUCache(capacity, on_evict=evicted)
    mine = [keys_for(t, per_thread, stats) for t in range(THREADS)]
    over: list[int] = []

    def work(t: int) -> None:
        for i, key in enumerate(mine[t]):
            cache.put(key, key.ident)
            cache.get(mine[t][max(0, i - 3)])
            size = len(cache)
            if size > capacity:
                over.append(size)

    run_threads(THREADS, work, yield_in=subject)
    if over:
        fail(f"while {THREADS} threads put keys into LRUCache({capacity}), len(cache) was "
             f"seen at {max(over)}: it must never exceed the capacity.")
    total = THREADS * per_thread
    present = list(cache.keys())
    if len(cache) != capacity or len(present) != capacity:
        fail(f"after {total} distinct keys were put into LRUCache({capacity}) by "
             f"{THREADS} threads, len(cache) was {len(cache)} and keys() listed "
             f"{len(present)}; both must be exactly {capacity} (an eviction too many or "
             "too few happened in a race).")
    evicted_keys = [k for k, _ in evicted]
    if len(evicted_keys) != total - capacity or len(set(evicted_keys)) != len(evicted_keys):
        fail(f"{total} distinct keys went into LRUCache({capacity}), so exactly "
             f"{total - capacity} evictions must be reported, each key at most once; "
             f"on_evict was called {len(evicted_keys)} times for "
             f"{len(set(evicted_keys))} distinct keys.")
    if set(evicted_keys) & set(present):
        fail("a key was reported to on_evict and is still in the cache.")
    wrong = [(k, v) for k, v in evicted if not same(v, k.ident)]  # type: ignore[attr-defined]
    if wrong:
        fail(f"on_evict got the wrong value for a key: {show(wrong[0])}.")


def test_concurrent_gets_keep_the_recency_order_consistent() -> None:
    """threads reading (and so reordering) shared keys while others write keep the cache whole"""
    capacity = 32
    stats = KeyStats()
    shared = [CountingKey(i, stats, switch=True) for i in range(capacity)]
    cache = LRUCache(capacity)
    for key in shared:
        cache.put(key, key.ident)
    problems: list[str] = []

    def work(t: int) -> None:
        for i in range(150):
            key = shared[(i * 7 + t * 13) % capacity]
            if t % 2:
                cache.put(key, key.ident)
            else:
                value = cache.get(key)
                if not same(value, key.ident):
                    problems.append(f"cache.get({key!r}) gave {show(value)}, "
                                    f"expected {key.ident}")

    run_threads(THREADS, work, yield_in=subject)
    if problems:
        fail(f"while threads read and rewrote the same {capacity} keys (never more than "
             f"the capacity), {problems[0]}: an entry was lost in a race.")
    listed = list(cache.keys())
    if len(cache) != capacity or sorted(k.ident for k in listed) != list(range(capacity)):
        fail(f"after threads read and rewrote the same {capacity} keys in "
             f"LRUCache({capacity}), len(cache) was {len(cache)} and keys() listed "
             f"{len(listed)} keys ({len(set(listed))} distinct); expected exactly the "
             f"{capacity} keys. The recency order was corrupted by a race.")


def test_hot_keys_read_and_written_by_every_thread() -> None:
    """every thread gets and puts the same few hot keys: the cache stays whole"""
    capacity = 4
    stats = KeyStats()
    hot = [CountingKey(i, stats, switch=True) for i in range(capacity)]
    cache = LRUCache(capacity)
    for key in hot:
        cache.put(key, key.ident)

    def work(t: int) -> None:
        for i in range(200):
            key = hot[(i + t) % capacity]
            if i % 5 == 0:
                cache.put(key, key.ident)
            else:
                cache.get(key)

    run_threads(THREADS, work, yield_in=subject)
    listed = within(5, "list(cache.keys())", lambda: list(cache.keys()))
    size = within(5, "len(cache)", lambda: len(cache))
    if size != capacity or sorted(k.ident for k in listed) != list(range(capacity)):
        fail(f"after {THREADS} threads got and put the same {capacity} keys in "
             f"LRUCache({capacity}), len(cache) was {size} and keys() listed "
             f"{show(listed)}; expected exactly those {capacity} keys, each once. The "
             "recency order was corrupted by a race (does get take the lock too?).")
    for key in hot:
        if not same(cache.peek(key), key.ident):
            fail(f"after the threads finished, cache.peek({key!r}) gave "
                 f"{show(cache.peek(key))}, expected {key.ident}.")
