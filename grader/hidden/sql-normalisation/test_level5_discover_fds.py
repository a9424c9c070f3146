"""Level 5 (first half): discover_fds(rows, max_lhs) returns exactly the minimal non-trivial
FDs with one right attribute and at most max_lhs left attributes that hold in the rows, as a
brute-force search over every left side finds them (the order of the list is free). None is
an ordinary value, equal only to None; a constant column gives an FD with an empty left side.

Cost is counted, never timed: the cells are values that count every hash, comparison and
conversion to text made on them. On 2,000 rows × 8 columns the budget is 10 operations per
row for each candidate (left side, right attribute): one pass over the rows per candidate
fits, comparing every pair of rows (16 million pairs) does not."""

from __future__ import annotations

import random
from typing import Any

import normalisation as subject
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.checks import Script, fail, show, written
from grader.oracles import normalisation as oracle
from grader.oracles.normalisation import Row

pytestmark = pytest.mark.level(5)

VALUES = [0, 1, 2, "x", None]


def generated(seed: int) -> list[Row]:
    """1 to 5 columns, 0 to 8 rows of small values, some columns functions of earlier ones."""
    rng = random.Random(seed)
    columns = ["a", "b", "c", "d", "e"][:rng.randint(1, 5)]
    sources = {c: rng.sample(columns[:i], min(i, rng.randint(1, 2)))
               for i, c in enumerate(columns) if i and rng.random() < 0.6}
    mapping: dict[tuple[str, tuple[Any, ...]], Any] = {}
    rows = []
    for _ in range(rng.randint(0, 8)):
        row: Row = {}
        for c in columns:
            if c in sources:
                key = (c, tuple(row[p] for p in sources[c]))
                row[c] = mapping.setdefault(key, rng.choice(VALUES))
            else:
                row[c] = rng.choice(VALUES)
        rows.append(row)
    if rows and rng.random() < 0.3:
        rows.append(dict(rng.choice(rows)))
    return rows


def check_discovery(rows: list[Row], max_lhs: int | None) -> None:
    s = Script()
    shown = show(rows, 1500)
    s.note(f"rows = {shown}")
    args = "rows" if max_lhs is None else f"rows, max_lhs={max_lhs}"
    text = f"discover_fds({args})"
    call = ((lambda: subject.discover_fds(rows)) if max_lhs is None
            else (lambda: subject.discover_fds(rows, max_lhs=max_lhs)))
    got = oracle.read_deps(s, oracle.record(s, text, call), text)
    columns = list(dict.fromkeys(c for row in rows for c in row))
    expected = oracle.holding_fds(rows, columns, 2 if max_lhs is None else max_lhs)
    limit = 2 if max_lhs is None else max_lhs
    found = set(got)
    for lhs, rhs in got:
        dep = oracle.dep_text((lhs, rhs))
        if len(rhs) != 1:
            fail(f"{text} returned {dep}: every right side must be one attribute.", s)
        if rhs <= lhs:
            fail(f"{text} returned {dep}, which is trivial.", s)
        if len(lhs) > limit:
            fail(f"{text} returned {dep}, with {len(lhs)} attributes on the left: more than "
                 f"max_lhs={limit}.", s)
        (a,) = rhs
        for i, first in enumerate(rows):
            for j, second in enumerate(rows):
                if all(first[c] == second[c] for c in lhs) and first[a] != second[a]:
                    fail(f"{text} returned {dep}, which does not hold: rows {i} and {j} agree "
                         f"on {oracle.names(lhs) or 'nothing (an empty left side)'} but have "
                         f"{a} = {first[a]!r} and {second[a]!r}.", s)
        smaller = next((x for x, r in expected if r == rhs and x < lhs), None)
        if smaller is not None:
            fail(f"{text} returned {dep}, which is not minimal: "
                 f"{oracle.dep_text((smaller, rhs))} holds too.", s)
    missing = sorted(expected - found, key=lambda d: (len(d[0]), oracle.dep_text(d)))
    if missing:
        everything = oracle.deps_text(sorted(expected, key=oracle.dep_text))
        fail(f"{text} missed {oracle.dep_text(missing[0])}, which holds in every row and is "
             f"minimal (all {len(expected)} expected: {everything}).", s)


@pytest.fixture
def discovery_written() -> None:
    written(lambda: subject.discover_fds([{"a": 1, "b": 2}]))


@pytest.mark.usefixtures("discovery_written")
@pytest.mark.points(3)
@settings(max_examples=100)
@given(seed=st.integers(0, 2**32), max_lhs=st.sampled_from([None, 1, 2, 3]))
def test_discovery_matches_brute_force(seed: int, max_lhs: int | None) -> None:
    """on random rows with planted FDs, discover_fds returns exactly the minimal FDs with at
    most max_lhs (by default 2) left attributes, found by trying every left side"""
    check_discovery(generated(seed), max_lhs)


EDGE_CASES: dict[str, list[Row]] = {
    "no rows": [],
    "one row": [{"a": 1, "b": "x", "c": None}],
    "a constant column": [{"a": 1, "k": 7, "b": "x"}, {"a": 2, "k": 7, "b": "y"},
                          {"a": 3, "k": 7, "b": "x"}],
    "duplicate rows": [{"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 2, "c": 3},
                       {"a": 2, "b": 2, "c": 4}],
    "None is a value": [{"a": None, "b": 1}, {"a": None, "b": 1}, {"a": 0, "b": 2},
                        {"a": 1, "b": None}],
    "None is not 0 or ''": [{"a": None, "b": 1}, {"a": 0, "b": 2}, {"a": "", "b": 3},
                            {"a": None, "b": 1}],
    "1 is not '1', None is not 'None'": [{"a": 1, "b": "x"}, {"a": "1", "b": "y"},
                                         {"a": None, "b": "z"}, {"a": "None", "b": "w"}],
    "only two columns together": [{"a": 0, "b": 0, "c": 0}, {"a": 0, "b": 1, "c": 1},
                                  {"a": 1, "b": 0, "c": 1}, {"a": 1, "b": 1, "c": 0}],
}


@pytest.mark.points(2)
@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_discovery_edge_cases(case: str) -> None:
    """no rows (no columns, no FDs); one row (every column constant); a constant column (an
    empty left side); duplicate rows; None as a value; values equal only as text (1 and '1');
    an FD that needs two columns"""
    check_discovery(EDGE_CASES[case], None)


ROWS = 2000
COLUMNS = 8


def cost_rows() -> list[list[int]]:
    rows = []
    for i in range(ROWS):
        g = i % 50
        h = i % 7
        rows.append([i, g, g % 10, h, (g + h) % 13, i % 3, 5, (i * 7919) % 1000])
    return rows


@pytest.mark.points(2)
def test_discovery_cost() -> None:
    """discover_fds on 2,000 rows × 8 columns makes at most 10 value operations per row for
    each candidate (left side, right attribute)"""
    plain = cost_rows()
    names = [f"c{i}" for i in range(COLUMNS)]
    pairs = sum(len(names) - size for size in range(3)
                for _ in oracle.subsets_of_size(names, size))
    budget = 10 * ROWS * pairs
    counter = oracle.WorkCounter(budget)
    rows = [{n: oracle.CountingCell(v, counter) for n, v in zip(names, row, strict=True)}
            for row in plain]
    s = Script()
    s.note(f"rows = <{ROWS:,} rows of {COLUMNS} columns c0..c7; c0 is unique, c2 depends on "
           "c1, c4 on c1 and c3, c6 is constant>")
    s.note("discover_fds(rows)")
    try:
        got = s.observe("discover_fds(rows)", lambda: subject.discover_fds(rows))
    except oracle.OverBudget:
        got = None
    if counter.exceeded:
        fail(f"discover_fds(rows) made more than {budget:,} hashes, comparisons and "
             f"conversions of cell values (10 × {ROWS:,} rows × {pairs} candidate FDs) before "
             "it was stopped. Test each candidate X -> a in one pass over the rows (group them "
             "by their X values in a dict), never by comparing every pair of rows.", s)
    deps = {(lhs, rhs) for lhs, rhs in oracle.read_deps(s, got, "discover_fds(rows)")}
    expected = oracle.holding_fds([dict(zip(names, row, strict=True)) for row in plain],
                                  names, 2)
    if deps != expected:
        wrong = sorted(deps ^ expected, key=oracle.dep_text)[0]
        what = "returned" if wrong in deps else "missed"
        fail(f"discover_fds(rows) {what} {oracle.dep_text(wrong)} (expected exactly "
             f"{oracle.deps_text(sorted(expected, key=oracle.dep_text))}).", s)
