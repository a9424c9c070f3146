"""Level 3: put() into a full cache only checks whether the LRU victim expired.

An expired victim is dropped silently, but if an expired entry sits elsewhere in
the list a live LRU entry is evicted although the expired one frees the room.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any


class _Node:
    __slots__ = ("expires_at", "key", "next", "prev", "value")

    def __init__(self, key: Hashable, value: Any, expires_at: float | None) -> None:
        self.key = key
        self.value = value
        self.expires_at = expires_at
        self.prev: _Node | None = None
        self.next: _Node | None = None


class LRUCache:
    """Least-recently-used cache: a dict of nodes plus a doubly linked recency list."""

    def __init__(
        self,
        capacity: int,
        *,
        ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_evict: Callable[[Any, Any], None] | None = None,
    ) -> None:
        if capacity < 0:
            raise ValueError(f"capacity must be >= 0, got {capacity!r}")
        self._capacity = capacity
        self._ttl = ttl
        self._clock = clock
        self._on_evict = on_evict
        self._map: dict[Hashable, _Node] = {}
        self._head: _Node | None = None  # least recently used
        self._tail: _Node | None = None  # most recently used
        self._timed = 0  # how many entries carry an expiry time
        self._lock = threading.Lock()

    # -- linked list plumbing (the caller holds the lock) ----------------------------------

    def _unlink(self, node: _Node) -> None:
        if node.prev is None:
            self._head = node.next
        else:
            node.prev.next = node.next
        if node.next is None:
            self._tail = node.prev
        else:
            node.next.prev = node.prev
        node.prev = node.next = None

    def _append(self, node: _Node) -> None:
        node.prev = self._tail
        node.next = None
        if self._tail is None:
            self._head = node
        else:
            self._tail.next = node
        self._tail = node

    def _discard(self, node: _Node) -> None:
        self._unlink(node)
        del self._map[node.key]
        if node.expires_at is not None:
            self._timed -= 1

    @staticmethod
    def _expired(node: _Node, now: float) -> bool:
        return node.expires_at is not None and now >= node.expires_at

    def _live(self, key: Hashable, now: float) -> _Node | None:
        """The node for key, or None if absent; an expired node is dropped silently."""
        node = self._map.get(key)
        if node is not None and self._expired(node, now):
            self._discard(node)
            return None
        return node

    def _purge_expired(self, now: float) -> None:
        if not self._timed:
            return
        node = self._head
        while node is not None:
            following = node.next
            if self._expired(node, now):
                self._discard(node)
            node = following

    # -- public API ---------------------------------------------------------------------------

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            node = self._live(key, self._clock())
            if node is None:
                return default
            self._unlink(node)
            self._append(node)
            return node.value

    def peek(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            node = self._live(key, self._clock())
            if node is None:
                return default
            return node.value

    def put(self, key: Hashable, value: Any, ttl: float | None = None) -> None:
        if self._capacity == 0:
            return
        if ttl is None:
            ttl = self._ttl
        evicted = None
        with self._lock:
            now = self._clock()
            expires_at = None if ttl is None else now + ttl
            node = self._live(key, now)
            if node is not None:
                if node.expires_at is not None:
                    self._timed -= 1
                node.value = value
                node.expires_at = expires_at
                self._unlink(node)
            else:
                if len(self._map) >= self._capacity:
                    victim = self._head
                    self._discard(victim)
                    if not self._expired(victim, now):
                        evicted = (victim.key, victim.value)
                node = _Node(key, value, expires_at)
                self._map[key] = node
            if expires_at is not None:
                self._timed += 1
            self._append(node)
        if evicted is not None and self._on_evict is not None:
            self._on_evict(*evicted)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return self._live(key, self._clock()) is not None

    def __len__(self) -> int:
        with self._lock:
            self._purge_expired(self._clock())
            return len(self._map)

    def keys(self) -> list[Hashable]:
        """Keys from least to most recently used."""
        with self._lock:
            self._purge_expired(self._clock())
            out = []
            node = self._head
            while node is not None:
                out.append(node.key)
                node = node.next
            return out
