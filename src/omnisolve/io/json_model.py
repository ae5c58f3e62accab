"""omnisolve's versioned JSON format (docs/json-format.md): general linear / quadratic models
(`"omnisolve_format": "model"`) and the structured problems, each `"version": 1`.

`problem_to_dict` / `problem_from_dict` convert in memory; `write_json` / `read_json` use files.
Reading validates everything and names the field at fault, e.g.
`constraints[3].coefficients: unknown variable 'z'`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from omnisolve.errors import InputError, UnsupportedError
from omnisolve.io._json_fields import INF, Fields, field, shown_json
from omnisolve.io._text import plain_number
from omnisolve.io.json_structured import STRUCTURED, structured_from_dict, structured_to_dict
from omnisolve.io.limits import check_json_depth, check_json_numbers, decode, read_bytes
from omnisolve.model import Model, Names, ProblemData, QuadraticRow, Sense, VarType
from omnisolve.problems import Problem, StructuredProblem

FORMAT_KEY = "omnisolve_format"
VERSION = 1
FORMATS = ("model", *STRUCTURED)
VAR_TYPES = {t.name.lower(): t for t in VarType}
SENSES = {"min": Sense.MIN, "minimize": Sense.MIN, "max": Sense.MAX, "maximize": Sense.MAX}


# ---- writing ---------------------------------------------------------------------------------
def problem_to_dict(problem: Problem | Model) -> dict:
    """The JSON document of `problem` (a `Model` is compiled first)."""
    if isinstance(problem, Model):
        problem = problem.compile()
    if isinstance(problem, ProblemData):
        fmt, body = "model", _model_to_dict(problem)
    elif isinstance(problem, StructuredProblem):
        fmt, body = structured_to_dict(problem)
    else:
        raise UnsupportedError(f"cannot write a {type(problem).__name__} as JSON")
    return {FORMAT_KEY: fmt, "version": VERSION, **body}


def _bound(x: float) -> float | int | None:
    return None if np.isinf(x) else plain_number(x)


class _Refs:
    """How the writer names variables: by name when names are unique, else by index."""

    def __init__(self, names: list[str]):
        self.names = names if len(set(names)) == len(names) else None

    def ref(self, j: int) -> str | int:
        return self.names[j] if self.names is not None else int(j)

    def sparse(self, cols: np.ndarray, vals: np.ndarray) -> dict | list:
        if self.names is not None:
            return {self.names[j]: plain_number(v) for j, v in zip(cols.tolist(), vals.tolist())}
        return [[int(j), plain_number(v)] for j, v in zip(cols.tolist(), vals.tolist())]

    def quadratic(self, Q: sp.spmatrix | None) -> list[list]:
        if Q is None:
            return []
        Q = sp.coo_matrix(Q)
        terms = zip(Q.row.tolist(), Q.col.tolist(), Q.data.tolist())
        return [[self.ref(i), self.ref(j), plain_number(v)] for i, j, v in terms if v]


def _variable(name: str, lb: float, ub: float, vtype: int) -> dict:
    entry: dict[str, Any] = {"name": name}
    binary = vtype == VarType.BINARY
    if lb != 0:
        entry["lb"] = _bound(lb)
    if ub != (1 if binary else INF):
        entry["ub"] = _bound(ub)
    if vtype != VarType.CONTINUOUS:
        entry["type"] = VarType(vtype).name.lower()
    return entry


def _row(name: str, lb: float, ub: float) -> dict:
    entry: dict[str, Any] = {"name": name}
    if lb > -INF:
        entry["lb"] = plain_number(lb)
    if ub < INF:
        entry["ub"] = plain_number(ub)
    return entry


def _model_to_dict(data: ProblemData) -> dict:
    if data.is_nonlinear:
        raise UnsupportedError(
            f"model {data.name!r} has a nonlinear objective or constraint (a Python function), "
            "which JSON cannot store; only linear and quadratic models can be written"
        )
    names = data.var_names.tolist()
    refs = _Refs(names)
    c = np.asarray(data.c)
    nz = np.flatnonzero(c)
    objective: dict[str, Any] = {"sense": data.sense.value, "linear": refs.sparse(nz, c[nz])}
    if data.c0:
        objective["constant"] = plain_number(data.c0)
    if data.Q is not None and data.Q.nnz:
        objective["quadratic"] = refs.quadratic(data.Q)
    A = sp.csr_matrix(data.A)
    constraints = []
    for i, name in enumerate(data.row_names.tolist()):
        lo, hi = A.indptr[i], A.indptr[i + 1]
        entry = _row(name, data.row_lb[i], data.row_ub[i])
        entry["coefficients"] = refs.sparse(A.indices[lo:hi], A.data[lo:hi])
        constraints.append(entry)
    out: dict[str, Any] = {
        "name": data.name,
        "variables": [_variable(*v) for v in zip(names, data.lb.tolist(), data.ub.tolist(), data.vtype.tolist())],
        "objective": objective,
        "constraints": constraints,
    }
    if data.quadratic_rows:
        out["quadratic_constraints"] = [_quadratic_row(q, refs) for q in data.quadratic_rows]
    return out


def _quadratic_row(q: QuadraticRow, refs: _Refs) -> dict:
    a = np.asarray(q.a)
    nz = np.flatnonzero(a)
    return {**_row(q.name, q.lb, q.ub), "linear": refs.sparse(nz, a[nz]), "quadratic": refs.quadratic(q.Q)}


def dumps(doc: dict) -> str:
    """JSON with one line per top-level field, and one line per entry of a list of objects or
    lists (variables, constraints, rows of a matrix): compact yet readable and diffable."""
    parts = []
    for key, value in doc.items():
        text = json.dumps(value, allow_nan=False)
        if isinstance(value, list) and value and isinstance(value[0], (dict, list)):
            text = "[\n" + ",\n".join("  " + json.dumps(v, allow_nan=False) for v in value) + "\n ]"
        parts.append(f" {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def write_json(problem: Problem | Model, path: str | os.PathLike) -> None:
    """Write `problem` in omnisolve's JSON format."""
    Path(path).write_text(dumps(problem_to_dict(problem)))


# ---- reading ---------------------------------------------------------------------------------
def read_json(path: str | os.PathLike) -> Problem:
    """Read a problem written in omnisolve's JSON format."""
    name = os.fspath(path)
    return parse_json(read_bytes(name), name)


def parse_json(data: bytes, name: str) -> Problem:
    """The problem in `data`, the bytes of a JSON document, read within the input limits exactly
    as `read_json` reads a file; `name` stands for the file in error messages."""
    check_json_depth(data, name)  # nesting, before the rest of a huge nested file is even decoded
    text = decode(data, name)
    if not text.strip():
        raise InputError("empty file", path=name, line=1)
    check_json_numbers(text, name)  # number length, before the parser sees them
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", path=name, line=exc.lineno) from None
    except (RecursionError, ValueError) as exc:  # second line of defence: nesting, number conversion
        raise InputError(f"JSON cannot be read within the input limits ({str(exc).split(':')[0]})", path=name) from None
    return problem_from_dict(doc, source=name)


def problem_from_dict(doc: Any, source: str | None = None) -> Problem:
    """The problem described by a JSON document; `source` names it in error messages."""
    f = Fields(source)
    if not isinstance(doc, dict):
        raise f.error("", 'expected a JSON object with an "omnisolve_format" field')
    if FORMAT_KEY not in doc:
        raise f.error(FORMAT_KEY, f"missing (expected one of {', '.join(FORMATS)})")
    fmt = f.choice(doc[FORMAT_KEY], FORMAT_KEY, {name: name for name in FORMATS})
    if "version" not in doc:
        raise f.error("version", f"missing (this omnisolve reads version {VERSION})")
    version = doc["version"]
    if type(version) is not int or version != VERSION:
        message = f"{fmt!r} format version {shown_json(version)} is not supported"
        raise f.error("version", f"{message}; this omnisolve reads version {VERSION}")
    body = {k: v for k, v in doc.items() if k not in (FORMAT_KEY, "version")}
    if fmt == "model":
        return _model_from_dict(body, f)
    return structured_from_dict(fmt, body, f)


class _Index:
    """Resolves variable references (a name, or a 0-based index) while reading."""

    def __init__(self, names: list[str], f: Fields):
        self.names, self.n, self.f = names, len(names), f
        self.position: dict[str, int] = {}
        self.duplicates: set[str] = set()
        for j, name in enumerate(names):
            if name in self.position:
                self.duplicates.add(name)
            self.position[name] = j

    def __call__(self, ref: Any, where: str) -> int:
        if isinstance(ref, str):
            if ref in self.duplicates:
                raise self.f.error(where, f"variable name {ref!r} is ambiguous (several variables have it)")
            if ref not in self.position:
                raise self.f.error(where, f"unknown variable {ref!r}")
            return self.position[ref]
        if type(ref) is int:
            if not 0 <= ref < self.n:
                raise self.f.error(where, f"variable index {ref} outside 0..{self.n - 1}")
            return ref
        raise self.f.error(where, f"expected a variable name or index, got {shown_json(ref)}")

    def sparse(self, value: Any, where: str) -> tuple[list[int], list[float]]:
        """Linear coefficients: {name: coef}, [[ref, coef], ...] or a dense list of n numbers."""
        if isinstance(value, dict):
            pairs = [(self(k, where), self.f.number(v, field(where, k))) for k, v in value.items()]
        elif isinstance(value, list) and (not value or isinstance(value[0], list)):
            pairs = []
            for k, item in enumerate(value):
                pair = self.f.list(item, field(where, k))
                if len(pair) != 2:
                    raise self.f.error(field(where, k), f"expected [variable, coefficient], got {len(pair)} values")
                pairs.append((self(pair[0], field(where, k)), self.f.number(pair[1], field(where, k))))
        elif isinstance(value, list):
            dense = self.f.vector(value, where, self.n)
            nz = np.flatnonzero(dense)
            return nz.tolist(), dense[nz].tolist()
        else:
            raise self.f.error(
                where, "expected {variable: coefficient}, [[variable, coefficient], ...] or a list of numbers"
            )
        cols = [j for j, _ in pairs]
        seen: set[int] = set()
        for j in cols:
            if j in seen:
                raise self.f.error(where, f"variable {self.names[j]!r} (index {j}) appears twice")
            seen.add(j)
        return cols, [v for _, v in pairs]

    def quadratic(self, value: Any, where: str) -> sp.csr_matrix:
        """[[ref, ref, coef], ...] as an upper-triangular n x n matrix (repeated pairs add up)."""
        rows, cols, vals = [], [], []
        for k, item in enumerate(self.f.list(value, where)):
            term = self.f.list(item, field(where, k))
            if len(term) != 3:
                message = f"expected [variable, variable, coefficient], got {len(term)} values"
                raise self.f.error(field(where, k), message)
            i, j = self(term[0], field(where, k)), self(term[1], field(where, k))
            rows.append(min(i, j))
            cols.append(max(i, j))
            vals.append(self.f.number(term[2], field(where, k)))
        Q = sp.csr_matrix((vals, (rows, cols)), shape=(self.n, self.n))
        Q.sum_duplicates()
        Q.eliminate_zeros()
        return Q


def _variables(items: list, f: Fields) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    names, lbs, ubs, types = [], [], [], []
    for j, item in enumerate(items):
        where = field("variables", j)
        f.object(item, where, optional=("name", "lb", "ub", "type"))
        vtype = f.choice(item.get("type", "continuous"), field(where, "type"), VAR_TYPES)
        binary = vtype == VarType.BINARY
        lb = f.bound(item.get("lb", 0.0), field(where, "lb"), -INF)
        ub = f.bound(item.get("ub", 1.0 if binary else INF), field(where, "ub"), INF)
        if lb == INF or ub == -INF:
            raise f.error(where, f"bounds [{lb}, {ub}] leave no value")
        if lb > ub:
            raise f.error(where, f"lower bound {lb:g} > upper bound {ub:g}")
        if binary and (lb < 0 or ub > 1):
            raise f.error(where, f"a binary variable's bounds must lie within [0, 1], got [{lb:g}, {ub:g}]")
        if vtype.is_semi and lb < 0:
            raise f.error(where, f"a {vtype.name.lower()} variable (0 or in [lb, ub]) needs lb >= 0, got {lb:g}")
        names.append(f.string(item.get("name", f"x{j}"), field(where, "name")))
        lbs.append(lb)
        ubs.append(ub)
        types.append(int(vtype))
    return names, np.array(lbs), np.array(ubs), np.array(types, dtype=np.int8)


def _row_bounds(item: dict, where: str, f: Fields) -> tuple[float, float]:
    lb = f.bound(item.get("lb"), field(where, "lb"), -INF)
    ub = f.bound(item.get("ub"), field(where, "ub"), INF)
    if lb == INF or ub == -INF or lb > ub:
        raise f.error(where, f"bounds [{lb:g}, {ub:g}] leave no value")
    return lb, ub


def _model_from_dict(d: dict, f: Fields) -> ProblemData:
    f.object(d, "", required=("variables",), optional=("name", "objective", "constraints", "quadratic_constraints"))
    names, lb, ub, vtype = _variables(f.list(d["variables"], "variables", min_length=1), f)
    index, n = _Index(names, f), len(names)

    obj = f.object(d.get("objective", {}), "objective", optional=("sense", "constant", "linear", "quadratic"))
    sense = f.choice(obj.get("sense", "min"), "objective.sense", SENSES)
    c = np.zeros(n)
    cols, vals = index.sparse(obj.get("linear", {}), "objective.linear")
    c[cols] = vals
    c0 = f.number(obj.get("constant", 0), "objective.constant")
    Q = index.quadratic(obj["quadratic"], "objective.quadratic") if "quadratic" in obj else None

    rows, cols, vals, row_lb, row_ub, row_names = [], [], [], [], [], []
    for i, item in enumerate(f.list(d.get("constraints", []), "constraints")):
        where = field("constraints", i)
        f.object(item, where, required=("coefficients",), optional=("name", "lb", "ub"))
        lo, hi = _row_bounds(item, where, f)
        js, vs = index.sparse(item["coefficients"], field(where, "coefficients"))
        rows += [i] * len(js)
        cols += js
        vals += vs
        row_lb.append(lo)
        row_ub.append(hi)
        row_names.append(f.string(item.get("name", f"c{i}"), field(where, "name")))
    A = sp.csr_matrix((vals, (rows, cols)), shape=(len(row_lb), n))

    quadratic_rows = []
    for i, item in enumerate(f.list(d.get("quadratic_constraints", []), "quadratic_constraints")):
        where = field("quadratic_constraints", i)
        f.object(item, where, required=("quadratic",), optional=("name", "lb", "ub", "linear"))
        lo, hi = _row_bounds(item, where, f)
        a = np.zeros(n)
        js, vs = index.sparse(item.get("linear", {}), field(where, "linear"))
        a[js] = vs
        Qi = index.quadratic(item["quadratic"], field(where, "quadratic"))
        name = f.string(item.get("name", f"q{i}"), field(where, "name"))
        quadratic_rows.append(QuadraticRow(Qi, a, lo, hi, name))

    return ProblemData(
        var_names=Names.of(names),
        lb=lb,
        ub=ub,
        vtype=vtype,
        c=c,
        A=A,
        row_lb=np.array(row_lb, dtype=float),
        row_ub=np.array(row_ub, dtype=float),
        row_names=Names.of(row_names),
        sense=sense,
        c0=c0,
        Q=Q if Q is not None and Q.nnz else None,
        quadratic_rows=tuple(quadratic_rows),
        name=f.string(d.get("name", "model"), "name"),
    )
