"""Translate between `ProblemData` and HiGHS's `HighsModel`, shared by the HiGHS backend and the
MPS/LP reader and writer. `highspy` is imported inside the functions, never at import time.

HiGHS states a quadratic objective as c'x + 0.5 x'Hx with H symmetric (lower triangle stored
column-wise); `ProblemData` uses x'Qx with Q upper-triangular, so Q_ii = H_ii / 2, Q_ij = H_ij.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp

from omnisolve.model import Names, ProblemData, Sense, VarType

# Characters HiGHS accepts in names it writes to MPS/LP files (it renames every column or row
# to c0, c1, ... / r0, r1, ... as soon as one name breaks the rule).
_BAD_NAME_CHAR = re.compile(r"[^A-Za-z0-9_().,]")
# LP-format names must not start with a digit (HiGHS reads "+2 5x" as 10 x) or be a keyword.
_LP_KEYWORDS = frozenset(
    "min max minimize maximize minimum maximum st s.t. subject such bounds bound free inf infinity "
    "bin binary binaries gen general generals semi semis sos end".split()
)


_banner_lock = threading.Lock()
_banner_shown = False


def _swallow_banner() -> None:
    """HiGHS 1.16 prints a banner to the process's stdout when the first `Highs` is made, before
    any option can silence it: make that first one with file descriptor 1 pointed at /dev/null."""
    global _banner_shown
    with _banner_lock:
        if _banner_shown:
            return
        import highspy

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 1)
                highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_shown = True


def new_highs(log: Callable[[str], None] | None = None) -> Any:
    """A `Highs` instance that prints nothing; its log lines go to `log` when given."""
    import highspy

    _swallow_banner()
    h = highspy.Highs()
    h.setOptionValue("log_to_console", False)
    if log is None:
        h.setOptionValue("output_flag", False)
    else:
        h.cbLogging.subscribe(lambda event: log(event.message))
    return h


def log_errors(log: list[str]) -> str:
    """HiGHS's ERROR log messages joined into one line (the first line of each: the LP reader
    adds a compiler-style excerpt below it)."""
    firsts = (line.removeprefix("ERROR:").strip().splitlines() for line in log if line.startswith("ERROR"))
    return "; ".join(lines[0] for lines in firsts if lines)


def to_highs_model(data: ProblemData, names: str | None = None) -> Any:
    """`data` as a `highspy.HighsModel` (linear rows, bounds, integrality, Hessian). Names are
    passed only for writing a file: `names="mps"` or `"lp"` makes them safe for that format."""
    import highspy

    n, m = data.num_variables, data.A.shape[0]
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = data.c, data.lb, data.ub
    lp.row_lower_, lp.row_upper_ = data.row_lb, data.row_ub
    lp.offset_ = data.c0
    lp.model_name_ = data.name
    lp.sense_ = highspy.ObjSense.kMaximize if data.sense == Sense.MAX else highspy.ObjSense.kMinimize
    A = sp.csc_matrix(data.A)
    A.sort_indices()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, m
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    if data.is_mip:
        kinds = {
            VarType.CONTINUOUS: highspy.HighsVarType.kContinuous,
            VarType.INTEGER: highspy.HighsVarType.kInteger,
            VarType.BINARY: highspy.HighsVarType.kInteger,
            VarType.SEMICONTINUOUS: highspy.HighsVarType.kSemiContinuous,
            VarType.SEMIINTEGER: highspy.HighsVarType.kSemiInteger,
        }
        lp.integrality_ = [kinds[t] for t in data.vtype.tolist()]
    if names is not None:
        lp.col_names_ = safe_names(data.var_names.tolist(), lp_format=names == "lp")
        lp.row_names_ = safe_names(data.row_names.tolist(), lp_format=names == "lp")
    model = highspy.HighsModel()
    model.lp_ = lp
    if data.Q is not None and data.Q.nnz:
        model.hessian_ = _hessian(data.Q)
    return model


def _hessian(Q: sp.spmatrix) -> Any:
    """H = Q + Q' (so that 0.5 x'Hx = x'Qx), lower triangle stored column-wise."""
    import highspy

    L = sp.csc_matrix(sp.tril(Q + Q.T))
    L.eliminate_zeros()
    L.sort_indices()
    hessian = highspy.HighsHessian()
    hessian.dim_ = Q.shape[0]
    hessian.format_ = highspy.HessianFormat.kTriangular
    hessian.start_ = L.indptr.astype(np.int32)
    hessian.index_ = L.indices.astype(np.int32)
    hessian.value_ = L.data.astype(float)
    return hessian


def from_highs_model(model: Any, name: str) -> ProblemData:
    """A `ProblemData` from a `highspy.HighsModel` (semi-continuous and semi-integer columns
    keep their type); ValueError names a semi variable with a negative lower bound."""
    import highspy

    lp = model.lp_
    n, m = lp.num_col_, lp.num_row_
    a = lp.a_matrix_
    if a.format_ == highspy.MatrixFormat.kColwise:
        A = sp.csc_matrix((a.value_, a.index_, a.start_), shape=(m, n)).tocsr()
    else:
        A = sp.csr_matrix((a.value_, a.index_, a.start_), shape=(m, n))
    col_names = list(lp.col_names_) or [f"c{j}" for j in range(n)]
    row_names = list(lp.row_names_) or [f"r{i}" for i in range(m)]
    lb, ub = np.asarray(lp.col_lower_, float), np.asarray(lp.col_upper_, float)
    return ProblemData(
        var_names=Names.of(col_names),
        lb=lb,
        ub=ub,
        vtype=_vtypes(lp.integrality_, lb, ub, col_names),
        c=np.asarray(lp.col_cost_, float),
        A=A,
        row_lb=np.asarray(lp.row_lower_, float),
        row_ub=np.asarray(lp.row_upper_, float),
        row_names=Names.of(row_names),
        sense=Sense.MAX if lp.sense_ == highspy.ObjSense.kMaximize else Sense.MIN,
        c0=float(lp.offset_),
        Q=_upper_q(model.hessian_, n),
        name=name,
    )


def _vtypes(integrality: list, lb: np.ndarray, ub: np.ndarray, names: list[str]) -> np.ndarray:
    vtype = np.zeros(len(lb), dtype=np.int8)
    if not len(integrality):
        return vtype
    codes = np.asarray([int(t) for t in integrality], dtype=np.int8)
    integer = codes == 1  # kInteger
    vtype[integer] = VarType.INTEGER
    vtype[integer & (lb == 0) & (ub == 1)] = VarType.BINARY
    vtype[codes == 2] = VarType.SEMICONTINUOUS  # kSemiContinuous: 0 or lb <= x <= ub
    vtype[codes == 3] = VarType.SEMIINTEGER  # kSemiInteger: 0 or an integer in [lb, ub]
    odd = np.flatnonzero((codes > 3) | (codes < 0))
    if odd.size:
        raise ValueError(f"variable {names[odd[0]]} has a variable type ({codes[odd[0]]}) omnisolve does not know")
    bad = np.flatnonzero(((codes == 2) | (codes == 3)) & (lb < 0))
    if bad.size:
        raise ValueError(
            f"semi-continuous/semi-integer variable {names[bad[0]]} has a negative lower bound {lb[bad[0]]:g}"
        )
    return vtype


def _upper_q(hessian: Any, n: int) -> sp.csr_matrix | None:
    """Our upper-triangular Q from HiGHS's H (triangular or square storage); None if empty."""
    import highspy

    if hessian.dim_ == 0 or not len(hessian.value_):
        return None
    H = sp.csc_matrix((hessian.value_, hessian.index_, hessian.start_), shape=(n, n))
    if hessian.format_ == highspy.HessianFormat.kTriangular:
        full = H + H.T - sp.diags(H.diagonal())
    else:
        full = (H + H.T) / 2
    Q = sp.csr_matrix(sp.triu(full, k=1) + sp.diags(full.diagonal() / 2))
    Q.eliminate_zeros()
    return Q if Q.nnz else None


def safe_names(names: list[str], lp_format: bool = False) -> list[str]:
    """Names HiGHS will write: brackets become parentheses, other odd characters underscores,
    duplicates get a suffix; for the LP format, names starting with a digit or equal to a
    keyword get a leading underscore. Names that are already valid are unchanged."""
    out, seen = [], set()
    for name in names:
        fixed = _BAD_NAME_CHAR.sub("_", name.replace("[", "(").replace("]", ")")) or "_"
        if lp_format and (fixed[0].isdigit() or fixed.lower() in _LP_KEYWORDS):
            fixed = "_" + fixed
        candidate, k = fixed, 1
        while candidate in seen:
            candidate, k = f"{fixed}_{k}", k + 1
        seen.add(candidate)
        out.append(candidate)
    return out
