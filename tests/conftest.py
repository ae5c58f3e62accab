"""Shared test helpers: where the benchmark instances live."""

from pathlib import Path

BENCHDATA = Path(__file__).resolve().parents[2] / "shared" / "benchdata"
