"""Forks at import; the child sleeps long after grading ends."""
# kata: consistent-hash-ring
# base: honest
# expect: forbidden:subprocess
# score: 0
import os
import time

from honest import HashRing  # noqa: F401

try:
    if os.fork() == 0:
        os.setsid()
        time.sleep(600)  # katas-hostile
        os._exit(0)
except OSError:
    pass
