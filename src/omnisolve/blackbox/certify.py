"""The certificate of a black-box answer: the point is in the box, integral where it must be,
and satisfies g(x) <= 0 (within FEASIBILITY_TOL). No optimality is ever claimed: a black box
gives no bound."""

from __future__ import annotations

import numpy as np

from omnisolve.blackbox.space import Space
from omnisolve.result import Certificate, Optimality, Verdict

FEASIBILITY_TOL = 1e-6  # absolute, on each g(x); the verifier's default feasibility tolerance
NO_CLAIM = "a black-box search proves no bound: the best point found, with no optimality claim"


def largest(g: np.ndarray | None) -> float:
    """max g(x) (0 without constraints; inf when a value is not finite)."""
    if g is None or g.size == 0:
        return 0.0
    return float(np.max(g)) if np.isfinite(g).all() else float("inf")


def certificate(space: Space, x: np.ndarray, objective: float, g: np.ndarray | None, how: str) -> Certificate:
    """Check `x` against the box, the integer mask and `g` (= g(x), found as `how` says)."""
    bound, integral = space.violations(x)
    worst = largest(g)
    messages = []
    if bound > 0:
        messages.append(f"x leaves the bounds by {bound:.3g}")
    if integral > 0:
        messages.append(f"an integer coordinate of x is {integral:.3g} from an integer")
    if not worst <= FEASIBILITY_TOL:
        messages.append(f"g(x) <= 0 fails: max g(x) = {worst:.6g} ({how})")
    return Certificate(
        verdict=Verdict.FAIL if messages else Verdict.PASS,
        objective=objective,
        max_violation=max(bound, worst, 0.0),
        integrality_violation=integral,
        tolerance=FEASIBILITY_TOL,
        messages=messages,
        optimality=Optimality.NONE,
        evidence=f"bounds, integrality and g(x) <= 0 checked at x ({how}); {NO_CLAIM}",
    )
