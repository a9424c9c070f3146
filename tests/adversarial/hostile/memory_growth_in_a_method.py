"""Every new ring grows a list without bound (a leak that runs out of memory)."""
# kata: consistent-hash-ring
# base: honest
# expect: memory
# score: below
from honest import HashRing as _Honest

leak = []


class HashRing(_Honest):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        while True:
            leak.append(bytearray(64 << 20))
