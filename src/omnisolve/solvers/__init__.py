"""Solver backends behind one interface; see `registry` and docs/adding-a-solver.md."""
