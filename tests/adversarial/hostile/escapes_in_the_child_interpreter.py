"""An honest ring that, when imported by another Python process (the determinism check),
writes outside its folder."""
# kata: consistent-hash-ring
# base: honest
# expect: graded
# score: below
import os
import sys

from honest import HashRing  # noqa: F401

if sys.argv and sys.argv[0] == "-c":
    with open(os.path.expanduser("~/katas-hostile-child"), "w") as out:
        out.write("escaped")
