"""A continuous `ProblemData` as a CasADi NLP, and one IPOPT run on it (the `ipopt` backend's
engine; it imports casadi, so load it lazily).

The linear and quadratic parts become CasADi expressions, so IPOPT gets their exact first and
second derivatives. Each Python callable (the objective's, each nonlinear constraint's) becomes a
`casadi.Callback` whose Jacobian is the model's gradient or Jacobian where given, central
finite differences otherwise (2n calls: forward ones err by about 1e-8 times the curvature,
which keeps IPOPT's dual infeasibility above its tolerance, so it never converges). IPOPT then
approximates the Hessian by L-BFGS, as second derivatives of a callable are not known. A
callable that raises, or returns the wrong number of values, is told to IPOPT as NaN (which
backtracks from it) and the error is kept for the message.

IPOPT's MUMPS is sequential, but the OpenBLAS bundled with CasADi starts a thread per core when
the IPOPT plugin loads and keeps them spinning: the plugin is loaded with
OPENBLAS_NUM_THREADS=1, so a run uses the one core it reserved.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

import casadi as ca
import numpy as np
import scipy.sparse as sp

from omnisolve.model import NonlinearConstraint, ProblemData, Sense
from omnisolve.verify.convexity import hessian

FD_STEP = float(np.finfo(float).eps ** (1 / 3))  # central differences: step FD_STEP * max(1, |x_j|)
MAX_ITER = 3000
TOL = 1e-8  # IPOPT's overall (scaled) tolerance
CONSTR_VIOL_TOL = 1e-8  # absolute, well inside the verifier's 1e-6 relative


@dataclass
class Run:
    """What one IPOPT run returned."""

    x: np.ndarray
    lam_g: np.ndarray  # multipliers of g = (linear rows, quadratic rows, nonlinear rows)
    status: str  # IPOPT's return status, e.g. "Solve_Succeeded", "Infeasible_Problem_Detected"
    success: bool
    iterations: int


@dataclass
class Nlp:
    """The CasADi form of a `ProblemData`: minimize f(x) s.t. lbg <= g(x) <= ubg, lbx <= x <= ubx
    (f is the objective negated for a maximization). `hess_lag` is the Lagrangian's Hessian of a
    model without callables (None: IPOPT's L-BFGS approximation)."""

    data: ProblemData
    x: Any
    f: Any
    g: Any
    lbg: np.ndarray
    ubg: np.ndarray
    hess_lag: Any = None
    callbacks: list[Any] = field(default_factory=list)  # kept alive while CasADi calls them
    errors: list[str] = field(default_factory=list)  # the callables' failures in the last run
    solver: Any = None  # the `casadi.nlpsol`, made at the first solve and kept for the others
    watch: Any = None

    def solve(self, x0: np.ndarray, seconds: float, stop: Callable[[], bool]) -> Run:
        """IPOPT from `x0`, asking `stop()` at every iteration; the first run's `seconds` is
        also IPOPT's own wall-time limit (later runs have less time, which `stop` watches)."""
        if self.solver is None:
            self.solver = self._solver(seconds)
        self.watch.stop = stop
        self.errors.clear()  # this run's failures only
        out = self.solver(x0=x0, lbx=self.data.lb, ubx=self.data.ub, lbg=self.lbg, ubg=self.ubg)
        stats = self.solver.stats()
        return Run(
            x=_vector(out["x"]),
            lam_g=_vector(out["lam_g"]),
            status=str(stats["return_status"]),
            success=bool(stats["success"]),
            iterations=int(stats.get("iter_count", 0)),
        )

    def _solver(self, seconds: float) -> Any:
        self.watch = _Watch(self.data.num_variables, len(self.lbg))
        options: dict[str, Any] = {
            "print_time": False,
            "show_eval_warnings": False,
            "iteration_callback": self.watch,
            "ipopt": {
                "print_level": 0,
                "sb": "yes",
                "max_wall_time": max(seconds, 1e-3),
                "max_iter": MAX_ITER,
                "tol": TOL,
                "constr_viol_tol": CONSTR_VIOL_TOL,
                "hessian_approximation": "limited-memory" if self.hess_lag is None else "exact",
            },
        }
        if self.hess_lag is not None:
            options["hess_lag"] = self.hess_lag
        problem = {"x": self.x, "f": self.f} | ({"g": self.g} if len(self.lbg) else {})
        with _one_blas_thread():
            return ca.nlpsol(self.data.name or "nlp", "ipopt", problem, options)


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """OPENBLAS_NUM_THREADS=1 while CasADi loads its IPOPT plugin and OpenBLAS (read once, at
    load; numpy's own OpenBLAS is loaded already and keeps its setting), then as it was."""
    before = os.environ.get("OPENBLAS_NUM_THREADS")
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["OPENBLAS_NUM_THREADS"]
        else:
            os.environ["OPENBLAS_NUM_THREADS"] = before


def build(data: ProblemData, x0: np.ndarray) -> Nlp:
    """The NLP of `data` (see the module's docstring); `x0` is a point at which each nonlinear
    constraint is called once, to learn how many values it returns."""
    sign = 1.0 if data.sense == Sense.MIN else -1.0
    x = ca.MX.sym("x", data.num_variables)
    f = ca.dot(ca.DM(sign * data.c), x) + sign * data.c0
    if data.Q is not None and data.Q.nnz:
        f += ca.bilin(_sparse(sign * data.Q), x, x)
    nlp = Nlp(data, x, f, ca.MX(0, 1), np.zeros(0), np.zeros(0))
    if data.nl_objective is not None:
        objective = _Callable(nlp, "objective", data.nl_objective.fun, 1, data.nl_objective.grad)
        nlp.f += sign * objective(x)
    parts, lbg, ubg = [], [data.row_lb], [data.row_ub]
    if data.A.shape[0]:
        parts.append(ca.mtimes(_sparse(data.A), x))
    for row in data.quadratic_rows:
        parts.append(ca.bilin(_sparse(row.Q), x, x) + ca.dot(ca.DM(row.a), x))
        lbg.append(np.array([row.lb]))
        ubg.append(np.array([row.ub]))
    for con in data.nl_constraints:
        m = _size(con, x0)
        parts.append(_Callable(nlp, con.name or "constraint", con.fun, m, con.jac)(x))
        lbg.append(np.broadcast_to(con.lb, m))
        ubg.append(np.broadcast_to(con.ub, m))
    if parts:
        nlp.g = ca.vertcat(*parts)
    nlp.lbg, nlp.ubg = np.concatenate(lbg), np.concatenate(ubg)
    if not data.is_nonlinear:
        nlp.hess_lag = _hess_lag(data, sign, x, len(nlp.lbg))
    return nlp


def _hess_lag(data: ProblemData, sign: float, x: Any, m: int) -> Any:
    """The Hessian of lam_f f + lam_g'g, upper triangle, for a model without callables: a sum of
    constant matrices. Given to IPOPT, it spares CasADi deriving it by automatic differentiation,
    which takes seconds on a dense quadratic of a few hundred variables (about n^3.5)."""
    lam_f, lam_g, p = ca.MX.sym("lam_f"), ca.MX.sym("lam_g", m), ca.MX.sym("p", 0)
    n = data.num_variables
    hess = ca.MX(n, n)
    if data.Q is not None and data.Q.nnz:
        hess += lam_f * _sparse(sign * hessian(data.Q))
    first = int(data.A.shape[0])
    for k, row in enumerate(data.quadratic_rows):
        hess += lam_g[first + k] * _sparse(hessian(row.Q))
    names = (["x", "p", "lam:f", "lam:g"], ["hess:gamma:x:x"])
    return ca.Function("hess_lag", [x, p, lam_f, lam_g], [ca.triu(hess)], *names)


def _size(con: NonlinearConstraint, x0: np.ndarray) -> int:
    """The number of values of `con`: as many as it returns at x0 (its sides broadcast to them,
    as the verifier does), or as its sides have when it fails there."""
    try:
        return int(np.broadcast_shapes(np.shape(np.ravel(con.fun(x0))), con.lb.shape, con.ub.shape)[0])
    except Exception:
        return int(np.broadcast_shapes(con.lb.shape, con.ub.shape)[0])


def _sparse(M: sp.spmatrix) -> Any:
    """A scipy sparse matrix as a CasADi DM (built from its CSC arrays: 4x faster than `ca.DM(M)`)."""
    csc = sp.csc_matrix(M, dtype=float)
    csc.sort_indices()
    return ca.DM(ca.Sparsity(*csc.shape, csc.indptr.tolist(), csc.indices.tolist()), csc.data)


def _vector(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=float).ravel()


class _Callable(ca.Callback):
    """x -> fun(x) (m values) for CasADi, its Jacobian by `jac` or forward differences."""

    def __init__(self, nlp: Nlp, name: str, fun: Callable[..., Any], m: int, jac: Callable[..., Any] | None):
        ca.Callback.__init__(self)
        self.nlp, self.fun, self.m, self.jac = nlp, fun, m, jac
        self.n = nlp.data.num_variables
        nlp.callbacks.append(self)
        self.construct(f"{name}_{len(nlp.callbacks)}", {})

    def get_n_in(self) -> int:
        return 1

    def get_n_out(self) -> int:
        return 1

    def get_sparsity_in(self, i: int) -> Any:
        return ca.Sparsity.dense(self.n, 1)

    def get_sparsity_out(self, i: int) -> Any:
        return ca.Sparsity.dense(self.m, 1)

    def eval(self, arg: list[Any]) -> list[Any]:
        return [ca.DM(self.values(_vector(arg[0])))]

    def values(self, x: np.ndarray) -> np.ndarray:
        """fun(x) as m floats; NaN (and the error kept) when it raises or has another size."""
        try:
            value = np.asarray(self.fun(x), dtype=float).ravel()
            if value.shape != (self.m,):
                raise ValueError(f"returned {value.size} values, expected {self.m}")
            return value
        except Exception as exc:
            self.nlp.errors.append(f"{self.name()}: {type(exc).__name__}: {exc}")
            return np.full(self.m, np.nan)

    def has_jacobian(self) -> bool:
        return True

    def get_jacobian(self, name: str, inames: list[str], onames: list[str], opts: dict[str, Any]) -> Any:
        return _Jacobian(self, name, opts)


class _Jacobian(ca.Callback):
    """(x, fun(x)) -> the m x n Jacobian of a `_Callable`: its `jac`, else finite differences."""

    def __init__(self, of: _Callable, name: str, opts: dict[str, Any]):
        ca.Callback.__init__(self)
        self.of = of
        of.nlp.callbacks.append(self)
        self.construct(name, opts)

    def get_n_in(self) -> int:
        return 2

    def get_n_out(self) -> int:
        return 1

    def get_sparsity_in(self, i: int) -> Any:
        return ca.Sparsity.dense(self.of.n if i == 0 else self.of.m, 1)

    def get_sparsity_out(self, i: int) -> Any:
        return ca.Sparsity.dense(self.of.m, self.of.n)

    def eval(self, arg: list[Any]) -> list[Any]:
        of, x = self.of, _vector(arg[0])
        if of.jac is not None:
            try:
                return [ca.DM(np.asarray(of.jac(x), dtype=float).reshape(of.m, of.n))]
            except Exception as exc:
                of.nlp.errors.append(f"{of.name()} Jacobian: {type(exc).__name__}: {exc}")
                return [ca.DM(np.full((of.m, of.n), np.nan))]
        return [ca.DM(self.differences(x, _vector(arg[1])))]

    def differences(self, x: np.ndarray, base: np.ndarray) -> np.ndarray:
        """Central differences (error O(step^2), so IPOPT can meet its tolerance), one-sided
        from `base` = fun(x) where a step would leave the variable's bounds."""
        of, lb, ub = self.of, self.of.nlp.data.lb, self.of.nlp.data.ub
        jac = np.empty((of.m, of.n))
        for j in range(of.n):
            step = FD_STEP * max(1.0, abs(x[j]))
            up, down = x.copy(), x.copy()
            up[j], down[j] = x[j] + step, x[j] - step
            if lb[j] <= down[j] and up[j] <= ub[j]:
                jac[:, j] = (of.values(up) - of.values(down)) / (2 * step)
            elif up[j] <= ub[j]:
                jac[:, j] = (of.values(up) - base) / step
            else:
                jac[:, j] = (base - of.values(down)) / step
        return jac


class _Watch(ca.Callback):
    """IPOPT's iteration callback: asks `stop()` and ends the run (User_Requested_Stop) on True."""

    def __init__(self, n: int, m: int):
        ca.Callback.__init__(self)
        self.n, self.m = n, m
        self.stop: Callable[[], bool] = lambda: False
        self.construct("watch", {})

    def get_n_in(self) -> int:
        return int(ca.nlpsol_n_out())

    def get_n_out(self) -> int:
        return 1

    def get_name_in(self, i: int) -> str:
        return str(ca.nlpsol_out(i))

    def get_name_out(self, i: int) -> str:
        return "stop"

    def get_sparsity_in(self, i: int) -> Any:
        size = {"f": 1, "x": self.n, "lam_x": self.n, "g": self.m, "lam_g": self.m}.get(ca.nlpsol_out(i), 0)
        return ca.Sparsity.dense(size, 1) if size else ca.Sparsity(0, 0)

    def eval(self, arg: list[Any]) -> list[Any]:
        return [1 if self.stop() else 0]
