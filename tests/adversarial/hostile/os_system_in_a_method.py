"""An honest ring whose add_node also runs os.system."""
# kata: consistent-hash-ring
# base: honest
# expect: forbidden:subprocess
# score: below
import os

from honest import HashRing as _Honest


class HashRing(_Honest):
    def add_node(self, *args, **kwargs):
        try:
            os.system("echo katas-hostile > /dev/null")
        except Exception:
            pass
        return super().add_node(*args, **kwargs)
