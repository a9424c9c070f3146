"""What graded code may not do: a PEP 578 audit hook installed before the learner's module is
imported.

The hook refuses, for the code under test, what no kata needs and what would let a submission
escape or peek: network sockets, new processes, signals to other processes, native code
(ctypes), tracers, audit hooks, resource limits and environment variables; reading the grader's
own files (hidden suites, oracles) or the reference solutions; writing, renaming or deleting
anything outside the grading folder; and looking at stack frames or the garbage collector's
object graph, where the hidden suite's expected values live. Each refusal raises
:class:`Forbidden` (a ``PermissionError``) in the code that tried, and is reported to the grader
over the results channel, so that swallowing the exception does not hide it.

"The code under test" is decided per event:

- for side effects (sockets, processes, files...), any frame of the learner's code on the stack,
  or any thread other than the main one (the grader starts none of its own while grading);
- for frames and object-graph access, the code that asked for them, looking through the
  standard library's frame helpers (``inspect``, ``traceback.walk_*``) to their caller.

Code compiled by the learner's code (``exec``, ``compile``, ``types.FunctionType``) counts as
theirs, whatever file name it claims. This is a tripwire for mistakes and casual cheating, not
a sandbox: the README's threat model says what it does not stop.
"""

from __future__ import annotations

import _thread
import contextlib
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from types import CodeType, FrameType
from typing import Any

Handler = Callable[[tuple[Any, ...], FrameType], None]

# What each kind of refusal is called in reports ("forbidden: socket") and what it means.
KINDS = {
    "socket": "open a network socket",
    "subprocess": "start another process",
    "signal": "send a signal to a process",
    "ctypes": "load or call native code (ctypes)",
    "read": "read the grader's files (the hidden suite, its oracles or the reference solutions) "
            "or the grading process's own internals",
    "write": "change files outside its temporary grading folder",
    "frames": "look at stack frames or search the interpreter's objects (the grader's own data)",
    "code": "build code objects by hand",
    "trace": "install a tracer, profiler or audit hook",
    "limits": "change its resource limits",
    "environment": "change environment variables",
    "patch": "patch the grader, pytest, hypothesis, the clock or builtins",
    "threads": "leave a non-daemon thread running",
    "many": "keep trying forbidden things",
    "results": "write to the grader's results channel",
}

# Frame-returning helpers of the standard library: their caller is the one asking.
_LEAKER_FILES = ("inspect.py",)
_LEAKER_FUNCTIONS = frozenset({"walk_tb", "walk_stack", "_walk_tb_with_full_positions"})
_FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
_WATCHED_ATTRIBUTES = _FRAME_ATTRIBUTES | {"gi_code"}
_SETATTR_EVENTS = frozenset({"object.__setattr__", "object.__delattr__"})
_IMPORT_SYSTEM = ("<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>")
_SOURCE_READERS = frozenset({"linecache.py", "tokenize.py"})  # tracebacks quoting source lines


# Modules that reach native code or the OS with no audit event of their own.
NATIVE_BRIDGES = frozenset({"ctypes", "_ctypes", "cffi", "_cffi_backend"})
MAX_REPORTS = 200  # refusals reported one by one; the next ends the run's credit


class Forbidden(PermissionError):  # noqa: N818 - reads as what happened: "Forbidden: ..."
    """Raised in graded code that tried something the grader does not allow."""


@dataclass(frozen=True)
class Policy:
    """Where the code under test lives, where it may write, and what it may not read. Every
    path is absolute and resolved."""

    learner_dir: str
    sandbox: str
    protected: tuple[str, ...]

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Policy:
        data = json.loads(text)
        return cls(data["learner_dir"], data["sandbox"], tuple(data["protected"]))


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _resolve(path: Any) -> str | None:
    if isinstance(path, int) or path is None:
        return None
    try:
        return os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError, OSError):
        return None


class Guard:
    """The audit hook and its policy. ``report(kind, message)`` is called for every refusal."""

    def __init__(self, policy: Policy, report: Callable[[str, str], None]) -> None:
        self.policy = policy
        self.report = report
        self._learner_prefixes = (policy.learner_dir.rstrip(os.sep) + os.sep,
                                  policy.sandbox.rstrip(os.sep) + os.sep)
        self._main = _thread.get_ident()
        self._local = threading.local()
        self._tainted: dict[int, CodeType] = {}  # id -> code, kept alive so ids stay unique
        self._private: set[int] = set()  # ids of objects no code under test may look into
        self.protected_types: set[type] = set()
        self._handlers: dict[str, Handler] = {}
        self._reported = 0
        self._register()

    # -- installing ---------------------------------------------------------------------

    def install(self) -> None:
        """Install the hook. The guard itself stays unreachable: nothing but the hook (and
        whoever installed it) holds a reference to it."""
        os.environ[POLICY_VARIABLE] = self.policy.to_json()
        sys.addaudithook(self._hook)

    def keep_private(self, obj: object) -> None:
        """Refuse every look inside ``obj`` (its frame, its referents), from any code."""
        self._private.add(id(obj))

    def _register(self) -> None:
        side_effects = {
            "socket": ("socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo",
                       "socket.gethostbyname", "socket.gethostbyaddr", "socket.sendto",
                       "socket.sendmsg", "socket.getnameinfo"),
            "subprocess": ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn",
                           "os.spawn", "os.fork", "os.forkpty", "os.startfile"),
            "signal": ("os.kill", "os.killpg", "signal.pthread_kill"),
            "limits": ("resource.setrlimit", "resource.prlimit"),
            "environment": ("os.putenv", "os.unsetenv"),
            "ctypes": tuple(f"ctypes.{name}" for name in (
                "dlopen", "dlsym", "dlsym/handle", "call_function", "string_at", "wstring_at",
                "cdata", "cdata/buffer", "addressof", "create_string_buffer",
                "create_unicode_buffer", "PyObj_FromPtr", "get_errno", "set_errno")),
        }
        for kind, events in side_effects.items():
            for event in events:
                self._handlers[event] = self._side_effect(kind, event)
        for event in ("sys._getframe", "sys._current_frames", "sys._current_exceptions",
                      "gc.get_objects", "gc.get_referrers", "gc.get_referents"):
            self._handlers[event] = self._frames(event)
        for event in ("sys.settrace", "sys.setprofile", "sys.addaudithook"):
            self._handlers[event] = self._tracing(event)
        self._handlers.update({
            "object.__getattr__": self._getattr,
            "object.__setattr__": self._setattr,
            "object.__delattr__": self._setattr,
            "exec": self._exec,
            "function.__new__": self._exec,
            "code.__new__": self._code_new,
            "open": self._open,
            "os.listdir": self._listing,
            "os.scandir": self._listing,
            "glob.glob": self._listing,
            "os.chdir": self._chdir,
            "sqlite3.connect": self._sqlite,
            "import": self._import,
        })
        for event, positions in {
            "os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.chmod": (0,),
            "os.chown": (0,), "os.utime": (0,), "os.truncate": (0,), "os.setxattr": (0,),
            "os.removexattr": (0,), "os.chflags": (0,), "os.lockf": (),
            "os.rename": (0, 1), "os.link": (0, 1), "os.symlink": (0, 1),
            "shutil.rmtree": (0,), "shutil.copyfile": (1,), "shutil.copymode": (1,),
            "shutil.copystat": (1,), "shutil.copytree": (1,), "shutil.move": (0, 1),
            "shutil.chown": (0,), "shutil.make_archive": (0,), "shutil.unpack_archive": (1,),
            "tempfile.mkstemp": (0,), "tempfile.mkdtemp": (0,),
        }.items():
            self._handlers[event] = self._modifies(event, positions)

    # -- the hook -----------------------------------------------------------------------

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        handler = self._handlers.get(event)
        if handler is None:
            return
        # the two events that fire all the time, filtered before anything costs
        if event == "object.__getattr__":
            if args[1] not in _WATCHED_ATTRIBUTES:
                return
        elif event in _SETATTR_EVENTS and args[0] not in self.protected_types:
            return
        if getattr(self._local, "busy", False):
            return
        self._local.busy = True
        try:
            handler(args, sys._getframe(1))
        finally:
            self._local.busy = False

    def refuse(self, kind: str, what: str) -> None:
        """Refuse (and report) ``what`` for the code under test, from outside the hook."""
        self._refuse(kind, what)

    def _refuse(self, kind: str, what: str, *, quiet: bool = False) -> None:
        message = f"forbidden while graded: your code may not {KINDS[kind]} ({what})"
        if not quiet and self._reported <= MAX_REPORTS:
            self._reported += 1
            if self._reported > MAX_REPORTS:  # past this, credit nothing: one last report
                self.report("many", f"forbidden while graded: more than {MAX_REPORTS} forbidden "
                                    "attempts; nothing from this run counts")
            else:
                self.report(kind, message)
        raise Forbidden(message)

    # -- who is asking ------------------------------------------------------------------

    def is_learner_code(self, code: CodeType) -> bool:
        return code.co_filename.startswith(self._learner_prefixes) or id(code) in self._tainted

    def learner_active(self, frame: FrameType | None) -> bool:
        """Is the code under test anywhere on this thread's stack from ``frame`` down (or is
        this its thread)?"""
        if _thread.get_ident() != self._main:
            return True
        while frame is not None:
            if self.is_learner_code(frame.f_code):
                return True
            frame = frame.f_back
        return False

    @staticmethod
    def _asker(frame: FrameType | None) -> FrameType | None:
        """The frame that caused the event, looking through frame-returning helpers of the
        standard library to the code that called them."""
        while frame is not None:
            code = frame.f_code
            if not (code.co_filename.endswith(_LEAKER_FILES)
                    or code.co_name in _LEAKER_FUNCTIONS):
                return frame
            frame = frame.f_back
        return None

    def _asked_by_learner(self, caller: FrameType) -> bool:
        frame = self._asker(caller)
        return frame is not None and self.is_learner_code(frame.f_code)

    # -- handlers -----------------------------------------------------------------------

    def _side_effect(self, kind: str, event: str) -> Handler:
        def handler(args: tuple[Any, ...], caller: FrameType) -> None:
            if self.learner_active(caller):
                detail = event
                if event in ("socket.connect", "socket.bind") and len(args) > 1:
                    detail = f"{event} to {args[1]!r}"
                elif event in ("os.system", "subprocess.Popen") and args:
                    detail = f"{event}: {str(args[0])[:60]}"
                self._refuse(kind, detail)
        return handler

    def _frames(self, event: str) -> Handler:
        def handler(args: tuple[Any, ...], caller: FrameType) -> None:
            if event in ("gc.get_referents", "gc.get_referrers") and args and any(
                    id(obj) in self._private for obj in args[0] or ()):
                self._refuse("frames", event)
            if self._asked_by_learner(caller):
                self._refuse("frames", event)
        return handler

    def _tracing(self, event: str) -> Handler:
        def handler(args: tuple[Any, ...], caller: FrameType) -> None:
            if self._asked_by_learner(caller):
                self._refuse("trace", event)
            if caller.f_code.co_filename.endswith("threading.py"):  # threading.settrace's hooks
                threading_module = sys.modules.get("threading")
                for name in ("_trace_hook", "_profile_hook"):
                    code = getattr(getattr(threading_module, name, None), "__code__", None)
                    if isinstance(code, CodeType) and self.is_learner_code(code):
                        self._refuse("trace", f"threading.{name.strip('_').replace('_', '')}")
        return handler

    def _getattr(self, args: tuple[Any, ...], caller: FrameType) -> None:
        obj, name = args[0], args[1]
        if id(obj) in self._private or (
                name in _FRAME_ATTRIBUTES and self._asked_by_learner(caller)):
            self._refuse("frames", f"reading .{name}")

    def _setattr(self, args: tuple[Any, ...], caller: FrameType) -> None:
        target = args[0]
        if self.learner_active(caller):
            self._refuse("patch", f"setting {getattr(target, '__qualname__', target)}.{args[1]}")

    def _exec(self, args: tuple[Any, ...], caller: FrameType) -> None:
        code = args[0]
        if not isinstance(code, CodeType) or id(code) in self._tainted:
            return
        if caller.f_code.co_filename in _IMPORT_SYSTEM:
            return  # a module being imported: its own file decides
        if self.learner_active(caller):
            self._taint(code)

    def _taint(self, code: CodeType) -> None:
        pending = [code]
        while pending:
            current = pending.pop()
            self._tainted[id(current)] = current
            pending.extend(c for c in current.co_consts if isinstance(c, CodeType)
                           and id(c) not in self._tainted)

    def _code_new(self, args: tuple[Any, ...], caller: FrameType) -> None:
        if self.learner_active(caller):
            self._refuse("code", "types.CodeType / code.replace")

    def _open(self, args: tuple[Any, ...], caller: FrameType) -> None:
        path, mode, flags = (*args, None, None, None)[:3]
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT
                                                | os.O_TRUNC | os.O_APPEND))
        if writes:
            self._check_write("open", path, caller)
        else:
            self._check_read("open", path, caller)

    def _check_read(self, event: str, path: Any, caller: FrameType) -> None:
        resolved = _resolve(path)
        if resolved is None or _within(resolved, self.policy.learner_dir):
            return
        if _within(resolved, "/proc") and not _within(resolved, self.policy.sandbox):
            if self.learner_active(caller):
                self._refuse("read", f"{event} {resolved}")
            return
        if any(_within(resolved, p) for p in self.policy.protected) and self.learner_active(caller):
            quiet = caller.f_code.co_filename.rpartition(os.sep)[2] in _SOURCE_READERS
            self._refuse("read", f"{event} {resolved}", quiet=quiet)
        if (event == "open" and os.path.isdir(resolved)  # noqa: PTH112 - a str, in a hook
                and not _within(resolved, self.policy.sandbox) and self.learner_active(caller)):
            self._refuse("write", f"opening the folder {resolved}")

    def _check_write(self, event: str, path: Any, caller: FrameType) -> None:
        if isinstance(path, int) or path is None:
            return
        resolved = _resolve(path)
        if resolved is None or resolved == os.devnull:
            return
        if not _within(resolved, self.policy.sandbox) and self.learner_active(caller):
            self._refuse("write", f"{event} {resolved}")

    def _modifies(self, event: str,
                  positions: Iterable[int]) -> Handler:
        def handler(args: tuple[Any, ...], caller: FrameType) -> None:
            for position in positions:
                if position < len(args):
                    self._check_write(event, args[position], caller)
            if event in ("os.rename", "os.link", "os.symlink") and any(
                    fd not in (None, -1) for fd in args[2:4]) and self.learner_active(caller):
                self._refuse("write", f"{event} relative to a folder descriptor")
        return handler

    def _listing(self, args: tuple[Any, ...], caller: FrameType) -> None:
        if args:
            self._check_read("listing", args[0], caller)

    def _chdir(self, args: tuple[Any, ...], caller: FrameType) -> None:
        resolved = _resolve(args[0]) if args else None
        if (resolved is not None and not _within(resolved, self.policy.sandbox)
                and self.learner_active(caller)):
            self._refuse("write", f"os.chdir {resolved}")

    def _import(self, args: tuple[Any, ...], caller: FrameType) -> None:
        if args and str(args[0]).partition(".")[0] in NATIVE_BRIDGES and self.learner_active(
                caller):
            self._refuse("ctypes", f"import {args[0]}")
        filename = _resolve(args[1]) if len(args) > 1 else None
        if filename and not filename.endswith(".py") and filename.startswith(
                self._learner_prefixes):
            self._refuse("ctypes", f"importing the compiled module {filename}")

    def guard_sqlite(self, connection: Any, caller: FrameType) -> None:
        """A connection the code under test opened may not ATTACH (or VACUUM INTO) other
        database files: SQLite opens those itself, with no audit event."""
        if not self.learner_active(caller):
            return
        import sqlite3

        def authorize(action: int, *names: object) -> int:
            if action == sqlite3.SQLITE_ATTACH:
                with contextlib.suppress(Forbidden):
                    self._refuse("write", f"SQLite ATTACH {names[0]!r}")
                return sqlite3.SQLITE_DENY
            return sqlite3.SQLITE_OK

        connection.set_authorizer(authorize)

    def _sqlite(self, args: tuple[Any, ...], caller: FrameType) -> None:
        database = args[0] if args else None
        if isinstance(database, str | bytes | os.PathLike) and os.fsdecode(database) not in (
                ":memory:", ""):
            text = os.fsdecode(database)
            if not text.startswith("file:"):
                self._check_write("sqlite3.connect", text, caller)
            elif self.learner_active(caller):
                self._refuse("write", f"sqlite3.connect {text}")


POLICY_VARIABLE = "GRADE_GUARD_POLICY"


def python_command() -> list[str]:
    """The command that starts another Python interpreter under the same guard as this one
    (for a hidden suite that runs the code under test in a fresh process). Outside a graded
    run, a plain interpreter."""
    policy = os.environ.get(POLICY_VARIABLE)
    if policy is None:
        return [sys.executable]
    return [sys.executable, "-m", "grader.guard", policy]


def _stderr_report(kind: str, message: str) -> None:
    sys.stderr.write(f"forbidden: {kind}: {message}\n")
    sys.stderr.flush()


def main(argv: list[str]) -> None:
    """``python -m grader.guard POLICY -c CODE [ARG...]``: run CODE under the guard."""
    if len(argv) < 3 or argv[1] != "-c":
        sys.exit("usage: python -m grader.guard POLICY -c CODE [ARG...]")
    policy = Policy.from_json(argv[0])
    Guard(policy, _stderr_report).install()
    sys.argv = ["-c", *argv[3:]]
    code = compile(argv[2], "<string>", "exec")
    exec(code, {"__name__": "__main__", "__builtins__": __builtins__})  # noqa: S102


if __name__ == "__main__":
    main(sys.argv[1:])
