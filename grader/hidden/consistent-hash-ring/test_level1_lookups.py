"""Level 1: lookups follow the first point at or after the key's hash, wrapping around; get_nodes
walks clockwise over distinct nodes; the answers are the same in every process."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import hash_ring as subject
import pytest
from hash_ring import HashRing
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from grader.checks import Script, fail, machine_test, same, show
from grader.guard import python_command
from grader.oracles.hash_ring import SPACE, PlacedHash, RingModel, key

pytestmark = pytest.mark.level(1)

# Names that share prefixes: removing "db-1" must not touch "db-10" or "db-11".
NAMES = ["cache-a", "cache-ab", "db-1", "db-10", "db-11", "edge-9"]
HOW = ("# placed_hash(b'key:<n>') == n puts a key where the check wants; any other bytes "
       "(your point names) hash to a fixed pseudo-random value below 2**32")


def build(placed: PlacedHash, script: Script, vnodes: int,
          nodes: list[tuple[str, int]]) -> tuple[HashRing, RingModel]:
    """A ring of ``nodes`` (name, weight) on ``placed``, and its model."""
    script.note(HOW)
    ring = script.new("ring", HashRing, vnodes=vnodes, hash_fn=placed)
    for node, weight in nodes:
        with placed.adding(node) as points:
            script.call("ring", ring, "add_node", node, weight)
        if len(points) != vnodes * weight and not placed.collided:
            fail(f"ring.add_node({node!r}, {weight}) placed {len(points)} new points, expected "
                 f"vnodes × weight = {vnodes * weight}: each point sits at hash_fn(a name of "
                 "your choosing), one hash per point.", script)
    return ring, RingModel(placed.owner)


def expect_node(script: Script | None, actual: object, names: list[str], call: str) -> None:
    """Fail unless ``actual`` (what ``call`` gave) is one of the node names the ring was given,
    compared type-strictly (``same``); checked before two of the ring's answers are compared
    with each other."""
    if not any(same(actual, name) for name in names):
        fail(f"{call} gave {show(actual)} (a {type(actual).__name__}), not one of the ring's "
             f"nodes {names}: a lookup returns one of the node names the ring was given, as it "
             "was given.", script)


def node_set(script: Script, ring: HashRing) -> set[str]:
    """``set(ring.nodes)``, once each node in it is checked to be a str like the names the ring
    was given (a set of other objects would hash and compare them by their own rules)."""
    nodes = script.observe("ring.nodes", lambda: list(ring.nodes))
    for node in nodes:
        if type(node) is not str:
            fail(f"ring.nodes included {show(node)} (a {type(node).__name__}); the nodes are "
                 "the str names the ring was given.", script)
    return set(nodes)


def check_lookup(script: Script, ring: HashRing, model: RingModel, position: int) -> None:
    actual = script.call("ring", ring, "get_node", key(position))
    expected = model.node(position)
    if not same(actual, expected):
        fail(f"ring.get_node({key(position)!r}) gave {show(actual)}, expected {expected!r}: "
             f"{model.explain(position)}.", script)


def probes(model: RingModel) -> list[int]:
    """Every point, one either side of it, both ends of the hash space."""
    around = {0, SPACE - 1, model.positions[-1] + 1}
    for point in model.positions:
        around.update({point - 1, point, point + 1})
    return sorted(p for p in around if 0 <= p < SPACE)


def test_first_point_at_or_after_the_key() -> None:
    """a key at a point's hash, just before it, just after it, and past the last point"""
    placed = PlacedHash()
    s = Script()
    ring, model = build(placed, s, 3, [("cache-a", 1), ("cache-b", 1), ("cache-c", 2)])
    assert not placed.collided
    for position in probes(model):
        check_lookup(s, ring, model, position)


def test_wrap_around_past_the_largest_point() -> None:
    """a key hashing above every point belongs to the node of the smallest point"""
    for attempt in range(20):
        # Rings whose smallest and largest points have different owners tell wrapping apart
        # from stopping at the last point; which rings those are depends on your point names.
        placed = PlacedHash()
        s = Script()
        names = [(f"cache-{attempt}-{letter}", 1) for letter in "abc"]
        ring, model = build(placed, s, 2, names)
        if model.owner[model.positions[0]] != model.owner[model.positions[-1]]:
            break
    for position in (model.positions[-1] + 1, (model.positions[-1] + SPACE) // 2, SPACE - 1):
        check_lookup(s, ring, model, position)
    actual = s.call("ring", ring, "get_nodes", key(SPACE - 1), 2)
    expected = model.nodes(SPACE - 1, 2)
    if not same(list(actual), expected):
        fail(f"ring.get_nodes({key(SPACE - 1)!r}, 2) gave {show(actual)}, expected {expected}: "
             f"{model.explain(SPACE - 1)}; the walk goes on clockwise from there.", s)


def test_get_nodes_walks_clockwise_over_distinct_nodes() -> None:
    """get_nodes(key, n): n distinct nodes in clockwise order, the first being get_node(key)"""
    placed = PlacedHash()
    s = Script()
    names = [("cache-a", 1), ("cache-b", 2), ("cache-c", 1), ("db-1", 1)]
    ring, model = build(placed, s, 4, names)
    for position in probes(model):
        for n in range(1, len(names) + 1):
            actual = s.call("ring", ring, "get_nodes", key(position), n)
            expected = model.nodes(position, n)
            listed = list(actual) if isinstance(actual, list | tuple) else actual
            if not same(listed, expected):
                fail(f"ring.get_nodes({key(position)!r}, {n}) gave {show(actual)}, expected "
                     f"{expected}: {model.explain(position)}; walk on clockwise from there, "
                     "skipping nodes already taken.", s)


def test_get_nodes_on_a_weighted_ring_of_few_points() -> None:
    """one point per weight unit: get_nodes may have to walk past a heavy node's points"""
    placed = PlacedHash()
    s = Script()
    ring, model = build(placed, s, 1, [("cache-a", 4), ("cache-b", 1), ("cache-c", 1)])
    for position in probes(model):
        for n in (2, 3):
            actual = s.call("ring", ring, "get_nodes", key(position), n)
            expected = model.nodes(position, n)
            if not same(list(actual), expected):
                fail(f"ring.get_nodes({key(position)!r}, {n}) gave {show(actual)}, expected "
                     f"{expected}: {model.explain(position)}; keep walking past cache-a's "
                     "points until n distinct nodes are found.", s)


def test_get_nodes_beyond_the_node_count_gives_all() -> None:
    """get_nodes with n above the number of nodes returns every node once"""
    placed = PlacedHash()
    s = Script()
    ring, _ = build(placed, s, 5, [("cache-a", 1), ("cache-b", 1), ("cache-c", 1)])
    for n in (4, 10):
        actual = s.call("ring", ring, "get_nodes", key(12345), n)
        listed = list(actual)
        if not (all(type(node) is str for node in listed)
                and same(sorted(listed), ["cache-a", "cache-b", "cache-c"])):
            fail(f"ring.get_nodes('key:12345', {n}) gave {show(actual)}; with only 3 nodes it "
                 "must return each of the 3 once.", s)


def test_str_and_bytes_keys_share_a_node() -> None:
    """a str key is hashed as its UTF-8 bytes: 'x' and b'x' land on one node"""
    s = Script()
    ring = s.new("ring", HashRing, NAMES)
    for text in ["user:42", "ключ", "日本語", "emoji-🙂", ""]:
        as_str = s.call("ring", ring, "get_node", text)
        as_bytes = s.call("ring", ring, "get_node", text.encode())
        expect_node(s, as_str, NAMES, f"ring.get_node({text!r})")
        s.expect(as_bytes, as_str, f"ring.get_node({text.encode()!r})",
                 f"ring.get_node({text!r}) gave {as_str!r}")


def test_key_position_is_the_hash_of_its_utf8_bytes() -> None:
    """hash_fn receives the key's UTF-8 bytes, exactly"""
    seen: list[bytes] = []

    def recording(data: bytes) -> int:
        seen.append(bytes(data))
        return len(seen)

    s = Script()
    ring = s.new("ring", HashRing, ["cache-a"], vnodes=2, hash_fn=recording)
    for k in ["ключ", " User:1 ", "café", "e\u0301", b"\xff\xfe raw", b" Mixed Case "]:
        seen.clear()
        s.call("ring", ring, "get_node", k)
        exact = k.encode() if isinstance(k, str) else k
        if not any(same(data, exact) for data in seen):
            fail(f"ring.get_node({k!r}) called hash_fn with {show(seen)}; the key's position "
                 f"is hash_fn of exactly {exact!r}: a str's UTF-8 bytes, as they are, and "
                 "bytes unchanged (no strip, lower, normalisation or decoding).", s)


def test_empty_ring_raises_lookup_error() -> None:
    """an empty ring (never filled, or emptied) raises LookupError on lookups"""
    s = Script()
    ring = s.new("ring", HashRing)
    s.expect_raises(LookupError, "ring", ring, "get_node", "user:1")
    s.expect_raises(LookupError, "ring", ring, "get_nodes", "user:1", 2)
    s.call("ring", ring, "add_node", "cache-a")
    s.call("ring", ring, "remove_node", "cache-a")
    s.expect_raises(LookupError, "ring", ring, "get_node", "user:1")


def test_errors() -> None:
    """duplicate node: ValueError; unknown node: KeyError; get_nodes with n < 1: ValueError"""
    s = Script()
    ring = s.new("ring", HashRing, ["cache-a", "cache-b"])
    before = {f"user:{i}": s.observe("get_node", ring.get_node, f"user:{i}") for i in range(200)}
    for k, node in before.items():
        expect_node(s, node, ["cache-a", "cache-b"], f"ring.get_node({k!r})")
    s.expect_raises(ValueError, "ring", ring, "add_node", "cache-a", 5)
    s.expect(s.observe("len(ring)", len, ring), 2, "len(ring)", "the duplicate was refused")
    for k, node in before.items():
        s.expect(s.call("ring", ring, "get_node", k), node, f"ring.get_node({k!r})",
                 "a refused add_node must leave the ring exactly as it was")
    s.expect_raises(KeyError, "ring", ring, "remove_node", "cache-z")
    s.expect_raises(ValueError, "ring", ring, "get_nodes", "user:1", 0)
    s.expect_raises(ValueError, "ring", ring, "get_nodes", "user:1", -1)
    # the refused duplicate must not have added a second set of points
    s.call("ring", ring, "remove_node", "cache-a")
    s.expect(node_set(s, ring), {"cache-b"}, "set(ring.nodes)")
    for i in range(50):
        s.expect(s.call("ring", ring, "get_node", f"user:{i}"), "cache-b",
                 f"ring.get_node('user:{i}')", "cache-b is the only node left")


def test_nodes_and_len_follow_adds_and_removes() -> None:
    """nodes (compared as a set) and len(ring) follow every change; nodes= in the constructor"""
    s = Script()
    ring = s.new("ring", HashRing, (name for name in ["cache-a", "cache-b"]))
    s.expect(node_set(s, ring), {"cache-a", "cache-b"},
             "set(ring.nodes)", "nodes may be any iterable, a generator too")
    s.call("ring", ring, "add_node", "cache-c", 3)
    s.expect(s.observe("len(ring)", len, ring), 3, "len(ring)", "a weight of 3 is still one node")
    s.call("ring", ring, "remove_node", "cache-a")
    s.expect(node_set(s, ring), {"cache-b", "cache-c"},
             "set(ring.nodes)")
    s.expect(s.observe("len(ring)", len, ring), 2, "len(ring)")


def test_answers_do_not_depend_on_insertion_order() -> None:
    """the same nodes added in another order (or passed to the constructor) give the same ring"""
    s = Script()
    forward = s.new("forward", HashRing, NAMES)
    backward = s.new("backward", HashRing)
    for node in reversed(NAMES):
        s.call("backward", backward, "add_node", node)
    for i in range(300):
        k = f"user:{i}"
        a = s.call("forward", forward, "get_node", k)
        b = s.call("backward", backward, "get_node", k)
        expect_node(s, a, NAMES, f"forward.get_node({k!r})")
        s.expect(b, a, f"backward.get_node({k!r})", f"forward.get_node({k!r}) gave {a!r}")


CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from hash_ring import HashRing
ring = HashRing(json.loads(sys.argv[2]))
keys = json.loads(sys.argv[3])
print(json.dumps([ring.get_node(k) for k in keys] + [ring.get_node(k.encode()) for k in keys]))
"""


def test_same_answers_in_every_process() -> None:
    """the default hash gives the same node for each key in two more Python processes, each
    with its own PYTHONHASHSEED (Python's hash() of a str differs between them)"""
    keys = [f"user:{i}" for i in range(200)] + ["日本語", "ключ", ""]
    ring = HashRing(NAMES)
    here = [ring.get_node(k) for k in keys] + [ring.get_node(k.encode()) for k in keys]
    for k, node in zip(keys + [k.encode() for k in keys], here, strict=True):
        expect_node(None, node, NAMES, f"HashRing({NAMES}).get_node({k!r})")
    folder = str(Path(subject.__file__ or ".").resolve().parent)
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [*python_command(), "-c", CHILD, folder, json.dumps(NAMES), json.dumps(keys)],
            capture_output=True, text=True, env=env, timeout=60, check=False)
        if proc.returncode != 0:
            fail(f"HashRing({NAMES}) failed in another Python process "
                 f"(PYTHONHASHSEED={seed}):\n{proc.stderr[-800:]}")
        there = json.loads(proc.stdout)
        differ = [(k, a, b) for k, a, b in zip(keys + keys, here, there, strict=True)
                  if not same(b, a)]
        if differ:
            k, a, b = differ[0]
            fail(f"HashRing({NAMES}).get_node({k!r}) gave {a!r} in the grading process but "
                 f"{b!r} in another process with PYTHONHASHSEED={seed} ({len(differ)} of "
                 f"{len(here)} lookups differ). Python's hash() of a str is salted per "
                 "process; use a stable digest such as hashlib.blake2b for the default hash.")


class RingMachine(RuleBasedStateMachine):
    """Random adds, removes and lookups, compared after every step with a model of the rules."""

    def __init__(self) -> None:
        super().__init__()
        self.script = Script()
        self.placed = PlacedHash()
        self.ring: HashRing | None = None
        self.vnodes = 1
        self.members: set[str] = set()
        # A removed node does not come back here: a ring may remember the positions of its
        # points and not hash them again, and then these checks could not tell where they are.
        self.retired: set[str] = set()

    @initialize(vnodes=st.integers(1, 4))
    def create(self, vnodes: int) -> None:
        self.vnodes = vnodes
        self.script.note(HOW)
        self.ring = self.script.new("ring", HashRing, vnodes=vnodes, hash_fn=self.placed)

    @rule(node=st.sampled_from(NAMES), weight=st.integers(1, 3))
    def add(self, node: str, weight: int) -> None:
        if node in self.retired:
            return
        if node in self.members:
            self.script.expect_raises(ValueError, "ring", self.ring, "add_node", node, weight)
            return
        with self.placed.adding(node):
            self.script.call("ring", self.ring, "add_node", node, weight)
        self.members.add(node)

    @rule(node=st.sampled_from(NAMES))
    def remove(self, node: str) -> None:
        if node not in self.members:
            self.script.expect_raises(KeyError, "ring", self.ring, "remove_node", node)
            return
        self.script.call("ring", self.ring, "remove_node", node)
        self.placed.forget(node)
        self.members.discard(node)
        self.retired.add(node)

    @precondition(lambda self: bool(self.members))
    @rule(position=st.integers(0, SPACE - 1), n=st.integers(1, 4),
          where=st.sampled_from(["anywhere", "on a point", "past the last point"]))
    def lookup(self, position: int, n: int, where: str) -> None:
        assume(not self.placed.collided)
        model = RingModel(self.placed.owner)
        if where == "on a point":  # the at-or-after boundary
            position = model.positions[position % len(model.positions)]
        elif where == "past the last point":  # wrap around
            last = model.positions[-1]
            position = last + 1 + position % (SPACE - last - 1) if last < SPACE - 1 else last
        check_lookup(self.script, self.ring, model, position)  # type: ignore[arg-type]
        actual = self.script.call("ring", self.ring, "get_nodes", key(position), n)
        expected = model.nodes(position, n)
        if n > len(self.members):  # all of them, in an order left open
            expected = sorted(self.members)
            actual = sorted(actual)
        if not same(list(actual), expected):
            fail(f"ring.get_nodes({key(position)!r}, {n}) gave {show(actual)}, expected "
                 f"{expected}: {model.explain(position)}.", self.script)

    @precondition(lambda self: not self.members)
    @rule()
    def lookup_empty(self) -> None:
        self.script.expect_raises(LookupError, "ring", self.ring, "get_node", key(7))

    @invariant()
    def membership(self) -> None:
        if self.ring is None:
            return
        ring = self.ring
        self.script.expect(self.script.observe("len(ring)", len, ring), len(self.members),
                           "then len(ring)")
        self.script.expect(node_set(self.script, ring), self.members, "then set(ring.nodes)")


TestRingMachine = machine_test(RingMachine, points=4, max_examples=40, steps=20)
