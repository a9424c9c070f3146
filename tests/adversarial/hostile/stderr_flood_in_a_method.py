"""Writes a gigabyte to file descriptor 2 from a method, past pytest's capture of sys."""
# kata: consistent-hash-ring
# base: honest
# expect: output
# score: below
import os

from honest import HashRing as _Honest

CHUNK = b"E" * (1 << 20)


class HashRing(_Honest):
    def add_node(self, *args, **kwargs):
        for _ in range(1024):
            try:
                os.write(2, CHUNK)
            except OSError:
                pass
        return super().add_node(*args, **kwargs)
