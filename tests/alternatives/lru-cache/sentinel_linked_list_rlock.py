"""Hand-written doubly linked list with head/tail sentinel nodes + dict, guarded by an RLock.

The sentinels remove every "is this the first/last node?" branch. Expiry is checked
lazily: get/peek/in look at the entry's own deadline, while len(), keys() and a put into
a full cache sweep the list for expired entries - but only while at least one entry has a
deadline, so without ttl every operation is O(1). Public methods re-enter each other
under the RLock (`in` is built on peek, keys() on the sweep used by len()).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator
from typing import Any

_ABSENT = object()


class _Link:
    __slots__ = ("deadline", "key", "next", "prev", "value")

    def __init__(self, key: Any = None, value: Any = None, deadline: float | None = None):
        self.key = key
        self.value = value
        self.deadline = deadline
        self.prev: _Link = self
        self.next: _Link = self


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
            raise ValueError("capacity must not be negative")
        self._capacity = capacity
        self._default_ttl = ttl
        self._clock = clock
        self._on_evict = on_evict
        self._first = _Link()  # sentinel before the least recently used link
        self._last = _Link()  # sentinel after the most recently used link
        self._first.next = self._last
        self._last.prev = self._first
        self._index: dict[Hashable, _Link] = {}
        self._with_deadline = 0
        self._lock = threading.RLock()

    # -- list plumbing ----------------------------------------------------------------------

    @staticmethod
    def _detach(link: _Link) -> None:
        link.prev.next = link.next
        link.next.prev = link.prev

    def _attach_mru(self, link: _Link) -> None:
        tail = self._last
        link.prev = tail.prev
        link.next = tail
        tail.prev.next = link
        tail.prev = link

    def _forget(self, link: _Link) -> None:
        self._detach(link)
        del self._index[link.key]
        if link.deadline is not None:
            self._with_deadline -= 1

    def _find(self, key: Hashable) -> _Link | None:
        link = self._index.get(key)
        if link is not None and link.deadline is not None and self._clock() >= link.deadline:
            self._forget(link)
            return None
        return link

    def _sweep(self) -> None:
        if not self._with_deadline:
            return
        now = self._clock()
        link = self._first.next
        while link is not self._last:
            following = link.next
            if link.deadline is not None and now >= link.deadline:
                self._forget(link)
            link = following

    def _iter_links(self) -> Iterator[_Link]:
        link = self._first.next
        while link is not self._last:
            yield link
            link = link.next

    # -- public API -------------------------------------------------------------------------

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            link = self._find(key)
            if link is None:
                return default
            self._detach(link)
            self._attach_mru(link)
            return link.value

    def peek(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            link = self._find(key)
            return default if link is None else link.value

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return self.peek(key, _ABSENT) is not _ABSENT

    def __len__(self) -> int:
        with self._lock:
            self._sweep()
            return len(self._index)

    def keys(self) -> list[Hashable]:
        with self._lock:
            self._sweep()
            return [link.key for link in self._iter_links()]

    def put(self, key: Hashable, value: Any, ttl: float | None = None) -> None:
        if self._capacity == 0:
            return
        lifetime = self._default_ttl if ttl is None else ttl
        victim: _Link | None = None
        with self._lock:
            deadline = None if lifetime is None else self._clock() + lifetime
            link = self._find(key)
            if link is None:
                if len(self._index) >= self._capacity:
                    self._sweep()
                    if len(self._index) >= self._capacity:
                        victim = self._first.next
                        self._forget(victim)
                link = _Link(key, value)
                self._index[key] = link
            else:
                self._detach(link)
                link.value = value
                if link.deadline is not None:
                    self._with_deadline -= 1
            link.deadline = deadline
            if deadline is not None:
                self._with_deadline += 1
            self._attach_mru(link)
        if victim is not None and self._on_evict is not None:
            self._on_evict(victim.key, victim.value)
