"""An honest ring that tries to kill the grader that started it."""
# kata: consistent-hash-ring
# base: honest
# expect: forbidden:signal
# score: 0
import os
import signal

from honest import HashRing  # noqa: F401

try:
    os.kill(os.getppid(), signal.SIGKILL)
except Exception:
    pass
