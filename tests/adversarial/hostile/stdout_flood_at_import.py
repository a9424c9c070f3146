"""Prints without end while being imported (1 GB and more)."""
# kata: consistent-hash-ring
# base: none
# expect: output
# score: 0
import sys

for _ in range(20_000):
    sys.stdout.write("x" * 65536 + "\n")
