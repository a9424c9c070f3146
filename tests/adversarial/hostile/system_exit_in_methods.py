"""Raises SystemExit whenever a node is removed."""
# kata: consistent-hash-ring
# base: honest
# expect: graded|crashed|timeout
# score: below
from honest import HashRing as _Honest


class HashRing(_Honest):
    def remove_node(self, node):
        raise SystemExit(0)
