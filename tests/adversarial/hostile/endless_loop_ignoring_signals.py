"""Ignores SIGALRM and SIGTERM, then loops at import, swallowing every exception."""
# kata: consistent-hash-ring
# base: none
# expect: timeout
# score: 0
# time-limit: 8
import signal

signal.signal(signal.SIGALRM, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    try:
        while True:
            pass
    except BaseException:
        pass
