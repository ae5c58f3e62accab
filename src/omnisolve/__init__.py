"""omnisolve: state the problem, solve it with the right solver, and prove the answer."""

from omnisolve.api import load, solve
from omnisolve.blackbox import BlackBox, minimize
from omnisolve.errors import InputError, ModelError, OmnisolveError, UnsupportedError
from omnisolve.limits import Limits
from omnisolve.model import Model, ProblemData, VarType, quicksum
from omnisolve.problems import CVRP, TSP, JobShop, Knapsack
from omnisolve.result import Certificate, Result, Status
from omnisolve.version import __version__


def read(path):
    """Read any supported file (MPS/LP, JSON, TSPLIB, VRPLIB, job-shop, knapsack)."""
    from omnisolve.io import read as _read

    return _read(path)


__all__ = [
    "BlackBox",
    "CVRP",
    "Certificate",
    "InputError",
    "JobShop",
    "Knapsack",
    "Limits",
    "Model",
    "ModelError",
    "OmnisolveError",
    "ProblemData",
    "Result",
    "Status",
    "TSP",
    "UnsupportedError",
    "VarType",
    "__version__",
    "load",
    "minimize",
    "quicksum",
    "read",
    "solve",
]
