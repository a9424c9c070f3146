"""Allocates far more memory than the machine has, at import."""
# kata: consistent-hash-ring
# base: honest
# expect: memory
# score: 0
from honest import HashRing  # noqa: F401

hoard = bytearray(1 << 40)
