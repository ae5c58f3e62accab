"""Value of time: how much an answer is worth when it arrives after t seconds, and the expected
utility of a solver under a predicted log-normal runtime distribution (after Kleinberg et al.,
"Formalizing Preferences Over Runtime Distributions": rank solvers by expected utility, not mean
runtime; a solver with a heavy tail loses to a steady one under a deadline).

Forms (CLI `--utility`, or `--deadline S` for the first one):
- `deadline:S`  value 1 up to S seconds, 0 after;
- `linear:S`    value 1 - t/S, 0 after S;
- `exp:H`       value 2^(-t/H) (halves every H seconds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from omnisolve.errors import InputError

KINDS = ("deadline", "linear", "exp")


@dataclass(frozen=True)
class Utility:
    kind: str
    scale: float  # seconds: the deadline, the zero point, or the half-life

    def value(self, t: np.ndarray | float) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        if self.kind == "deadline":
            return (t <= self.scale).astype(float)
        if self.kind == "linear":
            return np.clip(1.0 - t / self.scale, 0.0, 1.0)
        return np.power(2.0, -t / self.scale)

    @property
    def horizon(self) -> float:
        """After this many seconds the answer is worth (nearly) nothing: a natural time limit."""
        return self.scale if self.kind != "exp" else 10.0 * self.scale

    def __str__(self) -> str:
        return f"{self.kind}:{self.scale:g}"


def parse(text: str) -> Utility:
    """`deadline:S`, `linear:S` or `exp:H` (S, H seconds > 0); InputError otherwise."""
    kind, _, number = text.partition(":")
    try:
        scale = float(number)
    except ValueError:
        scale = math.nan
    if kind not in KINDS or not scale > 0 or not math.isfinite(scale):
        raise InputError(f"bad utility {text!r}: use deadline:S, linear:S or exp:HALF_LIFE with seconds > 0")
    return Utility(kind, scale)


def expected_utility(utility: Utility, mu: float, sigma: float, time_limit: float) -> float:
    """E[u(T)] for log10 T ~ N(mu, sigma), counting nothing after `time_limit` (no answer)."""
    edges = np.logspace(-3, math.log10(time_limit), 200)
    if utility.scale < time_limit:  # a deadline's step falls exactly on an edge
        edges = np.union1d(edges, [utility.scale])
    cdf = ndtr((np.log10(edges) - mu) / sigma)
    mids = np.sqrt(edges[1:] * edges[:-1])
    first = cdf[0] * float(utility.value(edges[0]))
    return float(first + np.sum(np.diff(cdf) * utility.value(mids)))


def within(mu: float, sigma: float, seconds: float) -> float:
    """P(T <= seconds) for log10 T ~ N(mu, sigma) (sigma 0: certain)."""
    if sigma <= 0:
        return float(mu <= math.log10(seconds))
    return float(ndtr((math.log10(seconds) - mu) / sigma))


def expected_seconds(mu: float, sigma: float) -> float:
    """The mean of the log-normal runtime (what a mean-runtime selector minimizes)."""
    ln10 = math.log(10.0)
    return math.exp(mu * ln10 + 0.5 * (sigma * ln10) ** 2)
