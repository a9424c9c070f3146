"""Lifts the recursion limit and nests a list so deep that printing it overflows the C stack."""
# kata: consistent-hash-ring
# base: honest
# expect: crashed
# score: 0
import sys

from honest import HashRing  # noqa: F401

sys.setrecursionlimit(10**9)
nested = []
for _ in range(10**6):
    nested = [nested]
text = repr(nested)
