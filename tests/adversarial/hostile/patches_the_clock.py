"""An honest token bucket that also freezes time.monotonic for everyone."""
# kata: token-bucket
# base: honest
# expect: forbidden:patch
# score: 0
import time

from honest import *  # noqa: F403

time.monotonic = lambda: 0.0
