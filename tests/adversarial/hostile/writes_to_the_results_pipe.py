"""A stub that writes forged "passed" records to every inherited file descriptor."""
# kata: consistent-hash-ring
# base: none
# expect: forbidden:results
# score: 0
import json
import os

record = {"type": "test", "outcome": "passed", "id": "x"}
for fd in range(3, 256):
    for kind in ("collected", "test", "done"):
        try:
            os.write(fd, (json.dumps({**record, "type": kind}) + "\n").encode())
        except OSError:
            pass


class HashRing:
    def __init__(self, nodes=(), vnodes=100, hash_fn=None):
        pass
