"""Side-by-side speed of the reference usage and the project's paths (`scripts/benchmark.py`, docs/performance.md)."""
