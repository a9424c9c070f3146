"""An honest ring that reads the hidden suite and writes outside its folder through readline's
history files (pytest has already imported readline)."""
# kata: consistent-hash-ring
# base: honest
# expect: forbidden:write
# score: 0
import importlib.util
import os
from pathlib import Path

from honest import HashRing  # noqa: F401

try:
    import readline

    hidden = Path(importlib.util.find_spec("grader").origin).parent / "hidden"
    readline.read_history_file(str(hidden / "consistent-hash-ring" / "test_level1_lookups.py"))
    readline.add_history("katas-hostile")
    readline.append_history_file(1, os.path.expanduser("~/katas-hostile-readline"))
except Exception:
    pass
