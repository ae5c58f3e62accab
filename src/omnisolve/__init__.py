"""omnisolve: state the problem, solve it with the right solver, and prove the answer."""

from omnisolve.api import load, solve
from omnisolve.blackbox import BlackBox, minimize
from omnisolve.errors import InputError, ModelError, OmnisolveError, UnsupportedError
from omnisolve.limits import Limits
from omnisolve.model import Model, ProblemData, VarType, quicksum
from omnisolve.problems import CVRP, TSP, JobShop, Knapsack
from omnisolve.result import Certificate, Result, Status
from omnisolve.version import __version__

_LAZY = {"Formulation": "omnisolve.nl", "formulate": "omnisolve.nl", "solve_text": "omnisolve.nl"}
_LAZY["solve_many"] = "omnisolve.batch"


def __getattr__(name: str):
    """`om.formulate`, `om.solve_text`, `om.Formulation` (omnisolve.nl's) and `om.solve_many`
    (omnisolve.batch's), imported on first use, so that `import omnisolve` does not load every
    reader (a job's child starts small)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'omnisolve' has no attribute {name!r}")


def read(path):
    """Read any supported file (MPS/LP, JSON, TSPLIB, VRPLIB, job-shop, knapsack)."""
    from omnisolve.io import read as _read

    return _read(path)


__all__ = [
    "BlackBox",
    "CVRP",
    "Certificate",
    "Formulation",
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
    "formulate",
    "load",
    "minimize",
    "quicksum",
    "read",
    "solve",
    "solve_many",
    "solve_text",
]
