"""Examples of the normalisation rules. Run them with: pytest katas/sql-normalisation"""

import sys
from collections import Counter
from pathlib import Path

import pytest
import sqlite_utils

sys.path.insert(0, str(Path(__file__).parent))  # find normalisation.py from any directory

from normalisation import (
    FD,
    candidate_keys,
    closure,
    decompose_bcnf,
    discover_fds,
    is_lossless,
    minimal_cover,
    normal_form,
    normalise,
    parse_fds,
    preserves_dependencies,
    synthesize_3nf,
)


def fd(lhs: str, rhs: str) -> FD:
    return FD(frozenset(lhs.split()), frozenset(rhs.split()))


def keys(*names: str) -> set[frozenset[str]]:
    return {frozenset(name.split()) for name in names}


# The lecture favourite: a supplier ships parts to cities.
#   S -> city, city -> status, S P -> qty
SHIPMENTS = ["S", "P", "city", "status", "qty"]
SHIPMENT_FDS = [fd("S", "city"), fd("city", "status"), fd("S P", "qty")]


def test_parse_fds() -> None:
    assert parse_fds("A B -> C; C -> D") == [fd("A B", "C"), fd("C", "D")]
    for bad in ("A B C", "A -> B -> C", "A ->"):
        with pytest.raises(ValueError, match="A"):  # the message quotes the bad part
            parse_fds(bad)


def test_closure_and_keys() -> None:
    assert closure({"S"}, SHIPMENT_FDS) == {"S", "city", "status"}
    assert closure({"S", "P"}, SHIPMENT_FDS) == set(SHIPMENTS)
    assert candidate_keys(SHIPMENTS, SHIPMENT_FDS) == keys("S P")
    # Two keys: A B and A C (C -> B makes C as good as B).
    assert candidate_keys("ABCD", parse_fds("A B -> C D; C -> B")) == keys("A B", "A C")


def test_minimal_cover() -> None:
    cover = minimal_cover(parse_fds("A -> B C; B -> C; A B -> C"))
    # A -> C and A B -> C follow from A -> B and B -> C; every right side is one attribute.
    assert sorted(map(str, cover)) == ["A -> B", "B -> C"]


def test_normal_forms() -> None:
    # S -> city is a partial dependency on the key S P: not even 2NF.
    assert normal_form(SHIPMENTS, SHIPMENT_FDS) == "1NF"
    # Key S; city -> status is transitive: 2NF but not 3NF.
    assert normal_form(["S", "city", "status"], SHIPMENT_FDS) == "2NF"
    # street city -> zip, zip -> city: keys {street, city} and {street, zip}; every attribute
    # is prime, so 3NF, but zip is no superkey, so not BCNF.
    assert normal_form(["street", "city", "zip"],
                       parse_fds("street city -> zip; zip -> city")) == "3NF"
    assert normal_form(["S", "city"], SHIPMENT_FDS) == "BCNF"


def test_3nf_synthesis() -> None:
    schemas = synthesize_3nf(SHIPMENTS, SHIPMENT_FDS)
    assert {frozenset(s) for s in schemas} == keys("S city", "city status", "S P qty")
    assert is_lossless(SHIPMENTS, SHIPMENT_FDS, schemas)
    assert preserves_dependencies(SHIPMENT_FDS, schemas)


def test_bcnf_decomposition() -> None:
    fds = parse_fds("street city -> zip; zip -> city")
    schemas = decompose_bcnf(["street", "city", "zip"], fds)
    assert {frozenset(s) for s in schemas} == keys("zip city", "street zip")
    assert is_lossless(["street", "city", "zip"], fds, schemas)
    # The price of BCNF here: street city -> zip no longer lives in any one table.
    assert not preserves_dependencies(fds, schemas)


def test_lossy_split() -> None:
    # Splitting on city alone: two suppliers in one city would swap their parts.
    assert not is_lossless(SHIPMENTS, SHIPMENT_FDS, [{"S", "city", "status"}, {"city", "P", "qty"}])


def test_discover_fds() -> None:
    rows = [
        {"id": 1, "name": "Ada", "team": "db", "floor": 3, "site": "Lyon"},
        {"id": 2, "name": "Bruno", "team": "db", "floor": 3, "site": "Lyon"},
        {"id": 3, "name": "Chloé", "team": "web", "floor": None, "site": "Lyon"},
        {"id": 4, "name": "Ada", "team": "web", "floor": None, "site": "Lyon"},
    ]
    found = set(discover_fds(rows))
    assert fd("", "site") in found  # a constant column: the empty left side determines it
    assert fd("team", "floor") in found  # None is a value like any other
    assert fd("floor", "team") in found
    assert fd("id", "name") in found
    assert fd("name", "team") not in found  # the two Adas are in different teams
    assert fd("id", "site") not in found  # true, but not minimal: ∅ -> site says it already
    assert fd("name team", "id") in found


def test_normalise_rebuilds_the_table() -> None:
    db = sqlite_utils.Database(memory=True)
    rows = [
        {"order_id": 1, "customer": "ada", "city": "Lyon", "sku": "TEA", "price": 4.5, "qty": 2},
        {"order_id": 1, "customer": "ada", "city": "Lyon", "sku": "MUG", "price": 9.0, "qty": 1},
        {"order_id": 2, "customer": "bo", "city": None, "sku": "TEA", "price": 4.5, "qty": 1},
        {"order_id": 2, "customer": "bo", "city": None, "sku": "TEA", "price": 4.5, "qty": 1},
        {"order_id": 3, "customer": "ada", "city": "Lyon", "sku": "MUG", "price": 9.0, "qty": 3},
    ]
    db["orders"].insert_all(rows)  # type: ignore[union-attr]
    before = db.execute("SELECT * FROM orders").fetchall()

    tables = normalise(db, "orders")

    assert db.execute("SELECT * FROM orders").fetchall() == before  # untouched
    assert "orders" not in tables
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    for table in tables:
        assert db[table].pks != ["rowid"], f"{table} has no primary key"  # type: ignore[union-attr]
    # Join every table on the columns it shares with the ones before it, NULL-safely.
    first, *rest = tables
    joined = {column.name: first for column in db[first].columns}  # type: ignore[union-attr]
    sql = f'FROM "{first}"'
    for table in rest:
        columns = [column.name for column in db[table].columns]  # type: ignore[union-attr]
        on = [f'"{table}"."{c}" IS "{joined[c]}"."{c}"' for c in columns if c in joined]
        sql += f' JOIN "{table}" ON ' + (" AND ".join(on) or "1")
        joined.update({c: table for c in columns if c not in joined})
    select = ", ".join(f'"{joined[c]}"."{c}"' for c in rows[0])
    rebuilt = db.execute(f"SELECT {select} {sql}").fetchall()
    assert Counter(rebuilt) == Counter(before)  # the duplicate line included
    assert {type(row[4]) for row in rebuilt} == {float}  # prices are still REAL
