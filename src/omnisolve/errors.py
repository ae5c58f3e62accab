"""Error types. Every error a user can cause is an `OmnisolveError` with a one-line message."""

from __future__ import annotations

import re

MAX_MESSAGE = 300  # characters: a message quotes the input, and the input may be a 1 MB line
# A quotation opens with a quote at the start or after a space, an opening bracket, "=", ":" or ",". A quote
# after anything else is an apostrophe or closes a quotation, as the second quote of '*' does: taken for an
# opening one, it made "'*' in the first column ... an indented '*'" a long quotation to cut.
_LONG_QUOTE = re.compile(r"(?<![^\s(\[{=:,])'([^'\n]{41,}?)'(?!\w)")


def one_line(message: str) -> str:
    """`message` on one line of at most MAX_MESSAGE characters: quoted excerpts of the input
    longer than 40 characters are cut to their first 32."""
    text = " ".join(message.split())
    text = _LONG_QUOTE.sub(lambda m: f"'{m.group(1)[:32]}...' ({len(m.group(1))} characters)", text)
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


class OmnisolveError(Exception):
    """Base class: an error caused by the input or the environment, not a bug; its message is
    one short line whatever the input quoted in it."""

    exit_code = 1

    def __init__(self, message: str = "", *args: object):
        super().__init__(one_line(str(message)), *args)


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
