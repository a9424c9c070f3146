"""The demo table: an online shop's order export, one row per order line, everything repeated.

    python katas/sql-normalisation/demo.py            build demo.db here and normalise it
    python katas/sql-normalisation/demo.py --build    only build demo.db (to explore it in SQL)

The rows come from a seeded generator, so every run builds the same table: about 2,700 order
lines from 1,000 orders, 400 customers and 30 products, with a second address line that is
usually NULL and a few lines exported twice. ``demo.db`` is built next to this file (git
ignores it); open it with ``sqlite3 demo.db`` or ``sqlite-utils tables demo.db --counts``.

After building, the script runs *your* ``normalise`` from ``normalisation.py`` on a copy of
the table and shows the FDs it found, the tables it made, and whether joining them back
gives exactly the original rows.
"""

# A script: what it prints is its output (T201); its randomness only makes test data (S311);
# its SQL names only its own fixed table and the tables normalise returned (S608).
# ruff: noqa: T201, S311, S608

from __future__ import annotations

import argparse
import datetime
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import sqlite_utils

HERE = Path(__file__).resolve().parent
TABLE = "orders"

FIRST = ["Ada", "Bruno", "Chloé", "Dmitri", "Elif", "Femi", "Grace", "Hiro"]
LAST = ["Garcia", "Okafor", "Nakamura", "Schmidt", "Rossi"]  # 40 names for 400 customers
POSTCODES = {"Lisbon": ["1100-148", "1200-195", "1250-096"], "Porto": ["4000-322", "4050-253"],
             "Lyon": ["69001", "69002", "69007"], "Paris": ["75004", "75011"],
             "Berlin": ["10115", "10117", "10178"], "Milan": ["20121", "20122", "20135"]}
COUNTRIES = {"Lisbon": "Portugal", "Porto": "Portugal", "Lyon": "France", "Paris": "France",
             "Berlin": "Germany", "Milan": "Italy"}
STREETS = ["Station Road", "Market Street", "Park Avenue", "Church Lane", "Harbour Way"]
CATEGORIES = {"Coffee": ["Espresso beans", "Filter roast", "Decaf blend", "Cold brew pack",
                         "Single origin Kenya", "Single origin Brazil"],
              "Tea": ["Earl Grey", "Sencha", "Rooibos", "Chai", "Darjeeling"],
              "Brewing": ["Pour-over kettle", "Paper filters", "Burr grinder", "French press",
                          "Moka pot", "Scale", "Dripper"],
              "Cups": ["Ceramic mug", "Travel cup", "Espresso cups (2)", "Glass tumbler"],
              "Snacks": ["Almond biscotti", "Dark chocolate", "Shortbread", "Ginger snaps"],
              "Gifts": ["Gift card 25", "Gift card 50", "Tasting box", "Gift wrap"]}
PRICES = [3.5, 4.99, 7.5, 9.99, 12.0, 14.5, 19.99, 24.0, 49.9]  # shared by several products

COLUMNS = ["order_id", "order_date", "customer_id", "customer_name", "customer_email",
           "ship_line1", "ship_line2", "ship_postcode", "ship_city", "ship_country",
           "sku", "product_name", "category", "unit_price", "currency", "quantity"]


def demo_rows(seed: int = 2024) -> list[dict[str, Any]]:
    """The order lines, always the same for the same seed."""
    rng = random.Random(seed)
    customers = []
    for number in range(400):
        first, last = rng.choice(FIRST), rng.choice(LAST)  # names repeat: not a key
        city = rng.choice(list(POSTCODES))
        customers.append({
            "customer_id": 1001 + number,
            "customer_name": f"{first} {last}",
            "customer_email": f"{first.lower()}.{last.lower()}.{1001 + number}@example.com",
            "ship_line1": f"{rng.randint(1, 20)} {rng.choice(STREETS)}",
            # Usually empty: NULL, not '' (the export had no value at all).
            "ship_line2": f"Flat {rng.randint(1, 9)}" if rng.random() < 0.2 else None,
            "ship_postcode": rng.choice(POSTCODES[city]),
            "ship_city": city,
            "ship_country": COUNTRIES[city],
        })
    products = []
    for category, names in CATEGORIES.items():
        for name in names:
            products.append({
                "sku": f"{category[:3].upper()}-{len(products) + 100:03d}",
                "product_name": name,
                # Two products were never given a category in the shop's back office.
                "category": None if name in ("Gift wrap", "Scale") else category,
                "unit_price": rng.choice(PRICES),
                "currency": "EUR",
            })
    popular = [1.0 / (rank + 1) for rank in range(len(products))]  # a long tail of sales
    first_day = datetime.date(2024, 3, 1)
    rows: list[dict[str, Any]] = []
    customer, day = rng.choice(customers), first_day
    for order in range(1000):
        if rng.random() > 0.03:  # else the last customer forgot something: same day again
            customer = rng.choice(customers)
            day = first_day + datetime.timedelta(days=rng.randint(0, 59))
        # A few products sell far more than the rest (weights 1, 1/2, 1/3...).
        picks = rng.choices(range(len(products)), weights=popular,
                            k=rng.choice([1, 1, 2, 3, 3, 4, 5, 6]))
        rows.extend({"order_id": 50001 + order, "order_date": day.isoformat(), **customer,
                     **products[index], "quantity": rng.choice([1, 1, 1, 2, 2, 3, 5])}
                    for index in dict.fromkeys(picks))  # one line per product in an order
    # An export glitch: a few lines appear twice, word for word.
    for row in rng.sample(rows, k=6):
        rows.insert(rows.index(row) + 1, dict(row))
    return [{column: row[column] for column in COLUMNS} for row in rows]


def build(path: Path) -> sqlite_utils.Database:
    """(Re)create ``path`` holding the table ``orders``."""
    path.unlink(missing_ok=True)
    db = sqlite_utils.Database(path)
    db[TABLE].insert_all(demo_rows(), columns={"unit_price": float})  # type: ignore[union-attr]
    return db


def rebuild_query(db: sqlite_utils.Database, tables: list[str], columns: list[str]) -> str:
    """The SQL that joins the new tables back on their shared columns, NULL-safely (IS).

    Each next table is one that shares columns with those joined so far, when there is one,
    so that SQLite never has to build a cross product on the way.
    """
    names = {table: [c.name for c in db[table].columns] for table in tables}  # type: ignore[union-attr]
    seen: dict[str, str] = {}  # column -> the first joined table that has it
    clauses: list[str] = []
    todo = list(tables)
    while todo:
        table = next((t for t in todo if any(c in seen for c in names[t])), todo[0])
        todo.remove(table)
        on = [f'"{table}"."{c}" IS "{seen[c]}"."{c}"' for c in names[table] if c in seen]
        if clauses:
            clauses.append(f'JOIN "{table}" ON ' + (" AND ".join(on) or "1"))
        else:
            clauses.append(f'FROM "{table}"')
        for name in names[table]:
            seen.setdefault(name, table)
    select = ",\n       ".join(f'"{seen[c]}"."{c}"' for c in columns)
    return f"SELECT {select}\n" + "\n".join(clauses)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", action="store_true", help="only build demo.db")
    parser.add_argument("--db", type=Path, default=HERE / "demo.db", help="where to build it")
    args = parser.parse_args()
    db = build(args.db)
    print(f"built {args.db}: table {TABLE}, {db[TABLE].count} rows, {len(COLUMNS)} columns")
    if args.build:
        return 0

    sys.path.insert(0, str(HERE))
    from normalisation import discover_fds, normalise

    rows = [dict(row) for row in db.query(f"SELECT * FROM {TABLE}")]
    try:
        fds = discover_fds(rows)
        print(f"\n{len(fds)} minimal FDs hold in the rows:")
        for fd in sorted(fds, key=lambda fd: (len(fd.lhs), sorted(fd.lhs), sorted(fd.rhs))):
            print(f"  {' '.join(sorted(fd.lhs)) or '∅'} -> {' '.join(fd.rhs)}")
        tables = normalise(db, TABLE)
    except NotImplementedError as exc:
        print(f"\nnormalisation.py is not finished yet ({str(exc) or 'NotImplementedError'}); "
              "explore demo.db in the meantime.")
        return 1
    print(f"\nnormalise made {len(tables)} tables:")
    for table in tables:
        names = ", ".join(column.name for column in db[table].columns)  # type: ignore[union-attr]
        count = db[table].count
        print(f"  {table} ({count} row{'s' if count != 1 else ''}): {names}")
    query = rebuild_query(db, tables, COLUMNS)
    print(f"\njoined back with:\n{query}\n")
    original = Counter(db.execute(f"SELECT * FROM {TABLE}").fetchall())
    rebuilt = Counter(db.execute(query).fetchall())
    if rebuilt == original:
        print(f"the join gives back exactly the {sum(original.values())} original rows")
        return 0
    print(f"the join does not give back the original rows: {sum((original - rebuilt).values())}"
          f" missing, {sum((rebuilt - original).values())} extra")
    return 1


if __name__ == "__main__":
    sys.exit(main())
