"""The problem as the user states it, and its compiled form `ProblemData`."""

from omnisolve.model.arrays import LinearArray, VariableArray
from omnisolve.model.constraints import MatrixConstraint
from omnisolve.model.data import Names, NonlinearConstraint, NonlinearFunction, ProblemData, QuadraticRow, Sense
from omnisolve.model.expressions import Constraint, LinearExpr, QuadExpr, Variable, VarType, quicksum
from omnisolve.model.model import Model

__all__ = [
    "Constraint",
    "LinearArray",
    "LinearExpr",
    "MatrixConstraint",
    "Model",
    "Names",
    "NonlinearConstraint",
    "NonlinearFunction",
    "ProblemData",
    "QuadExpr",
    "QuadraticRow",
    "Sense",
    "Variable",
    "VariableArray",
    "VarType",
    "quicksum",
]
