"""`local-nlp`: auto's backend for continuous nonlinear models it cannot search globally (a
variable without a finite bound): several local methods from several starts, the best answer.

One local method stops where its own path ends: from hs39's default start IPOPT and SciPy stop
at a stationary point of value 0, where the augmented Lagrangian (`alm`) goes on to the
optimum -1; on hs106 (badly scaled) it is the other way round. So from each start IPOPT runs
first, then `alm` (`scipy` in IPOPT's place when casadi is not installed). And one start can be
a stationary point of every method (hs40 and hs56 at zero), so RESTARTS more starts follow while
time remains, drawn around the default start (`restart`). A converged answer on a model known to
be convex is optimal and ends the search; otherwise the best feasible answer is reported
`feasible`, as each method's own would be."""

from __future__ import annotations

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.model import ProblemData, Sense
from omnisolve.problems import Problem
from omnisolve.result import Result, Status
from omnisolve.solvers.alm import AlmSolver
from omnisolve.solvers.continuous import LocalNlpSolver, LocalSearch, default_start
from omnisolve.solvers.ipopt_nlp import IpoptSolver
from omnisolve.solvers.scipy_nlp import ScipySolver

RESTARTS = 4  # starts after the default one, each drawn by `restart`


class LocalPortfolioSolver(LocalNlpSolver):
    """IPOPT, then the augmented Lagrangian from the same start, from several starts:
    continuous NLP, the best local optimum

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
                try:
                    answer = run(tracker, x0)
                except Exception as exc:  # the model's callable failing on this path: the other method's answer stands
                    answer = Result(Status.ERROR, message=f"{name} failed: {type(exc).__name__}: {exc}")
                logs.append(f"{name}: {answer.status.value} {answer.objective} {answer.message}".rstrip())
                if _better(answer, best, sign):
                    best = answer
            assert best is not None  # the first method always runs
            best.log = "\n".join(logs) + ("\n" + best.log if best.log else "")
            return best

        return search

    def _solve(self, data: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(data, ProblemData)  # unsupported_reason has refused every other problem
        search, sign = self.local_search(data), 1.0 if data.sense == Sense.MIN else -1.0
        rng = np.random.default_rng(limits.seed)
        first = default_start(data)
        best: Result | None = None
        logs: list[str] = []
        for k in range(1 + RESTARTS):
            if k and (tracker.should_stop() or (best is not None and best.status == Status.OPTIMAL)):
                break
            answer = search(tracker, first if k == 0 else restart(data, first, rng))
            logs.append(f"start {k}:\n{answer.log}")
            if answer.status.has_solution:
                tracker.report(answer.objective, answer.bound)
            if _better(answer, best, sign):
                best = answer
        assert best is not None
        best.log = "\n".join(logs)
        best.problem_name = data.name
        best.extra = {**best.extra, "starts": len(logs)}
        return best


def methods() -> list[LocalNlpSolver]:
    """The local methods, in the order they run."""
    first: LocalNlpSolver = IpoptSolver() if IpoptSolver.available() else ScipySolver()
    return [first, AlmSolver()]


def restart(data: ProblemData, x0: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Another start: uniform in a variable's box where both bounds are finite, else x0 moved by
    a normal step of x0's own scale (max(1, |x0_i|)), into the bounds."""
    scale = np.maximum(1.0, np.abs(x0))
    x = x0 + scale * rng.standard_normal(len(x0))
    boxed = np.isfinite(data.lb) & np.isfinite(data.ub)
    x[boxed] = rng.uniform(data.lb[boxed], data.ub[boxed])
    return np.clip(x, data.lb, data.ub)


def _better(answer: Result, best: Result | None, sign: float) -> bool:
    """An answer with a point beats none; of two, the lower objective (in the minimizing sense)."""
    if not answer.status.has_solution or answer.objective is None:
        return best is None
    if best is None or not best.status.has_solution or best.objective is None:
        return True
    return sign * (answer.objective - best.objective) < 0
