"""The B+ tree's oracle: its structural rules, checked through the kata's introspection API.

:func:`structure` walks a learner's tree from ``root`` and returns the first rule it breaks, in
the learner's terms (which node, by its path from the root, and what it holds), or None.
Only what the kata's contract names is read: ``keys`` and ``is_leaf`` on every node,
``children`` on internal nodes, ``values`` and ``next`` on leaves. A leaf's ``children`` is
never looked at (it may be missing or None).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from grader.checks import show

MAX_NODES = 100_000  # a walk that finds more nodes than this is following a cycle
# A node's identity for the walk's "seen" set: object's own hash, derived from the address,
# unique among live objects like id(), whatever the learner's class defines. Not id() itself:
# while grading, every id() call is an audited event that runs the guard's hook.
identity = object.__hash__


def min_keys(order: int) -> int:
    """The fewest keys a node other than the root may hold: ⌈order/2⌉ - 1."""
    return (order + 1) // 2 - 1


def min_height(count: int, order: int) -> int:
    """The lowest a tree of ``count`` keys can be: leaves hold order - 1 keys, nodes have
    ``order`` children."""
    height, capacity = 1, order - 1
    while capacity < count:
        height += 1
        capacity *= order
    return height


@dataclass
class Shape:
    """What the walk found: the leaves left to right, and their depth."""

    leaves: list[Any] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    depth: int = 0

    def items(self) -> Iterator[tuple[Any, Any]]:
        for leaf in self.leaves:
            yield from zip(leaf.keys, leaf.values, strict=True)


class Broken(Exception):  # noqa: N818 - read as "raise Broken(rule)"
    """A rule the tree breaks; the message says which and where."""


class _Unbounded:
    def __repr__(self) -> str:
        return "unbounded"


UNBOUNDED: Any = _Unbounded()


def _attr(node: object, name: str, path: str) -> Any:
    try:
        return getattr(node, name)
    except AttributeError:
        raise Broken(f"node {path} has no attribute `{name}` (the README lists what every "
                     "node must expose)") from None
    except Exception as exc:  # noqa: BLE001 - a property that raises is the learner's mistake
        raise Broken(f"reading `{name}` of node {path} raised {type(exc).__name__}: {exc}") \
            from None


def _keys(node: object, path: str) -> list[Any]:
    keys = _attr(node, "keys", path)
    if not isinstance(keys, list):
        raise Broken(f"node {path}: `keys` is a {type(keys).__name__}; the contract says a list")
    return keys


def _describe(keys: list[Any]) -> str:
    return show(keys, 120)


def walk(tree: object, order: int, *, lower_bounds: bool) -> Shape:
    """Check every rule of the kata's contract; raise :class:`Broken` at the first broken one."""
    shape = Shape()
    seen: set[int] = set()
    low = min_keys(order)

    def visit(node: object, path: str, depth: int, lo: Any, hi: Any) -> None:
        me = identity(node)
        if me in seen:
            raise Broken(f"node {path} is reachable twice from the root (children must form "
                         "a tree)")
        seen.add(me)
        if len(seen) > MAX_NODES:
            raise Broken(f"the tree has more than {MAX_NODES:,} nodes; is there a cycle?")
        keys = _keys(node, path)
        leaf = _attr(node, "is_leaf", path)
        is_root = path == "root"
        for i in range(1, len(keys)):
            if not keys[i - 1] < keys[i]:
                raise Broken(f"node {path} has keys {_describe(keys)}: keys in a node must be "
                             f"strictly increasing ({show(keys[i - 1])} comes before "
                             f"{show(keys[i])})")
        for key in keys:
            if (lo is not UNBOUNDED and key < lo) or (hi is not UNBOUNDED and not key < hi):
                raise Broken(f"node {path} holds key {show(key)}, outside the range "
                             f"[{show(lo)}, {show(hi)}) that the separators above it route "
                             "to it; a search for that key would not find it")
        if leaf is True:
            values = _attr(node, "values", path)
            if not isinstance(values, list) or len(values) != len(keys):
                raise Broken(f"leaf {path} has {len(keys)} keys but `values` is "
                             f"{show(values)}; it must be a list with one value per key")
            if len(keys) > order - 1:
                raise Broken(f"leaf {path} holds {len(keys)} keys {_describe(keys)}, but a "
                             f"leaf of a tree of order {order} holds at most {order - 1}: it "
                             "should have been split")
            if lower_bounds and not is_root and len(keys) < low:
                raise Broken(f"leaf {path} holds {len(keys)} keys {_describe(keys)}, but every "
                             f"node but the root holds at least ⌈{order}/2⌉ - 1 = {low}: it "
                             "should have borrowed from a sibling or merged with one")
            if shape.leaves and depth != shape.depth:
                raise Broken(f"leaf {path} is at depth {depth} but leaf {shape.paths[0]} is at "
                             f"depth {shape.depth}: all leaves must be at the same depth")
            shape.depth = depth
            shape.leaves.append(node)
            shape.paths.append(path)
            return
        if leaf is not False:
            raise Broken(f"node {path}: `is_leaf` is {show(leaf)}; it must be True or False")
        children = _attr(node, "children", path)
        if not isinstance(children, list) or len(children) != len(keys) + 1:
            raise Broken(f"internal node {path} has {len(keys)} keys {_describe(keys)} but "
                         f"`children` is {show(children, 60)}; it must be a list of "
                         f"len(keys) + 1 = {len(keys) + 1} nodes")
        if len(children) > order:
            raise Broken(f"internal node {path} has {len(children)} children, but a tree of "
                         f"order {order} allows at most {order}: it should have been split")
        if lower_bounds and not is_root and len(keys) < low:
            raise Broken(f"internal node {path} holds {len(keys)} keys {_describe(keys)}, but "
                         f"every node but the root holds at least ⌈{order}/2⌉ - 1 = {low}: "
                         "it should have borrowed from a sibling or merged with one")
        bounds = [lo, *keys, hi]
        for i, child in enumerate(children):
            visit(child, f"{path}.children[{i}]", depth + 1, bounds[i], bounds[i + 1])

    visit(_root(tree), "root", 1, UNBOUNDED, UNBOUNDED)
    _check_chain(shape)
    return shape


def _root(tree: object) -> Any:
    try:
        return tree.root  # type: ignore[attr-defined]
    except AttributeError:
        raise Broken("the tree has no `root` attribute (the README's introspection API)") \
            from None


def _check_chain(shape: Shape) -> None:
    """Following ``next`` from the leftmost leaf visits every leaf, left to right, then None."""
    leaf = shape.leaves[0]
    for i, expected in enumerate(shape.leaves):
        if leaf is not expected:
            got = "None" if leaf is None else "another leaf"
            raise Broken(f"following `next` from the leftmost leaf, step {i} reaches {got}, "
                         f"but leaf {shape.paths[i]} comes next: a split or merge did not "
                         "relink the leaf chain")
        leaf = _attr(leaf, "next", shape.paths[i])
    if leaf is not None:
        raise Broken(f"the rightmost leaf {shape.paths[-1]} has `next` = {show(leaf, 40)}; it "
                     "must be None")


def check(tree: object, order: int, *, lower_bounds: bool, height: bool = True) -> Shape:
    """:func:`walk`, then ``len(tree)`` and ``tree.height`` against what the walk found."""
    shape = walk(tree, order, lower_bounds=lower_bounds)
    count = sum(len(leaf.keys) for leaf in shape.leaves)
    size = len(tree)  # type: ignore[arg-type]
    if size != count:
        raise Broken(f"len(tree) is {size}, but the leaves hold {count} keys")
    if height:
        reported = tree.height  # type: ignore[attr-defined]
        if callable(reported):  # a method rather than a property: the contract allows either
            reported = reported()
        if type(reported) is not int or reported != shape.depth:
            raise Broken(f"tree.height is {show(reported)}, but the leaves are at depth "
                         f"{shape.depth} (a lone leaf root has height 1)")
    return shape


def expect_valid(script: Any, tree: object, order: int, *, lower_bounds: bool,
                 height: bool = True) -> Shape:
    """:func:`check`, failing the running check with the calls so far when a rule is broken."""
    from grader.checks import fail

    try:
        return check(tree, order, lower_bounds=lower_bounds, height=height)
    except Broken as broken:
        fail(f"the tree breaks a rule of a B+ tree of order {order}: {broken}", script)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the learner's len() or property raised
        fail(f"inspecting the tree (len(tree), tree.height, the nodes) raised "
             f"{type(exc).__name__}: {exc}", script)


def expect_contents(script: Any, tree: object, order: int, model: dict[Any, Any], *,
                    lower_bounds: bool) -> None:
    """The structure is valid and its leaves hold exactly the model's items, in order."""
    from grader.checks import fail

    items = list(expect_valid(script, tree, order, lower_bounds=lower_bounds).items())
    expected = sorted(model.items())
    if items != expected:
        fail(f"the leaves, left to right, hold {show(items, 160)}; expected "
             f"{show(expected, 160)}", script)


def height_of(tree: Any) -> Any:
    """``tree.height``, called if it is a method (the README shows a property; both work)."""
    reported = tree.height
    return reported() if callable(reported) else reported
