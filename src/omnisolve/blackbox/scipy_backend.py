"""SciPy's optimizers on ask/tell: differential evolution, dual annealing, Powell, Nelder-Mead,
COBYLA and COBYQA. SciPy calls the function itself, so each runs in a thread whose function
posts its points to `ask` and waits for `tell` (differential evolution posts a whole generation
at once). A run that ends before the budget is spent is restarted from a random point with a
new seed, so the budget goes to a multistart; points already evaluated are answered from a cache
and cost nothing. COBYLA and COBYQA take the constraints g(x) <= 0 as constraints; the others
see the penalized value."""

from __future__ import annotations

import queue
import threading
import warnings
from typing import Any, Callable

import numpy as np

from omnisolve.blackbox.backend import Backend, Setup, Told

FAILED_G = 1.0  # the constraint values told for a failed evaluation (infeasible, whatever g is)
IDLE_RUNS = 3  # consecutive runs that evaluate nothing new: the method has nothing more to try
JOIN_SECONDS = 5.0

_DONE = object()  # thread -> ask: nothing more to try
_CLOSE = object()  # close -> thread: stop


class _Closed(Exception):
    """Raised inside SciPy's iteration when the black box is closed: the thread ends."""


class Oracle:
    """The thread's side: the function SciPy calls, answered by `tell` through the queues."""

    def __init__(self, requests: queue.Queue[Any], replies: queue.Queue[Any], native: bool, budget: int):
        self._requests, self._replies, self.native = requests, replies, native
        self.budget = budget  # the calls the method may spend
        self._cache: dict[bytes, Told] = {}
        self.constraint_count: int | None = None

    @property
    def evaluated(self) -> int:
        return len(self._cache)

    def told(self, points: list[np.ndarray]) -> list[Told]:
        """The evaluations of `points` (clipped into the unit cube), asking for the new ones."""
        points = [np.clip(np.asarray(p, dtype=float), 0.0, 1.0) for p in points]
        keys = [p.tobytes() for p in points]
        new = list({k: p for k, p in zip(keys, points) if k not in self._cache}.items())
        if new:
            self._requests.put([p for _, p in new])
            reply = self._replies.get()
            if reply is _CLOSE:
                raise _Closed
            for (key, _), told in zip(new, reply):
                self._cache[key] = told
                if told.violations is not None:
                    self.constraint_count = len(told.violations)
        return [self._cache[k] for k in keys]

    def f(self, u: np.ndarray) -> float:
        told = self.told([u])[0]
        return told.value if self.native else told.penalized

    def fs(self, columns: np.ndarray) -> np.ndarray:
        """Vectorized `f` for differential evolution: one point per column."""
        return np.array([t.penalized for t in self.told(list(np.asarray(columns).T))])

    def best(self) -> np.ndarray | None:
        """The evaluated point of least penalized value (None before any evaluation)."""
        if not self._cache:
            return None
        key = min(self._cache, key=lambda k: self._cache[k].penalized)
        return np.frombuffer(key, dtype=float).copy()

    def g(self, u: np.ndarray) -> np.ndarray:
        told = self.told([u])[0]
        if told.violations is not None:
            return told.violations
        return np.full(self.constraint_count or 1, FAILED_G)


#: a run of a SciPy method: (oracle, start in the unit cube, seed) -> None, evaluating through the oracle
Run = Callable[[Oracle, np.ndarray, int], None]


class ScipyBackend(Backend):
    """The thread runs only while the caller waits in `_resume` (SciPy's warnings silenced
    there): the two take turns, as a coroutine would, so a run is deterministic."""

    def __init__(self, setup: Setup, run: Run, native_constraints: bool = False):
        self._setup, self._run = setup, run
        self._native = native_constraints and setup.constrained
        self._requests: queue.Queue[Any] = queue.Queue()
        self._replies: queue.Queue[Any] = queue.Queue()
        self._batch: list[np.ndarray] = []
        self._results: dict[int, Told] = {}
        self._handed = 0
        self._thread: threading.Thread | None = None
        self._error: Exception | None = None

    def ask(self) -> tuple[np.ndarray, Any] | None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._main, name="omnisolve-scipy", daemon=True)
            self._resume(None)
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        if self._handed == len(self._batch):
            return None  # SciPy waits for the points it handed out, or has finished
        k = self._handed
        self._handed += 1
        return self._batch[k], k

    def tell(self, token: Any, told: Told) -> None:
        self._results[token] = told
        if len(self._results) == len(self._batch):
            self._resume([self._results[k] for k in range(len(self._batch))])

    def _resume(self, reply: list[Told] | None) -> None:
        """Hand the thread its reply (None: start it) and wait for its next batch of points."""
        assert self._thread is not None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. L-BFGS-B's "values outside bounds, clipping"
            if reply is None:
                self._thread.start()
            else:
                self._replies.put(reply)
            item = self._requests.get()
        self._batch, self._results, self._handed = [], {}, 0
        if isinstance(item, Exception):
            self._error = item
        elif item is not _DONE:
            self._batch = item

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._replies.put(_CLOSE)
            self._thread.join(JOIN_SECONDS)

    def _main(self) -> None:
        """The thread: runs of the method from the start point (the box's centre without one),
        then from random points, until closed or idle."""
        setup = self._setup
        rng = np.random.default_rng(setup.seed)
        oracle = Oracle(self._requests, self._replies, self._native, setup.budget)
        start = setup.x0 if setup.x0 is not None else np.full(setup.dimension, 0.5)
        idle = 0
        try:
            while idle < IDLE_RUNS:
                before = oracle.evaluated
                if self._knows_constraints(oracle, start):
                    self._run(oracle, start, int(rng.integers(2**31)))
                idle = 0 if oracle.evaluated > before else idle + 1
                start = rng.uniform(0.0, 1.0, setup.dimension)
            self._requests.put(_DONE)
        except _Closed:
            return
        except Exception as exc:  # a SciPy error ends the method; ask raises it in the caller's thread
            self._requests.put(exc)

    def _knows_constraints(self, oracle: Oracle, start: np.ndarray) -> bool:
        """Whether a run may start: a method taking g natively must know how many values g
        returns, learnt by evaluating `start` if no evaluation has told it yet."""
        if not self._native or oracle.constraint_count is not None:
            return True
        return oracle.told([start])[0].violations is not None


def _unit_bounds(dimension: int) -> Any:
    from scipy.optimize import Bounds

    return Bounds(np.zeros(dimension), np.ones(dimension))


def _local(method: str, options: dict[str, Any]) -> Run:
    """A run of `scipy.optimize.minimize` with `method` on the unit box (with the constraints
    g(x) <= 0 when the oracle takes them natively)."""

    def run(oracle: Oracle, start: np.ndarray, seed: int) -> None:
        from scipy.optimize import NonlinearConstraint, minimize

        constraints = [NonlinearConstraint(oracle.g, -np.inf, 0.0)] if oracle.native else []
        minimize(
            oracle.f, start, method=method, bounds=_unit_bounds(len(start)), constraints=constraints, options=options
        )

    return run


def _de(oracle: Oracle, start: np.ndarray, seed: int) -> None:
    from scipy.optimize import differential_evolution

    differential_evolution(
        oracle.fs,
        _unit_bounds(len(start)),
        seed=seed,
        x0=start,
        vectorized=True,
        updating="deferred",
        polish=False,
        tol=1e-8,
    )


def _da(oracle: Oracle, start: np.ndarray, seed: int) -> None:
    from scipy.optimize import dual_annealing

    dual_annealing(oracle.f, _unit_bounds(len(start)), seed=seed, x0=start)


#: COBYQA's options, alone and in `cobyqa-da` / `cobyqa-cma`
_COBYQA = {"initial_tr_radius": 0.25, "final_tr_radius": 1e-10}
#: the share of the budget `cobyqa-da` and `cobyqa-cma` spend on COBYQA's restarts first
MODEL_SHARE = 0.5


def _cobyqa_then(second: Run) -> Run:
    """COBYQA from random restarts on the first MODEL_SHARE of the budget, then `second` from the
    best point so far on the rest. The model method reaches the targets of smooth functions in
    few calls (the first half of the calls is most of a logarithmic budget axis); the second
    method then looks for what the restarts missed."""

    def run(oracle: Oracle, start: np.ndarray, seed: int) -> None:
        left = int(MODEL_SHARE * oracle.budget) - oracle.evaluated
        if left > 0:
            _local("COBYQA", {**_COBYQA, "maxfev": max(left, len(start) + 2)})(oracle, start, seed)
            return
        best = oracle.best()
        second(oracle, start if best is None else best, seed)

    return run


def _cma(oracle: Oracle, start: np.ndarray, seed: int) -> None:
    """pycma's CMA-ES with IPOP restarts (population doubled at each) from `start`, on the calls
    left. After COBYQA (`cobyqa-cma`) it refines to the last digits on more functions than dual
    annealing does (BENCHMARKS.md, the ERT tables at 1,000 calls per dimension)."""
    import cma

    options = {
        "bounds": [0.0, 1.0],
        "seed": seed % 2**31 + 1,
        "verbose": -9,
        "maxfevals": oracle.budget - oracle.evaluated,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cma.fmin2(oracle.f, start, 0.3, options, restarts=9, incpopsize=2)


#: method name -> (run, takes constraints natively)
RUNS: dict[str, tuple[Run, bool]] = {
    "scipy-de": (_de, False),
    "scipy-da": (_da, False),
    "powell": (_local("Powell", {"xtol": 1e-10, "ftol": 1e-12}), False),
    "nelder-mead": (_local("Nelder-Mead", {"xatol": 1e-10, "fatol": 1e-12, "adaptive": True}), False),
    "cobyla": (_local("COBYLA", {"rhobeg": 0.25, "tol": 1e-10}), True),
    "cobyqa": (_local("COBYQA", _COBYQA), True),
    # dual annealing finds basins the restarts missed (Schwefel's function, where COBYQA alone
    # stays in a local optimum); CMA-ES finds them too, and refines further
    "cobyqa-da": (_cobyqa_then(_da), False),
    "cobyqa-cma": (_cobyqa_then(_cma), False),
}


def make(setup: Setup) -> Backend:
    run, native = RUNS[setup.option]
    return ScipyBackend(setup, run, native)
