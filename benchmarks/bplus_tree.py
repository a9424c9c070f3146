"""bplus-tree: the reference ``BPlusTree`` (default order 32) against
``sortedcontainers.SortedDict``, with ``BTrees.OOBTree`` (C) as the speed-of-light line.

Every contender starts from the same 100,000 random integer keys (loaded outside the
timing) and replays the same operations; results are the values read and the pairs each
range returns. Each peer uses its fastest idiom for a range of pairs (``SortedDict``:
``items()[i:j]`` between two bisections; ``OOBTree``: ``items(lo, hi, excludemax=True)``).

- ``mixed``: what an index serves: 50 % point gets (about 70 % hits), 20 % inserts (new
  keys and updates), 10 % deletes, 20 % range scans of about 50 keys;
- ``get``, ``insert``, ``delete``, ``range``: one kind of operation at a time.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from typing import Any, Protocol

from benchmarks.harness import Contender, KataBench, Setup, Workload, load_solution

SIZE = 100_000
UNIVERSE = 10**9
SPAN = UNIVERSE // SIZE * 50  # a range of about 50 keys

GET, INSERT, DELETE, RANGE = range(4)
Op = tuple[int, int, int]  # (kind, key, value or range end)


class Index(Protocol):
    """What the replay calls, under the kata's names."""

    def get(self, key: int, default: Any = None) -> Any: ...
    def insert(self, key: int, value: int) -> None: ...
    def delete(self, key: int) -> None: ...
    def range(self, lo: int, hi: int) -> list[tuple[int, int]]: ...


def _trace(rng: random.Random, keys: list[int], count: int,
           weights: tuple[int, int, int, int]) -> list[Op]:
    """``count`` operations, kinds drawn with ``weights`` (get, insert, delete, range);
    deletes take live keys, so every one of them succeeds for every contender."""
    live = list(keys)
    present = set(keys)
    ops: list[Op] = []
    for kind in rng.choices((GET, INSERT, DELETE, RANGE), weights, k=count):
        if kind == GET:
            key = rng.choice(live) if rng.random() < 0.7 else rng.randrange(UNIVERSE)
            ops.append((GET, key, 0))
        elif kind == INSERT:
            key = rng.choice(live) if rng.random() < 0.3 else rng.randrange(UNIVERSE)
            if key not in present:
                present.add(key)
                live.append(key)
            ops.append((INSERT, key, rng.randrange(1000)))
        elif kind == DELETE:
            at = rng.randrange(len(live))
            live[at], live[-1] = live[-1], live[at]
            key = live.pop()
            present.discard(key)
            ops.append((DELETE, key, 0))
        else:
            lo = rng.randrange(UNIVERSE)
            ops.append((RANGE, lo, lo + SPAN))
    return ops


def _replay(make: Callable[[list[tuple[int, int]]], Index], items: list[tuple[int, int]],
            ops: list[Op]) -> Setup:
    def setup() -> Callable[[], object]:
        index = make(items)

        def replay() -> object:
            get, insert, delete, scan = index.get, index.insert, index.delete, index.range
            results: list[object] = []
            append = results.append
            for kind, key, arg in ops:
                if kind == GET:
                    append(get(key))
                elif kind == INSERT:
                    insert(key, arg)
                elif kind == DELETE:
                    delete(key)
                else:
                    append(scan(key, arg))
            return results

        return replay

    return setup


class ReferenceIndex:
    def __init__(self, tree: Any) -> None:
        self.get, self.insert, self.delete = tree.get, tree.insert, tree.delete
        self.tree = tree

    def range(self, lo: int, hi: int) -> list[tuple[int, int]]:
        return list(self.tree.range(lo, hi))


class SortedDictIndex:
    def __init__(self, mapping: Any) -> None:
        self.get, self.insert, self.delete = mapping.get, mapping.__setitem__, mapping.__delitem__
        self.bisect_left = mapping.bisect_left
        self.items = mapping.items()

    def range(self, lo: int, hi: int) -> list[tuple[int, int]]:
        bisect_left = self.bisect_left
        return self.items[bisect_left(lo):bisect_left(hi)]  # type: ignore[no-any-return]


class OOBTreeIndex:
    def __init__(self, tree: Any) -> None:
        self.get, self.insert, self.delete = tree.get, tree.__setitem__, tree.__delitem__
        self.tree = tree

    def range(self, lo: int, hi: int) -> list[tuple[int, int]]:
        return list(self.tree.items(lo, hi, excludemax=True))


def build(*, quick: bool = False, ops: int | None = None) -> KataBench:
    """The bplus-tree benchmark; ``quick`` shortens the traces."""
    n = ops or (5_000 if quick else 40_000)
    rng = random.Random(4)
    keys = sorted(rng.sample(range(UNIVERSE), SIZE // 10 if quick else SIZE))
    items = [(key, key % 1000) for key in keys]
    traces = {
        "mixed": _trace(rng, keys, n, (50, 20, 10, 20)),
        "get": _trace(rng, keys, n, (1, 0, 0, 0)),
        "insert": _trace(rng, keys, n, (0, 1, 0, 0)),
        "delete": _trace(rng, keys, min(n, len(keys) // 2), (0, 0, 1, 0)),
        "range": _trace(rng, keys, n // 5, (0, 0, 0, 1)),
    }
    workloads = [
        Workload("mixed", n, "50 % get, 20 % insert, 10 % delete, 20 % range of ~50"),
        Workload("get", n, "point gets, about 70 % hits"),
        Workload("insert", n, "inserts, about 30 % updates"),
        Workload("delete", len(traces["delete"]), "deletes of live keys"),
        Workload("range", len(traces["range"]), "range scans of about 50 pairs"),
    ]

    def contender(name: str, kind: Any,
                  make: Callable[[list[tuple[int, int]]], Index]) -> Contender:
        return Contender(name, kind, {w: _replay(make, items, t) for w, t in traces.items()})

    solution = load_solution("bplus-tree", "bplus_tree")
    contenders = [contender("reference", "reference",
                            lambda pairs: ReferenceIndex(solution.BPlusTree.bulk_load(pairs)))]
    skipped: dict[str, str] = {}
    try:
        sortedcontainers = importlib.import_module("sortedcontainers")
    except ImportError as error:
        skipped["sortedcontainers"] = str(error)
    else:
        contenders.append(contender("SortedDict", "python", lambda pairs: SortedDictIndex(
            sortedcontainers.SortedDict(pairs))))
    try:
        btrees = importlib.import_module("BTrees.OOBTree")
    except ImportError as error:
        skipped["BTrees"] = str(error)
    else:
        contenders.append(contender("BTrees.OOBTree", "c", lambda pairs: OOBTreeIndex(
            btrees.OOBTree(pairs))))
    return KataBench("bplus-tree", workloads, contenders, skipped)
