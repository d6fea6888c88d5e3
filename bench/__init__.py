"""The performance benchmark: `python bench/run.py` (or `make bench`); docs/performance.md."""
