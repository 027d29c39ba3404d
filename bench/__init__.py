"""Benchmarks of Zorgkluis (`python -m bench [NAME ...]`); results go in docs/performance.md."""
