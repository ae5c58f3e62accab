"""The input policy every reader follows (docs/input-limits.md): how a file is decoded, what a
number is, and the documented range of every kind of field and declared size.

- A file is read as bytes and decoded as UTF-8 (a leading byte-order mark is dropped); a byte
  that is not UTF-8, or a control character other than tab, CR, LF, FF and VT, is refused naming
  its byte offset, line and column.
- A number is ASCII: `[+-]digits[.digits][e[+-]digits]` (an integer field: `[+-]digits`), at
  most `MAX_NUMBER_CHARS` characters. Python's `int()` / `float()` also take fullwidth and
  Arabic-Indic digits, `1_000`, `nan` and `inf`; none of them is a number here.
- Every value is finite and within the range of its field (`MAX_INTEGER`, `MAX_REAL`,
  `MAX_COORDINATE`); declared sizes are checked against `MAX_NODES`, `MAX_DENSE_MATRIX_BYTES`,
  `MAX_OPERATIONS`, `MAX_ITEMS` and against what the file holds, before anything is allocated.
- JSON nests at most `MAX_JSON_DEPTH` levels and its numbers are at most `MAX_NUMBER_CHARS` long.
- A file read whole is at most `MAX_FILE_BYTES`, checked on its size before it is read.

Every violation is an `InputError` (exit 2) naming the file, the line (or JSON field) and the
field. This module imports nothing from the solvers or the api.
"""

from __future__ import annotations

import os
import re
from typing import NoReturn, Sequence

import numpy as np

from omnisolve.errors import InputError

#: exact integer data (demands, capacities, weights, durations, counts): |value| < 1e15, so every
#: value and every sum of a few thousand of them is exact in a float64 and far from int64 overflow
MAX_INTEGER = 10**15
#: other real data (explicit distances, knapsack values, model coefficients): |value| < 1e15,
#: which HiGHS still takes as a matrix value and numpy sums without overflow
MAX_REAL = 1e15
#: node coordinates: |value| < 1e12, so a distance stays below 3e12 and a tour of a million nodes
#: below 3e18 (within int64, the routing engines' integer costs)
MAX_COORDINATE = 1e12
#: the longest number token (a float written by `repr` has at most 24 characters)
MAX_NUMBER_CHARS = 64
#: a TSPLIB / VRPLIB DIMENSION
MAX_NODES = 1_000_000
#: the dense n x n float64 distance matrix every routing problem holds: at most 4 GiB (23,170 nodes)
MAX_DENSE_MATRIX_BYTES = 4 * 1024**3
#: jobs x machines of a job shop
MAX_OPERATIONS = 1_000_000
#: items of a knapsack
MAX_ITEMS = 10_000_000
#: a file read whole (every format but MPS and LP, which are streamed to HiGHS)
MAX_FILE_BYTES = 4 * 1024**3
#: nesting of a JSON document (omnisolve's own formats nest at most 5 levels)
MAX_JSON_DEPTH = 64

# Unambiguous (each text matches one way) and atomic, so a bad token in a list of a million
# fails in linear time: `[0-9]+\.?[0-9]*` splits "12345" five ways and backtracked exponentially.
_REAL = r"(?>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
_INT = r"(?>[+-]?[0-9]+)"
_REAL_TOKEN = re.compile(_REAL)
_INT_TOKEN = re.compile(_INT)
_REAL_LIST = re.compile(rf"(?:{_REAL}\n)*+{_REAL}")
_INT_LIST = re.compile(rf"(?:{_INT}\n)*+{_INT}")
_BAD_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")


def shown(token: str, width: int = 24) -> str:
    """`token` quoted for a message, cut short when long (a 5,000-digit number stays one short line)."""
    if len(token) <= width:
        return repr(token)
    return f"{token[: width - 4]!r}... ({len(token)} characters)"


# ---- bytes to text ---------------------------------------------------------------------------
def decode(data: bytes, path: str) -> str:
    """`data` as UTF-8 text, or an `InputError` naming the byte offset, line and column of the
    first byte that is not UTF-8 or of the first control character."""
    skip = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # a byte-order mark; offsets count it
    data = data[skip:] if skip else data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"byte 0x{data[exc.start]:02x} at offset {exc.start + skip} (column {column}) is not UTF-8 text",
            path=path,
            line=line,
        ) from None
    bad = _BAD_CONTROL_BYTES.search(data)
    if bad:
        at = bad.start()  # a byte offset: in UTF-8 no control byte is part of another character
        line = data.count(b"\n", 0, at) + 1
        column = len(data[data.rfind(b"\n", 0, at) + 1 : at].decode("utf-8")) + 1
        offset = at + skip
        raise InputError(
            f"control character 0x{bad.group()[0]:02x} at offset {offset} (column {column}) in a text file",
            path=path,
            line=line,
        )
    return text


def read_text(path: str | os.PathLike) -> str:
    """The whole file as text (see `decode`); `InputError` if it is missing or unreadable."""
    return decode(read_bytes(path), os.fspath(path))


def read_bytes(path: str | os.PathLike) -> bytes:
    """The whole file; `InputError` if it is missing, unreadable or larger than `MAX_FILE_BYTES`
    (checked before anything is read)."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise InputError(
                    f"{size / 1024**3:.1f} GiB; omnisolve reads files of at most "
                    f"{MAX_FILE_BYTES / 1024**3:g} GiB in this format (MPS and LP: no limit)",
                    path=name,
                )
            data = f.read()
    except FileNotFoundError:
        raise InputError("file not found", path=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=name) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=name) from None
    return data


# ---- numbers ---------------------------------------------------------------------------------
def numbers(
    tokens: Sequence[str],
    lines: Sequence[int],
    path: str,
    what: str,
    integer: bool = False,
    limit: float | None = None,
) -> np.ndarray:
    """`tokens` as a float64 (or int64) array; `lines[k]` is the line of `tokens[k]`.

    Every token must be an ASCII number (an integer when `integer`) of at most
    `MAX_NUMBER_CHARS` characters, with |value| < `limit` (default `MAX_INTEGER` for integers,
    `MAX_REAL` otherwise). One regular-expression pass and one numpy conversion for the whole
    list; only on failure are the tokens walked to name the bad one.
    """
    limit = (MAX_INTEGER if integer else MAX_REAL) if limit is None else limit
    if not tokens:
        return np.zeros(0, dtype=np.int64 if integer else np.float64)
    grammar = _INT_LIST if integer else _REAL_LIST
    values = None
    if max(map(len, tokens)) <= MAX_NUMBER_CHARS and grammar.fullmatch("\n".join(tokens)):
        try:
            values = np.array(tokens, dtype=str).astype(np.int64 if integer else np.float64)
        except (ValueError, OverflowError):
            values = None
    if values is None:
        _refuse_token(tokens, lines, path, what, integer, limit)
    out = np.abs(values) >= limit
    if out.any():
        k = int(np.flatnonzero(out)[0])
        raise InputError(
            f"{what}: {shown(tokens[k])} is out of range (|value| must be below {limit:g})", path=path, line=lines[k]
        )
    return values


def number(token: str, line: int, path: str, what: str, integer: bool = False, limit: float | None = None) -> float:
    """One token as a number (see `numbers`): an int when `integer`, else a float."""
    value = numbers([token], [line], path, what, integer, limit)[0]
    return int(value) if integer else float(value)


def _refuse_token(
    tokens: Sequence[str], lines: Sequence[int], path: str, what: str, integer: bool, limit: float
) -> NoReturn:
    pattern = _INT_TOKEN if integer else _REAL_TOKEN
    kind = "an integer" if integer else "a finite number"
    for k, token in enumerate(tokens):
        if len(token) > MAX_NUMBER_CHARS and pattern.fullmatch(token):
            raise InputError(
                f"{what}: {shown(token)} is out of range (|value| must be below {limit:g})", path=path, line=lines[k]
            )
        if not pattern.fullmatch(token):
            if not token.isascii():
                hint = " (only ASCII digits make numbers)"
            elif integer and _REAL_TOKEN.fullmatch(token):
                hint = " (this field takes integers only)"
            else:
                hint = ""
            raise InputError(f"{what}: {shown(token)} is not {kind}{hint}", path=path, line=lines[k])
        try:
            value = int(token) if integer else float(token)
        except (ValueError, OverflowError):
            value = None
        if value is None or not abs(value) < limit:
            raise InputError(
                f"{what}: {shown(token)} is out of range (|value| must be below {limit:g})", path=path, line=lines[k]
            )
    raise InputError(f"{what}: the numbers cannot be read", path=path, line=lines[0])  # not reached


# ---- declared sizes --------------------------------------------------------------------------
def dense_matrix_reason(n: int) -> str | None:
    """Why an n x n float64 distance matrix is refused, or None."""
    size = 8 * n * n
    if size <= MAX_DENSE_MATRIX_BYTES:
        return None
    return (
        f"{n} nodes need a dense {n} x {n} distance matrix of {size / 1024**3:.1f} GiB; omnisolve holds at "
        f"most {MAX_DENSE_MATRIX_BYTES / 1024**3:g} GiB ({max_dense_nodes()} nodes)"
    )


def max_dense_nodes() -> int:
    """The most nodes whose dense distance matrix is within `MAX_DENSE_MATRIX_BYTES`."""
    return int((MAX_DENSE_MATRIX_BYTES // 8) ** 0.5)


# ---- JSON ----------------------------------------------------------------------------------
# a JSON string, or the unterminated one at the end of a prefix that stops inside a string
_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*(?:"|\\?\Z)')
_JSON_LONG_NUMBER = re.compile(rf"-?[0-9][0-9.eE+-]{{{MAX_NUMBER_CHARS},}}")
_CHUNK = 1 << 20


def check_json_text(text: str, path: str) -> None:
    """Refuse, before `json.loads` sees it, a document nested deeper than `MAX_JSON_DEPTH` (the
    parser would hit Python's recursion limit) or holding a number longer than
    `MAX_NUMBER_CHARS` (a 5,000-digit integer is past Python's int conversion limit).

    Brackets are counted in blocks of 1 MB and the count stops at the first block that goes too
    deep, so a 600 MB document of nested objects is refused in a fraction of a second; only that
    prefix is then counted again without the brackets inside strings, to confirm. When the
    brackets counted were inside strings, the whole document is counted again without them."""
    check_json_depth(text.encode("utf-8", "surrogatepass"), path)
    check_json_numbers(text, path)


def check_json_depth(raw: bytes, path: str) -> None:
    """The nesting part of `check_json_text`, on the file's bytes (before they are decoded)."""
    depth = 0
    for start in range(0, len(raw), _CHUNK):
        codes = np.frombuffer(raw, dtype=np.uint8, count=min(_CHUNK, len(raw) - start), offset=start)
        step = (codes == 0x5B).astype(np.int32) + (codes == 0x7B) - (codes == 0x5D) - (codes == 0x7D)
        level = np.cumsum(step) + depth
        if level.size and level.max() > MAX_JSON_DEPTH:
            at = start + int(np.argmax(level > MAX_JSON_DEPTH))
            _confirm_depth(raw[: at + 1], path)  # a nested bomb is refused here, on its prefix only
            _confirm_depth(raw, path)  # the prefix's extra levels were inside strings: all of it, outside them
            return
        depth = int(level[-1]) if level.size else depth


def check_json_numbers(text: str, path: str) -> None:
    """The number-length part of `check_json_text`."""
    for match in _JSON_LONG_NUMBER.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        quotes = text.count('"', line_start, match.start()) - text.count('\\"', line_start, match.start())
        if quotes % 2 == 0:  # not inside a string (a JSON string holds no raw newline)
            line = text.count("\n", 0, match.start()) + 1
            raise InputError(
                f"JSON number {shown(match.group())} is longer than {MAX_NUMBER_CHARS} characters", path=path, line=line
            )


def _confirm_depth(prefix: bytes, path: str) -> None:
    """Refuse when `prefix` nests deeper than `MAX_JSON_DEPTH` outside its strings."""
    text = prefix.decode("utf-8", "replace")
    bare = _JSON_STRING.sub('""', text) if '"' in text else text
    codes = np.frombuffer(bare.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    step = (codes == 0x5B).astype(np.int32) + (codes == 0x7B) - (codes == 0x5D) - (codes == 0x7D)
    level = np.cumsum(step)
    if level.size and level.max() > MAX_JSON_DEPTH:
        line = bare.count("\n", 0, int(np.argmax(level > MAX_JSON_DEPTH))) + 1
        raise InputError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", path=path, line=line)
