"""Benchmarks of the suite: scripts that measure it and write reports/bench/."""
