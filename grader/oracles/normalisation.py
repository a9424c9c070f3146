"""The normalisation kata's oracle: functional-dependency theory by brute force, written to be
obviously right rather than fast (schemas of at most about 8 attributes).

A dependency is a pair ``(lhs, rhs)`` of frozensets of attribute names, independent of the
learner's ``FD`` class. Everything is computed from the definitions: closures by fixpoint,
keys and projections by enumerating every subset, normal forms by looking at the closure of
every subset (not only the given dependencies), losslessness by the chase (whose final
tableau is a counterexample when the join is lossy) and by random instances, dependency
preservation both by the textbook polynomial test and by projecting the closure.

It also holds what the hidden suite shares between levels: the hypothesis strategies for
schemas, the text forms used in messages (``A B -> C``), the reading of a learner's answer
into dependencies, and the instruments that count work (:class:`LineBudget`,
:class:`CountingCell`).
"""

from __future__ import annotations

import functools
import itertools
import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import FrameType, ModuleType
from typing import Any

from hypothesis import strategies as st

from grader.checks import LineCounter, Script, fail, show

Attrs = frozenset[str]
Dep = tuple[Attrs, Attrs]
Row = dict[str, Any]

LETTERS = "ABCDEFGHIJKLMNOPQRST"


# -- the theory ------------------------------------------------------------------------------

def closure(attrs: Iterable[str], deps: Iterable[Dep]) -> Attrs:
    """Everything ``attrs`` determines: apply every dependency until nothing changes."""
    deps = list(deps)
    result = set(attrs)
    changed = True
    while changed:
        changed = False
        for lhs, rhs in deps:
            if lhs <= result and not rhs <= result:
                result |= rhs
                changed = True
    return frozenset(result)


def implies(deps: Iterable[Dep], lhs: Attrs, rhs: Attrs) -> bool:
    return rhs <= closure(lhs, deps)


def equivalent(first: Sequence[Dep], second: Sequence[Dep]) -> bool:
    return (all(implies(first, lhs, rhs) for lhs, rhs in second)
            and all(implies(second, lhs, rhs) for lhs, rhs in first))


def subsets(attrs: Iterable[str]) -> Iterator[Attrs]:
    """Every subset, smallest first."""
    items = sorted(attrs)
    for size in range(len(items) + 1):
        for combo in itertools.combinations(items, size):
            yield frozenset(combo)


def subsets_of_size(attrs: Iterable[str], size: int) -> Iterator[Attrs]:
    return (frozenset(combo) for combo in itertools.combinations(sorted(attrs), size))


def candidate_keys(attrs: Attrs, deps: Sequence[Dep]) -> set[Attrs]:
    """The minimal superkeys, by trying every subset."""
    superkeys = [x for x in subsets(attrs) if closure(x, deps) >= attrs]
    return {k for k in superkeys if not any(other < k for other in superkeys)}


def project(deps: Sequence[Dep], schema: Attrs) -> list[Dep]:
    """The dependencies of the closure that lie within ``schema``: X -> (X+ ∩ schema) - X for
    every subset X of the schema."""
    result = []
    for x in subsets(schema):
        rhs = (closure(x, deps) & schema) - x
        if rhs:
            result.append((x, rhs))
    return result


FORMS = ("1NF", "2NF", "3NF", "BCNF")


def violation(attrs: Attrs, deps: Sequence[Dep], form: str) -> tuple[Attrs, str] | None:
    """A dependency X -> A of the closure (over every subset X) that breaks ``form`` ("2NF",
    "3NF" or "BCNF"), or None when the relation is in that form."""
    return violations(attrs, deps).get(form)


def violations(attrs: Attrs, deps: Sequence[Dep]) -> dict[str, tuple[Attrs, str]]:
    """The first dependency X -> A (smallest X first) breaking each of 2NF, 3NF and BCNF."""
    closures = {x: closure(x, deps) for x in subsets(attrs)}
    superkeys = [x for x, reach in closures.items() if reach >= attrs]
    keys = {k for k in superkeys if not any(other < k for other in superkeys)}
    prime = frozenset().union(*keys)
    found: dict[str, tuple[Attrs, str]] = {}
    for x, reach in closures.items():
        superkey = any(k <= x for k in keys)
        for a in sorted((reach & attrs) - x):
            if not superkey:
                found.setdefault("BCNF", (x, a))
                if a not in prime:
                    found.setdefault("3NF", (x, a))
            if a not in prime and any(x < k for k in keys):
                found.setdefault("2NF", (x, a))
    return found


def normal_form(attrs: Attrs, deps: Sequence[Dep]) -> str:
    """The highest of 1NF, 2NF, 3NF and BCNF that holds."""
    broken = violations(attrs, deps)
    for form in ("BCNF", "3NF", "2NF"):
        if form not in broken:
            return form
    return "1NF"


def chase(attrs: Attrs, deps: Sequence[Dep], schemas: Sequence[Attrs]) -> list[Row]:
    """The chased tableau of a decomposition: one row per schema, holding ``A0`` (the
    distinguished symbol) in the schema's columns and ``A<i>`` elsewhere; whenever two rows
    agree on a dependency's left side, the symbols of its right side are equated everywhere in
    their column (a distinguished symbol wins). The decomposition is lossless exactly when
    some row ends up all distinguished; otherwise the tableau itself is a relation that
    satisfies every dependency and whose projections join into the all-distinguished row."""
    order = sorted(attrs)
    rows: list[Row] = [{a: f"{a}0" if a in schema else f"{a}{i + 1}" for a in order}
                       for i, schema in enumerate(schemas)]

    def rank(symbol: str, attr: str) -> tuple[int, int]:
        number = int(symbol[len(attr):])
        return (number != 0, number)

    changed = True
    while changed:
        changed = False
        for lhs, rhs in deps:
            for first, second in itertools.combinations(rows, 2):
                if all(first[a] == second[a] for a in lhs):
                    for a in sorted(rhs):
                        if first[a] != second[a]:
                            keep, drop = sorted((first[a], second[a]),
                                                key=functools.partial(rank, attr=a))
                            for row in rows:
                                if row[a] == drop:
                                    row[a] = keep
                            changed = True
    return rows


def is_lossless(attrs: Attrs, deps: Sequence[Dep], schemas: Sequence[Attrs]) -> bool:
    return any(all(row[a] == f"{a}0" for a in attrs) for row in chase(attrs, deps, schemas))


def unpreserved(deps: Sequence[Dep], schemas: Sequence[Attrs]) -> Dep | None:
    """The textbook polynomial test: grow Z from X through each schema S by (Z ∩ S)+ ∩ S; the
    first dependency X -> Y whose Y is never reached, or None when all are preserved."""
    for lhs, rhs in deps:
        z = set(lhs)
        grown = True
        while grown:
            grown = False
            for schema in schemas:
                more = (closure(z & schema, deps) & schema) - z
                if more:
                    z |= more
                    grown = True
        if not rhs <= z:
            return lhs, rhs
    return None


def preserves_by_projection(deps: Sequence[Dep], schemas: Sequence[Attrs]) -> bool:
    """Brute force: the union of the projections of the closure implies every dependency."""
    projected = [dep for schema in schemas for dep in project(deps, schema)]
    return all(implies(projected, lhs, rhs) for lhs, rhs in deps)


# -- relation instances ----------------------------------------------------------------------

def satisfying_instance(attrs: Attrs, deps: Sequence[Dep], rng: random.Random, size: int,
                        domain: int = 3) -> list[Row]:
    """Random rows over small domains, repaired until every dependency holds: while two rows
    agree on a left side and differ on a right attribute, one of the two values replaces the
    other everywhere in that column (each repair removes a value, so this ends)."""
    order = sorted(attrs)
    rows = [{a: rng.randrange(domain) for a in order} for _ in range(size)]
    changed = True
    while changed:
        changed = False
        for lhs, rhs in deps:
            seen: dict[tuple[Any, ...], Row] = {}
            for row in rows:
                key = tuple(row[a] for a in sorted(lhs))
                first = seen.setdefault(key, row)
                for a in sorted(rhs):
                    if first[a] != row[a]:
                        drop, keep = row[a], first[a]
                        for other in rows:
                            if other[a] == drop:
                                other[a] = keep
                        changed = True
    return rows


def as_tuples(rows: Iterable[Row], order: Sequence[str]) -> set[tuple[Any, ...]]:
    return {tuple(row[a] for a in order) for row in rows}


def join_of_projections(rows: Sequence[Row], schemas: Sequence[Attrs],
                        order: Sequence[str]) -> set[tuple[Any, ...]]:
    """The natural join of the projections of ``rows`` onto each schema."""
    joined: list[Row] = [{}]
    for schema in schemas:
        part = {tuple(sorted((a, row[a]) for a in schema)) for row in rows}
        joined = [{**left, **dict(right)} for left in joined for right in part
                  if all(left.get(a, value) == value for a, value in right)]
    return {tuple(row[a] for a in order) for row in joined}


# -- dependencies that hold in data ------------------------------------------------------------

def holding_fds(rows: Sequence[Row], columns: Sequence[str], max_lhs: int | None = None,
                ) -> set[Dep]:
    """Every minimal non-trivial X -> A with |X| <= max_lhs that holds in ``rows``: X -> A holds
    exactly when the rows have as many distinct X values as distinct (X, A) values."""
    order = sorted(columns)
    limit = len(order) if max_lhs is None else max_lhs
    distinct: dict[Attrs, int] = {}

    def count(x: Attrs) -> int:
        if x not in distinct:
            distinct[x] = len({tuple(row[a] for a in sorted(x)) for row in rows})
        return distinct[x]

    found: set[Dep] = set()
    for size in range(limit + 1):
        for combo in itertools.combinations(order, size):
            x = frozenset(combo)
            for a in order:
                if a in x or any(lhs <= x and rhs == {a} for lhs, rhs in found):
                    continue
                if count(x) == count(x | {a}):
                    found.add((x, frozenset({a})))
    return found


def typed(value: object) -> tuple[str, object]:
    """A value with its type, so that 1, 1.0 and '1' stay three different values."""
    return (type(value).__name__, value)


# -- text for messages -------------------------------------------------------------------------

def names(attrs: Iterable[str]) -> str:
    return " ".join(sorted(attrs))


def dep_text(dep: Dep) -> str:
    lhs, rhs = dep
    return f"{names(lhs)} -> {names(rhs)}".strip()


def deps_text(deps: Iterable[Dep]) -> str:
    return "; ".join(dep_text(d) for d in deps)


def attrs_text(attrs: Iterable[str]) -> str:
    items = sorted(attrs)
    return f"frozenset({{{', '.join(map(repr, items))}}})" if items else "frozenset()"


def schemas_text(schemas: Iterable[Attrs]) -> str:
    return "[" + ", ".join("{" + names(s) + "}" for s in schemas) + "]"


def fds_source(deps: Sequence[Dep]) -> str:
    """How the calls in a message build the dependencies: parse_fds notation, or FD(...) when
    a left side is empty (whether parse_fds accepts that is left open)."""
    if all(lhs for lhs, _ in deps):
        return f"fds = parse_fds({deps_text(deps)!r})"
    return "fds = [" + ", ".join(f"FD({attrs_text(lhs)}, {attrs_text(rhs)})"
                                 for lhs, rhs in deps) + "]"


def row_text(row: Row) -> str:
    return "(" + ", ".join(f"{a}={row[a]}" for a in sorted(row)) + ")"


def parsed(text: str) -> list[Dep]:
    """Dependencies written "A B -> C; C -> D", read here (never by the learner's parse_fds)."""
    return [(frozenset(lhs.split()), frozenset(rhs.split()))
            for lhs, rhs in (part.split("->") for part in text.split(";") if part.strip())]


def learner_fds(fd_class: Callable[..., Any], deps: Sequence[Dep]) -> list[Any]:
    """The dependencies as the learner's own FD objects."""
    return [fd_class(frozenset(lhs), frozenset(rhs)) for lhs, rhs in deps]


def script_for(deps: Sequence[Dep]) -> Script:
    """A script whose calls start from the dependencies, as the learner would build them."""
    s = Script()
    s.note(fds_source(deps))
    return s


def check_decomposition(fd_class: Callable[..., Any], fn: Callable[..., Any], name: str,
                        attrs: Attrs, deps: Sequence[Dep], *, form: str,
                        preserving: bool) -> None:
    """Call the learner's ``name(attrs, fds)`` and check the schemas it returns."""
    s = script_for(deps)
    text = f"{name}({attrs_text(attrs)}, fds)"
    got = record(s, text, fn, attrs, learner_fds(fd_class, deps))
    expect_decomposition(s, attrs, list(deps), read_schemas(s, got, text), name, form=form,
                         preserving=preserving)


# -- reading the learner's answers -------------------------------------------------------------

def attr_set(s: Script, value: object, what: str) -> Attrs:
    """A set or frozenset of str, as a frozenset; anything else fails with ``what`` named."""
    if not isinstance(value, set | frozenset) or not all(isinstance(a, str) for a in value):
        fail(f"{what} is {show(value)}; expected a frozenset of attribute names (str).", s)
    return frozenset(value)


def read_deps(s: Script, value: object, what: str) -> list[Dep]:
    """A learner's list of FDs as (lhs, rhs) pairs, checking the shape of each."""
    if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
        fail(f"{what} returned {show(value)}; expected a list of FD objects.", s)
    deps = []
    for item in list(value):
        if not (hasattr(item, "lhs") and hasattr(item, "rhs")):
            fail(f"{what} returned {show(value)}, holding {show(item)}, which is not an FD "
                 "(with lhs and rhs).", s)
        deps.append((attr_set(s, item.lhs, f"the lhs of {show(item)}"),
                     attr_set(s, item.rhs, f"the rhs of {show(item)}")))
    return deps


def read_schemas(s: Script, value: object, what: str) -> list[Attrs]:
    if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
        fail(f"{what} returned {show(value)}; expected a list of frozensets of attributes.", s)
    return [attr_set(s, item, f"an item of what {what} returned") for item in list(value)]


def record(s: Script, text: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the learner's ``fn``, noting ``text`` (and what came back) in the script."""
    s.note(text)
    result = s.observe(text, lambda: fn(*args, **kwargs))
    if s.lines and s.lines[-1] == text:
        s.lines[-1] = f"{text}  # -> {show(result, 60)}"
    return result


# -- strategies --------------------------------------------------------------------------------

def _side(size: int, most: int) -> st.SearchStrategy[Attrs]:
    return st.sets(st.sampled_from(LETTERS[:size]), min_size=1,
                   max_size=min(most, size)).map(frozenset)


# Built once: making strategies inside every example is what costs most in hypothesis.
_LEFT = {(size, most): _side(size, most) for size in range(1, 9) for most in range(1, 4)}
_RIGHT = {size: _side(size, 2) for size in range(1, 9)}


@st.composite
def schemas(draw: st.DrawFn, min_attrs: int = 2, max_attrs: int = 6, max_deps: int = 6,
            max_lhs: int = 3) -> tuple[Attrs, list[Dep]]:
    """A relation of 2..6 single-letter attributes and dependencies among them (left sides
    never empty; no attribute outside the relation)."""
    size = draw(st.integers(min_attrs, max_attrs))
    deps = draw(st.lists(st.tuples(_LEFT[size, max_lhs], _RIGHT[size]), max_size=max_deps))
    return frozenset(LETTERS[:size]), deps


# -- counting work -------------------------------------------------------------------------------

class OverBudget(BaseException):
    """Raised into the learner's code once it has done more work than a check allows (a
    BaseException, so that an ``except Exception`` in the learner's code does not swallow it)."""


class LineBudget(LineCounter):
    """Counts the lines run in the learner's files and stops the code, by raising
    :class:`OverBudget` from the tracer, once there are more than ``limit``: an exponential
    search is stopped at once instead of running into the check's time limit."""

    def __init__(self, module: ModuleType, limit: int) -> None:
        super().__init__(module)
        self.limit = limit
        self.exceeded = False

    def _local(self, frame: FrameType, event: str, arg: object) -> Any:
        if event == "line":
            self.lines += 1
            if self.lines > self.limit:
                self.exceeded = True
                raise OverBudget
        return self._local


def within_lines(module: ModuleType, limit: int, fn: Callable[[], Any]) -> tuple[bool, int, Any]:
    """Run ``fn`` under a :class:`LineBudget`: (within the budget?, lines run, result)."""
    result = None
    budget = LineBudget(module, limit)
    try:
        with budget:
            result = fn()
    except OverBudget:
        return False, budget.lines, None
    return not budget.exceeded, budget.lines, result


class WorkCounter:
    """How many operations the learner's code made on :class:`CountingCell` values; past
    ``limit`` the next one raises :class:`OverBudget`."""

    def __init__(self, limit: int) -> None:
        self.count = 0
        self.limit = limit
        self.exceeded = False

    def tick(self) -> None:
        self.count += 1
        if self.count > self.limit:
            self.exceeded = True
            raise OverBudget


class CountingCell:
    """A cell value that counts every hash, comparison and conversion to text made on it."""

    __slots__ = ("counter", "value")

    def __init__(self, value: int, counter: WorkCounter) -> None:
        self.value = value
        self.counter = counter

    def __hash__(self) -> int:
        self.counter.tick()
        return hash(self.value)

    def __eq__(self, other: object) -> bool:
        self.counter.tick()
        return isinstance(other, CountingCell) and other.value == self.value

    def __ne__(self, other: object) -> bool:
        self.counter.tick()
        return not (isinstance(other, CountingCell) and other.value == self.value)

    def _order(self, other: object) -> tuple[int, int]:
        self.counter.tick()
        if not isinstance(other, CountingCell):
            raise TypeError(f"cannot order v{self.value} and {type(other).__name__}")
        return self.value, other.value

    def __lt__(self, other: object) -> bool:
        mine, theirs = self._order(other)
        return mine < theirs

    def __le__(self, other: object) -> bool:
        mine, theirs = self._order(other)
        return mine <= theirs

    def __gt__(self, other: object) -> bool:
        mine, theirs = self._order(other)
        return mine > theirs

    def __ge__(self, other: object) -> bool:
        mine, theirs = self._order(other)
        return mine >= theirs

    def __repr__(self) -> str:
        self.counter.tick()
        return f"v{self.value}"

    __str__ = __repr__


def multiset_difference(got: Counter[Any], expected: Counter[Any]) -> tuple[list[Any], list[Any]]:
    """(rows in ``got`` beyond ``expected``, rows of ``expected`` missing from ``got``), each
    listed as many times as it is extra or missing."""
    return list((got - expected).elements()), list((expected - got).elements())


# -- judging a decomposition ---------------------------------------------------------------------

def decomposition(rng: random.Random, attrs: Attrs, deps: Sequence[Dep]) -> list[Attrs]:
    """2 to 4 schemas that together hold every attribute: either random, or made lossless by
    splitting along dependencies (X+ and the rest plus X), so that both answers are common."""
    letters = sorted(attrs)
    if deps and rng.random() < 0.5:
        parts = [attrs]
        for _ in range(rng.randint(1, 3)):
            lhs, _rhs = rng.choice(list(deps))
            at = rng.randrange(len(parts))
            part = parts[at]
            if lhs <= part:
                determined = closure(lhs, deps) & part
                rest = part - (determined - lhs)
                if part not in (determined, rest):
                    parts[at:at + 1] = [determined, rest]
        return parts
    parts = [frozenset(rng.sample(letters, rng.randint(1, max(1, len(letters) - 1))))
             for _ in range(rng.randint(2, 4))]
    for a in sorted(attrs - frozenset().union(*parts)):
        at = rng.randrange(len(parts))
        parts[at] = parts[at] | {a}
    return parts


def _instance_counterexample(attrs: Attrs, deps: Sequence[Dep], schemas: Sequence[Attrs],
                             ) -> tuple[list[Row], tuple[Any, ...]] | None:
    """Random instances that satisfy the dependencies, seeded by the question: one whose
    projections join into a row it does not have, with that row."""
    order = sorted(attrs)
    rng = random.Random(f"{order} {deps_text(deps)} {schemas_text(schemas)}")  # noqa: S311 - a fixed seed, for test data
    for size in (2, 3, 4, 6, 8):
        for _ in range(4):
            rows = satisfying_instance(attrs, deps, rng, size)
            extra = join_of_projections(rows, schemas, order) - as_tuples(rows, order)
            if extra:
                return rows, min(extra)
    return None


def expect_decomposition(s: Script, attrs: Attrs, deps: Sequence[Dep], schemas: list[Attrs],
                         what: str, *, form: str, preserving: bool) -> None:
    """``schemas`` (what the learner's ``what`` returned) is a decomposition of ``attrs``:
    non-empty schemas within the relation that cover it, each at least in ``form`` under the
    projection of the closure, lossless (the chase, and random instances), and, if
    ``preserving``, dependency preserving."""
    prefix = f"{what} returned {schemas_text(schemas)}"
    if not schemas:
        fail(f"{prefix}: no schema at all; the schemas must hold every attribute.", s)
    for schema in schemas:
        if not schema:
            fail(f"{prefix}: an empty schema is not a table.", s)
        if not schema <= attrs:
            fail(f"{prefix}: {{{names(schema)}}} holds {names(schema - attrs)}, which is not "
                 "an attribute of the relation.", s)
    missing = attrs - frozenset().union(*schemas)
    if missing:
        fail(f"{prefix}: no schema holds {names(missing)}; every attribute must be in one.", s)
    for schema in schemas:
        projected = project(deps, schema)
        broken = violations(schema, projected)
        if form in broken:
            lhs, a = broken[form]
            keys = candidate_keys(schema, projected)
            keys_text = ", ".join("{" + names(k) + "}" for k in sorted(keys, key=sorted))
            rule = ("the left side is not a superkey of the schema" if form == "BCNF" else
                    "the left side is not a superkey of the schema and "
                    f"{a} is in none of its keys")
            fail(f"{prefix}: {{{names(schema)}}} is not in {form}: "
                 f"{dep_text((lhs, frozenset({a})))} holds within it (it follows from the FDs), "
                 f"and {rule} (keys of the schema: {keys_text}).", s)
    order = sorted(attrs)
    if not is_lossless(attrs, deps, schemas):
        listed = ", ".join(row_text(row) for row in chase(attrs, deps, schemas))
        spurious = "(" + ", ".join(f"{a}={a}0" for a in order) + ")"
        fail(f"{prefix}, which is not lossless. These rows satisfy every FD: {listed}; yet "
             f"joining their projections onto your schemas also gives {spurious}, a row that "
             "was not there.", s)
    found = _instance_counterexample(attrs, deps, schemas)
    if found is not None:
        rows, extra = found
        fail(f"{prefix}, which is not lossless: the rows {', '.join(map(row_text, rows))} "
             "satisfy every FD, yet joining their projections onto your schemas also gives "
             f"{row_text(dict(zip(order, extra, strict=True)))}.", s)
    if preserving:
        lost = unpreserved(deps, schemas)
        if lost is not None or not preserves_by_projection(deps, schemas):
            lost = lost or next(d for d in deps
                                if not implies([p for sch in schemas for p in project(deps, sch)],
                                               *d))
            fail(f"{prefix}, which does not preserve {dep_text(lost)}: the FDs that hold "
                 "within each schema, taken together, do not imply it.", s)
