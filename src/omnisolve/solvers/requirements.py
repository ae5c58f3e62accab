"""Shared checks behind backends' `unsupported_reason`: data that must be integral."""

from __future__ import annotations

from typing import Iterable

import numpy as np


def non_integer_reason(solver: str, data: Iterable[tuple[str, np.ndarray]], fallback: str) -> str | None:
    """`"<solver> needs integer <what> (found v); use <fallback>"` for the first array holding a
    fractional value, None when all are integral."""
    for what, values in data:
        values = np.asarray(values)
        bad = np.flatnonzero(values != np.round(values))
        if bad.size:
            return f"{solver} needs integer {what} (found {values.flat[bad[0]]:g}); use {fallback}"
    return None
