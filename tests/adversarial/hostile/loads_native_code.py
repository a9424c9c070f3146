"""An honest ring that loads libc through ctypes."""
# kata: consistent-hash-ring
# base: honest
# expect: forbidden:ctypes
# score: 0
from honest import HashRing  # noqa: F401

try:
    import ctypes

    libc = ctypes.CDLL(None)
    libc.getpid()
except Exception:
    pass
