"""Benchmarks: a generated 100,000-case database and the figures measured on it (not run in CI)."""
