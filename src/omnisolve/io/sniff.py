"""Which format a file is in, from its content first and its extension second, so a file
whose extension lies (a TSPLIB CVRP named `.tsp`, a knapsack named `.txt`) is still read right.

Format names: json, tsp, cvrp, tour, mps, lp, jobshop, knapsack.
"""

from __future__ import annotations

import re
from pathlib import Path

from omnisolve.io._text import Row, rows_of
from omnisolve.io.limits import read_bytes

EXTENSIONS = {
    ".json": "json",
    ".tsp": "tsp",
    ".atsp": "tsp",
    ".vrp": "cvrp",
    ".tour": "tour",
    ".mps": "mps",
    ".lp": "lp",
    ".kp": "knapsack",
    ".jss": "jobshop",
    ".jsp": "jobshop",
}
NUMERIC = ("jobshop", "knapsack")
HEAD_BYTES = 1 << 16

_TSPLIB_TYPE = re.compile(r"^\s*TYPE\s*:\s*(\w+)", re.MULTILINE)
_TSPLIB_KEY = re.compile(r"^\s*(NAME|DIMENSION|EDGE_WEIGHT_TYPE|CAPACITY)\s*:", re.MULTILINE)
_MPS_SECTION = re.compile(r"^(ROWS|COLUMNS)\s*$", re.MULTILINE)
_LP_OBJECTIVE = re.compile(r"(minimi[sz]e|maximi[sz]e|minimum|maximum|min|max)\b", re.IGNORECASE)
_TAILLARD_LABEL = re.compile(r"^\s*(times|machines)\s*$", re.MULTILINE | re.IGNORECASE)
_TSPLIB_TYPES = {"TSP": "tsp", "ATSP": "tsp", "CVRP": "cvrp", "TOUR": "tour"}


def by_extension(path: str) -> str | None:
    """The format an extension stands for (`.mps.gz` counts as `.mps`), or None."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return EXTENSIONS.get(suffixes[-1]) if suffixes else None


def by_content(head: str, extension: str | None) -> str | None:
    """The format that the first part of a file clearly shows, or None."""
    head = head.lstrip("\ufeff")
    if head.lstrip().startswith("{"):
        return "json"
    match = _TSPLIB_TYPE.search(head)
    if match and match.group(1).upper() in _TSPLIB_TYPES:
        return _TSPLIB_TYPES[match.group(1).upper()]
    if _TSPLIB_KEY.search(head):
        return "cvrp" if extension == "cvrp" or "DEMAND_SECTION" in head else "tsp"
    if _MPS_SECTION.search(head):
        return "mps"
    first = next((line.strip() for line in head.split("\n") if line.strip() and not line.lstrip().startswith("\\")), "")
    if _LP_OBJECTIVE.match(first):
        return "lp"
    if len(_TAILLARD_LABEL.findall(head)) >= 2:
        return "jobshop"
    return None


def _numbers(tokens: list[str]) -> list[float] | None:
    try:
        return [float(t) for t in tokens]
    except ValueError:
        return None


def by_shape(rows: list[Row], extension: str | None) -> str | None:
    """`knapsack` or `jobshop` when the numbers fit exactly one layout (the extension breaks a
    tie), None when they fit neither."""
    if not rows or (header := _numbers(rows[0][1])) is None or len(header) < 2 or not header[0].is_integer():
        return None
    count, second = int(header[0]), header[1]
    body = [tokens for _, tokens in rows[1:]]
    fits = []
    if len(header) == 2 and len(body) == count and all(len(t) == 2 for t in body):
        fits.append("knapsack")
    if second.is_integer():
        machines = int(second)
        standard = len(body) == count and all(len(t) == 2 * machines for t in body)
        taillard = len(body) == 2 * count and all(len(t) == machines for t in body)
        if standard or taillard:
            fits.append("jobshop")
    if len(fits) > 1 and extension in fits:
        return extension
    return fits[-1] if fits else None


def detect(path: str) -> str | None:
    """The format of the file at `path`, or None when neither content nor extension tells."""
    extension = by_extension(path)
    if path.lower().endswith(".gz"):
        return extension
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES).decode("utf-8", errors="replace")
    found = by_content(head, extension)
    if found is not None:
        return found
    rows = rows_of(head if len(head) < HEAD_BYTES else read_bytes(path).decode("utf-8", errors="replace"))
    return by_shape(rows, extension) or extension or _numeric_guess(rows)


def _numeric_guess(rows: list[Row]) -> str | None:
    """A file without extension that starts with two numbers is taken for a job shop, whose
    reader then names the line that breaks the format."""
    header = _numbers(rows[0][1]) if rows else None
    return "jobshop" if header is not None and len(header) >= 2 else None
