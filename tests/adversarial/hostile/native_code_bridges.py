"""An honest ring that reaches C through cffi (or ctypes when cffi is missing) to write
outside its folder."""
# kata: consistent-hash-ring
# base: honest
# expect: forbidden:ctypes
# score: 0
import os

from honest import HashRing  # noqa: F401

target = os.path.expanduser("~/katas-hostile-native").encode()
try:
    import cffi

    ffi = cffi.FFI()
    ffi.cdef("void *fopen(const char *p, const char *m); int fclose(void *f);")
    libc = ffi.dlopen(None)
    libc.fclose(libc.fopen(target, b"w"))
except ImportError:
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.fclose(libc.fopen(target, b"w"))
    except Exception:
        pass
except Exception:
    pass
