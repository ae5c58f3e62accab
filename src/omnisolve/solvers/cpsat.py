"""OR-Tools CP-SAT backend: job shop, TSP, small CVRP, knapsack and pure-integer linear models
(formulations in `cpsat_models`). The caller's own stopping criteria (`Limits.stop`) are asked on
every solution and, by a watcher thread (`solvers.stopping`), between solutions; a stopped search
returns its best solution as feasible. `ortools` is imported inside the methods only."""

from __future__ import annotations

from typing import Any

from omnisolve.limits import Limits, Tracker
from omnisolve.model import ProblemData
from omnisolve.problems import TSP, Knapsack, Problem
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface
from omnisolve.solvers.cpsat_models import Formulation, JobShopFormulation, build, unsupported_reason
from omnisolve.solvers.stopping import stop_when


class CpSatSolver(SolverInterface):
    """OR-Tools CP-SAT: job shop, TSP, small CVRP, knapsack, pure-integer linear models

    Google OR-Tools CP-SAT (lazy clause generation with LP relaxations, many workers)."""

    name = "cpsat"
    package = "ortools"

    def unsupported_reason(self, problem: Problem) -> str | None:
        return unsupported_reason(problem)

    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        from ortools.sat.python import cp_model

        form = build(problem)
        if limits.start is not None:
            _hint(form, problem, limits.start)
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = max(tracker.remaining(), 1e-3)
        params.num_workers = limits.threads
        params.relative_gap_limit = limits.gap
        params.random_seed = limits.seed
        if limits.memory_mb is not None:
            params.max_memory_in_mb = limits.memory_mb
        params.log_search_progress = True
        params.log_to_stdout = False
        for key, value in form.params.items():
            if isinstance(value, list):
                getattr(params, key).extend(value)
            else:
                setattr(params, key, value)
        log: list[str] = []
        solver.log_callback = log.append
        solver.best_bound_callback = lambda bound: tracker.report(None, form.objective(bound))
        with stop_when(tracker.stop_requested, solver.stop_search):  # a cancel acts between solutions too
            status = solver.solve(form.model, _incumbent_callback(form, tracker))
        result = _result(solver, status, form, problem)
        result.log = "\n".join(log)
        result.problem_name = problem.name
        return result


def _hint(form: Formulation, problem: Problem, start: Any) -> None:
    """Replace the model's hint by a known solution: variable values of a linear model, a
    job-shop schedule, knapsack items or a TSP tour (other classes keep their own hint)."""
    model = form.model
    var = model.get_int_var_from_proto_index
    if isinstance(problem, ProblemData):
        if len(start) != problem.num_variables:
            return
        model.clear_hints()
        for j, value in enumerate(start):
            model.add_hint(var(j), int(round(float(value))))
    elif isinstance(form, JobShopFormulation):
        form.hint([s for row in start for s in row])
    elif isinstance(problem, Knapsack):
        chosen = set(int(i) for i in start)
        model.clear_hints()
        for i in range(len(problem.values)):
            model.add_hint(var(i), int(i in chosen))
    elif isinstance(problem, TSP):
        arcs = {(a, b) for a, b in zip(start, list(start[1:]) + list(start[:1]))}
        model.clear_hints()
        for index, proto in enumerate(model.proto.variables):
            a, _, b = proto.name[1:].partition("_")
            model.add_hint(var(index), int((int(a), int(b)) in arcs))


def _incumbent_callback(form: Formulation, tracker: Tracker) -> Any:
    """A solution callback that reports each incumbent and the bound at that moment, and stops
    the search at once when the caller's own criteria (`Limits.stop`, e.g. a target objective)
    then hold; CP-SAT enforces the time limit and the gap itself."""
    from ortools.sat.python import cp_model

    class Incumbents(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            tracker.report(form.objective(self.objective_value), form.objective(self.best_objective_bound))
            if tracker.stop_requested():
                self.stop_search()

    return Incumbents()


def _result(solver: Any, status: Any, form: Formulation, problem: Problem) -> Result:
    """Map CP-SAT's status and solution to a `Result`."""
    from ortools.sat.python import cp_model

    if status == cp_model.INFEASIBLE:
        return Result(Status.INFEASIBLE)
    if status == cp_model.MODEL_INVALID:
        reason = (form.model.validate() or "model invalid").splitlines()[0][:200]
        return Result(Status.ERROR, message=f"CP-SAT rejected the model: {reason}")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Result(Status.TIME_LIMIT, message=f"CP-SAT found no solution ({solver.status_name(status)})")
    solved = Status.OPTIMAL if status == cp_model.OPTIMAL else Status.FEASIBLE
    objective = form.objective(solver.objective_value)
    bound: float | None = form.objective(solver.best_objective_bound)
    message = form.note
    if any(solver.value(var) == end for var, end in form.clamped):
        solved, bound = Status.FEASIBLE, None
        message = "a variable sits at the artificial bound +-2^40: the problem may be unbounded"
    decoded = form.decode(solver.value)
    if isinstance(problem, ProblemData):
        return Result(solved, objective=problem.objective_value(decoded), bound=bound, values=decoded, message=message)
    return Result(solved, objective=objective, bound=bound, solution=decoded, message=message)
