"""Benchmarks: measured side by side, never asserted in the test suite."""
