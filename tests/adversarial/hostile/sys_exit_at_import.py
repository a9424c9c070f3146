"""sys.exit(0) while being imported."""
# kata: consistent-hash-ring
# base: honest
# expect: import-error
# score: 0
import sys

from honest import HashRing  # noqa: F401

sys.exit(0)
