"""Raises a BaseException subclass that `except Exception` does not catch."""
# kata: consistent-hash-ring
# base: honest
# expect: graded|crashed
# score: below
from honest import HashRing as _Honest


class Escape(BaseException):
    pass


class HashRing(_Honest):
    def get_nodes(self, key, n):
        raise Escape("out")
