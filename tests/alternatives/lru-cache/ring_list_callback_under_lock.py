"""functools-style circular list of [prev, next, key, value, deadline] cells; on_evict under lock.

Like the C-free fallback of functools.lru_cache: one root cell links to itself, each
entry is a small Python list, and root[NEXT] is the least recently used entry. on_evict
is invoked while the (re-entrant) lock is still held, which the contract allows. Expired
entries are detected lazily on access; a heap of deadlines (only filled when ttl is used)
lets len(), keys() and a put into a full cache drop every expired entry first.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

PREV, NEXT, KEY, VALUE, DEADLINE = 0, 1, 2, 3, 4


class LRUCache:
    def __init__(
        self,
        capacity: int,
        *,
        ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_evict: Callable[[Any, Any], None] | None = None,
    ) -> None:
        if capacity < 0:
            raise ValueError("capacity < 0")
        self.maxsize = capacity
        self.default_ttl = ttl
        self.clock = clock
        self.on_evict = on_evict
        self.root: list[Any] = []
        self.root[:] = [self.root, self.root, None, None, None]
        self.cells: dict[Hashable, list[Any]] = {}
        self.deadlines: list[tuple[float, int, list[Any]]] = []
        self.seq = itertools.count()
        self.lock = threading.RLock()

    def _unlink(self, cell: list[Any]) -> None:
        cell[PREV][NEXT] = cell[NEXT]
        cell[NEXT][PREV] = cell[PREV]

    def _link_last(self, cell: list[Any]) -> None:
        root = self.root
        last = root[PREV]
        cell[PREV], cell[NEXT] = last, root
        last[NEXT] = root[PREV] = cell

    def _remove(self, cell: list[Any]) -> None:
        self._unlink(cell)
        del self.cells[cell[KEY]]

    def _lookup(self, key: Hashable) -> list[Any] | None:
        cell = self.cells.get(key)
        if cell is not None and cell[DEADLINE] is not None and self.clock() >= cell[DEADLINE]:
            self._remove(cell)
            return None
        return cell

    def _drop_all_expired(self) -> None:
        heap = self.deadlines
        if not heap:
            return
        now = self.clock()
        while heap and heap[0][0] <= now:
            deadline, _, cell = heapq.heappop(heap)
            if cell[DEADLINE] == deadline and self.cells.get(cell[KEY]) is cell:
                self._remove(cell)

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self.lock:
            cell = self._lookup(key)
            if cell is None:
                return default
            self._unlink(cell)
            self._link_last(cell)
            return cell[VALUE]

    def peek(self, key: Hashable, default: Any = None) -> Any:
        with self.lock:
            cell = self._lookup(key)
            return default if cell is None else cell[VALUE]

    def __contains__(self, key: object) -> bool:
        with self.lock:
            return self._lookup(key) is not None

    def __len__(self) -> int:
        with self.lock:
            self._drop_all_expired()
            return len(self.cells)

    def keys(self) -> list[Hashable]:
        with self.lock:
            self._drop_all_expired()
            out = []
            cell = self.root[NEXT]
            while cell is not self.root:
                out.append(cell[KEY])
                cell = cell[NEXT]
            return out

    def put(self, key: Hashable, value: Any, ttl: float | None = None) -> None:
        if ttl is None:
            ttl = self.default_ttl
        with self.lock:
            if self.maxsize == 0:
                return
            deadline = None if ttl is None else self.clock() + ttl
            cell = self._lookup(key)
            if cell is not None:
                self._unlink(cell)
                cell[VALUE], cell[DEADLINE] = value, deadline
            else:
                if len(self.cells) >= self.maxsize:
                    self._drop_all_expired()
                if len(self.cells) >= self.maxsize:
                    oldest = self.root[NEXT]
                    self._remove(oldest)
                    if self.on_evict is not None:
                        self.on_evict(oldest[KEY], oldest[VALUE])
                cell = [None, None, key, value, deadline]
                self.cells[key] = cell
            self._link_last(cell)
            if deadline is not None:
                heap = self.deadlines
                heapq.heappush(heap, (deadline, next(self.seq), cell))
                if len(heap) > 2 * len(self.cells) + 32:
                    live = [
                        (c[DEADLINE], next(self.seq), c)
                        for c in self.cells.values()
                        if c[DEADLINE] is not None
                    ]
                    heapq.heapify(live)
                    self.deadlines = live
