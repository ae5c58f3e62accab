"""Training of the learned solver selector (`omnisolve.portfolio.selector`) on benchmark runs:
one scikit-learn random forest per solver, fitted on answer costs (log10), kept with the spread
of its out-of-bag residuals. scikit-learn is imported here only."""

from __future__ import annotations

import warnings

import numpy as np

from omnisolve.bench.dataset import Dataset
from omnisolve.errors import InputError
from omnisolve.portfolio.selector import MIN_SAMPLES, MIN_SIGMA, Forest, Selector, SolverModel, encode


def train(data: Dataset, trees: int = 40, depth: int = 6, seed: int = 0) -> Selector:
    """Fit one forest per solver on the instances it was run on (`metrics.answer_cost`, log10)."""
    from sklearn.ensemble import RandomForestRegressor

    if len(data.samples) < MIN_SAMPLES:
        raise InputError(f"too few instances to train a selector: {len(data.samples)} (at least {MIN_SAMPLES})")
    classes = sorted({s.cls for s in data.samples})
    names = sorted({k for s in data.samples for k in s.features})
    models = {}
    for solver in data.solvers:
        mine = [s for s in data.samples if solver in s.cost]
        solved_classes = sorted({s.cls for s in mine if s.cost[solver] < 10 * data.time_limit})
        if not solved_classes:
            continue
        X = np.array([encode(s.cls, s.features, classes, names) for s in mine])
        y = np.log10(np.array([max(s.cost[solver], 1e-3) for s in mine]))
        with warnings.catch_warnings():  # with few trees some instances are in every bootstrap
            warnings.simplefilter("ignore", UserWarning)
            forest = RandomForestRegressor(
                n_estimators=trees, max_depth=depth, min_samples_leaf=1, oob_score=len(mine) >= 5, random_state=seed
            ).fit(X, y)
        residual = y - _out_of_bag(forest, X)
        sigma = max(float(np.sqrt(np.mean(residual**2))), MIN_SIGMA)
        models[solver] = SolverModel(Forest.from_sklearn(forest), round(sigma, 6), solved_classes)
    provers = {c: sorted({v for s in data.samples if s.cls == c for v in s.proved}) for c in classes}
    info = {
        "instances": len(data.samples),
        "solvers": data.solvers,
        "trees": trees,
        "depth": depth,
        "provers": provers,
        "class_best": {c: _class_best(data, c) for c in classes},
    }
    return Selector(data.time_limit, classes, names, models, info)


def _class_best(data: Dataset, cls: str) -> str:
    """The solver with the least total cost on the class's training instances."""
    mine = [s for s in data.samples if s.cls == cls]
    solvers = sorted({v for s in mine for v in s.cost})
    return min(solvers, key=lambda v: sum(s.cost.get(v, 10 * data.time_limit) for s in mine))


def _out_of_bag(forest, X: np.ndarray) -> np.ndarray:
    """Each instance's prediction by the trees that did not see it; the whole forest's for an
    instance every tree saw (or when the forest kept no out-of-bag predictions)."""
    if not getattr(forest, "oob_score", False):
        return forest.predict(X)
    unseen = np.zeros(len(X), dtype=bool)
    for drawn in forest.estimators_samples_:
        unseen[np.setdiff1d(np.arange(len(X)), drawn)] = True
    return np.where(unseen, forest.oob_prediction_, forest.predict(X))
