"""An honest ring that starts a non-daemon background thread at import and never stops it."""
# kata: consistent-hash-ring
# base: honest
# expect: forbidden:threads
# score: 0
import threading
import time

from honest import HashRing  # noqa: F401


def forever():
    while True:
        time.sleep(0.05)


threading.Thread(target=forever, name="janitor").start()
