"""Raises KeyboardInterrupt from add_node, as if Ctrl-C were pressed."""
# kata: consistent-hash-ring
# base: honest
# expect: crashed
# score: below
from honest import HashRing as _Honest


class HashRing(_Honest):
    def add_node(self, *args, **kwargs):
        raise KeyboardInterrupt
