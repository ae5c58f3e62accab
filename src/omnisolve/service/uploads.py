"""Turn uploaded bytes into a problem: sniffed by content and the upload's name, never executed."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from omnisolve.errors import InputError, OmnisolveError
from omnisolve.problems import Problem

REFUSED_SUFFIXES = (".py", ".pyc", ".pyw", ".pkl", ".pickle", ".ipynb")


def safe_filename(filename: str | None, default: str = "upload.txt") -> str:
    """The base name of `filename` reduced to harmless characters (for temp files and headers)."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._+-]", "_", base).lstrip(".")[:200]
    return base or default


def parse_problem(content: bytes, filename: str) -> Problem:
    """The problem in `content`, read by `omnisolve.io.read` from a temp file named like the upload
    (so format sniffing works); errors name the upload, not the temp file."""
    from omnisolve.io import read

    name = safe_filename(filename)
    if name.lower().endswith(REFUSED_SUFFIXES):
        raise InputError(
            "Python and pickle files are never run or loaded; upload the model as a data file "
            "(JSON model, MPS/LP, TSPLIB, VRPLIB, job shop, knapsack)",
            path=name,
        )
    with tempfile.TemporaryDirectory(prefix="omnisolve-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        try:
            return read(path)
        except InputError as exc:
            raise InputError(exc.reason, path=name, line=exc.line) from None
        except (OmnisolveError, MemoryError):  # out of memory is said by the process that ran out
            raise
        except Exception as exc:  # any reader failure on user input is an input error, never a 500
            raise InputError(f"cannot read the problem: {type(exc).__name__}: {exc}", path=name) from None


def problem_kind(problem: Problem) -> str:
    """Lower-case problem class: tsp, cvrp, jobshop, knapsack, lp, milp, ..."""
    return str(getattr(problem, "kind", type(problem).__name__)).lower()
