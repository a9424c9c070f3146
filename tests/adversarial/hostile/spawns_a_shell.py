"""An honest ring that also runs a shell command at import."""
# kata: consistent-hash-ring
# base: honest
# expect: forbidden:subprocess
# score: 0
import subprocess

from honest import HashRing  # noqa: F401

try:
    subprocess.run(["sh", "-c", "sleep 600 # katas-hostile"], timeout=1)
except Exception:
    pass
