"""Error types. Every error a user can cause is an `OmnisolveError` with a one-line message."""

from __future__ import annotations


class OmnisolveError(Exception):
    """Base class: an error caused by the input or the environment, not a bug."""

    exit_code = 1


class InputError(OmnisolveError):
    """A file or value cannot be read; names the file and line where known."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path, self.line, self.reason = path, line, message
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)


class ModelError(OmnisolveError):
    """The model is ill-formed: NaN/inf coefficient, lower > upper, foreign variable, empty model."""

    exit_code = 3


class UnsupportedError(OmnisolveError):
    """The chosen solver cannot handle this problem, or the solver package is not installed."""

    exit_code = 4
