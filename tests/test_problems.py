"""Structured problems: validation, check/evaluate, and that to_model() is a correct MILP
(known optima encode into feasible points with the same objective, and the MILP optimum of
tiny instances, solved with scipy's bundled HiGHS, equals the brute-force optimum)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from omnisolve.errors import ModelError
from omnisolve.problems import CVRP, TSP, JobShop, Knapsack

# ---- helpers -------------------------------------------------------------------------------


def assert_feasible(data, x: np.ndarray) -> None:
    """x meets the bounds, integrality and every linear row of `data`."""
    assert x.shape == (data.num_variables,)
    assert np.all(x >= data.lb - 1e-9) and np.all(x <= data.ub + 1e-9)
    ints = x[data.integer_mask]
    assert np.allclose(ints, np.round(ints), atol=1e-9)
    activity = data.activity(x)
    assert np.all(activity >= data.row_lb - 1e-9), np.flatnonzero(activity < data.row_lb - 1e-9)
    assert np.all(activity <= data.row_ub + 1e-9), np.flatnonzero(activity > data.row_ub + 1e-9)


def assert_encodes(problem, solution):
    """The solution's values are feasible for the compiled model, give the same objective as
    evaluate(), and decode back to the solution. Returns the compiled data."""
    data = problem.to_model().compile()
    x = problem.values_from_solution(solution)
    assert_feasible(data, x)
    assert data.objective_value(x) == pytest.approx(problem.evaluate(solution), abs=1e-9)
    assert problem.solution_from_values(data, x) == solution
    return data


def milp_solve(data, fixed: dict[int, float] | None = None):
    """Solve the compiled model with scipy's HiGHS, optionally fixing some variables."""
    lb, ub = data.lb.copy(), data.ub.copy()
    for j, v in (fixed or {}).items():
        lb[j] = ub[j] = v
    sign = -1.0 if data.sense == "max" else 1.0
    res = milp(
        sign * data.c,
        constraints=LinearConstraint(data.A, data.row_lb, data.row_ub),
        integrality=data.integer_mask.astype(int),
        bounds=Bounds(lb, ub),
    )
    return res


def milp_optimum(data) -> float:
    res = milp_solve(data)
    assert res.status == 0, res.message
    return data.objective_value(res.x)


# ---- TSP -----------------------------------------------------------------------------------

# Asymmetric, with two cheap clusters {0, 1} and {2, 3, 4}, so subtours would pay off.
TSP_D = np.array(
    [
        [0, 1, 9, 8, 9],
        [2, 0, 7, 9, 8],
        [9, 8, 0, 1, 3],
        [7, 9, 2, 0, 1],
        [9, 6, 1, 3, 0],
    ],
    dtype=float,
)


def tsp_brute_force(d: np.ndarray) -> tuple[float, list[int]]:
    n = len(d)
    return min(
        (sum(d[t[k], t[(k + 1) % n]] for k in range(n)), t)
        for t in ([0, *p] for p in itertools.permutations(range(1, n)))
    )


def test_tsp_model_size():
    data = TSP(TSP_D).to_model().compile()
    assert data.num_variables == 5 * 4 + 4  # arcs + MTZ order variables
    assert data.A.shape[0] == 5 + 5 + 4 * 3  # out-degree, in-degree, MTZ rows
    assert data.sense == "min" and data.integer_mask.sum() == 20


def test_tsp_optimal_tour_is_feasible_and_round_trips():
    tsp = TSP(TSP_D)
    best, tour = tsp_brute_force(TSP_D)
    data = assert_encodes(tsp, tour)
    assert data.objective_value(tsp.values_from_solution(tour)) == best


def test_tsp_milp_optimum_matches_brute_force():
    tsp = TSP(TSP_D)
    best, _ = tsp_brute_force(TSP_D)
    assert milp_optimum(tsp.to_model().compile()) == pytest.approx(best)
    # The clusters' two subtours cost less, so MTZ must be what forbids them.
    assert TSP_D[0, 1] + TSP_D[1, 0] + TSP_D[2, 3] + TSP_D[3, 4] + TSP_D[4, 2] < best


def test_tsp_subtours_are_infeasible_and_decode_short():
    tsp = TSP(TSP_D)
    data = tsp.to_model().compile()
    tail, head = np.nonzero(~np.eye(5, dtype=bool))
    chosen = {(0, 1), (1, 0), (2, 3), (3, 4), (4, 2)}
    x = np.array([float((i, j) in chosen) for i, j in zip(tail, head)])
    assert milp_solve(data, dict(enumerate(x))).status == 2  # infeasible
    tour = tsp.solution_from_values(data, x)
    assert tour == [0, 1]
    assert tsp.check(tour) == ["tour has 2 nodes, expected 5", "nodes missing from the tour: 2, 3, 4"]


def test_tsp_symmetric_two_and_three_nodes():
    d = np.array([[0, 3, 4], [3, 0, 5], [4, 5, 0]])
    assert milp_optimum(TSP(d).to_model().compile()) == 12
    assert milp_optimum(TSP([[0, 2], [3, 0]]).to_model().compile()) == 5


def test_tsp_check_and_evaluate():
    tsp = TSP(TSP_D)
    assert tsp.check([3, 4, 2, 0, 1]) == []
    assert tsp.evaluate([0, 1, 2, 3, 4]) == 1 + 7 + 1 + 1 + 9
    assert tsp.evaluate(np.array([1, 0, 2, 3, 4])) == 2 + 9 + 1 + 1 + 6
    assert tsp.check([0, 1, 1, 3, 4]) == [
        "nodes visited more than once: 1",
        "nodes missing from the tour: 2",
    ]
    assert tsp.check([0, 1, 2, 3]) == ["tour has 4 nodes, expected 5", "nodes missing from the tour: 4"]
    assert tsp.check([0, 1, 2, 3, 7]) == ["tour contains 7, not nodes (0..4)"]
    assert tsp.check([0, 1, 2, 3, 4.0]) == []


@pytest.mark.parametrize("garbage", [None, "01234", 3.5, [0, 1, "a", 3, 4], [0, 1, 2.5, 3, 4], {"a": 1}])
def test_tsp_garbage_is_reported_not_raised(garbage):
    tsp = TSP(TSP_D)
    problems = tsp.check(garbage)
    assert len(problems) == 1 and "tour" in problems[0]
    assert np.isnan(tsp.evaluate(garbage))


@pytest.mark.parametrize(
    "distances, message",
    [
        (np.ones((3, 4)), "distances must be a square matrix, got shape (3, 4)"),
        (np.ones(4), "distances must be a 2-d array"),
        ([[0, np.nan], [1, 0]], "distances[0, 1] is nan, not a finite number"),
        ([[0, -1], [1, 0]], "distances[0, 1] is -1, must be >= 0"),
        ([[0]], "needs at least 2 nodes, got 1"),
        ([["a", "b"], ["c", "d"]], "distances must be numeric"),
    ],
)
def test_tsp_validation(distances, message):
    with pytest.raises(ModelError, match="^TSP 'bad': .*") as err:
        TSP(distances, name="bad")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_tsp_arrays_are_read_only_and_features():
    tsp = TSP(TSP_D, coords=np.zeros((5, 2)))
    with pytest.raises(ValueError):
        tsp.distances[0, 1] = 5
    with pytest.raises(ModelError, match=r"coords must have shape \(5, 2\)"):
        TSP(TSP_D, coords=np.zeros((4, 2)))
    f = tsp.features()
    assert f["num_nodes"] == 5 and f["symmetric"] == 0 and f["has_coords"] == 1
    assert f["nn_dist_mean"] == pytest.approx(np.mean([1, 2, 1, 1, 1]))
    assert f["dist_min"] == 1 and f["dist_max"] == 9
    assert all(np.isfinite(v) for v in f.values())
    assert tsp.size == 5 and tsp.kind == "TSP" and tsp.sense == "min"


# ---- CVRP ----------------------------------------------------------------------------------

CVRP_XY = np.array([[0, 0], [0, 4], [3, 4], [4, 0], [3, -3], [-3, -2]], dtype=float)
CVRP_D = np.round(np.sqrt(((CVRP_XY[:, None] - CVRP_XY[None]) ** 2).sum(-1)))


def cvrp_brute_force(p: CVRP) -> tuple[float, list[list[int]]]:
    """Every giant tour split every way: fine for five customers."""
    cust = [v for v in range(p.n) if v != p.depot]
    best = (float("inf"), [])
    for perm in itertools.permutations(cust):
        for cuts in itertools.product([False, True], repeat=len(cust) - 1):
            routes, route = [], [perm[0]]
            for v, cut in zip(perm[1:], cuts):
                if cut:
                    routes.append(route)
                    route = []
                route.append(v)
            routes.append(route)
            if p.check(routes) == []:
                best = min(best, (p.evaluate(routes), routes))
    return best


@pytest.mark.parametrize(
    "demands, vehicles",
    [([0, 2, 3, 4, 1, 3], None), ([0, 2, 3, 4, 1, 3], 3), ([0, 2, 0, 4, 0, 3], 2)],
    ids=["free-fleet", "three-vehicles", "zero-demands"],
)
def test_cvrp_milp_optimum_matches_brute_force(demands, vehicles):
    p = CVRP(CVRP_D, demands, capacity=6, num_vehicles=vehicles)
    best, routes = cvrp_brute_force(p)
    data = assert_encodes(p, sorted(routes))
    assert milp_optimum(data) == pytest.approx(best)


def test_cvrp_model_size():
    data = CVRP(CVRP_D, [0, 2, 3, 4, 1, 3], 6).to_model().compile()
    assert data.num_variables == 6 * 5 + 5  # arcs + one load per customer
    assert data.A.shape[0] == 1 + 5 + 5 + 5 * 4  # vehicles, out, in, load rows
    with_zeros = CVRP(CVRP_D, [0, 2, 0, 4, 0, 3], 6).to_model().compile()
    assert with_zeros.num_variables == 6 * 5 + 5 + 2  # plus order variables of customers 2, 4
    assert with_zeros.A.shape[0] == 1 + 5 + 5 + 5 * 4 + 2


def test_cvrp_vehicle_limit_is_enforced():
    p = CVRP(CVRP_D, [0, 2, 3, 4, 1, 3], 6, num_vehicles=2)  # total 13 > 2 * 6
    assert milp_solve(p.to_model().compile()).status == 2


def test_cvrp_check_and_evaluate():
    p = CVRP(CVRP_D, [0, 2, 3, 4, 1, 3], 6, num_vehicles=3)
    good = [[1, 2], [3, 4], [5]]
    assert p.check(good) == [] and p.check(good + [[]]) == []
    assert p.evaluate(good) == (4 + 3 + 5) + (4 + 3 + 4) + (4 + 4)
    assert p.check([[1, 2, 3], [4, 5]]) == ["route 0 carries 9, more than the capacity 6"]
    assert p.check([[1, 2], [3, 4], [5, 1]]) == ["customers visited more than once: 1"]
    assert p.check([[1, 2], [3, 4]]) == ["customers not visited: 5"]
    assert p.check([[1, 2], [0, 3, 4], [5]]) == ["route 1 visits the depot 0 (routes list customers only)"]
    assert p.check([[1], [2], [3, 4], [5]]) == ["4 routes, more than the 3 vehicles"]
    assert p.check([[1, 2], [3, 4, 9], [5]]) == ["route 1 visits 9, not nodes (0..5)"]


@pytest.mark.parametrize("garbage", [None, "routes", 7, [[1, 2], "34", [5]], [[1, 2.5]], [None]])
def test_cvrp_garbage_is_reported_not_raised(garbage):
    p = CVRP(CVRP_D, [0, 2, 3, 4, 1, 3], 6)
    assert p.check(garbage)
    assert np.isnan(p.evaluate(garbage))


def test_cvrp_decodes_routes_and_drops_subtours():
    p = CVRP(CVRP_D, [0, 2, 3, 4, 1, 3], 6)
    data = p.to_model().compile()
    x = p.values_from_solution([[1, 2], [3, 4], [5]])
    tail, head = np.nonzero(~np.eye(6, dtype=bool))
    arc = {(int(i), int(j)): k for k, (i, j) in enumerate(zip(tail, head))}
    for i, j in [(0, 3), (3, 4), (4, 0)]:
        x[arc[i, j]] = 0
    for i, j in [(3, 4), (4, 3)]:
        x[arc[i, j]] = 1
    routes = p.solution_from_values(data, x)
    assert routes == [[1, 2], [5]]
    assert p.check(routes) == ["customers not visited: 3, 4"]
    assert p.solution_from_values(data, None) == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(demands=[0, 2, 3]), "demands has 3 entries, expected one per node (6)"),
        (dict(demands=[0, 2, -3, 4, 1, 3]), "demands[2] is -3, must be >= 0"),
        (dict(demands=[0, 2, 7, 4, 1, 3]), "demands[2] is 7, more than the capacity 6"),
        (dict(demands=[1, 2, 3, 4, 1, 3]), "demands[0] (the depot) is 1, must be 0"),
        (dict(capacity=-1), "capacity is -1, must be positive"),
        (dict(capacity=float("nan")), "capacity must be a finite number"),
        (dict(depot=6), "depot 6 is not a node (0..5)"),
        (dict(num_vehicles=0), "num_vehicles must be a positive integer or None, got 0"),
        (dict(distances=np.ones((6, 5))), "distances must be a square matrix"),
    ],
)
def test_cvrp_validation(kwargs, message):
    args = dict(distances=CVRP_D, demands=[0, 2, 3, 4, 1, 3], capacity=6, name="bad") | kwargs
    with pytest.raises(ModelError, match="^CVRP 'bad': ") as err:
        CVRP(**args)
    assert message in str(err.value)


def test_cvrp_other_depot_and_features():
    p = CVRP(CVRP_D, [2, 3, 0, 4, 1, 3], 6, depot=2, num_vehicles=4)
    best, routes = cvrp_brute_force(p)
    data = assert_encodes(p, sorted(routes))
    assert milp_optimum(data) == pytest.approx(best)
    f = p.features()
    assert f["num_customers"] == 5 and f["min_vehicles"] == 3 and f["fleet_slack"] == pytest.approx(4 / 3)
    assert f["total_demand_ratio"] == pytest.approx(13 / 6) and f["demand_ratio_max"] == pytest.approx(4 / 6)
    assert all(np.isfinite(v) for v in f.values())
    with pytest.raises(ValueError):
        p.demands[0] = 1


# ---- JobShop -------------------------------------------------------------------------------

# The OR-Tools job-shop example: optimal makespan 11.
JOBS = [[(0, 3), (1, 2), (2, 2)], [(0, 2), (2, 1), (1, 4)], [(1, 4), (2, 3)]]


def jobshop_brute_force(js: JobShop) -> tuple[int, list[list[int]]]:
    """Try every order on every machine; the earliest-start schedule of each acyclic choice."""
    ops = [(j, k, m, d) for j, job in enumerate(js.jobs) for k, (m, d) in enumerate(job)]
    per_machine = [[o for o in ops if o[2] == m] for m in range(js.num_machines)]
    best = (10**9, [])
    for orders in itertools.product(*(itertools.permutations(g) for g in per_machine)):
        starts = [[None] * len(job) for job in js.jobs]
        pos = [0] * js.num_machines
        progress = True
        while progress:
            progress = False
            for m, order in enumerate(orders):
                if pos[m] == len(order):
                    continue
                j, k, _, _ = order[pos[m]]
                if k > 0 and starts[j][k - 1] is None:
                    continue
                job_ready = starts[j][k - 1] + js.jobs[j][k - 1][1] if k else 0
                prev = order[pos[m] - 1] if pos[m] else None
                machine_ready = starts[prev[0]][prev[1]] + prev[3] if prev else 0
                starts[j][k] = max(job_ready, machine_ready)
                pos[m] += 1
                progress = True
        if all(p == len(o) for p, o in zip(pos, orders)):
            best = min(best, (js.evaluate(starts), starts))
    return best


def test_jobshop_model_size():
    data = JobShop(JOBS).to_model().compile()
    # 8 starts, makespan, and 1 + 3 + 3 machine pairs of different jobs.
    assert data.num_variables == 8 + 1 + 7
    assert data.A.shape[0] == 5 + 3 + 2 * 7  # precedence, makespan, two disjunctions per pair
    assert data.integer_mask.sum() == 7


def test_jobshop_optimum_is_feasible_and_milp_agrees():
    js = JobShop(JOBS)
    best, starts = jobshop_brute_force(js)
    assert best == 11
    data = assert_encodes(js, starts)
    assert milp_optimum(data) == pytest.approx(11)


def test_jobshop_decode_compacts_slack_and_rounds():
    js = JobShop(JOBS)
    data = js.to_model().compile()
    _, starts = jobshop_brute_force(js)
    x = js.values_from_solution(starts)
    x[:8] += 0.4  # continuous starts with slack: the same orders, decoded to the tight schedule
    x[8] += 0.4
    assert js.solution_from_values(data, x) == starts
    late = js.values_from_solution(starts)
    late[:8] += 5
    assert js.solution_from_values(data, late) == starts


def test_jobshop_check_and_evaluate():
    js = JobShop(JOBS)
    serial = [[0, 3, 5], [7, 9, 10], [14, 18]]
    assert js.check(serial) == [] and js.evaluate(serial) == 21
    overlap = [[0, 3, 5], [2, 9, 10], [14, 18]]
    assert js.check(overlap) == ["machine 0: job 0 op 0 [0, 3) overlaps job 1 op 0 [2, 4)"]
    early = [[0, 2, 5], [7, 9, 10], [14, 18]]
    assert js.check(early) == ["job 0 op 1 starts at 2 before job 0 op 0 ends at 3"]
    negative = [[-1, 3, 5], [7, 9, 10], [14, 18]]
    assert js.check(negative) == ["job 0 op 0 starts at -1 < 0"]
    assert js.check([[0, 3, 5], [7, 9, 10]]) == ["starts has 2 jobs, expected 3"]
    assert js.check([[0, 3], [7, 9, 10], [14, 18]]) == ["starts[0] has 2 operations, expected 3"]


@pytest.mark.parametrize("garbage", [None, "x", 1.5, [None, None, None], [[0, 3, "5"], [7, 9, 10], [14, 18]]])
def test_jobshop_garbage_is_reported_not_raised(garbage):
    js = JobShop(JOBS)
    assert js.check(garbage)
    assert np.isnan(js.evaluate(garbage))
    data = js.to_model().compile()
    assert len(js.solution_from_values(data, [np.nan, 1e300, -4])) == 3


def test_jobshop_many_violations_are_capped():
    js = JobShop([[(0, 1)] for _ in range(30)])
    problems = js.check([[-1] for _ in range(30)])
    assert len(problems) == 11 + 11
    assert problems[10] == "... and 20 more negative starts"


@pytest.mark.parametrize(
    "jobs, message",
    [
        ([], "needs a non-empty list of jobs"),
        ([[(0, 1)], []], "job 1 has no operations"),
        ([[(0, 1), (1, -2)]], "job 0 op 1: duration -2 must be an integer >= 0"),
        ([[(-1, 1)]], "job 0 op 0: machine -1 must be an integer >= 0"),
        ([[(0, 1.5)]], "duration 1.5 must be an integer"),
        ([[(0, 1, 2)]], "job 0 op 0 must be a (machine, duration) pair"),
        ([[5]], "job 0 op 0 must be a (machine, duration) pair"),
        (None, "needs a non-empty list of jobs"),
    ],
)
def test_jobshop_validation(jobs, message):
    with pytest.raises(ModelError, match="^JobShop 'bad': ") as err:
        JobShop(jobs, name="bad")
    assert message in str(err.value)


def test_jobshop_attributes_and_features():
    js = JobShop(JOBS)
    assert (js.num_jobs, js.num_machines, js.size) == (3, 3, 8)
    assert js.jobs[2] == ((1, 4), (2, 3))
    f = js.features()
    assert f["lower_bound"] == 10  # machine 1: 2 + 4 + 4
    assert f["machine_load_max"] == 10 and f["job_length_max"] == 7
    assert f["duration_mean"] == pytest.approx(21 / 8) and f["repeat_visits"] == 0
    assert all(np.isfinite(v) for v in f.values())
    recirculating = JobShop([[(0, 2), (0, 3)], [(0, 1)]])
    assert recirculating.features()["repeat_visits"] == pytest.approx(1 / 3)
    assert milp_optimum(recirculating.to_model().compile()) == 6


# ---- Knapsack ------------------------------------------------------------------------------

VALUES, WEIGHTS = [10, 13, 7, 8, 1], [5, 6, 3, 4, 0]


def test_knapsack_optimum_is_feasible_and_milp_agrees():
    kp = Knapsack(VALUES, WEIGHTS, 10)
    best, items = max(
        (sum(VALUES[i] for i in s), list(s))
        for r in range(6)
        for s in itertools.combinations(range(5), r)
        if sum(WEIGHTS[i] for i in s) <= 10
    )
    assert (best, items) == (22, [1, 3, 4])
    data = assert_encodes(kp, items)
    assert (data.num_variables, data.A.shape[0], data.sense) == (5, 1, "max")
    assert milp_optimum(data) == 22


def test_knapsack_check_and_evaluate():
    kp = Knapsack(VALUES, WEIGHTS, 10)
    assert kp.check([]) == [] and kp.evaluate([]) == 0
    assert kp.check([0, 2]) == [] and kp.evaluate([2, 0]) == 17
    assert kp.check([0, 1]) == ["total weight 11 is more than the capacity 10"]
    assert kp.check([2, 2]) == ["items chosen more than once: 2"]
    assert kp.check([0, 5]) == ["items 5 are not item indices (0..4)"]
    for garbage in (None, "012", 2.0, [0, "1"], [[0]]):
        assert kp.check(garbage) and np.isnan(kp.evaluate(garbage))
    data = kp.to_model().compile()
    assert kp.solution_from_values(data, [0.9999, 1e-7, 1, np.nan]) == [0, 2]


@pytest.mark.parametrize(
    "args, message",
    [
        (([1, 2], [1], 3), "1 weights for 2 values"),
        (([], [], 3), "needs at least one item"),
        (([1, 2], [1, -1], 3), "weights[1] is -1, must be >= 0"),
        (([1, np.inf], [1, 1], 3), "values[1] is inf, not a finite number"),
        (([1, 2], [1, 1], -3), "capacity is -3, must be >= 0"),
        (([1, 2], [1, 1], "3"), "capacity must be a finite number, got '3'"),
        (([[1, 2]], [[1, 1]], 3), "values must be a 1-d array"),
    ],
)
def test_knapsack_validation(args, message):
    with pytest.raises(ModelError, match="^Knapsack 'bad': ") as err:
        Knapsack(*args, name="bad")
    assert message in str(err.value)


def test_knapsack_features():
    f = Knapsack([2, 4, 6], [1, 2, 3], 3).features()
    assert f["weight_value_corr"] == pytest.approx(1.0)
    assert f["capacity_to_total_weight"] == pytest.approx(0.5)
    assert f["ratio_cv"] == 0 and f["fits_alone"] == 1
    assert f["greedy_prefix"] == pytest.approx(2 / 3)
    assert all(np.isfinite(v) for v in f.values())
