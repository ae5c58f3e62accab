"""The search space of a black-box problem: a finite box with some integer coordinates.

Every method searches the unit cube [0, 1]^n; `Space.point` maps a unit point to the user's box
(integer coordinates rounded, so every point handed to the user is in bounds and integral) and
`Space.unit` maps a user's point back (for a start `x0`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from omnisolve.errors import ModelError


class Space:
    """`bounds`: (lo, hi) per coordinate, finite, lo <= hi; `integer`: a boolean mask of the
    coordinates that take integer values only (None: none)."""

    def __init__(self, bounds: Any, integer: Any = None):
        try:
            box = np.asarray(bounds, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ModelError(f"bounds must be a list of (lo, hi) pairs of numbers: {exc}") from None
        if box.ndim != 2 or box.shape[1] != 2 or box.shape[0] == 0:
            raise ModelError(f"bounds must be a non-empty list of (lo, hi) pairs, got shape {box.shape}")
        bad = np.flatnonzero(~np.isfinite(box).all(axis=1) | (box[:, 0] > box[:, 1]))
        if bad.size:
            k = int(bad[0])
            raise ModelError(
                f"bounds[{k}] = ({box[k, 0]:g}, {box[k, 1]:g}): a black-box search needs finite lo <= hi "
                f"on every coordinate ({bad.size} bad)"
            )
        self.lo, self.hi = box[:, 0].copy(), box[:, 1].copy()
        self.integer = self._mask(integer)
        # integer coordinates range over the integers in [lo, hi]
        self.lo[self.integer] = np.ceil(self.lo[self.integer])
        self.hi[self.integer] = np.floor(self.hi[self.integer])
        empty = np.flatnonzero(self.lo > self.hi)
        if empty.size:
            k = int(empty[0])
            raise ModelError(
                f"bounds[{k}] = ({box[k, 0]:g}, {box[k, 1]:g}) holds no integer, but coordinate {k} is integer"
            )
        # the width a unit coordinate spans: one more than hi - lo for integers, so each integer gets an equal share
        self._width = self.hi - self.lo + self.integer

    def _mask(self, integer: Any) -> np.ndarray:
        if integer is None:
            return np.zeros(self.dimension, dtype=bool)
        mask = np.asarray(integer)
        if mask.shape != (self.dimension,) or mask.dtype.kind not in "bui" or not np.isin(mask, (0, 1)).all():
            raise ModelError(f"integer must be a boolean mask of {self.dimension} entries, got {mask.tolist()!r}")
        return mask.astype(bool)

    @property
    def dimension(self) -> int:
        return len(self.lo)

    @property
    def integer_share(self) -> float:
        return float(self.integer.mean())

    @property
    def bounds(self) -> list[tuple[float, float]]:
        """The box as (lo, hi) pairs (integer coordinates narrowed to the integers in them)."""
        return list(zip(self.lo.tolist(), self.hi.tolist()))

    def point(self, unit: np.ndarray) -> np.ndarray:
        """The user's point for a unit point (clipped into the cube first)."""
        x = self.lo + np.clip(np.asarray(unit, dtype=float), 0.0, 1.0) * self._width
        x[self.integer] = np.minimum(np.floor(x[self.integer]), self.hi[self.integer])
        return np.clip(x, self.lo, self.hi)

    def unit(self, x: Any) -> np.ndarray:
        """The unit point `point` maps to `x` (`ModelError` unless `x` is a point of the box)."""
        x = np.asarray(x, dtype=float)
        if x.shape != (self.dimension,) or not np.isfinite(x).all():
            raise ModelError(f"x0 must be {self.dimension} finite numbers, got {x.tolist()!r}")
        outside = np.flatnonzero((x < self.lo) | (x > self.hi) | (self.integer & (x != np.round(x))))
        if outside.size:
            k = int(outside[0])
            raise ModelError(f"x0[{k}] = {x[k]:g} is not a point of bounds[{k}] = ({self.lo[k]:g}, {self.hi[k]:g})")
        width = np.where(self._width > 0, self._width, 1.0)
        return np.where(self._width > 0, (x - self.lo + 0.5 * self.integer) / width, 0.5)

    def violations(self, x: np.ndarray) -> tuple[float, float]:
        """(largest excess over a bound, largest distance of an integer coordinate from an integer)."""
        bound = float(np.maximum(np.maximum(self.lo - x, x - self.hi), 0.0).max())
        integral = float(np.abs(x - np.round(x))[self.integer].max(initial=0.0))
        return bound, integral
