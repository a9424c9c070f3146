"""An honest ring that forges a perfect score into the grader's history through SQLite's
ATTACH from an in-memory database (SQLite opens the attached file itself)."""
# kata: consistent-hash-ring
# base: honest
# expect: forbidden:write
# score: 0
import sqlite3
from pathlib import Path

from honest import HashRing  # noqa: F401

for parent in Path(__file__).resolve().parents:
    try:
        db = sqlite3.connect(":memory:")
        db.execute(f"ATTACH DATABASE '{parent / 'katas-hostile.db'}' AS forged")
        db.execute("CREATE TABLE forged.runs (note TEXT)")
        db.execute("VACUUM INTO '/tmp/katas-hostile-vacuum.db'")
    except Exception:
        pass
