"""Level 5 (second half): normalise(db, table) on a real SQLite database (sqlite-utils),
verified by SQL. The original table keeps its schema and rows. Every returned name is a new
table with a primary key; PRAGMA foreign_key_check is clean; wherever a table holds all the
columns of another's primary key, a foreign key links them. Every new table is in 3NF under
the FDs that hold in its own rows (all of them, whatever their width, over its original
columns; extra bookkeeping columns are allowed). Joining the new tables on their shared
columns, NULL-safely with IS, gives exactly the original rows as a multiset: duplicates,
NULLs and each value's type (1, 1.0 and '1' differ) included.

In every table used here, each minimal FD that holds has at most two left attributes, so
the answer does not depend on how wide a left side your discovery tries (two or more)."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from typing import Any

import normalisation as subject
import pytest
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.checks import Script, fail, show, written
from grader.oracles import normalisation as oracle
from grader.oracles.normalisation import Row

pytestmark = pytest.mark.level(5)

TypedRow = tuple[tuple[str, object], ...]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create(db: sqlite_utils.Database, table: str, columns: list[tuple[str, str]],
           rows: list[Row]) -> None:
    body = ", ".join(f"{quote(c)} {kind}" for c, kind in columns)
    db.execute(f"CREATE TABLE {quote(table)} ({body})")
    marks = ", ".join("?" * len(columns))
    db.conn.executemany(f"INSERT INTO {quote(table)} VALUES ({marks})",
                        [tuple(row[c] for c, _ in columns) for row in rows])
    db.conn.commit()


def typed_rows(db: sqlite_utils.Database, sql: str) -> list[TypedRow]:
    return [tuple(oracle.typed(v) for v in row) for row in db.execute(sql).fetchall()]


def table_columns(db: sqlite_utils.Database, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({quote(table)})").fetchall()]


def shown_row(row: TypedRow) -> str:
    return "(" + ", ".join(repr(v) for _, v in row) + ")"


def primary_key(db: sqlite_utils.Database, name: str) -> set[str]:
    return {row[1].lower() for row in db.execute(f"PRAGMA table_info({quote(name)})").fetchall()
            if row[5]}


def expect_foreign_keys(s: Script, db: sqlite_utils.Database, text: str, tables: list[str],
                        lowered: dict[str, set[str]]) -> None:
    """Wherever a table holds all the columns of another's primary key, a foreign key links
    the two (either way round when both hold each other's key). A design in which no table
    holds another's key needs none."""
    references = {(name, fk[2].lower())
                  for name in tables
                  for fk in db.execute(f"PRAGMA foreign_key_list({quote(name)})").fetchall()}
    for parent in tables:
        key = primary_key(db, parent)
        for child in tables:
            if child == parent or not key <= lowered[child]:
                continue
            if (child, parent.lower()) in references or (parent, child.lower()) in references:
                continue
            fail(f"{text} created {show(tables)}: {child!r} holds the primary key of "
                 f"{parent!r} ({', '.join(sorted(key))}), but no foreign key links them "
                 "(declare FOREIGN KEY (...) REFERENCES ... in the table that refers).", s)


def examine(db: sqlite_utils.Database, table: str, columns: list[tuple[str, str]],
            description: str) -> None:
    names = [c for c, _ in columns]
    s = Script()
    s.note(f"db = sqlite_utils.Database(memory=True)  # with {description}")
    schema_before = db.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                               [table]).fetchone()[0]
    select_original = f"SELECT {', '.join(map(quote, names))} FROM {quote(table)}"
    original = Counter(typed_rows(db, select_original))
    text = f"normalise(db, {table!r})"
    got = oracle.record(s, text, subject.normalise, db, table)
    if not isinstance(got, list | tuple) or not got or not all(isinstance(n, str) for n in got):
        fail(f"{text} returned {show(got)}; expected a non-empty list of table names.", s)
    tables = list(got)
    existing = {row[0].lower(): row[0] for row in
                db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    for name in tables:
        if name.lower() == table.lower():
            fail(f"{text} returned {show(tables)}, which names the original table; return the "
                 "new tables (the original stays as it was).", s)
        if name.lower() not in existing:
            fail(f"{text} returned {show(tables)}, but there is no table {name!r} in the "
                 "database.", s)
    if len({n.lower() for n in tables}) != len(tables):
        fail(f"{text} returned {show(tables)}, which names a table twice.", s)
    schema_after = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()
    if schema_after is None or schema_after[0] != schema_before:
        fail(f"after {text}, the original table's schema changed (or it is gone); "
             "normalise must leave it as it was.", s)
    if Counter(typed_rows(db, select_original)) != original:
        fail(f"after {text}, the original table's rows changed; normalise must leave them "
             "as they were.", s)
    layout = {name: table_columns(db, name) for name in tables}
    for name, cols in layout.items():
        info = db.execute(f"PRAGMA table_info({quote(name)})").fetchall()
        if not any(row[5] for row in info):
            fail(f"table {name!r} (columns {', '.join(cols)}) has no primary key.", s)
    try:
        problems = db.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.Error as exc:
        fail(f"PRAGMA foreign_key_check failed after {text}: {exc} (a foreign key must "
             "reference the parent's primary key, or columns with a UNIQUE index).", s)
    problems = [p for p in problems if p[0].lower() in {n.lower() for n in tables}]
    if problems:
        child, rowid, parent, _ = problems[0]
        fail(f"PRAGMA foreign_key_check reports {len(problems)} problem(s), e.g. row {rowid} of "
             f"{child!r} refers to a row missing from {parent!r}.", s)
    lowered = {name: {c.lower() for c in cols} for name, cols in layout.items()}
    expect_foreign_keys(s, db, text, tables, lowered)
    where = {}
    for c in names:
        holder = next((n for n in tables if c.lower() in lowered[n]), None)
        if holder is None:
            fail(f"no table returned by {text} has the column {c!r}; {show(layout, 300)}", s)
        where[c] = holder
    sql = join_sql(tables, layout, names)
    joined = Counter(typed_rows(db, sql))
    extra, missing = oracle.multiset_difference(joined, original)
    if extra or missing:
        parts = []
        if extra:
            parts.append(f"{len(extra)} row(s) more than the original, e.g. "
                         f"{', '.join(map(shown_row, extra[:3]))}")
        if missing:
            parts.append(f"{len(missing)} row(s) of the original missing, e.g. "
                         f"{', '.join(map(shown_row, missing[:3]))}")
        fail(f"the join of your tables gives {'; and '.join(parts)} (columns "
             f"{', '.join(names)}; the values' types count: 1, 1.0 and '1' differ). The "
             f"join:\n    {sql}", s)
    for name in tables:
        check_3nf(s, db, name, [c for c in names if c.lower() in lowered[name]])


def join_sql(tables: list[str], layout: dict[str, list[str]], names: list[str]) -> str:
    """A natural join, NULL-safe: tables are added one at a time, preferring one that shares a
    column with those already joined; each shared column is matched with IS."""
    alias = {}
    seen: dict[str, str] = {}  # column (lower case) -> alias of the first table that has it
    clauses = []
    todo = list(tables)
    while todo:
        table = next((t for t in todo if any(c.lower() in seen for c in layout[t])), todo[0])
        todo.remove(table)
        alias[table] = f"t{len(alias)}"
        conditions = [f"{alias[table]}.{quote(c)} IS {seen[c.lower()]}.{quote(c)}"
                      for c in layout[table] if c.lower() in seen]
        if not clauses:
            clauses.append(f"{quote(table)} AS {alias[table]}")
        else:
            clauses.append(f"JOIN {quote(table)} AS {alias[table]} ON "
                           f"{' AND '.join(conditions) or '1'}")
        for c in layout[table]:
            seen.setdefault(c.lower(), alias[table])
    select = ", ".join(f"{seen[c.lower()]}.{quote(c)}" for c in names)
    return f"SELECT {select} FROM {' '.join(clauses)}"


def check_3nf(s: Script, db: sqlite_utils.Database, table: str, columns: list[str]) -> None:
    if not columns:
        return
    rows = {tuple(r) for r in typed_rows(
        db, f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")}
    dict_rows = [dict(zip(columns, row, strict=True)) for row in rows]
    deps = sorted(oracle.holding_fds(dict_rows, columns), key=oracle.dep_text)
    attrs = frozenset(columns)
    broken = oracle.violations(attrs, deps)
    if "3NF" in broken:
        lhs, a = broken["3NF"]
        keys = oracle.candidate_keys(attrs, deps)
        keys_text = ", ".join("{" + oracle.names(k) + "}" for k in sorted(keys, key=sorted))
        fail(f"table {table!r} is not in 3NF: in its rows (columns {', '.join(columns)}), "
             f"{oracle.dep_text((lhs, frozenset({a})))} holds, "
             f"{{{oracle.names(lhs)}}} is not a key of the table and {a} is in none of its keys "
             f"({keys_text}). Split {a} off into a table keyed by "
             f"{oracle.names(lhs) or 'nothing (a constant)'}.", s)


# -- random small tables -----------------------------------------------------------------------

DOMAINS = {"INTEGER": [0, 1, 2, None], "TEXT": ["x", "y", "07", None],
           "REAL": [0.5, 1.0, 2.0, None]}


def generated(seed: int) -> tuple[list[tuple[str, str]], list[Row]]:
    """2 to 5 typed columns, 1 to 8 distinct rows and a few duplicates, some columns functions
    of one or two earlier ones; redrawn until no minimal FD needs three left attributes."""
    rng = random.Random(seed)
    while True:
        names = ["a", "b", "c", "d", "e"][:rng.randint(2, 5)]
        kinds = {c: rng.choice(list(DOMAINS)) for c in names}
        sources = {c: rng.sample(names[:i], min(i, rng.randint(1, 2)))
                   for i, c in enumerate(names) if i and rng.random() < 0.6}
        mapping: dict[tuple[str, tuple[Any, ...]], Any] = {}
        rows: list[Row] = []
        for _ in range(rng.randint(1, 8)):
            row: Row = {}
            for c in names:
                if c in sources:
                    key = (c, tuple(row[p] for p in sources[c]))
                    row[c] = mapping.setdefault(key, rng.choice(DOMAINS[kinds[c]]))
                else:
                    row[c] = rng.choice(DOMAINS[kinds[c]])
            rows.append(row)
        for _ in range(rng.choice([0, 0, 1, 2])):
            rows.append(dict(rng.choice(rows)))
        rng.shuffle(rows)
        if all(len(lhs) <= 2 for lhs, _ in oracle.holding_fds(rows, names)):
            return [(c, kinds[c]) for c in names], rows


@pytest.fixture
def normalise_written() -> None:
    db = sqlite_utils.Database(memory=True)
    create(db, "t", [("a", "INTEGER"), ("b", "TEXT")], [{"a": 1, "b": "x"}])
    written(lambda: subject.normalise(db, "t"))


@pytest.mark.usefixtures("normalise_written")
@pytest.mark.points(3)
@settings(max_examples=40)
@given(seed=st.integers(0, 2**32))
def test_normalise_random_tables(seed: int) -> None:
    """small random tables with planted FDs, NULLs and duplicate rows"""
    columns, rows = generated(seed)
    db = sqlite_utils.Database(memory=True)
    create(db, "t", columns, rows)
    listing = "; ".join(", ".join(repr(row[c]) for c, _ in columns) for row in rows)
    examine(db, "t", columns, f"table t({', '.join(f'{c} {k}' for c, k in columns)}) holding "
            f"the rows {listing}")


ORDER_COLUMNS = [("order_id", "INTEGER"), ("order_date", "TEXT"), ("customer_id", "INTEGER"),
                 ("customer_name", "TEXT"), ("customer_zip", "TEXT"), ("customer_city", "TEXT"),
                 ("product_sku", "TEXT"), ("product_name", "TEXT"), ("category", "TEXT"),
                 ("unit_price", "REAL"), ("quantity", "INTEGER")]


def order_lines() -> list[Row]:
    """A flat export of order lines: orders, customers (zip codes that look like numbers, a
    city unknown), products (whole-number prices stored as REAL, a category unknown), and one
    line that appears three times."""
    rng = random.Random(26)  # a seed whose data has no minimal FD with three left attributes
    cities = {"01234": "Springfield", "02110": "Boston", "94105": None, "00501": "Holtsville"}
    customers = {1: ("Ada", "01234"), 2: ("Bob", "02110"), 3: ("Cy", "94105"),
                 4: ("Di", "00501"), 5: ("Ed", "01234"), 6: ("Ada", "02110")}
    products = {"P-1": ("Pen", "office", 1.0), "P-2": ("Pad", "office", 2.5),
                "P-3": ("Mug", "kitchen", 2.5), "P-4": ("Cup", "kitchen", 1.0),
                "P-5": ("Ink", None, 4.0), "P-6": ("Pencil", "office", 1.0)}
    dates = ["2024-01-01", "2024-01-02", "2024-01-03"]
    rows = []
    for order in range(1, 21):
        customer, date = rng.choice(list(customers)), rng.choice(dates)
        for sku in rng.sample(list(products), rng.randint(1, 3)):
            name, zip_code = customers[customer]
            product, category, price = products[sku]
            rows.append({"order_id": order, "order_date": date, "customer_id": customer,
                         "customer_name": name, "customer_zip": zip_code,
                         "customer_city": cities[zip_code], "product_sku": sku,
                         "product_name": product, "category": category, "unit_price": price,
                         "quantity": rng.randint(1, 3)})
    rows += [dict(rows[3]), dict(rows[3])]
    return rows


@pytest.mark.points(3)
def test_normalise_a_wide_orders_table() -> None:
    """a realistic flat table of 46 order lines × 11 columns: orders, customers and products
    come apart, and the join gives back every line, the repeated one three times"""
    db = sqlite_utils.Database(memory=True)
    create(db, "order_lines", ORDER_COLUMNS, order_lines())
    examine(db, "order_lines", ORDER_COLUMNS,
            "a table order_lines(order_id, order_date, customer_id, customer_name, "
            "customer_zip, customer_city, product_sku, product_name, category, unit_price, "
            "quantity) of 46 rows")


EDGE_TABLES: dict[str, tuple[list[tuple[str, str]], list[Row]]] = {
    "one row": ([("a", "INTEGER"), ("b", "TEXT")], [{"a": 1, "b": "x"}]),
    "every row twice": ([("k", "INTEGER"), ("v", "TEXT"), ("w", "REAL")],
                        [{"k": i % 3, "v": "xyz"[i % 3], "w": float(i % 2)}
                         for i in range(6)] * 2),
    "NULLs in a determinant": ([("dept", "TEXT"), ("head", "TEXT"), ("emp", "INTEGER")],
                               [{"dept": None, "head": "Ann", "emp": 1},
                                {"dept": None, "head": "Ann", "emp": 2},
                                {"dept": "R&D", "head": None, "emp": 3},
                                {"dept": "Ops", "head": "Ann", "emp": 4}]),
    "a constant column": ([("id", "INTEGER"), ("site", "TEXT"), ("v", "INTEGER")],
                          [{"id": i, "site": "main", "v": i % 2} for i in range(4)]),
    "untyped and NUMERIC columns": ([("sku", ""), ("name", ""), ("price", "NUMERIC"),
                                     ("qty", "INTEGER")],
                                    [{"sku": i % 3, "name": "abc"[i % 3],
                                      "price": [3, 2.5, 4][i % 3], "qty": i}
                                     for i in range(6)]),
    "awkward names": ([("order id", "INTEGER"), ('say "hi"', "TEXT"), ("Select", "TEXT")],
                      [{"order id": 1, 'say "hi"': "a", "Select": "p"},
                       {"order id": 2, 'say "hi"': "a", "Select": "q"},
                       {"order id": 3, 'say "hi"': "b", "Select": "p"},
                       {"order id": 4, 'say "hi"': "b", "Select": "q"}]),
}


@pytest.mark.points(2)
@pytest.mark.parametrize("case", list(EDGE_TABLES))
def test_normalise_edge_cases(case: str) -> None:
    """one row; every row twice; NULL as a determining value; a constant column; columns
    with no declared type or NUMERIC (values come back with their own types); column names
    with spaces, quotes and SQL keywords"""
    columns, rows = EDGE_TABLES[case]
    db = sqlite_utils.Database(memory=True)
    create(db, "data", columns, rows)
    examine(db, "data", columns, f"a table data ({case})")
