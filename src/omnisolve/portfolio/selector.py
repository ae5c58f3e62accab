"""The learned solver selector: per solver, a random forest regressing log10 of the cost
on the instance's features (class one-hot + signed-log features), and the spread of its
out-of-bag residuals, so each prediction is a log-normal runtime distribution.

Trained with scikit-learn by `omnisolve.bench.training`; stored as JSON node arrays (no pickle),
predicted with numpy in well under a millisecond per solver. The package ships one selector per
training time limit (data/selectors/*.json): which solver is best depends on the time given, so
a solve asks the one trained nearest its own limit (`default_selector`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from omnisolve.errors import InputError

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "selectors"  # one JSON per training time limit
MIN_SIGMA = 0.1  # log10 units: no prediction is trusted to better than a factor 1.26
MIN_SAMPLES = 8  # fewer training instances: no selector (the rule-based choice stays)


def encode(cls: str, features: dict[str, float], classes: list[str], names: list[str]) -> np.ndarray:
    """The model input: one-hot class, then sign(x) log10(1 + |x|) of each named feature (0 if absent)."""
    onehot = [1.0 if cls == c else 0.0 for c in classes]
    raw = np.array([features.get(n, 0.0) for n in names], dtype=float)
    raw = np.nan_to_num(raw, nan=0.0, posinf=1e12, neginf=-1e12)
    return np.concatenate([onehot, np.sign(raw) * np.log10(1.0 + np.abs(raw))])


@dataclass
class Forest:
    """Regression trees as node arrays (left/right child, feature, threshold, leaf value)."""

    trees: list[dict[str, list]]

    def predict(self, x: np.ndarray) -> float:
        total = 0.0
        for t in self.trees:
            node = 0
            left, right, feature, threshold = t["left"], t["right"], t["feature"], t["threshold"]
            while left[node] >= 0:
                node = left[node] if x[feature[node]] <= threshold[node] else right[node]
            total += t["value"][node]
        return total / len(self.trees)

    @classmethod
    def from_sklearn(cls, forest: Any) -> "Forest":
        trees = []
        for est in forest.estimators_:
            t = est.tree_
            trees.append(
                {
                    "left": t.children_left.tolist(),
                    "right": t.children_right.tolist(),
                    "feature": t.feature.tolist(),
                    "threshold": np.round(t.threshold, 9).tolist(),
                    "value": np.round(t.value[:, 0, 0], 6).tolist(),
                }
            )
        return cls(trees)


@dataclass
class SolverModel:
    forest: Forest
    sigma: float  # std of log10 cost residuals (out of bag)
    classes: list[str]  # classes this solver was run on (and solved at least once)


@dataclass
class Selector:
    """Predicts, per solver, a log-normal distribution of its cost (`bench.metrics.answer_cost`) on an instance."""

    time_limit: float
    classes: list[str]
    feature_names: list[str]
    models: dict[str, SolverModel]
    info: dict[str, Any] = field(default_factory=dict)

    def provers(self, cls: str) -> list[str]:
        """The solvers that proved an answer on some training instance of class `cls`."""
        return list(self.info.get("provers", {}).get(cls, []))

    def candidates(self, cls: str) -> list[str]:
        return [s for s, m in self.models.items() if cls in m.classes]

    def predict(
        self, cls: str, features: dict[str, float], solvers: list[str] | None = None
    ) -> dict[str, tuple[float, float]]:
        """solver -> (mu, sigma) of log10 cost, for `solvers` (default: those seen on `cls`)."""
        x = encode(cls, features, self.classes, self.feature_names)
        names = [s for s in (solvers or self.candidates(cls)) if s in self.models]
        return {s: (self.models[s].forest.predict(x), self.models[s].sigma) for s in names}

    def rank(
        self, cls: str, features: dict[str, float], solvers: list[str] | None = None, utility: Any = None
    ) -> list[str]:
        """Solvers best first: by predicted mean cost (the log-normal's mean, so an uncertain
        prediction counts against a solver), or by expected utility when one is given (then by
        mean cost among equals: a heuristic's unproven answer is worth 0 under a deadline). The
        class's single best solver in training stays first unless another is predicted to be
        faster in the median: on families it never saw, the forests extrapolate, and the class's
        best is the safer bet (leave-one-family-out: 1.14 x the virtual best instead of 1.42 x;
        docs/portfolio.md)."""
        from omnisolve.portfolio.utility import expected_seconds, expected_utility

        pred = self.predict(cls, features, solvers)
        if utility is not None:  # ties (no proof expected in time: utility 0) go by expected cost
            return sorted(
                pred,
                key=lambda s: (
                    -round(expected_utility(utility, *pred[s], self.time_limit), 6),
                    expected_seconds(*pred[s]),
                ),
            )
        order = sorted(pred, key=lambda s: expected_seconds(*pred[s]))
        best = self.info.get("class_best", {}).get(cls)
        if best in pred and order[0] != best and pred[order[0]][0] >= pred[best][0]:
            return [best] + [s for s in order if s != best]
        return order

    def schedule(
        self, cls: str, features: dict[str, float], k: int = 2, solvers: list[str] | None = None, utility: Any = None
    ) -> list[str]:
        """The top-k solvers to race; only those predicted within 100x of the best."""
        ranked = self.rank(cls, features, solvers, utility)
        if not ranked:
            return []
        pred = self.predict(cls, features, ranked)
        best = pred[ranked[0]][0]
        return [s for s in ranked[:k] if pred[s][0] <= best + 2.0]

    # ---- JSON ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "omnisolve-selector/1",
            "time_limit": self.time_limit,
            "classes": self.classes,
            "feature_names": self.feature_names,
            "info": self.info,
            "models": {
                s: {"sigma": m.sigma, "classes": m.classes, "trees": m.forest.trees} for s, m in self.models.items()
            },
        }

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), separators=(",", ":")))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Selector":
        models = {
            s: SolverModel(Forest(m["trees"]), float(m["sigma"]), list(m["classes"])) for s, m in d["models"].items()
        }
        return cls(
            float(d["time_limit"]), list(d["classes"]), list(d["feature_names"]), models, dict(d.get("info", {}))
        )

    @classmethod
    def load(cls, path: Path) -> "Selector":
        try:
            d = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the selector: {exc}", path=str(path)) from None
        if d.get("format") != "omnisolve-selector/1":
            raise InputError("not an omnisolve selector (format omnisolve-selector/1 expected)", path=str(path))
        return cls.from_dict(d)


@lru_cache(maxsize=1)
def shipped_limits() -> dict[float, Path]:
    """Training time limit -> file of each selector shipped in the package (`{limit}s.json`),
    read from the names alone: a solve loads only the one it asks for."""
    return {float(p.stem.removesuffix("s")): p for p in SHIPPED.glob("*s.json")}


@lru_cache(maxsize=None)
def _shipped(path: Path) -> Selector:
    return Selector.load(path)


def default_selector(time_limit: float | None = None) -> Selector | None:
    """The shipped selector trained nearest `time_limit` (by ratio: 3 s goes to 5 s rather than
    1 s); for an unknown limit the longest-trained one; None when the package ships none."""
    limits = shipped_limits()
    if not limits:
        return None
    if time_limit is None or time_limit <= 0:
        return _shipped(limits[max(limits)])
    return _shipped(limits[min(limits, key=lambda t: abs(np.log(t / time_limit)))])
