"""MPS and LP files (optionally gzipped) through HiGHS's own parser and writer.

Before HiGHS reads a file, `mps_scan` checks its numbers and tokens in one streaming pass (HiGHS
silently drops or misreads NaN, malformed numbers and stray tokens); after it has read it, the
model's arrays are checked again for NaN and infinite coefficients.
"""

from __future__ import annotations

import gzip
import os
import re
import tempfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np

from omnisolve.errors import InputError
from omnisolve.io.highs_model import from_highs_model, log_errors, new_highs, to_highs_model
from omnisolve.io.mps_scan import scan
from omnisolve.model import ProblemData, VarType

if TYPE_CHECKING:
    from highspy import HighsModel

FORMATS = (".mps", ".lp")
_PARSER_POSITION = re.compile(r"-->\s*\S+:(\d+):\d+")


def _format(path: Path) -> str:
    """`.mps` or `.lp` from the name (a trailing `.gz` is looked through)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    if suffixes and suffixes[-1] in FORMATS:
        return suffixes[-1]
    raise InputError("MPS/LP file name must end in .mps, .lp, .mps.gz or .lp.gz", path=str(path))


@contextmanager
def _scanned_copy(path: Path, suffix: str) -> Iterator[Path]:
    """Scan `path` (see `mps_scan`) and yield a file HiGHS can read: `path` itself, or for a `.gz`
    file a decompressed temporary copy (this HiGHS has no zlib), written in the same pass."""
    if path.suffix.lower() != ".gz":
        try:
            with open(path, "rb") as f:
                scan(f, str(path), suffix)
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror or exc}", path=str(path)) from None
        yield path
        return
    fd, tmp = tempfile.mkstemp(suffix=suffix)
    try:
        try:
            with os.fdopen(fd, "wb") as out, gzip.open(path, "rb") as src:
                scan(src, str(path), suffix, copy_to=out)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"cannot decompress: {exc}", path=str(path)) from None
        yield Path(tmp)
    finally:
        os.unlink(tmp)


def read_mps(path: str | os.PathLike, *, shown_name: str | None = None) -> ProblemData:
    """Read an `.mps`, `.lp`, `.mps.gz` or `.lp.gz` file into `ProblemData`.

    Raises `InputError` naming the file (and line) when it is missing, holds a NaN, infinite or
    malformed number or a token HiGHS would drop (see `mps_scan`), or HiGHS cannot parse it.
    `shown_name` is the file name HiGHS's messages show (default: `path`'s): the user's file, when
    `path` is a link named for its format to a file named otherwise.
    """
    import highspy

    path = Path(path)
    suffix = _format(path)
    if not path.is_file():
        raise InputError("file not found", path=str(path))
    log: list[str] = []
    h = new_highs(log.append)
    with _scanned_copy(path, suffix) as plain:
        status = h.readModel(str(plain))
    if status == highspy.HighsStatus.kError:
        detail = log_errors(log).replace(str(plain), shown_name or path.name)
        where = _PARSER_POSITION.search("".join(log))  # HiGHS 1.16's LP reader: " --> file:line:col"
        raise InputError(
            f"cannot parse as {suffix[1:].upper()}" + (f": {detail}" if detail else ""),
            path=str(path),
            line=int(where.group(1)) if where else None,
        )
    if h.getNumCol() == 0:
        raise InputError(f"cannot parse as {suffix[1:].upper()}: no variables found", path=str(path))
    name = Path(path.stem).stem if path.suffix.lower() == ".gz" else path.stem
    model = h.getModel()
    _check_arrays(model, str(path))
    try:
        return from_highs_model(model, name)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(str(exc), path=str(path)) from None


def _check_arrays(model: HighsModel, path: str) -> None:
    """What HiGHS read must be finite where a model needs it (costs, matrix, Hessian, constant)
    and never NaN (bounds); a bound may not leave no value (lower +inf, upper -inf). The scan
    should have caught all of this; this is the second line of defence."""
    lp = model.lp_
    names = list(lp.col_names_)
    rows = list(lp.row_names_)
    checks = [
        ("objective coefficient", np.asarray(lp.col_cost_, float), names, True),
        ("matrix coefficient", np.asarray(lp.a_matrix_.value_, float), None, True),
        ("quadratic objective coefficient", np.asarray(model.hessian_.value_, float), None, True),
        ("objective constant", np.asarray([lp.offset_], float), None, True),
        ("lower bound", np.asarray(lp.col_lower_, float), names, False),
        ("upper bound", np.asarray(lp.col_upper_, float), names, False),
        ("row lower bound", np.asarray(lp.row_lower_, float), rows, False),
        ("row upper bound", np.asarray(lp.row_upper_, float), rows, False),
    ]
    for what, values, labels, finite in checks:
        bad = ~np.isfinite(values) if finite else np.isnan(values)
        if "lower" in what:
            bad |= values == np.inf
        elif "upper" in what:
            bad |= values == -np.inf
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            of = f" of {labels[k]}" if labels and k < len(labels) else ""
            raise InputError(f"after reading, {what}{of} is {values[k]:g}: the model is ill-formed", path=path)


def write_mps(data: ProblemData, path: str | os.PathLike) -> None:
    """Write `data` as MPS or LP (chosen by the extension). Only linear and quadratic-objective
    models can be written; names HiGHS cannot write are adjusted (see `safe_names`)."""
    import highspy

    path = Path(path)
    suffix = _format(path)
    if path.suffix.lower() == ".gz":
        raise InputError("writing compressed MPS/LP is not supported; drop the .gz", path=str(path))
    if data.quadratic_rows or data.is_nonlinear:
        raise InputError(
            f"cannot write a {data.kind} model: MPS/LP here holds linear rows and a quadratic objective only",
            path=str(path),
        )
    if suffix == ".lp" and (data.vtype == VarType.SEMIINTEGER).any():
        k = int(np.flatnonzero(data.vtype == VarType.SEMIINTEGER)[0])
        raise InputError(
            f"cannot write semi-integer variable {data.var_names[k]} to LP: HiGHS's LP writer would drop "
            "its integrality (it lists it as semi-continuous only); write .mps",
            path=str(path),
        )
    log: list[str] = []
    h = new_highs(log.append)
    if h.passModel(to_highs_model(data, names=suffix[1:])) == highspy.HighsStatus.kError:
        raise InputError(f"HiGHS rejected the model: {log_errors(log)}", path=str(path))
    if h.writeModel(str(path)) == highspy.HighsStatus.kError:
        raise InputError(f"cannot write {suffix[1:].upper()}: {log_errors(log) or 'write failed'}", path=str(path))
