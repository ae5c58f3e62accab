"""`local-nlp`: auto's backend for continuous nonlinear models it cannot search globally (a
variable without a finite bound): several local methods from the same start, the best answer.

One local method stops where its own path ends: from hs39's default start IPOPT and SciPy stop
at a stationary point of value 0, where the augmented Lagrangian (`alm`) goes on to the
optimum -1; on hs106 (badly scaled) it is the other way round. IPOPT runs first, then `alm` from
the same start while time remains (`scipy` in IPOPT's place when casadi is not installed). A
converged answer on a model known to be convex is optimal, and ends the search; otherwise the
best feasible answer is reported `feasible`, as each method's own would be."""

from __future__ import annotations

import numpy as np

from omnisolve.limits import Tracker
from omnisolve.model import ProblemData, Sense
from omnisolve.result import Result, Status
from omnisolve.solvers.alm import AlmSolver
from omnisolve.solvers.continuous import LocalNlpSolver, LocalSearch
from omnisolve.solvers.ipopt_nlp import IpoptSolver
from omnisolve.solvers.scipy_nlp import ScipySolver


class LocalPortfolioSolver(LocalNlpSolver):
    """IPOPT, then the augmented Lagrangian from the same start: continuous NLP, the better
    local optimum

    Local methods end in different stationary points; the best verified answer is kept."""

    name = "local-nlp"
    package = "scipy"

    def local_search(self, data: ProblemData) -> LocalSearch:
        searches = [(solver.name, solver.local_search(data)) for solver in methods()]
        sign = 1.0 if data.sense == Sense.MIN else -1.0

        def search(tracker: Tracker, x0: np.ndarray) -> Result:
            best: Result | None = None
            logs = []
            for name, run in searches:
                if best is not None and (best.status == Status.OPTIMAL or tracker.should_stop()):
                    break
                answer = run(tracker, x0)
                logs.append(f"{name}: {answer.status.value} {answer.objective}")
                if _better(answer, best, sign):
                    best = answer
            assert best is not None  # the first method always runs
            best.log = "\n".join(logs) + ("\n" + best.log if best.log else "")
            return best

        return search


def methods() -> list[LocalNlpSolver]:
    """The local methods, in the order they run."""
    first: LocalNlpSolver = IpoptSolver() if IpoptSolver.available() else ScipySolver()
    return [first, AlmSolver()]


def _better(answer: Result, best: Result | None, sign: float) -> bool:
    """An answer with a point beats none; of two, the lower objective (in the minimizing sense)."""
    if not answer.status.has_solution or answer.objective is None:
        return best is None
    if best is None or not best.status.has_solution or best.objective is None:
        return True
    return sign * (answer.objective - best.objective) < 0
