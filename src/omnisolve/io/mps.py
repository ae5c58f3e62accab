"""MPS and LP files (optionally gzipped) through HiGHS's own parser and writer."""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from omnisolve.errors import InputError
from omnisolve.model import ProblemData
from omnisolve.solvers.highs_model import from_highs_model, log_errors, new_highs, to_highs_model

FORMATS = (".mps", ".lp")


def _format(path: Path) -> str:
    """`.mps` or `.lp` from the name (a trailing `.gz` is looked through)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    if suffixes and suffixes[-1] in FORMATS:
        return suffixes[-1]
    raise InputError("MPS/LP file name must end in .mps, .lp, .mps.gz or .lp.gz", path=str(path))


@contextmanager
def _plain_copy(path: Path, suffix: str) -> Iterator[Path]:
    """`path` itself, or a decompressed temporary copy of a `.gz` file (this HiGHS has no zlib)."""
    if path.suffix.lower() != ".gz":
        yield path
        return
    fd, tmp = tempfile.mkstemp(suffix=suffix)
    try:
        try:
            with os.fdopen(fd, "wb") as out, gzip.open(path, "rb") as src:
                shutil.copyfileobj(src, out)
        except (OSError, EOFError) as exc:
            raise InputError(f"cannot decompress: {exc}", path=str(path)) from None
        yield Path(tmp)
    finally:
        os.unlink(tmp)


def read_mps(path: str | os.PathLike) -> ProblemData:
    """Read an `.mps`, `.lp`, `.mps.gz` or `.lp.gz` file into `ProblemData`.

    Raises `InputError` naming the file when it is missing or HiGHS cannot parse it.
    """
    import highspy

    path = Path(path)
    suffix = _format(path)
    if not path.is_file():
        raise InputError("file not found", path=str(path))
    log: list[str] = []
    h = new_highs(log.append)
    with _plain_copy(path, suffix) as plain:
        status = h.readModel(str(plain))
    if status == highspy.HighsStatus.kError:
        detail = log_errors(log).replace(str(plain), path.name)
        raise InputError(f"cannot parse as {suffix[1:].upper()}" + (f": {detail}" if detail else ""), path=str(path))
    if h.getNumCol() == 0:
        raise InputError(f"cannot parse as {suffix[1:].upper()}: no variables found", path=str(path))
    name = Path(path.stem).stem if path.suffix.lower() == ".gz" else path.stem
    try:
        return from_highs_model(h.getModel(), name)
    except ValueError as exc:
        raise InputError(str(exc), path=str(path)) from None


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
    log: list[str] = []
    h = new_highs(log.append)
    if h.passModel(to_highs_model(data, names=suffix[1:])) == highspy.HighsStatus.kError:
        raise InputError(f"HiGHS rejected the model: {log_errors(log)}", path=str(path))
    if h.writeModel(str(path)) == highspy.HighsStatus.kError:
        raise InputError(f"cannot write {suffix[1:].upper()}: {log_errors(log) or 'write failed'}", path=str(path))
