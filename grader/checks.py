"""The examiner's toolkit: what hidden suites use to drive a learner's code and explain failures.

Everything here is written so that a failure reads in the learner's terms: :class:`Script`
records the calls a test made (``cache.put(1, 'a')``) and every mismatch is reported with
that script, the expected value and the actual one. Comparisons are type-strict
(:func:`same`), so an object whose ``__eq__`` always answers True cannot pass for a value.

Efficiency is checked by counting, never by timing: :class:`CountingKey` counts ``__hash__``
and ``__eq__`` calls, :class:`LineCounter` counts the lines executed in the learner's own
files, and :class:`FakeClock` counts clock reads.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any, NoReturn

from grader.feedback import Mismatch

__all__ = [
    "CountingInt",
    "CountingKey",
    "FakeClock",
    "KeyStats",
    "LineCounter",
    "Mismatch",
    "Recorder",
    "Script",
    "fail",
    "machine_test",
    "run_threads",
    "same",
    "show",
    "within",
    "written",
]

MAX_SCRIPT_LINES = 60


def same(actual: object, expected: object) -> bool:
    """Type-strict deep equality: ``actual`` must be of exactly ``expected``'s type and equal.

    ``expected`` always comes from the hidden suite, so its type's ``__eq__`` decides; a learner's
    object that claims equality with everything has the wrong type and fails.
    """
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, list | tuple):
        assert isinstance(actual, list | tuple)
        return len(actual) == len(expected) and all(
            same(a, e) for a, e in zip(actual, expected, strict=True)
        )
    if isinstance(expected, dict):
        assert isinstance(actual, dict)
        return actual.keys() == expected.keys() and all(
            same(actual[k], v) for k, v in expected.items()
        )
    if isinstance(expected, set | frozenset):
        assert isinstance(actual, set | frozenset)
        return len(actual) == len(expected) and all(
            any(same(a, e) for a in actual) for e in expected
        )
    return bool(expected == actual)


def show(value: object, limit: int = 80) -> str:
    """A short repr for messages (long values are cut in the middle)."""
    try:
        text = repr(value)
    except Exception as exc:  # noqa: BLE001 - a learner's broken __repr__ must not hide the result
        text = f"<{type(value).__name__} whose repr raised {type(exc).__name__}>"
    if len(text) > limit:
        keep = (limit - 5) // 2
        text = f"{text[:keep]} ... {text[-keep:]}"
    return text


def show_prefix(items: Sequence[Any], count: int, limit: int = 80) -> str:
    """``show(items[:count], limit)`` without the repr of a long middle that would be cut anyway:
    a check that notes a growing prefix after every step stays linear."""
    if count <= 2 * limit:
        return show(list(items[:count]), limit)
    keep = (limit - 5) // 2
    head = show(list(items[:limit]), sys.maxsize)[:keep]
    tail = show(list(items[count - limit:count]), sys.maxsize)[-keep:]
    return f"{head} ... {tail}"


def _signature(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    parts = [show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()]
    return ", ".join(parts)


def fail(message: str, script: Script | None = None) -> NoReturn:
    """Fail the current check with a learner-facing message (and the calls that led to it)."""
    if script is not None and script.lines:
        raise Mismatch(f"{message}\n{script.render()}")
    raise Mismatch(message)


class Script:
    """The calls a check makes on the learner's objects, recorded as code the learner can rerun.

    >>> s = Script()
    >>> cache = s.new("cache", LRUCache, 2)        # doctest: +SKIP
    >>> s.call("cache", cache, "put", 1, "a")       # doctest: +SKIP
    """

    def __init__(self, *, record: bool = True) -> None:
        self.lines: list[str] = []
        self.record = record
        self._dropped = 0

    def note(self, line: str) -> None:
        """Record a step that is not a call on the learner's object (``clock.advance(2)``)."""
        if not self.record:
            return
        if len(self.lines) >= MAX_SCRIPT_LINES:
            self._dropped += 1
            return
        self.lines.append(line)

    def render(self) -> str:
        if not self.lines:
            return ""
        body = "\n".join(f"    {line}" for line in self.lines)
        if self._dropped:
            body += f"\n    ... ({self._dropped} more calls)"
        return f"The calls, in order:\n{body}"

    def new(self, label: str, cls: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        name = getattr(cls, "__name__", "object")
        self.note(f"{label} = {name}({_signature(args, kwargs)})")
        return self._run(f"{name}({_signature(args, kwargs)})", cls, args, kwargs)

    def call(self, label: str, obj: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        def text() -> str:
            return f"{label}.{method}({_signature(args, kwargs)})"

        # The text of a call that is not recorded is only needed if the call fails: a check
        # that makes thousands of unrecorded calls must not pay for their reprs.
        noted = text() if self.record else None
        if noted is not None:
            self.note(noted)
        try:
            bound = getattr(obj, method)
        except AttributeError:
            fail(f"{label} has no method {method}(); the kata's README lists the interface.", self)
        result = self._run(noted or text, bound, args, kwargs)
        if result is not None and noted is not None and self.lines and self.lines[-1] == noted:
            self.lines[-1] = f"{noted}  # -> {show(result, 40)}"
        return result

    def _run(self, text: str | Callable[[], str], fn: Callable[..., Any],
             args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        try:
            return fn(*args, **kwargs)
        except (NotImplementedError, Mismatch):
            raise
        except Exception as exc:
            said = text if isinstance(text, str) else text()
            raise Mismatch(
                f"{said} raised {type(exc).__name__}: {exc}\n{self.render()}".rstrip()
            ) from exc

    def observe(self, text: str, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a read-only check (``len(cache)``) without recording it; errors are reported."""
        return self._run(text, fn, args, {})

    def expect(self, actual: object, expected: object, what: str, why: str = "") -> None:
        """Fail unless ``actual`` is exactly ``expected``; ``what`` names the call or property."""
        if not same(actual, expected):
            reason = f" ({why})" if why else ""
            fail(f"{what} gave {show(actual)}, expected {show(expected)}{reason}.", self)

    def expect_raises(self, error: type[BaseException] | tuple[type[BaseException], ...],
                      label: str, obj: Any, method: str, *args: Any, **kwargs: Any) -> None:
        text = f"{label}.{method}({_signature(args, kwargs)})"
        self.note(text)
        names = " or ".join(e.__name__ for e in (error if isinstance(error, tuple) else (error,)))
        try:
            getattr(obj, method)(*args, **kwargs)
        except NotImplementedError:
            raise
        except error as exc:
            if self.lines and self.lines[-1] == text:
                self.lines[-1] = f"{text}  # raises {type(exc).__name__}, as it should"
            return
        except Exception as exc:  # noqa: BLE001 - the wrong error is the learner's mistake
            fail(f"{text} raised {type(exc).__name__}: {exc}; expected {names}.", self)
        fail(f"{text} returned normally; expected it to raise {names}.", self)


class Recorder:
    """A callback that records every call's arguments. Always truthy, like any function, so
    ``if on_evict:`` and ``on_evict or default`` treat it as the callable it is."""

    def __init__(self, label: str = "callback") -> None:
        self.label = label
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> None:
        self.calls.append(args)  # list.append is atomic: safe from any thread, lock or not

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return self.label


class FakeClock:
    """A clock the test moves by hand. Times are exact binary fractions, so float and exact
    arithmetic in the learner's code agree at every boundary."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def __repr__(self) -> str:
        return f"clock (now {self.now})"


@dataclass
class KeyStats:
    """How many times the learner's code hashed or compared :class:`CountingKey` objects."""

    hashes: int = 0
    eqs: int = 0
    compares: int = 0  # <, <=, >, >= and == on CountingInt

    @property
    def total(self) -> int:
        return self.hashes + self.eqs + self.compares

    def reset(self) -> None:
        self.hashes = self.eqs = self.compares = 0


class CountingKey:
    """A key that counts calls of ``__hash__`` and ``__eq__``; with ``switch`` it also yields the
    GIL inside them, so that a thread switch lands in the middle of the learner's operation."""

    __slots__ = ("ident", "stats", "switch")

    def __init__(self, ident: int, stats: KeyStats, *, switch: bool = False) -> None:
        self.ident = ident
        self.stats = stats
        self.switch = switch

    def __hash__(self) -> int:
        self.stats.hashes += 1
        if self.switch:
            time.sleep(0)
        return hash(self.ident)

    def __eq__(self, other: object) -> bool:
        self.stats.eqs += 1
        if self.switch:
            time.sleep(0)
        return isinstance(other, CountingKey) and other.ident == self.ident

    def __repr__(self) -> str:
        return f"k{self.ident}"


class CountingInt(int):
    """An int that counts every comparison it takes part in (``KeyStats.compares``), whichever
    side of the operator it is on: a subclass's reflected method runs first, so ``5 < n``
    calls ``n.__gt__(5)``. Arithmetic gives plain ints, which count nothing."""

    stats: KeyStats

    def __new__(cls, value: int, stats: KeyStats) -> CountingInt:
        number = super().__new__(cls, value)
        number.stats = stats
        return number

    def _counted(self) -> int:
        self.stats.compares += 1
        return int(self)

    def __lt__(self, other: object) -> bool:
        return self._counted().__lt__(other)  # type: ignore[operator]

    def __le__(self, other: object) -> bool:
        return self._counted().__le__(other)  # type: ignore[operator]

    def __gt__(self, other: object) -> bool:
        return self._counted().__gt__(other)  # type: ignore[operator]

    def __ge__(self, other: object) -> bool:
        return self._counted().__ge__(other)  # type: ignore[operator]

    def __eq__(self, other: object) -> bool:
        return self._counted().__eq__(other)

    def __ne__(self, other: object) -> bool:
        return self._counted().__ne__(other)

    __hash__ = int.__hash__


def _folder(module: ModuleType) -> str:
    """The folder of a module's file: lines run in any file there count as the learner's."""
    origin = getattr(module, "__file__", None)
    if origin is None:
        raise ValueError(f"module {module.__name__} has no file")
    return str(Path(origin).resolve().parent)


def _settrace(tracer: Any) -> None:
    """``sys.settrace``, retried: with an audit hook installed (as while grading), threads that
    install tracers at the same moment can be told "another trace function is being
    installed"."""
    while True:
        try:
            sys.settrace(tracer)
        except RuntimeError:
            time.sleep(0)
        else:
            return


def _defined_in(frame: FrameType, folder: str) -> bool:
    """Does ``frame`` run code compiled from a file in ``folder``? (The code's own file name,
    which a module cannot rewrite the way it can rewrite its ``__file__``.)"""
    return frame.f_code.co_filename.startswith(folder)


class LineCounter:
    """Counts the lines executed in the learner's own files while it is active (``with``).

    Deterministic, so it measures the work an operation does without a wall clock: a hidden
    loop over every entry shows up as thousands of lines per call.
    """

    def __init__(self, module: ModuleType) -> None:
        self.prefix = _folder(module)
        self.lines = 0
        self._previous: Any = None

    def _local(self, frame: FrameType, event: str, arg: object) -> Any:
        if event == "line":
            self.lines += 1
        return self._local

    def _global(self, frame: FrameType, event: str, arg: object) -> Any:
        if _defined_in(frame, self.prefix):
            return self._local
        return None

    def __enter__(self) -> LineCounter:
        self._previous = sys.gettrace()
        _settrace(self._global)
        return self

    def __exit__(self, *exc: object) -> None:
        _settrace(self._previous)


def within(seconds: float, what: str, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in a helper thread and return its result; fail if it has not returned after
    ``seconds`` (e.g. a linked list that a race turned into a cycle makes ``keys()`` loop)."""
    box: list[Any] = []
    errors: list[BaseException] = []

    def body() -> None:
        try:
            box.append(fn())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        fail(f"{what} did not return within {seconds:g} s: it is stuck in a loop (a linked "
             "list corrupted into a cycle by a race?).")
    if errors:
        raise errors[0]
    return box[0]


def written(probe: Callable[[], object]) -> None:
    """Re-raise NotImplementedError from ``probe`` (any other outcome is left to the check).

    Call it from a fixture of a hypothesis test: a stub then fails at once, instead of failing
    every generated example while hypothesis tries to shrink a failure that cannot shrink."""
    try:
        probe()
    except NotImplementedError:
        raise
    except Exception:  # noqa: BLE001, S110 - the check itself reports anything else, better
        pass


def machine_test(machine: type, *, points: int = 1, max_examples: int = 100,
                 steps: int = 25) -> Any:
    """The pytest test case for a hypothesis ``RuleBasedStateMachine``, titled by the machine's
    docstring and worth ``points``."""
    import pytest
    from hypothesis import settings

    case = machine.TestCase  # type: ignore[attr-defined]
    case.settings = settings(max_examples=max_examples, stateful_step_count=steps)
    case.__doc__ = machine.__doc__
    return pytest.mark.points(points)(case)


def run_threads(count: int, target: Callable[[int], None], *, timeout: float = 20.0,
                yield_in: ModuleType | None = None) -> None:
    """Run ``target(i)`` in ``count`` threads released together by a barrier, with a tiny switch
    interval so that races are likely. With ``yield_in`` (the learner's module) every thread
    also yields the GIL before each line it runs in that module's folder, so a thread switch
    can land between any two lines of the learner's code. The first exception of any thread
    is re-raised; threads still running after ``timeout`` seconds are reported as a deadlock."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []
    prefix = _folder(yield_in) if yield_in is not None else None

    def yield_each_line(frame: FrameType, event: str, arg: object) -> Any:
        if event == "line":
            time.sleep(0)
        return yield_each_line

    def enter(frame: FrameType, event: str, arg: object) -> Any:
        if prefix is not None and _defined_in(frame, prefix):
            return yield_each_line
        return None

    def body(i: int) -> None:
        try:
            if prefix is not None:
                _settrace(enter)
            barrier.wait()
            target(i)
        except BaseException as exc:  # noqa: BLE001 - carried to the main thread below
            errors.append(exc)
        finally:
            _settrace(None)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(count)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
    finally:
        sys.setswitchinterval(interval)
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        fail(f"{stuck} of {count} threads were still running after {timeout:g} s: a deadlock "
             "(a lock taken twice, or never released), or work that grows with the size of "
             "the data (see the efficiency level)?")
    if errors:
        first = errors[0]
        if isinstance(first, NotImplementedError | Mismatch):
            raise first
        raise Mismatch(f"with {count} threads running at once, your code raised "
                       f"{type(first).__name__}: {first} (a race?)") from first

