"""An honest ring whose lookups spin forever once a ring has two nodes, swallowing the
per-test timeout (and anything else) and ignoring SIGALRM."""
# kata: consistent-hash-ring
# base: honest
# expect: timeout
# score: below
# time-limit: 6
import signal

from honest import HashRing as _Honest


class HashRing(_Honest):
    def get_node(self, key):
        if len(self) < 2:
            return super().get_node(key)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:
            try:
                while True:
                    pass
            except BaseException:
                pass
