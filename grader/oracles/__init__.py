"""Exact models of the katas that hidden suites compare a learner's answers with, and the
instruments (hash functions, clocks) those suites hand to the learner's code."""
