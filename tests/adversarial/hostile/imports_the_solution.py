"""Imports the reference solution and passes it off as its own."""
# kata: consistent-hash-ring
# base: none
# expect: forbidden:read|import-error
# score: 0
import importlib.util
from pathlib import Path

root = Path(importlib.util.find_spec("grader").origin).parent.parent
spec = importlib.util.spec_from_file_location(
    "reference", root / "solutions" / "consistent-hash-ring" / "hash_ring.py")
reference = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reference)
HashRing = reference.HashRing
