"""lru-cache: the reference ``LRUCache`` against ``cachetools.LRUCache`` and the OrderedDict
cache a user writes in ten lines, with ``functools.lru_cache`` (C) as the speed-of-light line.

Keys follow a skewed (Zipf-like) popularity over four times the capacity, as cache traffic
does: a few hot keys, a long tail that keeps evicting.

- ``read-through``: ``get``, and on a miss ``put`` the loaded value (the mix a cache in
  front of a slow store sees; ``functools.lru_cache`` can only express this one);
- ``get``: lookups on a full cache, about three in four hits;
- ``put``: inserts and updates on a full cache, each new key evicting the oldest.
"""

from __future__ import annotations

import functools
import importlib
import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from benchmarks.harness import Contender, KataBench, Setup, Workload, load_solution

CAPACITY = 1_000


class OrderedDictLRU:
    """The baseline a user writes by hand: an OrderedDict in recency order, behind a lock
    (the kata's cache is thread-safe, so its peers are too)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.data: OrderedDict[Hashable, object] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable, default: object = None) -> object:
        with self.lock:
            data = self.data
            if key not in data:
                return default
            data.move_to_end(key)
            return data[key]

    def put(self, key: Hashable, value: object) -> None:
        with self.lock:
            data = self.data
            data[key] = value
            data.move_to_end(key)
            if len(data) > self.capacity:
                data.popitem(last=False)

    def keys(self) -> list[Hashable]:
        with self.lock:
            return list(self.data)


class UnlockedOrderedDictLRU:
    """:class:`OrderedDictLRU` without the lock, as a single-threaded program may use it."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.data: OrderedDict[Hashable, object] = OrderedDict()

    def get(self, key: Hashable, default: object = None) -> object:
        data = self.data
        if key not in data:
            return default
        data.move_to_end(key)
        return data[key]

    def put(self, key: Hashable, value: object) -> None:
        data = self.data
        data[key] = value
        data.move_to_end(key)
        if len(data) > self.capacity:
            data.popitem(last=False)

    def keys(self) -> list[Hashable]:
        return list(self.data)


def zipf_keys(rng: random.Random, count: int, universe: int, skew: float = 1.1) -> list[int]:
    """``count`` keys from ``range(universe)``, key k drawn with weight 1 / (k + 1)**skew,
    shuffled so that popularity and key order are unrelated."""
    weights = [1 / (k + 1) ** skew for k in range(universe)]
    labels = list(range(universe))
    rng.shuffle(labels)
    return [labels[k] for k in rng.choices(range(universe), weights, k=count)]


def load(key: int) -> int:
    """The slow store behind the cache: a value derived from the key."""
    return key * 7 + 1


def _read_through(make: Callable[[], Any], keys: list[int]) -> Setup:
    def setup() -> Callable[[], object]:
        cache = make()

        def replay() -> object:
            get, put = cache.get, cache.put
            misses = 0
            for key in keys:
                if get(key) is None:
                    misses += 1
                    put(key, load(key))
            return [len(keys) - misses, misses]

        return replay

    return setup


def _warmed(make: Callable[[], Any], warm: list[int]) -> Any:
    """A new cache holding ``warm`` (loaded values), before a trace is replayed on it."""
    cache = make()
    for key in warm:
        cache.put(key, load(key))
    return cache


def _gets(make: Callable[[], Any], warm: list[int], keys: list[int]) -> Setup:
    def setup() -> Callable[[], object]:
        cache = _warmed(make, warm)

        def replay() -> object:
            get = cache.get
            return [get(key) for key in keys]

        return replay

    return setup


def _puts(make: Callable[[], Any], warm: list[int], keys: list[int]) -> Setup:
    def setup() -> Callable[[], object]:
        cache = _warmed(make, warm)

        def replay() -> object:
            put = cache.put
            for value, key in enumerate(keys):
                put(key, value)
            return sorted(cache.keys())

        return replay

    return setup


class LockedCachetools:
    """``cachetools.LRUCache`` under the kata's method names, behind a lock as cachetools'
    documentation asks of a cache shared between threads."""

    def __init__(self, cache: Any) -> None:
        self.cache = cache
        self.lock = threading.Lock()

    def get(self, key: Hashable, default: object = None) -> object:
        with self.lock:
            return self.cache.get(key, default)

    def put(self, key: Hashable, value: object) -> None:
        with self.lock:
            self.cache[key] = value

    def keys(self) -> list[Hashable]:
        with self.lock:
            return list(self.cache.keys())


class UnlockedCachetools:
    """``cachetools.LRUCache`` under the kata's method names, without a lock."""

    def __init__(self, cache: Any) -> None:
        self.get = cache.get
        self.put = cache.__setitem__
        self.keys = cache.keys


def _functools_read_through(keys: list[int]) -> Setup:
    def setup() -> Callable[[], object]:
        cached = functools.lru_cache(maxsize=CAPACITY)(load)

        def replay() -> object:
            for key in keys:
                cached(key)
            info = cached.cache_info()
            return [info.hits, info.misses]

        return replay

    return setup


def build(*, quick: bool = False, ops: int | None = None) -> KataBench:
    """The lru-cache benchmark; ``quick`` shortens the traces."""
    n = ops or (10_000 if quick else 100_000)
    rng = random.Random(1)
    universe = 4 * CAPACITY
    mix = zipf_keys(rng, n, universe)
    warm = zipf_keys(rng, 4 * CAPACITY, universe)
    gets = zipf_keys(rng, n, universe)
    puts = zipf_keys(rng, n, universe)
    workloads = [
        Workload("read-through", n, "get; on a miss, put the loaded value"),
        Workload("get", n, "lookups on a full cache"),
        Workload("put", n, "inserts and updates on a full cache, evicting"),
    ]

    def contender(name: str, kind: Any, make: Callable[[], Any]) -> Contender:
        return Contender(name, kind, {
            "read-through": _read_through(make, mix),
            "get": _gets(make, warm, gets),
            "put": _puts(make, warm, puts),
        })

    solution = load_solution("lru-cache", "lru_cache")
    contenders = [contender("reference", "reference", lambda: solution.LRUCache(CAPACITY))]
    skipped: dict[str, str] = {}
    try:
        cachetools = importlib.import_module("cachetools")
    except ImportError as error:
        skipped["cachetools"] = str(error)
    else:
        contenders.append(contender("cachetools", "python",
                                    lambda: LockedCachetools(cachetools.LRUCache(CAPACITY))))
        contenders.append(contender(
            "cachetools, no lock", "unlocked",
            lambda: UnlockedCachetools(cachetools.LRUCache(CAPACITY))))
    contenders.append(contender("OrderedDict", "python", lambda: OrderedDictLRU(CAPACITY)))
    contenders.append(contender("OrderedDict, no lock", "unlocked",
                                lambda: UnlockedOrderedDictLRU(CAPACITY)))
    # The C line: read-through only (it is a memoising decorator, not a mapping).
    contenders.append(Contender("functools.lru_cache", "c",
                                {"read-through": _functools_read_through(mix)}))
    notes = ("The kata's cache is thread-safe (level 4), so its peers run behind a lock, "
             "as cachetools' documentation asks; the unlocked rows show what the lock costs "
             "and are not the ratio's denominator.")
    return KataBench("lru-cache", workloads, contenders, skipped, notes)
