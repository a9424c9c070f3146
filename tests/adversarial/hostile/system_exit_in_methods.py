"""Raises SystemExit from every lookup."""
# kata: consistent-hash-ring
# base: honest
# expect: graded|crashed
# score: below
from honest import HashRing as _Honest


class HashRing(_Honest):
    def get_node(self, key):
        raise SystemExit(0)
