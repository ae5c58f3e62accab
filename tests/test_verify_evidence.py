"""The verifier's evidence, value by value: every number below is computed by hand from a tiny
model (never by a solver, never by omnisolve itself), and the verifier must reproduce it exactly.

- `optimality`: weak-duality bounds of optimal and non-optimal multipliers, multipliers that
  meet an infinite side (residual, -inf bound, the tolerance edge), semi-continuous boxes
  widened to 0, a convex QP linearized at a point, Farkas margins of either sign, rays with
  their exact violation and slope.
- `claims`: what each status claim is worth (proven / claimed / none) and the evidence string.
- `structured_bounds`: one-machine (Jackson) bounds on tiny job shops, Dantzig's bound on tiny
  knapsacks.
- `model_check`, `convexity`, `certify` / `verify`: exact violations, messages and decisions.

Found by mutation testing (mutmut on src/omnisolve/verify/): the other suites checked only
that well-behaved models end "proven"; see docs/mutation-verify.md for the mutants that
cannot be killed because they do not change behaviour.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import signal
import warnings
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp

from omnisolve.model import Names, ProblemData
from omnisolve.model.data import NonlinearConstraint, NonlinearFunction, QuadraticRow
from omnisolve.model.expressions import VarType
from omnisolve.problems import JobShop, Knapsack
from omnisolve.result import Certificate, Optimality, Result, Status
from omnisolve.verify import Tolerances, certify, verify
from omnisolve.verify.claims import assess, closes, local_only
from omnisolve.verify.convexity import CONVEXITY_MAX_DIM, hessian, is_convex, semidefinite
from omnisolve.verify.model_check import check_values
from omnisolve.verify.optimality import DUAL_TOL, RAY_TOL, _box, _min_over, dual_bound, farkas_margin, ray_residual
from omnisolve.verify.structured_bounds import (
    _jackson_preemptive,
    dantzig_bound,
    data_bound,
    jobshop_bound,
    reduction_bound,
)

INF = math.inf
C, SC = VarType.CONTINUOUS, VarType.SEMICONTINUOUS


def make(c, A, row_lb, row_ub, lb, ub, *, sense="min", c0=0.0, Q=None, vtype=None, **extra) -> ProblemData:
    """A `ProblemData` from dense pieces (A may have zero rows)."""
    n = len(c)
    A = sp.csr_matrix(np.asarray(A, dtype=float).reshape(len(row_lb), n))
    return ProblemData(
        var_names=Names.of([f"x{j + 1}" for j in range(n)]),
        lb=np.asarray(lb, float),
        ub=np.asarray(ub, float),
        vtype=np.asarray(vtype if vtype is not None else [C] * n, dtype=np.int8),
        c=np.asarray(c, float),
        A=A,
        row_lb=np.asarray(row_lb, float),
        row_ub=np.asarray(row_ub, float),
        row_names=Names.of([f"r{i + 1}" for i in range(len(row_lb))]),
        sense=sense,
        c0=c0,
        Q=None if Q is None else sp.csr_matrix(np.asarray(Q, float)),
        **extra,
    )


# ---- the box and the one-sided minimum ---------------------------------------------------------
def test_box_of_a_model_without_semicontinuous_variables_is_its_own_box_uncopied():
    data = make([1, 1], [[1, 1]], [-INF], [4], [0, -1], [2, INF])
    lb, ub = _box(data)
    assert lb is data.lb and ub is data.ub  # the common case costs no copy


def test_box_of_data_without_a_semi_mask_is_its_bounds():
    bare = SimpleNamespace(lb=np.array([1.0]), ub=np.array([2.0]))  # duck-typed data, no semi_mask
    lb, ub = _box(bare)
    assert lb.tolist() == [1.0] and ub.tolist() == [2.0]


def test_box_widens_semicontinuous_variables_to_zero():
    # x1 semi-continuous in [2, 5] (so 0 or [2, 5]): box [0, 5]; x2 semi in [0.25, 0.5]: [0, 0.5];
    # x3 continuous in [2, 5] stays; a semi-continuous with a negative upper bound reaches up to 0
    data = make([0, 0, 0, 0], np.zeros((0, 4)), [], [], [2, 0.25, 2, -3], [5, 0.5, 5, -1], vtype=[SC, SC, C, SC])
    lb, ub = _box(data)
    assert lb.tolist() == [0.0, 0.0, 2.0, -3.0]
    assert ub.tolist() == [5.0, 0.5, 5.0, 0.0]


def test_min_over_picks_the_lower_side_for_positive_and_the_upper_for_negative_coefficients():
    # 2*t1 with t1 in [1, inf): 2; -3*t2 with t2 in (-inf, 4]: -12; 0*t3 with t3 free: 0
    value, residual = _min_over(
        np.array([2.0, -3.0, 0.0]), np.array([1.0, -INF, -INF]), np.array([INF, 4.0, INF]), 1e-9
    )
    assert (value, residual) == (-10.0, 0.0)


def test_min_over_a_coefficient_on_an_infinite_side_is_unbounded_unless_within_the_tolerance():
    lo, hi = np.array([-INF, 1.0]), np.array([INF, 3.0])
    assert _min_over(np.array([1.0, 1.0]), lo, hi, 1e-9) == (-INF, 1.0)  # t1 -> -inf
    assert _min_over(np.array([-2.0, 1.0]), lo, hi, 1e-9) == (-INF, 2.0)  # t1 -> +inf
    # exactly at the tolerance it still counts as round-off: dropped, its size is the residual
    assert _min_over(np.array([0.5, 1.0]), lo, hi, 0.5) == (1.0, 0.5)
    assert _min_over(np.array([0.5, 1.0]), lo, hi, 0.25) == (-INF, 0.5)


def test_min_over_nothing_is_zero():
    assert _min_over(np.array([]), np.array([]), np.array([]), 1e-9) == (0.0, 0.0)


# ---- dual bounds ---------------------------------------------------------------------------------
def lp(sense: str = "min") -> ProblemData:
    """min -x1 - 2 x2 + x3 + 1  s.t.  r1: x1 + x2 + x3 <= 4,  r2: x1 + 3 x2 <= 6,  x >= 0, x3 <= 2.
    By hand: the optimum is x = (3, 1, 0), objective -4; its duals (reduced costs c - A'y) are
    y = (-1/2, -1/2), reduced costs (0, 0, 3/2). `max` is the same model negated (optimum 4)."""
    sign = 1.0 if sense == "min" else -1.0
    return make(
        sign * np.array([-1.0, -2.0, 1.0]),
        [[1, 1, 1], [1, 3, 0]],
        [-INF, -INF],
        [4, 6],
        [0, 0, 0],
        [INF, INF, 2],
        sense=sense,
        c0=sign * 1.0,
    )


def test_optimal_duals_give_the_optimum_exactly():
    assert dual_bound(lp(), [-0.5, -0.5]) == (-4.0, 0.0)


def test_optimal_duals_of_a_maximization_give_its_optimum_exactly():
    # the maximization's multipliers are the minimization's negated
    assert dual_bound(lp("max"), [0.5, 0.5]) == (4.0, 0.0)


def test_exact_rational_duals_are_accepted():
    assert dual_bound(lp(), [Fraction(-1, 2), Fraction(-1, 2)]) == (-4.0, 0.0)


@pytest.mark.parametrize(
    "y, bound",
    [
        # y = (-2, 0): reduced costs (1, 0, 3) >= 0 at x = 0: bound -2*4 + 1 = -7
        ([-2.0, 0.0], -7.0),
        # y = (0, -1): reduced costs (0, 1, 1): bound -6 + 1 = -5
        ([0.0, -1.0], -5.0),
        # y = 0: reduced costs (-1, -2, 1); x1, x2 have no upper bound: no bound at all
        ([0.0, 0.0], -INF),
    ],
)
def test_any_multipliers_give_the_weak_duality_bound(y, bound):
    got, residual = dual_bound(lp(), y)
    assert got == bound
    assert got <= -4.0  # weak duality: never past the optimum
    assert residual == (2.0 if bound == -INF else 0.0)  # |reduced cost| of x2 against its infinite side


def test_non_optimal_multipliers_of_a_maximization_give_an_upper_bound():
    assert dual_bound(lp("max"), [2.0, 0.0]) == (7.0, 0.0)


def test_a_multiplier_against_an_infinite_row_side_is_its_residual():
    # y1 = 1 > 0 on r1 (no lower side): the row part is unbounded, residual 1; the reduced cost of
    # x1 is -1 - 1 + 1 = -1 against its infinite upper bound: residual 1 too
    assert dual_bound(lp(), [1.0, -1.0]) == (-INF, 1.0)
    assert dual_bound(lp(), [3.0, -1.0]) == (-INF, 3.0)  # reduced costs (-3, -2, -2): worst is the row's 3


def test_malformed_multipliers_give_no_bound():
    assert dual_bound(lp(), [-0.5, -0.5, 0.0]) == (-INF, INF)  # one per variable, not per row
    assert dual_bound(lp(), [-0.5]) == (-INF, INF)
    assert dual_bound(lp(), [-0.5, math.nan]) == (-INF, INF)
    assert dual_bound(lp("max"), [0.5, INF]) == (INF, INF)


def one_row(c: float, sense: str = "min") -> ProblemData:
    """min c x  s.t.  x <= 5, x >= 0 (optimum 0)."""
    return make([c], [[1.0]], [-INF], [5.0], [0.0], [INF], sense=sense)


def test_dual_tolerance_is_relative_to_the_largest_cost_and_at_least_absolute():
    # a positive multiplier on a row with no lower side is round-off up to DUAL_TOL * max(1, |c|)
    assert DUAL_TOL == 1e-7
    assert dual_bound(one_row(1.0), [1e-7]) == (0.0, 1e-7)
    assert dual_bound(one_row(1.0), [1.5e-7]) == (-INF, 1.5e-7)
    assert dual_bound(one_row(0.5), [1.5e-7]) == (-INF, 1.5e-7)  # |c| < 1: the tolerance stays 1e-7
    assert dual_bound(one_row(1000.0), [1e-6]) == (0.0, 1e-6)  # tolerance 1e-4


def test_a_model_without_variables_or_rows_is_bounded_by_its_constant():
    empty = make([], np.zeros((0, 0)), [], [], [], [], c0=2.5)
    assert dual_bound(empty, []) == (2.5, 0.0)


def test_semicontinuous_variables_are_bounded_at_zero_not_at_their_lower_bound():
    # min x, x semi-continuous in [2, 5]: x = 0 is feasible, so the bound is 0, not 2
    data = make([1.0], [[1.0]], [-INF], [10.0], [2.0], [5.0], vtype=[SC])
    assert dual_bound(data, [0.0]) == (0.0, 0.0)
    # and max -x: the bound is 0, not -2
    data = make([-1.0], [[1.0]], [-INF], [10.0], [2.0], [5.0], vtype=[SC], sense="max")
    assert dual_bound(data, [0.0]) == (0.0, 0.0)


def qp(sense: str = "min") -> ProblemData:
    """min x1^2 + x1 x2 + x2^2 - 3 x1 + 5  s.t.  r1: x1 + x2 <= 10, 0 <= x <= 10 (Q upper
    triangular [[1, 1], [0, 1]], Hessian [[2, 1], [1, 2]]). By hand: the optimum is x = (1.5, 0)
    (gradient (0, 1.5), x2 at its lower bound), objective 2.75. `max` is the negation."""
    sign = 1.0 if sense == "min" else -1.0
    return make(
        sign * np.array([-3.0, 0.0]),
        [[1, 1]],
        [-INF],
        [10.0],
        [0, 0],
        [10, 10],
        sense=sense,
        c0=sign * 5.0,
        Q=sign * np.array([[1.0, 1.0], [0.0, 1.0]]),
    )


@pytest.mark.parametrize("sense", ["min", "max"])
def test_convex_qp_linearized_at_its_optimum_is_tight(sense):
    # f(x) >= f(x*) + grad'(x - x*) = 2.75 + 1.5 x2 >= 2.75 over the box
    sign = 1.0 if sense == "min" else -1.0
    assert dual_bound(qp(sense), [0.0], [1.5, 0.0]) == (sign * 2.75, 0.0)


@pytest.mark.parametrize("sense", ["min", "max"])
def test_convex_qp_linearized_elsewhere_gives_a_weaker_bound(sense):
    # at x = (1, 1): f = 5, grad = (0, 3): f >= 5 + 3 (x2 - 1) >= 2 over the box
    sign = 1.0 if sense == "min" else -1.0
    assert dual_bound(qp(sense), [0.0], [1.0, 1.0]) == (sign * 2.0, 0.0)
    # at x = (0, 0): f = 5, grad = (-3, 0): f >= 5 - 3 x1 >= -25 over the box
    assert dual_bound(qp(sense), [0.0], [0.0, 0.0]) == (sign * -25.0, 0.0)


def test_convex_qp_with_row_multipliers():
    # at x = (1, 1) with y = -1 on r1 (x1 + x2 <= 10): reduced costs (0, 3) - (-1, -1) = (1, 4),
    # bound 2 (the constant) - 10 (the row) + 0 (x at its lower bounds) = -8
    assert dual_bound(qp(), [-1.0], [1.0, 1.0]) == (-8.0, 0.0)


def test_qp_at_an_exact_rational_point():
    assert dual_bound(qp(), [0.0], [Fraction(3, 2), Fraction(0)]) == (2.75, 0.0)


def test_qp_without_a_point_gives_no_bound():
    assert dual_bound(qp(), [0.0]) == (-INF, INF)
    assert dual_bound(qp("max"), [0.0]) == (INF, INF)


def test_empty_quadratic_part_is_linear():
    data = make([1.0], [[1.0]], [-INF], [5.0], [1.0], [INF], Q=np.zeros((1, 1)))
    assert dual_bound(data, [0.0]) == (1.0, 0.0)  # no point needed


# ---- Farkas margins ------------------------------------------------------------------------------
def need(lb: float, box: float) -> ProblemData:
    """x1 + x2 >= lb with 0 <= x <= box."""
    return make([0, 0], [[1, 1]], [lb], [INF], [0, 0], [box, box])


def test_farkas_margin_is_the_gap_between_the_rows_and_the_box():
    # y'Ax = x1 + x2 >= 0.5 by the row, <= 0.2 by the box: margin 0.3 (absolute: |0.5| < 1)
    assert farkas_margin(need(0.5, 0.1), [1.0]) == pytest.approx(0.3, abs=1e-15)
    # >= 3 by the row, <= 2 by the box: margin (3 - 2) / 3, relative to the row side
    assert farkas_margin(need(3.0, 1.0), [1.0]) == pytest.approx(1 / 3, abs=1e-15)


@pytest.mark.parametrize("y", [[1.0], [-1.0], [0.5], [-0.5], [4.0], [-4.0], [Fraction(-1, 3)]])
def test_farkas_margin_is_invariant_under_scaling_and_sign(y):
    assert farkas_margin(need(0.5, 0.1), y) == pytest.approx(0.3, abs=1e-15)


def test_farkas_margin_of_an_upper_side():
    # x1 + x2 <= -1 with 0 <= x <= 1: -(x1 + x2) >= 1 by the row, <= 0 by the box: margin 1
    data = make([0, 0], [[1, 1]], [-INF], [-1.0], [0, 0], [1, 1])
    assert farkas_margin(data, [-1.0]) == 1.0
    assert farkas_margin(data, [2.0]) == 1.0


def test_farkas_margin_of_a_feasible_model_is_negative():
    # x1 + x2 >= 1.5 with 0 <= x <= 1 is feasible: 1.5 - 2 relative to 1.5
    assert farkas_margin(need(1.5, 1.0), [1.0]) == pytest.approx(-1 / 3, abs=1e-15)
    # an infinite side on both orientations: no margin at all
    assert farkas_margin(make([0, 0], [[1, 1]], [1.0], [INF], [0, 0], [INF, 1]), [1.0]) == -INF


def test_farkas_margin_of_two_rows():
    # r1: x1 + x2 <= 1, r2: x1 + 2 x2 >= 3, y <= 1 by the box (x >= 0): with y = (-1, 1):
    # -x1 - x2 + x1 + 2 x2 = x2 >= -1 + 3 = 2 by the rows, <= 1 by the box: margin (2 - 1) / 2
    data = make([1, 0], [[1, 1], [1, 2]], [-INF, 3.0], [1.0, INF], [0, 0], [INF, 1.0])
    assert farkas_margin(data, [-1.0, 1.0]) == 0.5
    assert farkas_margin(data, [1.0, -1.0]) == 0.5


def test_farkas_margin_uses_the_semicontinuous_box():
    # x <= 1 with x semi-continuous in [2, 5]: x = 0 is feasible, so nothing is proven
    data = make([1.0], [[1.0]], [-INF], [1.0], [2.0], [5.0], vtype=[SC])
    assert farkas_margin(data, [-1.0]) == -1.0  # -x >= -1 by the row, <= 0 by the box


def test_malformed_farkas_rays_prove_nothing():
    data = need(3.0, 1.0)
    assert farkas_margin(data, [0.0]) == -INF
    assert farkas_margin(data, [INF]) == -INF
    assert farkas_margin(data, [math.nan]) == -INF
    assert farkas_margin(data, [1.0, 1.0]) == -INF  # one per row
    assert farkas_margin(make([0.0], np.zeros((0, 1)), [], [], [0.0], [1.0]), []) == -INF


# ---- primal rays ---------------------------------------------------------------------------------
def cone(sense: str = "min") -> ProblemData:
    """Objective (1, 2, 3, 4) x over x1 >= 0, x2 <= 0, x3 and x4 free, r1: x3 >= 0, r2: x4 <= 0:
    each bound and row is one side of the recession cone."""
    return make(
        [1, 2, 3, 4],
        [[0, 0, 1, 0], [0, 0, 0, 1]],
        [0.0, -INF],
        [INF, 0.0],
        [0, -INF, -INF, -INF],
        [INF, 0, INF, INF],
        sense=sense,
    )


@pytest.mark.parametrize(
    "r, violation, slope",
    [
        ([1, -1, 1, -1], 0.0, -2.0),  # inside the cone
        ([2, -2, 2, -2], 0.0, -2.0),  # normalized to max |r_j| = 1
        ([0.5, -0.5, 0.5, -0.5], 0.0, -2.0),
        ([-0.5, -1, 0, 0], 0.5, -2.5),  # x1 >= 0 violated by 0.5
        ([0, 0.5, 0, -1], 0.5, -3.0),  # x2 <= 0 violated by 0.5
        ([0, -1, -0.5, 0], 0.5, -3.5),  # r1: x3 >= 0 violated by 0.5
        ([0, -1, 0, 0.5], 0.5, 0.0),  # r2: x4 <= 0 violated by 0.5
    ],
)
def test_ray_violation_and_slope(r, violation, slope):
    assert ray_residual(cone(), np.asarray(r, float)) == (violation, slope)


def test_ray_slope_of_a_maximization_is_negated():
    assert ray_residual(cone("max"), [1, -1, 1, -1]) == (0.0, 2.0)
    assert ray_residual(cone("max"), [-1, 1, -1, 1]) == (1.0, -2.0)


def test_ray_from_exact_rationals():
    assert ray_residual(cone(), [Fraction(1, 3), Fraction(-1, 3), Fraction(1, 3), Fraction(-1, 3)]) == (0.0, -2.0)


def test_ray_of_a_model_without_rows():
    data = make([-1.0, 0.0], np.zeros((0, 2)), [], [], [0, 0], [INF, 1])
    assert ray_residual(data, [1.0, 0.0]) == (0.0, -1.0)
    assert ray_residual(data, [1.0, 0.5]) == (0.5, -1.0)


def test_malformed_rays_prove_nothing():
    data = cone()
    for r in ([0, 0, 0, 0], [INF, 0, 0, 0], [math.nan, 0, 0, 0], [1, -1, 1]):
        assert ray_residual(data, r) == (INF, 0.0)
    assert ray_residual(make([], np.zeros((0, 0)), [], [], [], []), []) == (INF, 0.0)  # nothing to move
    assert RAY_TOL == 1e-9


# ---- structured bounds ---------------------------------------------------------------------------
@contextlib.contextmanager
def time_limit(seconds: float):
    """Fail (instead of hanging) if the block runs longer than `seconds`: a broken one-machine
    schedule can loop forever."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize(
    "ops, bound",
    [
        ([], 0),
        ([(0, 0, 0)], 0),
        ([(3, 0, 0)], 3),  # released at 3, takes no time
        ([(5, 2, 1)], 8),  # waits for its release: 5 + 2 + 1
        ([(0, 1, 0), (5, 2, 1)], 8),  # idle from 1 to 5
        ([(0, 2, 1), (0, 2, 1)], 5),
        ([(0, 1, 9), (0, 1, 0), (0, 1, 0)], 10),  # the longest tail runs first
        ([(0, 1, 0), (0, 1, 0), (0, 1, 9)], 10),
        ([(0, 5, 0), (2, 1, 1)], 6),
        # A = (0, 4, 0) runs 0-1, B = (1, 1, 3) preempts it 1-2 (2 + 3 = 5), A runs 2-3,
        # C = (3, 1, 3) preempts it 3-4 (4 + 3 = 7), A ends at 6. Without preemption: 9.
        ([(0, 4, 0), (1, 1, 3), (3, 1, 3)], 7),
        ([(3, 1, 3), (1, 1, 3), (0, 4, 0)], 7),  # in any order
        # D = (0, 2, 0) joins: D runs 0-1, B 1-2 (5), D 2-3, C 3-4 (7), A 4-8
        ([(0, 4, 0), (0, 2, 0), (1, 1, 3), (3, 1, 3)], 8),
        # two releases at the same time after an idle gap
        ([(0, 1, 0), (4, 1, 2), (4, 2, 0), (6, 1, 5)], 12),
    ],
)
def test_jackson_preemptive_schedule(ops, bound):
    with time_limit(2):
        assert _jackson_preemptive(list(ops)) == bound


@pytest.mark.parametrize(
    "jobs, bound",
    [
        ([[(0, 0)]], 0),
        ([[(0, 3)]], 3),
        ([[(0, 2), (1, 5)], [(1, 1)]], 7),  # the longest job
        # machine 0 has 6 units of work from time 0, and the first two jobs still need 1 on
        # machine 1 afterwards: 6 (the longest job is 3); this is the optimum
        ([[(0, 2), (1, 1)], [(0, 2), (1, 1)], [(0, 2)]], 6),
        # machine 1 holds the bottleneck: heads 2 and 2, tails 0: 2 + 3 + 3 = 8 (jobs are 5 long)
        ([[(0, 2), (1, 3)], [(2, 2), (1, 3)]], 8),
        # machine 0 in the preemption example above (heads and tails on other machines)
        ([[(0, 4)], [(1, 1), (0, 1), (2, 3)], [(3, 3), (0, 1), (4, 3)]], 7),
        # heads are cumulative: the third op of job 0 is released at 5 + 5 = 10 on machine 2, after
        # which job 1's op (0, 20, 3) keeps the machine (longer tail): 20 + 3 = 23, the longest job
        ([[(0, 5), (1, 5), (2, 1)], [(2, 20), (3, 3)]], 23),
    ],
)
def test_jobshop_bound_by_hand(jobs, bound):
    with time_limit(2):
        assert jobshop_bound(JobShop(jobs)) == bound
        assert data_bound(JobShop(jobs)) == (
            float(bound),
            "one-machine bound (Jackson's preemptive schedule) from the data",
        )


@pytest.mark.parametrize(
    "values, weights, capacity, bound",
    [
        # ratios 2, 1.5, 2: items 0 and 2 fit (room 1 left), then 1/4 of item 1: 10 + 4 + 1.5
        ([10, 6, 4], [5, 4, 2], 8, 15.5),
        ([10, 6, 4], [5, 4, 2], 11, 20.0),  # everything fits
        ([10, 6, 4], [5, 4, 2], 0, 0.0),
        ([10, 6, 4], [5, 4, 2], 2.5, 5.0),  # half of item 0 (ratio 2 ties with item 2: same value)
        ([10], [1], 0.5, 5.0),  # a light item is still taken fractionally
        ([3, 10], [0, 4], 1, 5.5),  # weightless items are free: 3 + 10/4
        ([0, 10], [0, 4], 1, 2.5),
        ([1, 2, 3], [1, 2, 3], 2.5, 2.5),  # all ratios 1
        ([0.1], [3], 3, 0.1),  # an item that fills the knapsack exactly is taken whole, not 3/3 of it
    ],
)
@pytest.mark.filterwarnings("error")  # weightless items are not divided by their weight
def test_dantzig_bound_by_hand(values, weights, capacity, bound):
    problem = Knapsack(np.array(values, float), np.array(weights, float), capacity)
    assert dantzig_bound(problem) == bound
    assert data_bound(problem) == (bound, "Dantzig's linear-relaxation bound from the data")


def _knapsack_optimum(values, weights, capacity) -> int:
    """By brute force over every subset (a handful of items) or a plain DP over the capacity."""
    best = np.zeros(int(capacity) + 1, dtype=np.int64)
    for v, w in zip(values.astype(int), weights.astype(int)):
        if w <= capacity:
            best[w:] = np.maximum(best[w:], best[: int(capacity) + 1 - w] + v)
    return int(best[-1])


@pytest.mark.parametrize("kind", ["uncorrelated", "strongly", "subset", "zeros"])
def test_reduction_bound_is_the_optimum_or_the_answer_never_less(kind):
    """reduction_bound(z) is None or exactly max(floor(z), optimum): the optimum itself when
    the answer z is short of it (the core's DP finds it), z when nothing is worth more (a
    proof). 200 seeded knapsacks of 5-40 items per kind, z below, at and above the optimum."""
    rng = np.random.default_rng(["uncorrelated", "strongly", "subset", "zeros"].index(kind))
    answered = 0
    for _ in range(200):
        n = int(rng.integers(5, 41))
        weights = rng.integers(1, 60, n).astype(float)
        values = {
            "uncorrelated": rng.integers(1, 60, n).astype(float),
            "strongly": weights + 10,
            "subset": weights.copy(),
            "zeros": rng.integers(0, 3, n) * rng.integers(0, 60, n).astype(float),
        }[kind]
        if kind == "zeros":
            weights[rng.random(n) < 0.2] = 0
        capacity = float(rng.integers(0, int(weights.sum()) + 2)) + rng.choice([0.0, 0.5])
        best = _knapsack_optimum(values, weights, capacity)
        problem = Knapsack(values, weights, capacity)
        for z in (best - 7, best - 1, best - 0.5, best, best + 0.25, best + 3):
            bound = reduction_bound(problem, z)
            if bound is not None:
                answered += 1
                assert bound == max(math.floor(z), best), (values, weights, capacity, z)
    assert answered >= 600  # of 1,200: it answers more often than not


def test_reduction_bound_declines_what_it_cannot_do_exactly():
    values, weights = np.array([10.0, 6.0, 4.0]), np.array([5.0, 4.0, 2.0])
    assert reduction_bound(Knapsack(values + 0.5, weights, 7), 14.0) is None  # not integers
    assert reduction_bound(Knapsack(values, weights + 0.25, 7), 14.0) is None
    assert reduction_bound(Knapsack(values * 2.0**50, weights, 7), 14.0 * 2.0**50) is None  # could overflow
    assert reduction_bound(Knapsack(values, weights, 7), math.nan) is None
    assert reduction_bound(Knapsack(values, weights, 7), 14.0, max_cells=0) in (None, 14)
    # a core too large for its cells: strongly correlated, 400 items, capacity 10,000
    rng = np.random.default_rng(1)
    w = rng.integers(1, 1000, 400).astype(float)
    assert reduction_bound(Knapsack(w + 100, w, 10_000), 0.0, max_cells=1000) is None


def test_no_bound_for_other_classes():
    assert data_bound(lp()) is None
    assert data_bound(object()) is None


# ---- what a claim is worth -----------------------------------------------------------------------
def assessed(problem, status, *, objective=None, solver="", tol=Tolerances(), **evidence) -> Certificate:
    """The certificate `assess` fills for a passing answer with `objective` claimed as `status`."""
    cert = Certificate(verdict="pass", objective=objective)
    assess(problem, Result(status, solver=solver, **evidence), cert, tol)
    return cert


def claimed(status: Status, solver: str = "") -> str:
    return f"{status.value} is {solver or 'the solver'}'s claim; no certificate was checked"


def test_closes_within_a_relative_tolerance_and_only_from_the_right_side():
    tol = 2.0**-10
    assert closes(4.0, 4.0 - 2.0**-8, "min", tol) is True  # 2^-8 = tol * |4|: just reached
    assert closes(4.0, 4.0 - 2.0**-7, "min", tol) is False
    assert closes(4.0, 4.0 + 2.0**-8, "max", tol) is True
    assert closes(4.0, 4.0 + 2.0**-7, "max", tol) is False
    assert closes(4.0, 5.0, "min", tol) is True and closes(4.0, 3.0, "max", tol) is True  # past it
    # below |objective| 1 the tolerance is absolute
    assert closes(0.5, 0.5 - 2.0**-10, "min", tol) is True
    assert closes(0.5, 0.5 - 1.5 * 2.0**-10, "min", tol) is False
    for bound in (-INF, INF, math.nan):
        assert closes(4.0, bound, "min", tol) is False and closes(4.0, bound, "max", tol) is False


def test_local_only_models():
    assert local_only(lp()) is False
    assert local_only(qp()) is False and local_only(qp("max")) is False  # convex for its sense
    assert local_only(dataclasses.replace(qp(), sense="max")) is True  # a convex objective maximized
    assert local_only(qrow(1.0, 1.0)) is True  # quadratic rows: never assumed globally solved
    assert local_only(nonlinear()) is True
    assert local_only(Knapsack(np.array([1.0]), np.array([1.0]), 1)) is False


def qrow(a: float, q: float, lb: float = -INF, ub: float = 1.0) -> ProblemData:
    """min -x1 - x2  s.t.  lb <= q x1^2 + a x2 <= ub,  0 <= x <= 1."""
    row = QuadraticRow(Q=sp.csr_matrix(np.array([[q, 0.0], [0.0, 0.0]])), a=np.array([0.0, a]), lb=lb, ub=ub, name="q")
    return make([-1, -1], np.zeros((0, 2)), [], [], [0, 0], [1, 1], quadratic_rows=(row,))


def nonlinear() -> ProblemData:
    return make(
        [0.0], np.zeros((0, 1)), [], [], [0.0], [1.0], nl_objective=NonlinearFunction(lambda x: float(x[0] ** 3))
    )


def test_optimal_duals_prove_the_optimum():
    cert = assessed(lp(), Status.OPTIMAL, objective=-4.0, solver="highs", duals=np.array([-0.5, -0.5]))
    assert (cert.optimality, cert.bound, cert.residual) == (Optimality.PROVEN, -4.0, 0.0)
    assert cert.evidence == "dual certificate checked from the data (bound -4, dual residual 0)"


def test_optimal_duals_of_a_maximization_prove_the_optimum():
    cert = assessed(lp("max"), Status.OPTIMAL, objective=4.0, duals=np.array([0.5, 0.5]))
    assert (cert.optimality, cert.bound, cert.residual) == (Optimality.PROVEN, 4.0, 0.0)


def test_duals_with_a_tolerated_residual_still_prove_and_report_it():
    cert = assessed(one_row(1.0), Status.OPTIMAL, objective=0.0, duals=np.array([1e-7]))
    assert (cert.optimality, cert.bound, cert.residual) == (Optimality.PROVEN, 0.0, 1e-7)
    assert cert.evidence == "dual certificate checked from the data (bound 0, dual residual 1e-07)"


def test_weak_duals_certify_a_bound_but_prove_nothing():
    cert = assessed(lp(), Status.OPTIMAL, objective=-4.0, solver="highs", duals=np.array([-2.0, 0.0]))
    assert (cert.optimality, cert.bound, cert.residual) == (Optimality.CLAIMED, -7.0, 0.0)
    assert cert.evidence == claimed(Status.OPTIMAL, "highs")
    cert = assessed(lp("max"), Status.OPTIMAL, objective=4.0, duals=np.array([2.0, 0.0]))
    assert (cert.optimality, cert.bound) == (Optimality.CLAIMED, 7.0)


def test_a_wrong_optimum_is_not_proven_by_the_true_duals():
    # the answer x = (0, 0, 0) (objective 1) claimed optimal: the true duals bound -4 < 1
    cert = assessed(lp(), Status.OPTIMAL, objective=1.0, duals=np.array([-0.5, -0.5]))
    assert (cert.optimality, cert.bound) == (Optimality.CLAIMED, -4.0)
    cert = assessed(lp("max"), Status.OPTIMAL, objective=-1.0, duals=np.array([0.5, 0.5]))
    assert (cert.optimality, cert.bound) == (Optimality.CLAIMED, 4.0)


def test_duals_with_no_finite_bound_certify_nothing():
    cert = assessed(lp(), Status.OPTIMAL, objective=-4.0, duals=np.array([0.0, 0.0]))
    assert (cert.optimality, cert.bound, cert.residual) == (Optimality.CLAIMED, None, 2.0)
    assert cert.evidence == claimed(Status.OPTIMAL)


def test_an_optimum_without_duals_is_only_claimed():
    cert = assessed(lp(), Status.OPTIMAL, objective=-4.0, solver="scip")
    assert (cert.optimality, cert.bound, cert.residual) == (Optimality.CLAIMED, None, None)
    assert cert.evidence == claimed(Status.OPTIMAL, "scip")


def test_convex_qp_optimum_is_proven_at_the_answer():
    cert = assessed(qp(), Status.OPTIMAL, objective=2.75, duals=np.array([0.0]), values=np.array([1.5, 0.0]))
    assert (cert.optimality, cert.bound, cert.residual) == (Optimality.PROVEN, 2.75, 0.0)
    assert cert.evidence == "dual certificate checked from the data (bound 2.75, dual residual 0)"


def test_nonconvex_qp_duals_are_not_checked():
    # maximizing a convex quadratic: the linearization is no bound
    data = dataclasses.replace(qp(), sense="max")
    cert = assessed(data, Status.OPTIMAL, objective=2.75, duals=np.array([0.0]), values=np.array([1.5, 0.0]))
    assert (cert.optimality, cert.bound, cert.residual) == (Optimality.CLAIMED, None, None)


@pytest.mark.parametrize("data", [qrow(1.0, 1.0), nonlinear()], ids=["quadratic rows", "nonlinear"])
def test_evidence_is_not_checked_on_models_it_cannot_speak_for(data):
    for status in (Status.OPTIMAL, Status.INFEASIBLE, Status.UNBOUNDED):
        cert = assessed(data, status, objective=-1.0, duals=np.array([]), ray=np.array([1.0, 1.0]), values=np.zeros(2))
        assert (cert.optimality, cert.bound, cert.residual) == (Optimality.CLAIMED, None, None)
        assert cert.evidence == claimed(status)


@pytest.mark.parametrize("status", [Status.FEASIBLE, Status.TIME_LIMIT, Status.ERROR])
def test_no_claim_no_optimality(status):
    cert = assessed(lp(), status, objective=-4.0 if status.has_solution else None, duals=np.array([-0.5, -0.5]))
    assert (cert.optimality, cert.bound, cert.evidence, cert.residual) == (Optimality.NONE, None, "", None)


def test_farkas_ray_proves_infeasibility():
    cert = assessed(need(3.0, 1.0), Status.INFEASIBLE, solver="highs", ray=np.array([-2.0]))
    assert cert.optimality == Optimality.PROVEN
    assert cert.evidence == "Farkas ray checked from the data (margin 0.333)"
    assert (cert.bound, cert.residual) == (None, None)


def test_farkas_margin_must_exceed_the_feasibility_tolerance():
    # x1 + x2 >= 0.5 with 0 <= x <= 0.125: margin exactly 0.25
    data = need(0.5, 0.125)
    cert = assessed(data, Status.INFEASIBLE, ray=np.array([1.0]), tol=Tolerances(feasibility=0.25))
    assert (cert.optimality, cert.evidence) == (Optimality.CLAIMED, claimed(Status.INFEASIBLE))
    cert = assessed(data, Status.INFEASIBLE, ray=np.array([1.0]), tol=Tolerances(feasibility=0.125))
    assert (cert.optimality, cert.evidence) == (Optimality.PROVEN, "Farkas ray checked from the data (margin 0.25)")


def test_infeasibility_without_a_valid_ray_is_only_claimed():
    assert assessed(need(3.0, 1.0), Status.INFEASIBLE).optimality == Optimality.CLAIMED
    cert = assessed(need(1.5, 1.0), Status.INFEASIBLE, solver="cbc", ray=np.array([1.0]))  # feasible
    assert (cert.optimality, cert.evidence) == (Optimality.CLAIMED, claimed(Status.INFEASIBLE, "cbc"))


def unbounded(c1: float = -1.0) -> ProblemData:
    """min c1 x1  s.t.  r1: x1 - x2 <= 1, x >= 0: unbounded along (1, 1) when c1 < 0."""
    return make([c1, 0.0], [[1, -1]], [-INF], [1.0], [0, 0], [INF, INF])


def test_ray_from_a_feasible_point_proves_unboundedness():
    cert = assessed(unbounded(), Status.UNBOUNDED, solver="highs", ray=np.array([2.0, 2.0]), values=np.zeros(2))
    assert (cert.optimality, cert.residual, cert.bound) == (Optimality.PROVEN, 0.0, None)
    assert cert.evidence == (
        "primal ray checked from the data (objective slope -1, cone violation 0) from a verified feasible point"
    )


def test_ray_violation_and_slope_at_the_tolerance_edge():
    # no rows, x >= 0: r = (1, -1e-9) leaves x2 >= 0 by exactly RAY_TOL: still a ray
    data = make([-1.0, 0.0], np.zeros((0, 2)), [], [], [0, 0], [INF, INF])
    cert = assessed(data, Status.UNBOUNDED, ray=np.array([1.0, -1e-9]), values=np.zeros(2))
    assert (cert.optimality, cert.residual) == (Optimality.PROVEN, 1e-9)
    assert cert.evidence == (
        "primal ray checked from the data (objective slope -1, cone violation 1e-09) from a verified feasible point"
    )
    cert = assessed(data, Status.UNBOUNDED, ray=np.array([1.0, -2e-9]), values=np.zeros(2))
    assert (cert.optimality, cert.residual) == (Optimality.CLAIMED, 2e-9)
    # a slope of exactly -RAY_TOL does not improve enough; -2 RAY_TOL does
    flat = make([-1e-9, 0.0], np.zeros((0, 2)), [], [], [0, 0], [INF, INF])
    assert (
        assessed(flat, Status.UNBOUNDED, ray=np.array([1.0, 0.0]), values=np.zeros(2)).optimality == Optimality.CLAIMED
    )
    steep = make([-2e-9, 0.0], np.zeros((0, 2)), [], [], [0, 0], [INF, INF])
    assert (
        assessed(steep, Status.UNBOUNDED, ray=np.array([1.0, 0.0]), values=np.zeros(2)).optimality == Optimality.PROVEN
    )


@pytest.mark.parametrize(
    "c1, ray, values, residual",
    [
        (-1.0, [1.0, 1.0], None, 0.0),  # no feasible point to start from
        (-1.0, [1.0, 1.0], [5.0, 0.0], 0.0),  # the point leaves r1
        (-1.0, [1.0, 1.0], [0.0, -1.0], 0.0),  # the point leaves x2 >= 0
        (-1.0, [1.0, 0.0], [0.0, 0.0], 1.0),  # the ray leaves r1
        (-1.0, [-1.0, 0.0], [0.0, 0.0], 1.0),  # the ray leaves x1 >= 0
        (0.0, [1.0, 1.0], [0.0, 0.0], 0.0),  # the objective does not move along it
        (1.0, [1.0, 1.0], [0.0, 0.0], 0.0),  # ... or gets worse
    ],
)
def test_unboundedness_without_a_valid_ray_and_point_is_only_claimed(c1, ray, values, residual):
    values = None if values is None else np.array(values)
    cert = assessed(unbounded(c1), Status.UNBOUNDED, solver="glpk", ray=np.array(ray), values=values)
    assert (cert.optimality, cert.residual) == (Optimality.CLAIMED, residual)
    assert cert.evidence == claimed(Status.UNBOUNDED, "glpk")


def test_unboundedness_without_a_ray_is_only_claimed():
    cert = assessed(unbounded(), Status.UNBOUNDED, values=np.zeros(2))
    assert (cert.optimality, cert.residual) == (Optimality.CLAIMED, None)


def test_a_ray_of_a_quadratic_objective_is_not_checked():
    # min x1^2 + ... may turn back up along any ray
    cert = assessed(qp(), Status.UNBOUNDED, ray=np.array([1.0, 0.0]), values=np.zeros(2))
    assert (cert.optimality, cert.residual) == (Optimality.CLAIMED, None)


def knapsack() -> Knapsack:
    """values (10, 6, 4), weights (5, 4, 2), capacity 7: Dantzig's bound is 14 (items 0 and 2
    fill it exactly), which the choice {0, 2} reaches."""
    return Knapsack(np.array([10.0, 6.0, 4.0]), np.array([5.0, 4.0, 2.0]), 7)


@pytest.mark.parametrize("status", [Status.OPTIMAL, Status.FEASIBLE])
def test_a_structured_answer_that_reaches_its_bound_is_proven_whatever_the_claim(status):
    cert = assessed(knapsack(), status, objective=14.0, solver="dp")
    assert (cert.optimality, cert.bound) == (Optimality.PROVEN, 14.0)
    assert cert.evidence == "Dantzig's linear-relaxation bound from the data: 14"
    shop = JobShop([[(0, 2), (1, 1)], [(0, 2), (1, 1)], [(0, 2)]])
    cert = assessed(shop, status, objective=6.0)
    assert (cert.optimality, cert.bound) == (Optimality.PROVEN, 6.0)
    assert cert.evidence == "one-machine bound (Jackson's preemptive schedule) from the data: 6"


def test_a_structured_answer_short_of_its_bound_gets_the_bound_only():
    cert = assessed(knapsack(), Status.OPTIMAL, objective=10.0, solver="greedy")
    assert (cert.optimality, cert.bound) == (Optimality.CLAIMED, 14.0)
    assert cert.evidence == claimed(Status.OPTIMAL, "greedy")
    cert = assessed(knapsack(), Status.FEASIBLE, objective=10.0)
    assert (cert.optimality, cert.bound, cert.evidence) == (Optimality.NONE, 14.0, "")
    shop = JobShop([[(0, 2), (1, 1)], [(0, 2), (1, 1)], [(0, 2)]])
    cert = assessed(shop, Status.FEASIBLE, objective=7.0)
    assert (cert.optimality, cert.bound, cert.evidence) == (Optimality.NONE, 6.0, "")


def test_structured_bound_within_the_objective_tolerance():
    tol, eps = Tolerances(objective=2.0**-10), 2.0**-10
    # 14 - 13 eps reaches 14 within eps relative to the objective; 14 - 15 eps does not
    cert = assessed(knapsack(), Status.FEASIBLE, objective=14.0 - 13 * eps, tol=tol)
    assert (cert.optimality, cert.bound) == (Optimality.PROVEN, 14.0)
    cert = assessed(knapsack(), Status.FEASIBLE, objective=14.0 - 15 * eps, tol=tol)
    assert (cert.optimality, cert.bound) == (Optimality.NONE, 14.0)
    # an answer past the bound by at most the tolerance (relative to the bound): bound kept
    cert = assessed(knapsack(), Status.FEASIBLE, objective=14.0 + 14 * eps, tol=tol)
    assert (cert.optimality, cert.bound) == (Optimality.PROVEN, 14.0)
    cert = assessed(knapsack(), Status.FEASIBLE, objective=14.0 + 15 * eps, tol=tol)
    assert (cert.optimality, cert.bound) == (Optimality.NONE, None)
    # the same for a minimization: a job shop whose bound is 6
    shop = JobShop([[(0, 2), (1, 1)], [(0, 2), (1, 1)], [(0, 2)]])
    assert assessed(shop, Status.FEASIBLE, objective=6.0 + 6 * eps, tol=tol).optimality == Optimality.PROVEN
    assert assessed(shop, Status.FEASIBLE, objective=6.0 + 7 * eps, tol=tol).optimality == Optimality.NONE
    assert assessed(shop, Status.FEASIBLE, objective=6.0 - 6 * eps, tol=tol).bound == 6.0
    assert assessed(shop, Status.FEASIBLE, objective=6.0 - 7 * eps, tol=tol).bound is None


@pytest.mark.parametrize("status", [Status.OPTIMAL, Status.FEASIBLE])
def test_a_bound_past_a_verified_answer_is_not_certified(status):
    # a verified answer beyond a valid bound is impossible: rather certify nothing than a bug
    cert = assessed(knapsack(), status, objective=15.0)
    assert (cert.optimality, cert.bound) == (Optimality.CLAIMED if status == Status.OPTIMAL else Optimality.NONE, None)
    shop = JobShop([[(0, 2), (1, 1)], [(0, 2), (1, 1)], [(0, 2)]])
    assert assessed(shop, status, objective=5.0).bound is None


def test_an_objective_never_proves_a_claim_without_an_answer():
    # a certificate with an objective but a claim without a solution (not what certify builds)
    cert = assessed(knapsack(), Status.INFEASIBLE, objective=14.0)
    assert (cert.optimality, cert.bound) == (Optimality.CLAIMED, None)


def test_structured_claims_other_than_an_answer_are_only_claimed():
    for status in (Status.INFEASIBLE, Status.UNBOUNDED):
        cert = assessed(knapsack(), status, ray=np.array([1.0]))
        assert (cert.optimality, cert.bound, cert.evidence) == (Optimality.CLAIMED, None, claimed(status))


# ---- convexity -----------------------------------------------------------------------------------
def with_q(q: np.ndarray, sense: str = "min") -> ProblemData:
    n = len(q)
    return make([0.0] * n, np.zeros((0, n)), [], [], [-1.0] * n, [1.0] * n, Q=q, sense=sense)


def test_convexity_of_the_objective_for_its_sense():
    assert is_convex(lp()) is True
    assert is_convex(with_q(np.diag([1.0, 2.0]))) is True
    assert is_convex(with_q(np.diag([1.0, 2.0]), "max")) is False
    assert is_convex(with_q(-np.diag([1.0, 2.0]), "max")) is True
    assert is_convex(with_q(np.array([[1.0, 4.0], [0.0, 1.0]]))) is False  # x1^2 + 4 x1 x2 + x2^2: indefinite
    assert is_convex(with_q(np.zeros((2, 2)))) is True
    assert is_convex(nonlinear()) is False  # callables are never known to be convex


def test_convexity_tolerance_is_relative_to_the_largest_entry_and_at_least_absolute():
    # Hessian diag(0.5, -0.75e-9): within -1e-9 (entries below 1: absolute tolerance)
    assert is_convex(with_q(np.diag([0.25, -0.375e-9]))) is True
    assert is_convex(with_q(-np.diag([0.25, -0.375e-9]), "max")) is True
    assert is_convex(with_q(np.diag([0.25, -0.75e-9]))) is False  # -1.5e-9


@pytest.mark.parametrize(
    "q, lb, ub, convex",
    [
        (1.0, -INF, 1.0, True),  # x1^2 <= 1
        (1.0, 1.0, INF, False),  # x1^2 >= 1
        (1.0, 0.5, 1.0, False),  # 0.5 <= x1^2 <= 1
        (-1.0, -1.0, INF, True),  # -x1^2 >= -1
        (-1.0, -INF, 1.0, False),  # -x1^2 <= 1
        (1.0, -INF, INF, True),  # a free row
        (-1.0, -INF, INF, True),
    ],
)
def test_convexity_of_quadratic_rows(q, lb, ub, convex):
    assert is_convex(qrow(0.0, q, lb, ub)) is convex


@pytest.mark.parametrize(
    "H, psd",
    [
        (np.zeros((3, 3)), True),
        (np.array([[-2.0]]), False),
        (np.array([[2.0]]), True),
        (np.diag([1.0, -1.5e-9]), False),
        (np.diag([1.0, -1e-9]), True),  # exactly at the tolerance
        (np.diag([4.0, -2e-9]), True),  # tolerance 4e-9 for entries up to 4
        (np.diag([4.0, -5e-9]), False),
        (np.ones((2, 2)), True),  # eigenvalues 0 and 2 (0 up to round-off)
        (np.array([[1.0, 2.0], [2.0, 1.0]]), False),  # eigenvalues -1 and 3
    ],
)
def test_semidefinite(H, psd):
    assert semidefinite(sp.csr_matrix(H)) is psd


def test_semidefinite_checks_blocks_up_to_the_size_limit_only():
    assert CONVEXITY_MAX_DIM == 500
    assert semidefinite(sp.identity(500, format="csr")) is True
    assert semidefinite(-sp.identity(500, format="csr")) is False
    assert semidefinite(sp.identity(501, format="csr")) is False  # too large to check: not known


def test_hessian_is_symmetric():
    assert hessian(sp.csr_matrix(np.array([[1.0, 3.0], [0.0, 2.0]]))).toarray().tolist() == [[2.0, 3.0], [3.0, 4.0]]


# ---- values against the model --------------------------------------------------------------------
def test_a_feasible_answer_has_no_violation_and_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # infinite sides are skipped, not turned into NaN warnings
        assert check_values(lp(), [3.0, 1.0, 0.0], Tolerances()) == (0.0, 0.0, -4.0, [])
        assert check_values(lp("max"), [0.0, 0.0, 0.0], Tolerances()) == (0.0, 0.0, -1.0, [])


def test_a_model_without_rows_has_no_row_violation():
    data = make([1.0, 1.0], np.zeros((0, 2)), [], [], [0, 0], [1, 1])
    assert check_values(data, [0.5, 1.0], Tolerances()) == (0.0, 0.0, 1.5, [])


def test_violations_are_relative_and_reported_above_the_tolerance_only():
    tol = Tolerances(feasibility=0.25)
    # x1 = -0.25 leaves x1 >= 0 by exactly the tolerance: reported as the worst, not as a violation
    assert check_values(lp(), [-0.25, 0.0, 0.0], tol) == (0.25, 0.0, 1.25, [])
    # x1 by 0.5 and x2 by 0.25: one bound is violated
    assert check_values(lp(), [-0.5, -0.25, 0.0], tol) == (0.5, 0.0, 2.0, ["1 bounds violated; worst x1 by 0.5"])
    # r2: x1 + 3 x2 <= 6 at 12: (12 - 6) / 6 = 1, relative to the side
    worst, _, objective, messages = check_values(lp(), [0.0, 4.0, 0.0], Tolerances())
    assert (worst, objective, messages) == (1.0, -7.0, ["1 rows violated; worst r2 by 1"])


def test_malformed_values_fail_with_exact_messages():
    data, tol = lp(), Tolerances()
    assert check_values(data, None, tol) == (INF, 0.0, None, ["expected 3 values, got nothing"])
    assert check_values(data, [1.0, 2.0], tol) == (INF, 0.0, None, ["expected 3 values, got shape (2,)"])
    assert check_values(data, [1.0, math.nan, 0.0], tol) == (
        INF,
        0.0,
        None,
        ["solution contains NaN or infinite values"],
    )
    assert check_values(data, [1.0, INF, 0.0], tol) == (INF, 0.0, None, ["solution contains NaN or infinite values"])
    worst, integrality, objective, messages = check_values(data, ["a", 1.0, 0.0], tol)
    assert (worst, integrality, objective) == (INF, 0.0, None)
    assert messages == ["values are not numbers: could not convert string to float: 'a'"]


@pytest.mark.parametrize(
    "x, violation",
    [
        (0.0, 0.0),  # off
        (2.0, 0.0),
        (5.0, 0.0),
        (0.25, 0.25),  # between 0 and the lower bound: |x| = 0.25 beats (2 - 0.25) / 2
        (1.5, 0.25),  # (2 - 1.5) / 2 beats |x|
        (6.0, 0.2),  # (6 - 5) / 5
        (-0.5, 0.5),  # below 0: |x|
    ],
)
def test_semicontinuous_values_meet_their_bounds_at_zero_or_within_them(x, violation):
    data = make([1.0], [[1.0]], [-INF], [10.0], [2.0], [5.0], vtype=[SC])
    worst, integrality, objective, messages = check_values(data, [x], Tolerances())
    assert (worst, integrality, objective) == (violation, 0.0, x)
    assert messages == ([f"1 bounds violated; worst x1 by {violation:.3g}"] if violation else [])


def test_semi_integer_values_must_also_be_integral():
    data = make([1.0], [[1.0]], [-INF], [10.0], [2.0], [5.0], vtype=[VarType.SEMIINTEGER])
    assert check_values(data, [3.0], Tolerances()) == (0.0, 0.0, 3.0, [])
    assert check_values(data, [3.5], Tolerances()) == (
        0.0,
        0.5,
        3.5,
        ["1 integrality requirements violated; worst x1 by 0.5"],
    )


def test_quadratic_row_activity_includes_its_linear_part():
    data = qrow(1.0, 1.0)  # x1^2 + x2 <= 1
    assert check_values(data, [1.0, 0.5], Tolerances()) == (
        0.5,
        0.0,
        -1.5,
        ["1 quadratic rows violated; worst q by 0.5"],
    )
    assert check_values(data, [0.5, 0.75], Tolerances()) == (0.0, 0.0, -1.25, [])


def test_nonlinear_rows_read_any_numbers_as_floats():
    con = NonlinearConstraint(
        fun=lambda x: [Decimal("1.5"), Decimal(str(x[0]))], lb=np.array([0.0, -INF]), ub=np.array([1.0, 0.5]), name="g"
    )
    data = make([1.0], np.zeros((0, 1)), [], [], [0.0], [1.0], nl_constraints=(con,))
    assert check_values(data, [0.75], Tolerances()) == (
        0.5,
        0.0,
        0.75,
        ["2 nonlinear rows violated; worst g[0] by 0.5"],
    )


# ---- certify and verify --------------------------------------------------------------------------
OPTIMUM = [3.0, 1.0, 0.0]  # of lp(): objective -4 ("min") / 4 for lp("max") at (3, 1, 0)


def test_certificate_of_a_proven_lp_optimum_field_by_field():
    result = Result(Status.OPTIMAL, objective=-4.0, bound=-4.0, values=np.array(OPTIMUM), duals=np.array([-0.5, -0.5]))
    assert certify(lp(), result) == Certificate(
        verdict="pass",
        objective=-4.0,
        max_violation=0.0,
        integrality_violation=0.0,
        objective_error=0.0,
        tolerance=1e-6,
        messages=[],
        optimality=Optimality.PROVEN,
        bound=-4.0,
        evidence="dual certificate checked from the data (bound -4, dual residual 0)",
        residual=0.0,
    )


def test_certificate_of_a_violated_answer_is_not_assessed():
    # x2 = 3 leaves r2 (9 > 6 by (9 - 6) / 6 = 0.5) and claims a wrong objective on top
    result = Result(Status.OPTIMAL, objective=-8.0, values=np.array([0.0, 3.0, 0.0]), duals=np.array([-0.5, -0.5]))
    cert = certify(lp(), result, Tolerances(feasibility=1e-4))
    assert cert == Certificate(
        verdict="fail",
        objective=-5.0,
        max_violation=0.5,
        objective_error=0.6,  # |-8 - (-5)| / 5
        tolerance=1e-4,
        messages=["1 rows violated; worst r2 by 0.5", "solver reported objective -8, recomputed -5"],
    )


@pytest.mark.parametrize(
    "values, claimed, tol, error",
    [
        (OPTIMUM, -3.5, 0.125, 0.125),  # |-3.5 + 4| / 4: exactly the tolerance
        (OPTIMUM, -3.25, 0.125, 0.1875),
        ([0.5, 0.0, 0.0], 0.75, 0.25, 0.25),  # objective 0.5: absolute below 1
        ([0.5, 0.0, 0.0], 0.875, 0.25, 0.375),
    ],
)
def test_claimed_objective_error_is_relative_and_at_least_absolute(values, claimed, tol, error):
    cert = certify(lp(), Result(Status.FEASIBLE, objective=claimed, values=np.array(values)), Tolerances(objective=tol))
    assert cert.objective_error == error
    objective = lp().objective_value(np.array(values))
    assert cert.messages == (
        [] if error <= tol else [f"solver reported objective {claimed:.10g}, recomputed {objective:.10g}"]
    )


def test_a_nan_objective_claim_fails():
    cert = certify(lp(), Result(Status.FEASIBLE, objective=math.nan, values=np.array(OPTIMUM)))
    assert cert.verdict == "fail" and cert.messages == ["solver reported objective nan, recomputed -4"]


def test_no_claimed_objective_no_objective_error():
    cert = certify(lp(), Result(Status.FEASIBLE, values=np.array(OPTIMUM)))
    assert (cert.verdict, cert.objective, cert.objective_error, cert.optimality) == ("pass", -4.0, 0.0, Optimality.NONE)


@pytest.mark.parametrize(
    "sense, bound, ok",
    [
        ("min", -4.0, True),
        ("min", -10.0, True),
        ("min", -3.5, True),  # past the objective -4 by 0.5 = 0.125 * 4: within the tolerance
        ("min", -3.25, False),
        ("max", 4.0, True),
        ("max", 10.0, True),
        ("max", 3.5, True),
        ("max", 3.25, False),
    ],
)
def test_a_claimed_bound_must_not_be_past_the_objective(sense, bound, ok):
    cert = certify(
        lp(sense), Result(Status.FEASIBLE, bound=bound, values=np.array(OPTIMUM)), Tolerances(objective=0.125)
    )
    objective = -4.0 if sense == "min" else 4.0
    assert cert.messages == ([] if ok else [f"bound {bound:.10g} is on the wrong side of objective {objective:.10g}"])
    assert cert.verdict == ("pass" if ok else "fail")


def test_a_claimed_bound_is_relative_to_an_objective_of_at_least_one():
    # x = (0.5, 0, 0): objective 0.5 (min); a bound 0.75 is past it by 0.25 = tol * max(1, 0.5)
    cert = certify(
        lp(), Result(Status.FEASIBLE, bound=0.75, values=np.array([0.5, 0.0, 0.0])), Tolerances(objective=0.25)
    )
    assert cert.messages == []
    cert = certify(
        lp(), Result(Status.FEASIBLE, bound=0.875, values=np.array([0.5, 0.0, 0.0])), Tolerances(objective=0.25)
    )
    assert cert.messages == ["bound 0.875 is on the wrong side of objective 0.5"]


def test_certificate_without_a_solution_still_assesses_the_claim():
    result = Result(Status.INFEASIBLE, ray=np.array([1.0]), solver="highs")
    assert certify(need(3.0, 1.0), result, Tolerances(feasibility=1e-4)) == Certificate(
        verdict="none",
        tolerance=1e-4,
        messages=["no solution to check (infeasible)"],
        optimality=Optimality.PROVEN,
        evidence="Farkas ray checked from the data (margin 0.333)",
    )
    cert = certify(lp(), Result(Status.TIME_LIMIT, values=np.array(OPTIMUM), objective=-4.0))
    assert cert == Certificate(verdict="none", messages=["no solution to check (time_limit)"])


def test_certificate_of_a_structured_answer():
    result = Result(Status.FEASIBLE, objective=14.0, solution=[0, 2])
    assert certify(knapsack(), result) == Certificate(
        verdict="pass",
        objective=14.0,
        optimality=Optimality.PROVEN,
        bound=14.0,
        evidence="Dantzig's linear-relaxation bound from the data: 14",
    )
    cert = certify(knapsack(), Result(Status.OPTIMAL, objective=16.0, solution=[0, 1]))  # weight 9 > 7
    assert cert == Certificate(
        verdict="fail", max_violation=INF, messages=["total weight 9 is more than the capacity 7"]
    )


def test_a_structured_solution_that_cannot_be_read_fails():
    class Fragile(Knapsack):
        def evaluate(self, items):
            raise ValueError("no such item")

    problem = Fragile(np.array([1.0]), np.array([1.0]), 1)
    cert = certify(problem, Result(Status.FEASIBLE, objective=1.0, solution=[0]))
    assert cert == Certificate(
        verdict="fail", max_violation=INF, messages=["solution cannot be evaluated: no such item"]
    )


def test_only_models_and_structured_problems_are_verified():
    with pytest.raises(TypeError, match=r"^cannot verify a dict$"):
        certify({}, Result(Status.OPTIMAL, values=np.zeros(1)))


def test_verify_turns_a_failed_answer_into_an_error():
    result = Result(
        Status.OPTIMAL, objective=-3.5, values=np.array(OPTIMUM), duals=np.array([-0.5, -0.5]), message="ok"
    )
    checked = verify(lp(), result)
    assert checked is result
    assert result.status == Status.ERROR and result.objective == -3.5  # the claim is kept for the record
    assert (
        result.message == "verification failed (solver claimed optimal): solver reported objective -3.5, recomputed -4"
    )
    assert result.certificate.optimality == Optimality.NONE


def test_verify_joins_every_failure():
    result = Result(Status.FEASIBLE, objective=-8.0, values=np.array([0.0, 3.0, 0.0]))
    verify(lp(), result)
    assert result.message == (
        "verification failed (solver claimed feasible): 1 rows violated; worst r2 by 0.5; "
        "solver reported objective -8, recomputed -5"
    )


def test_verify_reports_the_recomputed_objective():
    result = verify(lp(), Result(Status.FEASIBLE, objective=-4.000001, values=np.array(OPTIMUM), message="stopped"))
    assert (result.status, result.objective, result.message) == (Status.FEASIBLE, -4.0, "stopped")


def test_verify_promotes_a_feasible_answer_that_reaches_a_bound():
    result = verify(knapsack(), Result(Status.FEASIBLE, objective=14.0, solution=[2, 0], message="time limit"))
    assert (result.status, result.objective) == (Status.OPTIMAL, 14.0)
    assert result.message == "proven optimal: Dantzig's linear-relaxation bound from the data: 14"
    assert result.certificate.optimality == Optimality.PROVEN


def test_verify_keeps_a_proven_or_a_convex_optimum():
    proven = verify(lp(), Result(Status.OPTIMAL, values=np.array(OPTIMUM), duals=np.array([-0.5, -0.5])))
    assert (proven.status, proven.objective, proven.optimality, proven.message) == (
        Status.OPTIMAL,
        -4.0,
        Optimality.PROVEN,
        "",
    )
    claimed_lp = verify(lp(), Result(Status.OPTIMAL, values=np.array(OPTIMUM), message="done"))
    assert (claimed_lp.status, claimed_lp.optimality, claimed_lp.message) == (
        Status.OPTIMAL,
        Optimality.CLAIMED,
        "done",
    )
    convex = verify(qp(), Result(Status.OPTIMAL, values=np.array([1.5, 0.0])))
    assert (convex.status, convex.objective, convex.optimality) == (Status.OPTIMAL, 2.75, Optimality.CLAIMED)


LOCAL = "a local optimum: the model is not known to be convex, so no global claim is made"


@pytest.mark.parametrize(
    "data, values",
    [(nonlinear(), [0.0]), (qrow(1.0, 1.0), [0.5, 0.75]), (dataclasses.replace(qp(), sense="max"), [10.0, 0.0])],
    ids=["nonlinear", "quadratic rows", "nonconvex objective"],
)
def test_verify_demotes_an_unproven_local_optimum(data, values):
    result = verify(data, Result(Status.OPTIMAL, values=np.array(values), solver="ipopt"))
    assert (result.status, result.message, result.certificate.evidence) == (Status.FEASIBLE, LOCAL, LOCAL)
    assert result.optimality == Optimality.CLAIMED
    kept = verify(data, Result(Status.OPTIMAL, values=np.array(values), message="converged"))
    assert (kept.status, kept.message, kept.certificate.evidence) == (Status.FEASIBLE, "converged", LOCAL)
    # a global method's optimum stays a (claimed) optimum
    searched = verify(
        data, Result(Status.OPTIMAL, values=np.array(values), solver="scip", extra={"global_search": True})
    )
    assert (searched.status, searched.message, searched.certificate.evidence) == (
        Status.OPTIMAL,
        "",
        claimed(Status.OPTIMAL, "scip"),
    )
    # a feasible answer is not a claim to demote
    feasible = verify(data, Result(Status.FEASIBLE, values=np.array(values)))
    assert (feasible.status, feasible.message, feasible.certificate.evidence) == (Status.FEASIBLE, "", "")


def test_certificate_reports_integrality_within_the_tolerance():
    data = make([1.0], [[1.0]], [-INF], [10.0], [2.0], [5.0], vtype=[VarType.INTEGER])
    cert = certify(data, Result(Status.FEASIBLE, values=np.array([3.25])), Tolerances(integrality=0.25))
    assert (cert.verdict, cert.integrality_violation, cert.max_violation, cert.objective) == ("pass", 0.25, 0.0, 3.25)


def test_verify_uses_the_given_tolerances():
    result = verify(
        lp(), Result(Status.FEASIBLE, objective=-3.5, values=np.array(OPTIMUM)), Tolerances(objective=0.125)
    )
    assert (result.status, result.objective, result.certificate.objective_error) == (Status.FEASIBLE, -4.0, 0.125)


# ---- a tiny multiplier on a big row: set to 0 before the bound is computed, never dropped after ----
def test_a_tiny_multiplier_on_a_big_row_does_not_prove_a_wrong_optimum():
    # min x1 over [-10, 10] with r1: 1e8 x1 <= 1e9: the optimum is -10. The claim "0 at x1 = 0"
    # with y1 = 1e-8 on r1's infinite lower side: reduced cost 1 - 1e8 * 1e-8 = 0, and the row
    # term y1 * (1e8 x1) >= -10 (not >= 0) is dropped: bound 0, "proven".
    data = make([1.0], [[1e8]], [-INF], [1e9], [-10.0], [10.0])
    result = verify(data, Result(Status.OPTIMAL, objective=0.0, values=np.array([0.0]), duals=np.array([1e-8])))
    assert result.optimality != Optimality.PROVEN


def test_a_tiny_farkas_multiplier_on_a_big_row_does_not_prove_a_feasible_model_infeasible():
    # r1: x1 + x2 >= 3, r2: -1e10 x2 <= 0, 0 <= x1 <= 2, 0 <= x2 <= 1e11: feasible at (2, 1).
    # y = (1, 1e-10): y'A = (1, 0), so y'Ax <= 2 over the box; r2's term 1e-10 * (-1e10 x2) =
    # -x2 is dropped as round-off, so the rows "give" y'Ax >= 3: margin 1/3, "proven".
    data = make([0.0, 0.0], [[1, 1], [0, -1e10]], [3.0, -INF], [INF, 0.0], [0, 0], [2, 1e11])
    assert certify(data, Result(Status.FEASIBLE, values=np.array([2.0, 1.0]))).verdict == "pass"
    result = verify(data, Result(Status.INFEASIBLE, ray=np.array([1.0, 1e-10])))
    assert result.optimality != Optimality.PROVEN
