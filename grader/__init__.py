"""Backend Katas' grader: finds katas, runs their hidden suites in isolation, scores and reports."""

__version__ = "0.1.0"
