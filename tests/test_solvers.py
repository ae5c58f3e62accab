"""The highs, cpsat and scipy backends and the `auto` rules: known optima, statuses,
incumbent reports, time limits and clear refusals."""

import csv
import functools
import itertools
import subprocess
import sys
import time
from importlib.metadata import version

import numpy as np
import pytest

from conftest import BENCHDATA, OVERRUN, grace
from omnisolve.errors import UnsupportedError
from omnisolve.io.mps import read_mps
from omnisolve.limits import Limits
from omnisolve.model import Model
from omnisolve.portfolio.rules import choose
from omnisolve.problems import CVRP, TSP, JobShop, Knapsack
from omnisolve.result import Optimality, Status
from omnisolve.solvers.cpsat import CpSatSolver
from omnisolve.solvers.highs import HighsSolver
from omnisolve.solvers.scipy_nlp import ScipySolver
from omnisolve.verify import certify, verify

HIGHS, CPSAT, SCIPY = HighsSolver(), CpSatSolver(), ScipySolver()
FAST = Limits(time=20)
MIP_ROWS = list(csv.DictReader(open(BENCHDATA / "mip" / "optima.csv")))


# ---- small instances, parsed here so these tests do not depend on omnisolve.io ------------------
def jobshop(name: str) -> JobShop:
    rows = [list(map(int, line.split())) for line in open(BENCHDATA / "jobshop" / f"{name}.txt") if line.strip()]
    n, m = rows[0]
    return JobShop([[(r[2 * k], r[2 * k + 1]) for k in range(m)] for r in rows[1 : n + 1]], name=name)


def euc_2d(xy: np.ndarray) -> np.ndarray:
    """TSPLIB's rounded Euclidean distances."""
    return np.floor(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) + 0.5)


def berlin(k: int) -> TSP:
    lines = (BENCHDATA / "tsp" / "berlin52.tsp").read_text().split("NODE_COORD_SECTION")[1].splitlines()
    xy = np.array([[float(v) for v in line.split()[1:3]] for line in lines if len(line.split()) == 3])[:k]
    return TSP(euc_2d(xy), xy, name=f"berlin{k}")


def random_cvrp(n: int, seed: int = 1) -> CVRP:
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 100, size=(n, 2)).astype(float)
    demands = np.r_[0, rng.integers(1, 10, size=n - 1)]
    return CVRP(euc_2d(xy), demands, capacity=20, coords=xy)


def knapsack_dp(values, weights, capacity) -> int:
    best = np.zeros(int(capacity) + 1, dtype=np.int64)
    for v, w in zip(values.astype(int), weights.astype(int)):
        if w <= capacity:
            best[w:] = np.maximum(best[w:], best[:-w] + v) if w else best + v
    return int(best[-1])


def integer_model():
    m = Model("int")
    x, y = m.add_variable("x", 0, 10, "integer"), m.add_variable("y", -5, 10, "integer")
    z = m.add_variable("z", vtype="binary")
    m.add_constraint(0.5 * x + 1.25 * y <= 7.3)
    m.add_constraint(x - y >= -2.5)
    m.add_constraint(x + 10 * z <= 12)
    m.maximize(0.1 * x + 0.7 * y + 3 * z + 1.5)
    return m.compile()


def convex_qp():
    m = Model("qp")
    x, y = m.add_variable("x", -10, 10), m.add_variable("y", -10, 10)
    m.add_constraint(x + y >= 4)
    m.minimize(x * x + y * y + x * y - 2 * x - 4 * y + 5)  # optimum 4 at (1, 3)
    return m.compile()


def rosenbrock_in_disk(with_derivatives: bool = True):
    """Rosenbrock over the unit disk: optimum 0.0456748 at (0.7864, 0.6177)."""
    m = Model("rosenbrock")
    m.add_variables(2, "x", lb=-2, ub=2)

    def grad(v):
        return np.array([-2 * (1 - v[0]) - 400 * v[0] * (v[1] - v[0] ** 2), 200 * (v[1] - v[0] ** 2)])

    def jac(v):
        return np.array([[2 * v[0], 2 * v[1]]])

    m.minimize(lambda v: (1 - v[0]) ** 2 + 100 * (v[1] - v[0] ** 2) ** 2, grad=grad if with_derivatives else None)
    m.add_nonlinear_constraint(lambda v: np.array([v @ v]), ub=1.0, jac=jac if with_derivatives else None)
    return m.compile()


def qcp():
    m = Model("qcp")
    x, y = m.add_variable("x", -5, 5), m.add_variable("y", -5, 5)
    m.add_constraint(x * x + y * y <= 2)
    m.maximize(x + y)
    return m.compile()


def miqp():
    m = Model("miqp")
    x = m.add_variable("x", 0, 5, "integer")
    m.minimize(x * x - 3 * x)
    return m.compile()


def assert_certified(problem, result):
    cert = certify(problem, result)
    assert cert.passed, cert.messages


# ---- environment -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "imports",
    [
        "import highspy; from ortools.sat.python import cp_model",
        "from ortools.sat.python import cp_model; import highspy",
    ],
)
def test_highspy_and_ortools_work_in_one_process(imports):
    code = (
        f"{imports}\n"
        "h = highspy.Highs(); h.setOptionValue('output_flag', False)\n"
        f"h.readModel({str(BENCHDATA / 'mip' / 'flugpl.mps')!r}); h.run()\n"
        "m = cp_model.CpModel(); x = m.new_int_var(0, 5, 'x'); m.maximize(x)\n"
        "s = cp_model.CpSolver(); assert s.solve(m) == cp_model.OPTIMAL\n"
        "print(round(h.getInfo().objective_function_value), int(s.value(x)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-2:] == ["1201500", "5"]  # (raw highspy 1.16 prints a banner first)


def test_the_highs_clash_is_contained():
    """highspy 1.15.x ships a libhighs.so.1 that collides with ortools' own (ImportError at
    import); 1.16 builds HiGHS into its extension, which is safe as long as nobody loads
    extensions with RTLD_GLOBAL (then both crash). omnisolve loads every backend in one process,
    never sets RTLD_GLOBAL, and HiGHS, CP-SAT, OR-Tools routing and SCIP all solve."""
    code = (
        "import os, sys, omnisolve as om\n"
        "from omnisolve.problems import TSP\n"
        "import numpy as np\n"
        "assert not sys.getdlopenflags() & os.RTLD_GLOBAL\n"
        "tsp = TSP(np.array([[0, 2, 9, 10], [2, 0, 6, 4], [9, 6, 0, 3], [10, 4, 3, 0]]))\n"
        "m = om.Model(); x = m.add_variable('x', 0, 4); y = m.add_variable('y', -1, 1)\n"
        "z = m.add_variable('z', vtype='integer')\n"
        "m.add_constraint(x + y <= 5); m.add_constraint(x + z >= 10); m.add_constraint(-y + z == 7.5)\n"
        "m.minimize(x + 4 * y + 9 * z)\n"
        "for name in ('highs', 'scip'):\n"
        "    print(name, om.solve(m, solver=name, cross_check='off').objective)\n"
        "print('cpsat', om.solve(tsp, solver='cpsat', cross_check='off').objective)\n"
        "print('routing', om.solve(tsp, solver='ortools-routing', time_limit=1).objective)\n"
        "import highspy, ortools; print('versions', highspy.Highs().version(), ortools.__version__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    # PuLP's test_mip is 64 (HiGHS 1.14's presolve said 76); the tour 0-1-3-2 is 2 + 4 + 3 + 9 = 18
    assert lines[:4] == ["highs 64.0", "scip 64.0", "cpsat 18.0", "routing 18.0"], out.stdout


def test_backend_modules_import_their_packages_lazily():
    code = (
        "import sys, omnisolve.solvers.highs, omnisolve.solvers.cpsat, omnisolve.io.mps\n"
        "print('highspy' in sys.modules, 'ortools' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False", "False"], out.stderr


# ---- highs -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("row", MIP_ROWS, ids=lambda r: r["name"])
def test_highs_on_benchmark_instances(row):
    data = read_mps(BENCHDATA / "mip" / row["file"])
    result = HIGHS.solve(data, FAST)
    assert result.status.value == row["status"], result.message
    if row["status"] == "optimal":
        assert result.objective == pytest.approx(float(row["optimum"]), rel=1e-6, abs=1e-6)
        assert result.bound == pytest.approx(result.objective, rel=1e-6, abs=1e-6)
        assert_certified(data, result)
    assert result.solver == "highs" and result.solver_version == version("highspy")
    assert "HiGHS" in result.log


def test_highs_reports_incumbents_and_bounds():
    calls = []
    data = read_mps(BENCHDATA / "mip" / "lseu.mps")
    result = HIGHS.solve(data, FAST, lambda t, obj, bound: calls.append((t, obj, bound)))
    assert len(calls) >= 2 and calls == result.trace
    times = [t for t, _, _ in calls]
    assert times == sorted(times)
    assert calls[-1][1] == pytest.approx(1120.0)
    assert all(b is None or b <= 1120.0 + 1e-6 for _, _, b in calls)


def test_highs_time_limit_on_a_hard_milp():
    data = read_mps(BENCHDATA / "mip_hard" / "indset_3.mps")  # a max problem HiGHS cannot close in 1 s here
    start = time.perf_counter()
    result = HIGHS.solve(data, Limits(time=1.0))
    assert time.perf_counter() - start < 1.0 + grace(OVERRUN)
    if result.status == Status.OPTIMAL:  # a machine fast enough to close it within the second
        assert result.bound == pytest.approx(result.objective, rel=1e-6) and result.objective > 0
    else:
        assert result.status == Status.FEASIBLE and "time limit" in result.message.lower()
        assert result.bound > result.objective > 0  # maximization: the dual bound is above
    assert_certified(data, result)


def test_highs_thread_count_can_change_between_solves():
    data = read_mps(BENCHDATA / "mip" / "flugpl.mps")
    for threads in (2, 1):
        assert HIGHS.solve(data, Limits(time=10, threads=threads)).status == Status.OPTIMAL


def test_highs_convex_qp_in_both_senses():
    result = HIGHS.solve(convex_qp(), FAST)
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(4.0, abs=1e-6)
    m = Model("concave")
    x = m.add_variable("x", -10, 10)
    m.maximize(-(x * x) + 2 * x + 1)
    result = HIGHS.solve(m.compile(), FAST)
    assert result.objective == pytest.approx(2.0, abs=1e-6) and result.values[0] == pytest.approx(1.0, abs=1e-4)


def test_highs_nonconvex_qp_is_an_error_with_the_reason():
    m = Model("nonconvex")
    x = m.add_variable("x", 0, 1)
    m.minimize(-(x * x))
    result = HIGHS.solve(m.compile(), FAST)
    assert result.status == Status.ERROR and "not positive semidefinite" in result.message


def test_highs_tells_unbounded_from_infeasible():
    m = Model("unbounded-mip")
    x = m.add_variable("x", 1, vtype="integer")
    m.minimize(-x)
    assert HIGHS.solve(m.compile(), FAST).status == Status.UNBOUNDED


def test_highs_solves_structured_problems_through_their_milp():
    tsp = berlin(8)
    result = HIGHS.solve(tsp, FAST)
    assert result.status == Status.OPTIMAL and result.values is None
    assert tsp.check(result.solution) == [] and tsp.evaluate(result.solution) == result.objective
    assert result.objective == CPSAT.solve(tsp, FAST).objective


# ---- cpsat -----------------------------------------------------------------------------------------
def test_cpsat_jobshop_ft06():
    shop = jobshop("ft06")
    result = CPSAT.solve(shop, FAST)
    assert result.status == Status.OPTIMAL and result.objective == 55 and result.bound == 55
    assert shop.check(result.solution) == [] and shop.evaluate(result.solution) == 55
    assert_certified(shop, result)


def test_cpsat_time_limit_and_incumbents_on_ft10():
    calls = []
    start = time.perf_counter()
    result = CPSAT.solve(jobshop("ft10"), Limits(time=1.0), lambda t, obj, bound: calls.append((t, obj, bound)))
    assert time.perf_counter() - start < 1.0 + grace(OVERRUN)
    assert result.status in (Status.FEASIBLE, Status.OPTIMAL) and result.objective >= 930
    objectives = [obj for _, obj, _ in calls if obj is not None]
    assert objectives and objectives == sorted(objectives, reverse=True) and objectives[-1] == result.objective
    assert all(bound <= result.objective for _, _, bound in calls if bound is not None)


def test_cpsat_tsp_matches_brute_force_and_highs():
    small = berlin(8)
    brute = min(small.evaluate([0, *perm]) for perm in itertools.permutations(range(1, small.n)))
    assert CPSAT.solve(small, FAST).objective == brute
    tsp = berlin(10)
    result = CPSAT.solve(tsp, FAST)
    assert result.status == Status.OPTIMAL
    assert result.objective == pytest.approx(HIGHS.solve(tsp, FAST).objective)
    assert tsp.check(result.solution) == [] and tsp.evaluate(result.solution) == result.objective


def test_cpsat_small_cvrp_matches_known_optimum():
    lines = (BENCHDATA / "cvrp" / "P-n16-k8.vrp").read_text()
    coords = lines.split("NODE_COORD_SECTION")[1].split("DEMAND_SECTION")[0].split()
    demand = lines.split("DEMAND_SECTION")[1].split("DEPOT_SECTION")[0].split()
    xy = np.array(coords, dtype=float).reshape(-1, 3)[:, 1:]
    q = np.array(demand, dtype=float).reshape(-1, 2)[:, 1]
    vrp = CVRP(euc_2d(xy), q, capacity=35, num_vehicles=8, coords=xy, name="P-n16-k8")
    result = CPSAT.solve(vrp, FAST)
    assert result.status == Status.OPTIMAL and result.objective == 450
    assert_certified(vrp, result)


def cvrp_brute_force(vrp: CVRP) -> float:
    """The optimum of a tiny CVRP by enumeration, independent of any solver: the shortest closed
    route through each customer subset within capacity, then the cheapest split of all the
    customers into at most `num_vehicles` such routes."""
    d, depot = vrp.distances, vrp.depot
    cust = [v for v in range(vrp.n) if v != depot]
    route = {}
    for mask in range(1, 1 << len(cust)):
        members = [c for k, c in enumerate(cust) if mask >> k & 1]
        if sum(vrp.demands[c] for c in members) <= vrp.capacity:
            route[mask] = min(
                sum(d[a, b] for a, b in zip((depot, *p), (*p, depot))) for p in itertools.permutations(members)
            )

    @functools.cache
    def split(left: int, vehicles: int) -> float:
        if not left:
            return 0.0
        if not vehicles:
            return float("inf")
        low = left & -left  # the route serving the lowest unserved customer
        return min(
            (
                cost + split(left & ~mask, vehicles - 1)
                for mask, cost in route.items()
                if mask & low and mask & left == mask
            ),
            default=float("inf"),
        )

    return split((1 << len(cust)) - 1, vrp.num_vehicles or len(cust))


def test_cpsat_cvrp_with_depot_elsewhere_and_a_vehicle_limit():
    base = random_cvrp(8)
    order = np.r_[3, 0, 1, 2, 4, 5, 6, 7]  # the depot (old node 0) becomes node 1
    # demand 36 with capacity 20: two vehicles suffice, but a third would shorten the routes
    moved = CVRP(base.distances[np.ix_(order, order)], base.demands[order], base.capacity, depot=1, num_vehicles=2)
    optimum = cvrp_brute_force(moved)
    assert optimum > cvrp_brute_force(CVRP(moved.distances, moved.demands, moved.capacity, depot=1))  # the limit binds
    result = CPSAT.solve(moved, FAST)
    assert result.status == Status.OPTIMAL and moved.check(result.solution) == []
    assert moved.evaluate(result.solution) == pytest.approx(result.objective) == pytest.approx(optimum)


def test_cpsat_knapsack_matches_dynamic_programming():
    rng = np.random.default_rng(7)
    values, weights = rng.integers(1, 100, 40).astype(float), rng.integers(1, 60, 40).astype(float)
    sack = Knapsack(values, weights, 400)
    result = CPSAT.solve(sack, FAST)
    assert result.status == Status.OPTIMAL and result.objective == knapsack_dp(values, weights, 400)
    assert result.solution == sorted(result.solution) and sack.evaluate(result.solution) == result.objective


def test_cpsat_benchmark_knapsack():
    rows = [line.split() for line in open(BENCHDATA / "knapsack" / "uncorrelated_50.kp") if line.strip()]
    values, weights = (np.array([float(r[k]) for r in rows[1:]]) for k in (0, 1))
    result = CPSAT.solve(Knapsack(values, weights, float(rows[0][1])), FAST)
    assert result.objective == 19154


def test_cpsat_integer_model_with_fractional_coefficients():
    data = integer_model()
    result = CPSAT.solve(data, FAST)
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(7.5)
    assert result.objective == pytest.approx(HIGHS.solve(data, FAST).objective)
    assert_certified(data, result)


def test_cpsat_rounds_row_bounds_to_integers():
    m = Model("odd")
    x, y = m.add_variable("x", 0, 5, "integer"), m.add_variable("y", 0, 5, "integer")
    m.add_constraint(x + y == 1.5)
    m.minimize(x)
    assert CPSAT.solve(m.compile(), FAST).status == Status.INFEASIBLE


def test_cpsat_clamped_bounds_warn_of_unboundedness():
    m = Model("open")
    x = m.add_variable("x", 0, vtype="integer")
    m.maximize(x)
    result = CPSAT.solve(m.compile(), FAST)
    assert result.status == Status.FEASIBLE and "may be unbounded" in result.message
    m = Model("free")
    x, y = m.add_variable("x", -np.inf, vtype="integer"), m.add_variable("y", 0, 10, "integer")
    m.add_constraint(x - y <= 3)
    m.maximize(x)
    result = CPSAT.solve(m.compile(), FAST)
    assert result.status == Status.OPTIMAL and result.objective == 13
    assert result.message == "2 infinite variable bounds replaced by +-2^40"


# ---- scipy -----------------------------------------------------------------------------------------
def test_scipy_convex_qp_is_optimal_with_a_bound():
    result = SCIPY.solve(convex_qp(), FAST)
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(4.0, abs=1e-6)
    assert result.bound == pytest.approx(result.objective)


@pytest.mark.parametrize("with_derivatives", [True, False])
def test_scipy_rosenbrock_with_a_nonlinear_constraint(with_derivatives):
    data = rosenbrock_in_disk(with_derivatives)
    result = SCIPY.solve(data, FAST)
    # a local optimum of a model not known convex: feasible, never optimal, and no claim
    assert result.status == Status.FEASIBLE and result.bound is None and "local optimum" in result.message
    assert result.objective == pytest.approx(0.0456748, abs=1e-5)
    assert np.allclose(result.values, [0.7864, 0.6177], atol=1e-3)
    assert_certified(data, result)
    verified = verify(data, result)
    assert verified.status == Status.FEASIBLE and verified.optimality == Optimality.NONE


def test_scipy_convex_qcp_in_max_sense():
    result = SCIPY.solve(qcp(), FAST)
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(2.0, abs=1e-6)
    assert result.bound == pytest.approx(2.0, abs=1e-6)


def test_scipy_larger_lp_uses_trust_constr():
    data = read_mps(BENCHDATA / "mip" / "afiro.mps")
    result = SCIPY.solve(data, FAST)
    assert result.objective == pytest.approx(-464.753143, rel=1e-6)


def test_scipy_respects_the_time_limit():
    m = Model("slow")
    m.add_variables(3, "x", lb=-5, ub=5)

    def slow(v):
        time.sleep(0.02)
        return float(np.sum((v - 1) ** 4) + np.sin(v).sum())

    m.minimize(slow)
    start = time.perf_counter()
    result = SCIPY.solve(m.compile(), Limits(time=0.3))
    assert time.perf_counter() - start < 0.3 + grace(OVERRUN)
    assert result.status in (Status.FEASIBLE, Status.TIME_LIMIT) and "time limit" in result.message


# ---- refusals and auto -----------------------------------------------------------------------------
UNSUPPORTED = [
    (HIGHS, rosenbrock_in_disk, "nonlinear"),
    (HIGHS, qcp, "no quadratic constraints"),
    (HIGHS, miqp, "MIQP"),
    (HIGHS, lambda: "a string", "cannot solve a str"),
    (CPSAT, convex_qp, "linear models only"),
    (CPSAT, lambda: read_mps(BENCHDATA / "mip" / "afiro.mps"), "32 of 32 are continuous"),
    (CPSAT, lambda: TSP(np.array([[0, 1.5], [1.5, 0]])), "CP-SAT needs integer TSP distances"),
    (CPSAT, lambda: random_cvrp(31), "CVRP with 31 nodes is too large"),
    (CPSAT, lambda: Knapsack(np.array([1.5, 2]), np.array([1, 1]), 1), "CP-SAT needs integer knapsack values"),
    (SCIPY, integer_model, "continuous variables only"),
    (SCIPY, lambda: berlin(5), "not a TSP"),
]


@pytest.mark.parametrize("solver, make, reason", UNSUPPORTED, ids=lambda v: getattr(v, "name", None) or "")
def test_unsupported_problems_give_a_one_line_reason(solver, make, reason):
    problem = make()
    with pytest.raises(UnsupportedError) as err:
        solver.solve(problem, FAST)
    message = str(err.value)
    assert message.startswith(f"solver {solver.name}: ") and reason in message and "\n" not in message


def test_cpsat_refuses_coefficients_that_scaling_cannot_make_integral():
    m = Model("third")
    x = m.add_variable("x", 0, 3, "integer")
    m.add_constraint(x / 3 <= 0.5, name="third")
    m.maximize(x)
    with pytest.raises(UnsupportedError, match="row third has coefficients that are not integers"):
        CPSAT.solve(m.compile(), FAST)


def test_auto_rules():
    assert choose(jobshop("ft06")).name == "jobshop-lns"
    assert choose(berlin(5)).name == "cpsat"
    assert choose(TSP(np.array([[0, 1.5], [1.5, 0]]))).name == "highs"  # not integral for CP-SAT
    assert choose(Knapsack(np.array([1.0]), np.array([1.0]), 1)).name == "knapsack-dp"
    assert choose(Knapsack(np.array([1.0]), np.array([1.5]), 1)).name == "highs"  # DP and CP-SAT need integer weights
    assert choose(random_cvrp(10)).name == "pyvrp"
    assert choose(random_cvrp(40)).name == "pyvrp"
    assert choose(rosenbrock_in_disk()).name == "global-nlp"  # callables on a bounded box
    assert choose(qcp()).name == "local-nlp"  # IPOPT, then the augmented Lagrangian
    assert choose(convex_qp()).name == "highs"
    assert choose(integer_model()).name == "highs"
    assert choose(read_mps(BENCHDATA / "mip" / "afiro.mps")).name == "highs"
    m = Model("nonconvex")
    x = m.add_variable("x", 0, 1)
    m.minimize(-(x * x))
    assert choose(m.compile()).name == "local-nlp"


def test_auto_refuses_minlp_and_takes_miqp_to_scip():
    m = Model("minlp")
    m.add_variable("x", 0, 3, "integer")
    m.minimize(lambda v: float(np.exp(v[0])))
    with pytest.raises(UnsupportedError, match="MINLP is not supported yet"):
        choose(m.compile())
    assert choose(miqp()).name == "scip"  # HiGHS's QP solver takes continuous variables only
