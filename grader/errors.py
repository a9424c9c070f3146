"""Errors a user can trigger. Each carries its exit status and a message that says what to do.

The CLI turns them into a message on stderr and ``sys.exit`` in one place; library code never
prints or exits.
"""

from __future__ import annotations


class GradeError(Exception):
    """Base class: something the user asked for cannot be done."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(GradeError):
    """The command line names something that does not exist or asks for something impossible."""


class CatalogError(GradeError):
    """A kata's metadata (``kata.toml``) is missing, malformed or incomplete."""


class NotInRepositoryError(GradeError):
    """The command was run outside a Backend Katas checkout."""


class ReportError(GradeError):
    """A report could not be written where it belongs (the message names the file and why)."""


class Interrupted(GradeError):  # noqa: N818 - reads as what happened to the run
    """Grading was stopped by Ctrl-C or SIGTERM; every child process has been killed."""

    exit_code = 130

    def __init__(self, message: str = "interrupted; every grading process was stopped.") -> None:
        super().__init__(message)
