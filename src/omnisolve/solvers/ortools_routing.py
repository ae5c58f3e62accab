"""OR-Tools routing backend for TSP and CVRP: cheapest-arc first solution, then guided local
search until the time limit. The routing library needs integer arc costs and demands, so other
data is refused. The caller's own stopping criteria (`Limits.stop`) are asked on every solution
and, by a watcher thread (`solvers.stopping`), between solutions; both cancel the search with the
library's thread-safe `RoutingModel.CancelSearch`, and the best solution comes back as feasible.
`ortools` is imported inside the functions only."""

from __future__ import annotations

from typing import Any

import numpy as np

from omnisolve.limits import Limits, Tracker
from omnisolve.problems import Problem
from omnisolve.problems.cvrp import CVRP
from omnisolve.problems.tsp import TSP
from omnisolve.result import Result, Status
from omnisolve.solvers.base import SolverInterface
from omnisolve.solvers.requirements import routing_data_reason
from omnisolve.solvers.stopping import stop_when

_LARGEST = 2**62  # summed arc costs must fit OR-Tools' int64


class OrToolsRoutingSolver(SolverInterface):
    """OR-Tools routing: guided local search for TSP and CVRP with integer data

    OR-Tools vehicle routing library (constraint solver based local search with GLS)."""

    name = "ortools-routing"
    package = "ortools"
    accepts = (TSP, CVRP)

    def unsupported_reason(self, problem: Problem) -> str | None:
        return super().unsupported_reason(problem) or routing_data_reason(
            problem, "OR-Tools routing", _LARGEST, "tsp-ils or lkh"
        )

    def _solve(self, problem: Problem, limits: Limits, tracker: Tracker) -> Result:
        assert isinstance(problem, (TSP, CVRP))  # unsupported_reason has refused every other problem
        from ortools.constraint_solver import pywrapcp, routing_enums_pb2

        cvrp = problem if isinstance(problem, CVRP) else None  # a TSP is one vehicle from node 0
        fleet = 1 if cvrp is None else fleet_size(cvrp)
        depot = 0 if cvrp is None else cvrp.depot
        manager = pywrapcp.RoutingIndexManager(problem.n, fleet, depot)
        routing = pywrapcp.RoutingModel(manager)
        arc = routing.RegisterTransitMatrix(np.rint(problem.distances).astype(np.int64).tolist())
        routing.SetArcCostEvaluatorOfAllVehicles(arc)
        if cvrp is not None:
            load = routing.RegisterUnaryTransitVector(np.rint(cvrp.demands).astype(np.int64).tolist())
            routing.AddDimensionWithVehicleCapacity(load, 0, [int(cvrp.capacity)] * fleet, True, "load")
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        params.time_limit.FromMilliseconds(max(1, int(1000 * tracker.search_remaining())))
        routing.AddAtSolutionCallback(lambda: _at_solution(routing, tracker))
        with stop_when(tracker.stop_requested, routing.CancelSearch):  # a cancel acts between solutions too
            solution = routing.SolveWithParameters(params)
        if solution is None:
            return Result(Status.TIME_LIMIT, message=f"OR-Tools routing found no solution (status {routing.status()})")
        paths = [_path(routing, manager, solution, v) for v in range(fleet)]
        answer = [depot] + paths[0] if cvrp is None else [p for p in paths if p]
        return Result(Status.FEASIBLE, objective=problem.evaluate(answer), solution=answer)


def _at_solution(routing: Any, tracker: Tracker) -> None:
    """Report the new solution's cost; cancel the search at once when the caller's own criteria
    (`Limits.stop`, e.g. a target objective) then hold."""
    tracker.report(float(routing.CostVar().Max()))
    if tracker.stop_requested():
        routing.CancelSearch()


def fleet_size(problem: CVRP) -> int:
    """At most `num_vehicles` routes; a free fleet gets one vehicle per customer (always
    enough, and unused vehicles cost nothing)."""
    return problem.num_vehicles or max(1, problem.n - 1)


def _path(routing: Any, manager: Any, solution: Any, vehicle: int) -> list[int]:
    """The nodes vehicle `vehicle` visits between leaving and re-entering its depot."""
    nodes = []
    index = solution.Value(routing.NextVar(routing.Start(vehicle)))
    while not routing.IsEnd(index):
        nodes.append(int(manager.IndexToNode(index)))
        index = solution.Value(routing.NextVar(index))
    return nodes
