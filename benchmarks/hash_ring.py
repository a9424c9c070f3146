"""consistent-hash-ring: the reference ``HashRing`` against ``uhashring.HashRing``.

Both rings get the same 64-bit blake2b hash and the same point names (uhashring names a
node's points ``node-i``, the reference ``node#i``: both hashes map ``#`` to ``-``, one
``bytes.replace`` per hash each, so neither pays for the other's naming), so they place every
key on the same node and the results can be compared.

- ``lookups``: ``get_node`` for string keys on a ring of 10 nodes × 160 points;
- ``membership``: a node leaves and comes back (``remove_node``, ``add_node``), each
  change followed by a burst of lookups, as a cluster sees during a rolling restart.
"""

from __future__ import annotations

import hashlib
import importlib
import random
from collections.abc import Callable
from typing import Any

from benchmarks.harness import Contender, KataBench, Setup, Workload, load_solution

NODES = [f"cache-{i:02d}.internal" for i in range(10)]
VNODES = 160


def _digest(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def reference_hash(data: bytes) -> int:
    """The reference's hash: blake2b of the name with uhashring's point separator."""
    return _digest(data.replace(b"#", b"-"))


def uhashring_hash(key: str) -> int:
    """uhashring's hash: it passes str keys and point names, so encode them first (and do
    the reference's replace, a no-op on these names, so both hashes do the same work)."""
    return _digest(key.encode().replace(b"#", b"-"))


def _lookups(make: Callable[[], Any], keys: list[str]) -> Setup:
    def setup() -> Callable[[], object]:
        ring = make()

        def replay() -> object:
            get_node = ring.get_node
            return [get_node(key) for key in keys]

        return replay

    return setup


def _membership(make: Callable[[], Any], rounds: list[tuple[str, list[str]]]) -> Setup:
    def setup() -> Callable[[], object]:
        ring = make()

        def replay() -> object:
            get_node = ring.get_node
            results: list[object] = []
            for node, keys in rounds:
                ring.remove_node(node)
                results += [get_node(key) for key in keys]
                ring.add_node(node)
                results += [get_node(key) for key in keys]
            return results

        return replay

    return setup


def build(*, quick: bool = False, ops: int | None = None) -> KataBench:
    """The consistent-hash-ring benchmark; ``quick`` shortens the traces."""
    n = ops or (10_000 if quick else 100_000)
    rng = random.Random(2)
    keys = [f"user:{rng.randrange(10**9)}:session" for _ in range(n)]
    changes = max(2, n // 20_000)
    burst = 200
    rounds = [(rng.choice(NODES), [f"object/{rng.randrange(10**9)}" for _ in range(burst)])
              for _ in range(changes)]
    workloads = [
        Workload("lookups", n, "get_node of string keys"),
        Workload("membership", changes * (2 + 2 * burst),
                 "remove_node / add_node, each followed by lookups"),
    ]
    solution = load_solution("consistent-hash-ring", "hash_ring")

    def contender(name: str, kind: Any, make: Callable[[], Any]) -> Contender:
        return Contender(name, kind, {"lookups": _lookups(make, keys),
                                      "membership": _membership(make, rounds)})

    contenders = [contender("reference", "reference", lambda: solution.HashRing(
        NODES, vnodes=VNODES, hash_fn=reference_hash))]
    skipped: dict[str, str] = {}
    try:
        uhashring = importlib.import_module("uhashring")
    except ImportError as error:
        skipped["uhashring"] = str(error)
    else:
        contenders.append(contender("uhashring", "python", lambda: uhashring.HashRing(
            nodes=NODES, vnodes=VNODES, hash_fn=uhashring_hash)))
    return KataBench("consistent-hash-ring", workloads, contenders, skipped)
