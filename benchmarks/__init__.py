"""Benchmarks of canary-tui (issue 6): speed, API cost and redraw size, against moto.

Not tests: nothing here runs under pytest or in CI. ``python -m benchmarks`` prints one line
per figure; see benchmarks/README.md.
"""
