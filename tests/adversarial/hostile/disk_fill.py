"""Fills the disk from its working folder, one big file after another."""
# kata: consistent-hash-ring
# base: honest
# expect: disk
# score: 0
from honest import HashRing  # noqa: F401

block = b"\0" * (1 << 20)
for n in range(100_000):
    try:
        with open(f"fill-{n}.bin", "wb") as out:
            for _ in range(60):
                out.write(block)
    except OSError:
        pass
