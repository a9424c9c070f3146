"""An honest ring that phones home at import."""
# kata: consistent-hash-ring
# base: honest
# expect: forbidden:socket
# score: 0
import socket

from honest import HashRing  # noqa: F401

try:
    socket.create_connection(("127.0.0.1", 9), timeout=1).close()
except Exception:
    pass
