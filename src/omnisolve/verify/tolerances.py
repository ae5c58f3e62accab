"""Tolerances of the verifier (relative to max(1, |rhs|) for rows, absolute for integrality)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tolerances:
    feasibility: float = 1e-6
    integrality: float = 1e-5
    objective: float = 1e-6  # relative difference allowed between claimed and recomputed objective
