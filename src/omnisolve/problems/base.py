"""The contract of a structured problem: it keeps its structure for specialized solvers, and
can still be written as a plain model for general ones."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, TypeAlias

import numpy as np

from omnisolve.model import Model, ProblemData, Sense


class StructuredProblem(ABC):
    """A problem class with its own data (`TSP`, `CVRP`, `JobShop`, `Knapsack`).

    Solutions are plain Python structures (documented per class), so they serialize to JSON.
    """

    kind: str = ""
    sense: Sense = Sense.MIN
    name: str = ""

    @abstractmethod
    def to_model(self) -> Model:
        """A correct MILP formulation of the same problem, for general solvers."""

    @abstractmethod
    def solution_from_values(self, data: ProblemData, values: np.ndarray) -> Any:
        """Decode the values of `to_model().compile()`'s variables into a structured solution."""

    @abstractmethod
    def values_from_solution(self, solution: Any) -> np.ndarray:
        """The `to_model()` variable values of a valid `solution` (for MIP starts and round trips)."""

    @abstractmethod
    def check(self, solution: Any) -> list[str]:
        """Every violated rule of `solution`, one readable line each; empty when valid."""

    @abstractmethod
    def evaluate(self, solution: Any) -> float:
        """The objective of `solution`, recomputed from the problem data."""

    @abstractmethod
    def features(self) -> dict[str, float]:
        """Cheap numeric descriptors (sizes, spreads, ratios) for the solver selector."""

    @property
    @abstractmethod
    def size(self) -> int:
        """A headline size (nodes, operations, items) for listings."""


#: Any problem omnisolve solves: compiled model data, or a structured problem keeping its structure.
Problem: TypeAlias = ProblemData | StructuredProblem
