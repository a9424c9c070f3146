"""Kernel-enforced limits for the grading child, with Linux Landlock where the kernel has it.

Landlock lets an unprivileged process give up rights for itself and every process it starts,
for good. The grading child uses it, before the code under test is imported, to give up:

- creating, writing, truncating, renaming or deleting files anywhere but its own temporary
  folder (and writing ``/dev/null``), whatever route the code takes (native code, SQLite's
  ``ATTACH``, a process started below the audited API...);
- TCP connections and listening sockets (Landlock ABI 4);
- signals to processes outside the grading child's own (ABI 6).

Reads are left alone: pytest still has to read the hidden suite after the import (the audit
hook in :mod:`grader.guard` keeps the code under test away from it). Where Landlock is missing
(another system, an older kernel, a container that blocks it) nothing is enforced here and
:func:`restrict` says so; the audit hook still holds.
"""

from __future__ import annotations

import os
import struct
import sys

# x86-64 and arm64 share these syscall numbers (they were added after the tables converged).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

# filesystem rights (by ABI version that introduced them)
_WRITE_FILE = 1 << 1
_REMOVE_DIR, _REMOVE_FILE = 1 << 4, 1 << 5
_MAKE = sum(1 << bit for bit in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
_REFER = 1 << 13  # ABI 2
_TRUNCATE = 1 << 14  # ABI 3
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6


def _write_rights(abi: int) -> int:
    rights = _WRITE_FILE | _REMOVE_DIR | _REMOVE_FILE | _MAKE
    if abi >= 2:
        rights |= _REFER
    if abi >= 3:
        rights |= _TRUNCATE
    return rights


def restrict(writable: str) -> str:
    """Give up, for this process and its children, every write outside ``writable`` (and
    network and signals where the kernel supports it). Returns what is enforced, for people:
    ``"landlock ABI 7: ..."`` or why nothing is."""
    if not sys.platform.startswith("linux"):
        return "no Landlock on this system"
    try:
        import ctypes
    except ImportError:
        return "no ctypes"
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        syscall = libc.syscall
        syscall.restype = ctypes.c_long
        abi = int(syscall(_CREATE_RULESET, None, ctypes.c_size_t(0),
                          ctypes.c_uint32(_CREATE_RULESET_VERSION)))
        if abi < 1:
            return "Landlock is not enabled in this kernel"
        fs = _write_rights(abi)
        net = _NET_BIND_TCP | _NET_CONNECT_TCP if abi >= 4 else 0
        scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if abi >= 6 else 0
        attr = struct.pack("=QQQ", fs, net, scoped)[: 8 if abi < 4 else 16 if abi < 6 else 24]
        buffer = ctypes.create_string_buffer(attr, len(attr))
        ruleset = int(syscall(_CREATE_RULESET, buffer, ctypes.c_size_t(len(attr)),
                              ctypes.c_uint32(0)))
        if ruleset < 0:
            return f"Landlock refused the ruleset ({os.strerror(ctypes.get_errno())})"
        try:
            for path, rights in ((writable, fs), (os.devnull, _WRITE_FILE | (fs & _TRUNCATE))):
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                try:
                    rule = ctypes.create_string_buffer(struct.pack("=Qi", rights, fd), 12)
                    if syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, rule, 0) != 0:
                        return f"Landlock refused a rule ({os.strerror(ctypes.get_errno())})"
                finally:
                    os.close(fd)
            if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
                return "could not set no_new_privs"
            if syscall(_RESTRICT_SELF, ruleset, 0) != 0:
                return f"Landlock could not be applied ({os.strerror(ctypes.get_errno())})"
        finally:
            os.close(ruleset)
    except (OSError, AttributeError) as exc:
        return f"Landlock unavailable ({exc})"
    finally:
        # The code under test gets no ctypes for free: importing it again goes through the
        # audit hook, which refuses it.
        for name in [n for n in sys.modules if n == "ctypes" or n.startswith(("ctypes.",
                                                                               "_ctypes"))]:
            del sys.modules[name]
    parts = ["writes only in the grading folder"]
    if net:
        parts.append("no TCP")
    if scoped:
        parts.append("no signals outside")
    return f"Landlock ABI {abi}: " + ", ".join(parts)
