"""Structured problem classes that keep their structure for specialized solvers."""

from omnisolve.problems.base import Problem, StructuredProblem
from omnisolve.problems.cvrp import CVRP
from omnisolve.problems.jobshop import JobShop
from omnisolve.problems.knapsack import Knapsack
from omnisolve.problems.tsp import TSP

__all__ = ["CVRP", "JobShop", "Knapsack", "Problem", "StructuredProblem", "TSP"]
