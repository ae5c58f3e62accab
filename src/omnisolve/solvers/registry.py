"""Registry of solver backends, imported lazily so a missing package never breaks `import omnisolve`."""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from omnisolve.errors import UnsupportedError
from omnisolve.problems import Problem
from omnisolve.solvers.base import SolverInterface

# name -> "module:Class"; modules are imported on first use only.
_BACKENDS: dict[str, str] = {
    "highs": "omnisolve.solvers.highs:HighsSolver",
    "cpsat": "omnisolve.solvers.cpsat:CpSatSolver",
    "scipy": "omnisolve.solvers.scipy_nlp:ScipySolver",
    "ipopt": "omnisolve.solvers.ipopt_nlp:IpoptSolver",
    "alm": "omnisolve.solvers.alm:AlmSolver",
    "local-nlp": "omnisolve.solvers.local_nlp:LocalPortfolioSolver",
    "tsp-ils": "omnisolve.solvers.tsp_ils:TspIlsSolver",
    "lkh": "omnisolve.solvers.lkh:LkhSolver",
    "ortools-routing": "omnisolve.solvers.ortools_routing:OrToolsRoutingSolver",
    "pyvrp": "omnisolve.solvers.pyvrp_hgs:PyVrpSolver",
    "hgs": "omnisolve.solvers.hgs_cvrp:HgsCvrpSolver",
    "knapsack-dp": "omnisolve.solvers.knapsack_dp:KnapsackDpSolver",
    "jobshop-lns": "omnisolve.solvers.jobshop_lns:JobShopLnsSolver",
    "milp-alns": "omnisolve.solvers.milp_alns:MilpAlnsSolver",
    "scip": "omnisolve.solvers.scip:ScipSolver",
    "tsp-dfj": "omnisolve.solvers.tsp_dfj:TspDfjSolver",
    "tsp-dfj-scip": "omnisolve.solvers.tsp_dfj_scip:TspDfjScipSolver",
    # named, not imported: it builds on the black-box layer above this one (docs/architecture.md)
    "global-nlp": "omnisolve.blackbox.model_solver:GlobalNlpSolver",
}


_BUILT_IN = dict(_BACKENDS)


def names() -> list[str]:
    return list(_BACKENDS)


def registered() -> dict[str, str]:
    """The backends added with `register` (name -> "module:Class"), for child processes that
    must know them too (racers)."""
    return {name: target for name, target in _BACKENDS.items() if _BUILT_IN.get(name) != target}


def get(name: str) -> SolverInterface:
    """The backend called `name`; `UnsupportedError` listing the known ones otherwise."""
    try:
        target = _BACKENDS[name]
    except KeyError:
        raise UnsupportedError(f"unknown solver {name!r}; known: {', '.join(_BACKENDS)}, auto") from None
    module, cls = target.split(":")
    try:
        return getattr(importlib.import_module(module), cls)()
    except (ImportError, AttributeError) as exc:
        raise UnsupportedError(f"solver {name} cannot be loaded from {target}: {exc}") from None


def register(name: str, target: str) -> None:
    """Add a backend as "package.module:ClassName" (see docs/adding-a-solver.md)."""
    _BACKENDS[name] = target


def register_all(targets: Mapping[str, str]) -> None:
    """`register` each name -> "package.module:ClassName" (a child process learning its parent's
    `registered()`)."""
    for name, target in targets.items():
        register(name, target)


def candidates(problem: Problem) -> list[SolverInterface]:
    """Installed backends that accept `problem`, in registry order."""
    out = []
    for name in _BACKENDS:
        try:
            solver = get(name)
        except UnsupportedError:
            continue
        if solver.available() and solver.supports(problem):
            out.append(solver)
    return out
