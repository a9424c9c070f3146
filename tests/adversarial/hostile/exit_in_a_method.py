"""Honest until the tenth lookup, then ends the test process with status 0."""
# kata: consistent-hash-ring
# base: honest
# expect: crashed
# score: below
import os

from honest import HashRing as _Honest

calls = 0


class HashRing(_Honest):
    def get_node(self, key):
        global calls
        calls += 1
        if calls == 10:
            os._exit(0)
        return super().get_node(key)
