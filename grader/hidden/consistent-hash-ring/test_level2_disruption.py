"""Level 2: minimal disruption. Adding a node moves keys only onto it; removing a node moves only
the keys it held. Checked with your default hash over thousands of keys."""

from __future__ import annotations

import pytest
from hash_ring import HashRing
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from grader.checks import Script, fail, machine_test, same, show

pytestmark = pytest.mark.level(2)

# Addresses that share prefixes: removing 10.0.0.1 must not touch 10.0.0.10 or 10.0.0.11.
NAMES = [f"10.0.0.{i}" for i in (1, 10, 11, 12, 2, 20, 21, 3)]
KEYS = [f"session:{i:05d}" for i in range(3000)]


def placement(script: Script, ring: HashRing, keys: list[str]) -> dict[str, str]:
    script.note(f"[ring.get_node(k) for k in keys]  # {len(keys)} keys, {keys[0]!r} to "
                f"{keys[-1]!r}")
    found = {k: script.observe(f"ring.get_node({k!r})", ring.get_node, k) for k in keys}
    check_nodes(script, found, "ring.get_node({!r})")
    return found


def check_nodes(script: Script, found: dict[str, object], call: str) -> None:
    """Fail unless every answer in ``found`` (key -> what ``call`` gave) is one of NAMES, compared
    type-strictly (``same``): the checks then compare the answers with each other as strs."""
    for k, node in found.items():
        if not any(same(node, name) for name in NAMES):
            fail(f"{call.format(k)} gave {show(node)} (a {type(node).__name__}), not one of the "
                 f"node names {NAMES}: get_node returns one of the nodes the ring was given, as "
                 "it was given.", script)


def check_add(script: Script, before: dict[str, str], after: dict[str, str], new: str) -> None:
    wrong = [(k, before[k], after[k]) for k in before
             if after[k] != before[k] and after[k] != new]
    if wrong:
        k, was, now = wrong[0]
        fail(f"after ring.add_node({new!r}), {len(wrong)} of {len(before)} keys moved between "
             f"old nodes, e.g. {k!r} from {was!r} to {now!r}. A new node may only take keys "
             "onto itself: the points of the other nodes must not move.", script)
    if new not in after.values():
        fail(f"after ring.add_node({new!r}), none of {len(before)} keys went to it.", script)


def check_remove(script: Script, before: dict[str, str], after: dict[str, str],
                 gone: str) -> None:
    wrong = [(k, before[k], after[k]) for k in before if before[k] != gone
             and after[k] != before[k]]
    if wrong:
        k, was, now = wrong[0]
        fail(f"after ring.remove_node({gone!r}), {len(wrong)} keys that were not on {gone!r} "
             f"moved anyway, e.g. {k!r} from {was!r} to {now!r}. Only the removed node's keys "
             "may move.", script)
    stuck = [k for k in before if after[k] == gone]
    if stuck:
        fail(f"after ring.remove_node({gone!r}), ring.get_node({stuck[0]!r}) still gave "
             f"{gone!r}.", script)


def test_adding_a_node_moves_keys_only_onto_it() -> None:
    """add_node: every key that changes node moves onto the new node"""
    s = Script()
    ring = s.new("ring", HashRing, NAMES[:6])
    before = placement(s, ring, KEYS)
    s.call("ring", ring, "add_node", NAMES[6])
    check_add(s, before, placement(s, ring, KEYS), NAMES[6])
    before = placement(s, ring, KEYS)
    s.call("ring", ring, "add_node", NAMES[7], 3)
    check_add(s, before, placement(s, ring, KEYS), NAMES[7])


def test_removing_a_node_moves_only_its_keys() -> None:
    """remove_node: only the keys the removed node held change node"""
    s = Script()
    ring = s.new("ring", HashRing, NAMES)
    for gone in (NAMES[0], NAMES[5], NAMES[3]):
        before = placement(s, ring, KEYS)
        s.call("ring", ring, "remove_node", gone)
        check_remove(s, before, placement(s, ring, KEYS), gone)


def test_remove_then_add_restores_every_key() -> None:
    """removing a node and adding it back gives every key its old node"""
    s = Script()
    ring = s.new("ring", HashRing, NAMES)
    original = placement(s, ring, KEYS)
    s.call("ring", ring, "remove_node", NAMES[2])
    s.call("ring", ring, "remove_node", NAMES[4])
    s.call("ring", ring, "add_node", NAMES[4], 3)  # back with another weight...
    fresh = HashRing([n for n in NAMES if n not in (NAMES[2], NAMES[4])])
    fresh.add_node(NAMES[4], 3)
    now = placement(s, ring, KEYS)
    afresh = {k: fresh.get_node(k) for k in KEYS}
    check_nodes(s, afresh, "a ring built afresh with the same nodes and weights: get_node({!r})")
    differ = [k for k in KEYS if now[k] != afresh[k]]
    if differ:
        fail(f"after re-adding {NAMES[4]!r} with weight 3, {len(differ)} keys differ from a ring "
             f"built afresh with the same nodes and weights, e.g. {differ[0]!r}: a node that "
             "comes back gets vnodes × its new weight points.", s)
    s.call("ring", ring, "remove_node", NAMES[4])
    s.call("ring", ring, "add_node", NAMES[4])  # ... and with its first weight again
    s.call("ring", ring, "add_node", NAMES[2])
    restored = placement(s, ring, KEYS)
    moved = [k for k in KEYS if restored[k] != original[k]]
    if moved:
        fail(f"{len(moved)} keys did not come back to their node, e.g. "
             f"ring.get_node({moved[0]!r}) gave {restored[moved[0]]!r} where it gave "
             f"{original[moved[0]]!r} before.", s)


class ChurnMachine(RuleBasedStateMachine):
    """Random additions and removals (with weights): after each, only the keys that must move
    have moved."""

    keys = KEYS[:400]

    def __init__(self) -> None:
        super().__init__()
        self.script = Script()
        self.ring: HashRing | None = None
        self.members: set[str] = set()

    @initialize(first=st.sampled_from(NAMES), vnodes=st.sampled_from([1, 3, 20, 100]))
    def create(self, first: str, vnodes: int) -> None:
        self.ring = self.script.new("ring", HashRing, [first], vnodes=vnodes)
        self.members = {first}

    @rule(node=st.sampled_from(NAMES), weight=st.integers(1, 3))
    def add(self, node: str, weight: int) -> None:
        if node in self.members:
            return
        before = placement(self.script, self.ring, self.keys)  # type: ignore[arg-type]
        self.script.call("ring", self.ring, "add_node", node, weight)
        self.members.add(node)
        after = placement(self.script, self.ring, self.keys)  # type: ignore[arg-type]
        wrong = [k for k in before if after[k] not in (before[k], node)]
        if wrong:
            check_add(self.script, before, after, node)

    @rule(node=st.sampled_from(NAMES))
    def remove(self, node: str) -> None:
        if node not in self.members or len(self.members) == 1:
            return
        before = placement(self.script, self.ring, self.keys)  # type: ignore[arg-type]
        self.script.call("ring", self.ring, "remove_node", node)
        self.members.discard(node)
        check_remove(self.script, before, placement(self.script, self.ring, self.keys),  # type: ignore[arg-type]
                     node)


TestChurnMachine = machine_test(ChurnMachine, points=4, max_examples=40, steps=12)
