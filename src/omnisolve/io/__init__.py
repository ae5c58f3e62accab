"""Readers and writers. `read(path)` picks the reader by content and extension (see `sniff`);
`write(problem, path)` picks the writer by extension.

| format | extensions | gives |
|---|---|---|
| omnisolve JSON (docs/json-format.md) | .json | ProblemData or a structured problem |
| MPS / LP | .mps .lp (.gz) | ProblemData |
| TSPLIB | .tsp .atsp | TSP |
| VRPLIB / CVRPLIB | .vrp | CVRP |
| job shop (standard or Taillard) | .txt .jss .jsp, none | JobShop |
| knapsack | .kp | Knapsack |
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from omnisolve.errors import InputError, UnsupportedError
from omnisolve.io.jobshop_text import read_jobshop, write_jobshop
from omnisolve.io.json_model import problem_from_dict, problem_to_dict, read_json, write_json
from omnisolve.io.knapsack_text import read_knapsack, write_knapsack
from omnisolve.io.sniff import detect
from omnisolve.io.tsplib import read_tour, read_tsp
from omnisolve.io.vrplib_reader import read_cvrp, read_cvrp_solution
from omnisolve.model import Model, ProblemData
from omnisolve.problems import JobShop, Knapsack, Problem, StructuredProblem

SUPPORTED = ".json, .mps, .lp, .mps.gz, .lp.gz, .tsp, .vrp, .kp, job-shop text (.txt, .jss)"


def _read_mathprog(path: str, suffix: str) -> ProblemData:
    """MPS or LP through the `mps` module, which chooses by extension: a file whose extension
    does not say `suffix` is read through a link that does, with errors naming the real file."""
    from omnisolve.io.mps import read_mps

    if Path(path).name.lower().endswith((suffix, suffix + ".gz")):
        return read_mps(path)
    with tempfile.TemporaryDirectory() as tmp:
        link = Path(tmp) / (Path(path).name.split(".")[0] + suffix)
        os.symlink(os.path.abspath(path), link)
        try:
            return read_mps(link, shown_name=Path(path).name)
        except InputError as exc:
            raise InputError(exc.reason, path=path, line=exc.line) from None


def _read_tour_file(path: str) -> Problem:
    raise InputError("this is a TSPLIB tour, not a problem: read it with omnisolve.io.read_tour", path=path)


READERS: dict[str, Callable[[str], Problem]] = {
    "json": read_json,
    "tsp": read_tsp,
    "cvrp": read_cvrp,
    "tour": _read_tour_file,
    "mps": lambda path: _read_mathprog(path, ".mps"),
    "lp": lambda path: _read_mathprog(path, ".lp"),
    "jobshop": read_jobshop,
    "knapsack": read_knapsack,
}


def read(path: str | os.PathLike) -> Problem:
    """Read a problem from any supported file; `InputError` names the file (and line) on failure."""
    name = os.fspath(path)
    if not os.path.exists(name):
        raise InputError("file not found", path=name)
    if not os.path.isfile(name):
        raise InputError("not a regular file", path=name)
    fmt = detect(name)
    if fmt is None:
        raise InputError(f"unknown file format; supported: {SUPPORTED}", path=name)
    return READERS[fmt](name)


def _as_data(problem: Problem | Model) -> ProblemData:
    if isinstance(problem, Model):
        return problem.compile()
    if isinstance(problem, StructuredProblem):
        return problem.to_model().compile()
    return problem


def write(problem: Problem | Model, path: str | os.PathLike) -> None:
    """Write `problem` in the format its extension names: .json (any problem), .mps / .lp
    (any; a structured problem is written as its MILP), .kp (Knapsack), .txt / .jss (JobShop)."""
    name = os.fspath(path)
    lower = name.lower()
    if lower.endswith(".json"):
        write_json(problem, name)
    elif lower.endswith((".mps", ".lp")):
        from omnisolve.io.mps import write_mps

        write_mps(_as_data(problem), name)
    elif lower.endswith(".kp"):
        _write_as(problem, Knapsack, write_knapsack, name)
    elif lower.endswith((".txt", ".jss", ".jsp")):
        _write_as(problem, JobShop, write_jobshop, name)
    else:
        raise InputError(
            "cannot tell the output format from the extension; use .json, .mps, .lp, .kp (Knapsack) "
            "or .txt / .jss (JobShop)",
            path=name,
        )


def _write_as(problem: Problem | Model, cls: type, writer: Callable, path: str) -> None:
    if not isinstance(problem, cls):
        kind = getattr(problem, "kind", type(problem).__name__)
        raise UnsupportedError(
            f"{path}: a {kind} cannot be written in this format (it holds a {cls.__name__}); use .json"
        )
    writer(problem, path)


__all__ = [
    "problem_from_dict",
    "problem_to_dict",
    "read",
    "read_cvrp",
    "read_cvrp_solution",
    "read_json",
    "read_jobshop",
    "read_knapsack",
    "read_tour",
    "read_tsp",
    "write",
    "write_jobshop",
    "write_json",
    "write_knapsack",
]
