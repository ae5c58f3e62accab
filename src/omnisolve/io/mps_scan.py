"""Check the numbers (and the tokens HiGHS would drop) in an MPS or LP text before HiGHS reads it.

HiGHS 1.14 reads MPS values with C's `atof` and LP values with `strtod`, both of which take the
longest numeric prefix of a token and never fail: `1.2.3` is read as 1.2, `abc` as 0, `0x10` as 16,
`nan` as NaN (which HiGHS then drops from the matrix or keeps as an objective coefficient), and
`1e400` as infinity. It also ignores, with at most a log warning, entries for undefined rows,
duplicate entries, tokens beyond the fifth on a COLUMNS line, lines before the first section and
unknown lines in OBJSENSE. Any of these turns a damaged file into a different model that is then
solved and reported optimal. `scan_mps` and `scan_lp` read the text once, line by line, as bytes
(so memory stays flat for files of hundreds of MB), and raise `InputError(message, path, line)`
at the first such token.

Numbers. Accepted: `[+-]digits[.digits][(e|E|d|D)[+-]digits]` including `1.`, `.5`, `1e+05`,
`-0` and the Fortran exponent `1D5` (HiGHS replaces D by E, so it reads 1e5 exactly as we do);
`inf`/`infinity` (any case, signed) where an infinite value is meaningful. Refused: NaN, hex
(`0x10`), anything with trailing characters (`1.2.3`, `2e`, `1,5`, `1_000`).

Where infinity is allowed (MPS), per section:

| section | infinite value (`inf`, `infinity`, `1e400`, or |v| >= 1e20, which HiGHS treats as infinite) |
|---|---|
| COLUMNS (objective, matrix), QUADOBJ/QMATRIX | refused: coefficients must be finite and below 1e20 |
| RHS of a constraint row | allowed (`+inf` on an L row = no bound; HiGHS itself refuses an empty row) |
| RHS of the objective row | refused (it is the objective constant) |
| RANGES | allowed (an infinite range leaves that side unbounded) |
| BOUNDS UP/UI/SC/SI | `+inf` allowed (no upper bound), `-inf` refused (no value left) |
| BOUNDS LO/LI | `-inf` allowed, `+inf` refused |
| BOUNDS FX | refused |
| BOUNDS MI/PL/FR/BV | a value is optional and ignored by HiGHS; if present it must be a number |

This matches what CPLEX, Gurobi and PuLP write (CPLEX and Gurobi write `1e+30`/`1e+100` or
`inf`/`Infinity` in BOUNDS and RHS; PuLP writes no infinite values at all).

Structure, MPS (free format, as HiGHS reads by default): ROWS lines are `type name`; COLUMNS
lines `column row value [row value]` or a `'MARKER'` line; RHS lines `[set] row value [row
value]` (the set name may be left out, as HiGHS allows); RANGES lines `set row value [row
value]`; BOUNDS lines `type [set] column [value]`. Also refused: names with spaces (HiGHS then
falls back to a fixed-format reader that reads LI/UI as MI, and ignores BV and SC bounds), an
undefined row, a row or column defined twice, a repeated matrix entry, RHS or range, a second
lower or upper bound on a column (HiGHS keeps the first), an RHS on a free (second N) row
(HiGHS makes it the objective constant), a negative UP bound on a column without a lower bound
(HiGHS keeps lower bound 0, CPLEX makes it -inf: state LO or MI), `OBJSENSE MAXIMIZE` on one
line (HiGHS reads only `MAX`/`MIN` there and silently minimizes) and unknown OBJSENSE lines.
Columns named only in BOUNDS are accepted (HiGHS adds them as variables without coefficients).

LP (CPLEX LP as HiGHS reads it): NaN anywhere, hex numbers, names starting with `inf` or `nan`
(which `strtod` reads as a number), numbers glued to a following number or to an exponent-like
name (`1.2.3`, `1d5` is 1 * d5 in HiGHS), text after a `;` (HiGHS ignores the rest of the line),
and infinite values other than in the bounds section or as a constraint's right-hand side.

Any text: bytes that are not UTF-8, and control characters other than tab, CR and LF.
"""

from __future__ import annotations

import math
import re
from typing import IO, Callable

from omnisolve.errors import InputError

HUGE = 1e20  # HiGHS's infinite_bound / infinite_cost: values this large count as infinite

_NUMBER = re.compile(rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eEdD][+-]?[0-9]+)?")
_INFINITY = {b"inf": math.inf, b"infinity": math.inf}
_BAD_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")

_SECTIONS = {
    b"NAME", b"OBJSENSE", b"ROWS", b"COLUMNS", b"RHS", b"BOUNDS", b"RANGES", b"QSECTION", b"QMATRIX",
    b"QUADOBJ", b"QCMATRIX", b"CSECTION", b"DELAYEDROWS", b"MODELCUTS", b"USERCUTS", b"INDICATORS",
    b"SETS", b"SOS", b"GENCONS", b"PWLOBJ", b"PWLNAM", b"PWLCON", b"ENDATA",
}
_WITH_ARGUMENTS = {b"NAME", b"OBJSENSE", b"QCMATRIX", b"QSECTION", b"CSECTION"}
_LOWER = {b"LO", b"LI", b"MI"}
_UPPER = {b"UP", b"UI", b"PL", b"SC", b"SI"}
_BOTH = {b"FX", b"FR", b"BV"}
_NO_VALUE = {b"MI", b"PL", b"FR", b"BV"}


def _text(token: bytes) -> str:
    return token.decode("utf-8", "replace")


class _Scanner:
    """Shared by the MPS and LP scans: the file name, the current line, number parsing."""

    def __init__(self, path: str):
        self.path = path
        self.line = 0

    def fail(self, message: str, line: int | None = None) -> InputError:
        return InputError(message, path=self.path, line=self.line if line is None else line)

    def check_bytes(self, raw: bytes) -> None:
        if not raw.isascii():
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise self.fail(
                    f"byte 0x{raw[exc.start]:02x} at column {exc.start + 1} is not UTF-8 text"
                ) from None
        bad = _BAD_CONTROL.search(raw)
        if bad:
            raise self.fail(f"control character 0x{bad.group()[0]:02x} at column {bad.start() + 1}")

    def number(self, token: bytes, what: str) -> float:
        """The value of an MPS number token (+-inf for infinity); InputError when malformed."""
        value = _parse(token)
        if value.__class__ is str:
            raise self.fail(f"{what}: {value}")
        return value

    def finite(self, token: bytes, what: str) -> float:
        value = self.number(token, what)
        if not -HUGE < value < HUGE:
            raise self.fail(_infinite(token, value, what))
        return value


def _parse(token: bytes) -> float | str:
    """The value of a number token, or why it is not one (a str)."""
    try:
        value = float(token)  # fast path; float also takes forms HiGHS does not ("1_0", "nan")
    except ValueError:
        value = None
    if value is not None and value == value and b"_" not in token:
        return value
    if _NUMBER.fullmatch(token):  # Fortran exponent: HiGHS reads 1D5 as 1E5
        return float(token.replace(b"d", b"e").replace(b"D", b"e"))
    sign, body = (-1.0, token[1:]) if token[:1] == b"-" else (1.0, token.lstrip(b"+"))
    low = body.lower()
    if low in _INFINITY:
        return sign * math.inf
    if low.startswith(b"nan"):
        return f"{_text(token)!r} is NaN"
    return f"{_text(token)!r} is not a number"


def _infinite(token: bytes, value: float, what: str) -> str:
    kind = "infinite" if math.isinf(value) else f"{value:g}, which HiGHS treats as infinite"
    return f"{what}: {_text(token)!r} is {kind}; it must be finite"


class MpsScanner(_Scanner):
    """One pass over the lines of a free-format MPS file (see the module docstring)."""

    def __init__(self, path: str):
        super().__init__(path)
        self.section: bytes | None = None
        self.handler: Callable[[list[bytes]], None] | None = None
        self.rows: dict[bytes, int] = {}  # name -> 0 constraint, 1 objective, 2 free row
        self.columns: set[bytes] = set()
        self.column: bytes | None = None
        self.column_rows: set[bytes] = set()
        self.rhs_rows: set[bytes] = set()
        self.range_rows: set[bytes] = set()
        self.bounds: dict[bytes, list[int]] = {}  # column -> [line of lower, line of upper] (0: none)
        self.negative_up: dict[bytes, int] = {}  # columns with UP < 0 and no lower bound yet
        self.has_objective = False
        self.handler = self.line_none

    def feed(self, raw: bytes, check: bool = True) -> None:
        self.line += 1
        if self.handler is None:  # after ENDATA
            return
        if check:
            self.check_bytes(raw)
        if raw[:1] == b"*":
            return
        tokens = raw.split()
        if not tokens:
            return
        if len(tokens) == 1 or len(tokens[0]) in (4, 8):  # NAME, OBJSENSE, Q/CSECTION, QCMATRIX
            first = tokens[0].upper()
            if first in _SECTIONS and (len(tokens) == 1 or first in _WITH_ARGUMENTS):
                self.start_section(first, tokens)
                return
        if tokens[0][0] == 42:  # "*"
            raise self.fail("a comment must start with '*' in the first column; HiGHS reads an indented '*' line as data")
        self.handler(tokens)

    def finish(self) -> None:
        self.end_bounds()

    # -- sections ------------------------------------------------------------------------------
    def start_section(self, key: bytes, tokens: list[bytes]) -> None:
        if self.section == b"BOUNDS":
            self.end_bounds()
        self.section = key
        self.handler = getattr(self, "line_" + key.decode().lower(), self.line_ignored)
        if key == b"ENDATA":
            self.handler = None
        elif key == b"OBJSENSE" and len(tokens) > 1:
            sense = tokens[1].upper()
            if sense not in (b"MAX", b"MIN"):
                raise self.fail(
                    f"OBJSENSE {_text(tokens[1])}: HiGHS reads only MAX or MIN on the OBJSENSE line "
                    "(it would minimize); write MAX or MIN, or put the sense on the next line"
                )

    def line_ignored(self, tokens: list[bytes]) -> None:
        """Sections HiGHS refuses itself (SOS, cones, quadratic rows, indicators, ...)."""

    def line_none(self, tokens: list[bytes]) -> None:
        raise self.fail(f"line outside any section (starts with {_text(tokens[0])!r}); HiGHS would ignore it")

    def line_name(self, tokens: list[bytes]) -> None:
        raise self.fail(f"unexpected line after NAME (starts with {_text(tokens[0])!r}); HiGHS would ignore it")

    def line_objsense(self, tokens: list[bytes]) -> None:
        word = tokens[0].upper()
        if len(tokens) != 1 or not word.startswith((b"MAX", b"MIN")):
            raise self.fail(f"OBJSENSE section: expected MAX or MIN, got {_text(b' '.join(tokens))!r}")

    def line_rows(self, tokens: list[bytes]) -> None:
        if len(tokens) != 2:
            raise self.fail(self._shape("ROWS", "type name", tokens))
        kind, name = tokens
        if kind not in (b"N", b"E", b"L", b"G"):
            return  # HiGHS refuses an unknown row type itself
        if name in self.rows:
            raise self.fail(f"ROWS: row {_text(name)!r} is defined twice")
        if kind != b"N":
            self.rows[name] = 0
        elif not self.has_objective:  # the first N row is the objective, later ones are free rows
            self.rows[name], self.has_objective = 1, True
        else:
            self.rows[name] = 2

    def line_columns(self, tokens: list[bytes]) -> None:
        n = len(tokens)
        if n >= 2 and tokens[1] == b"'MARKER'":
            return  # HiGHS checks INTORG / INTEND itself and fails loudly
        if n != 3 and n != 5:
            raise self.fail(self._shape("COLUMNS", "column row value [row value]", tokens))
        column = tokens[0]
        if column != self.column:
            if column in self.columns:
                raise self.fail(
                    f"COLUMNS: column {_text(column)!r} appears again after other columns; "
                    "HiGHS would make it a second variable"
                )
            self.columns.add(column)
            self.column, self.column_rows = column, set()
        rows, seen = self.rows, self.column_rows
        for k in (1, 3) if n == 5 else (1,):
            row, token = tokens[k], tokens[k + 1]
            if row not in rows:
                raise self.fail(f"COLUMNS: row {_text(row)!r} of column {_text(column)!r} is not defined in ROWS")
            value = _parse(token)
            if value.__class__ is str or not -HUGE < value < HUGE:
                what = "objective coefficient" if rows[row] == 1 else "coefficient"
                self.finite(token, f"{what} of {_text(column)!r} in row {_text(row)!r}")
            if value:
                if row in seen:
                    raise self.fail(
                        f"COLUMNS: column {_text(column)!r} has a second entry in row {_text(row)!r} "
                        "(HiGHS would keep the first)"
                    )
                seen.add(row)

    def line_rhs(self, tokens: list[bytes]) -> None:
        start = 0 if tokens[0] in self.rows else 1  # HiGHS: a leading row name means no set name
        self._pairs("RHS", tokens, start, self.rhs_rows)

    def line_ranges(self, tokens: list[bytes]) -> None:
        self._pairs("RANGES", tokens, 1, self.range_rows)

    def _pairs(self, section: str, tokens: list[bytes], start: int, seen: set[bytes]) -> None:
        rest = tokens[start:]
        if len(rest) not in (2, 4):
            raise self.fail(self._shape(section, "[set] row value [row value]", tokens))
        for row, token in (rest[0:2], rest[2:4])[: len(rest) // 2]:
            kind = self.rows.get(row)
            if kind is None:
                raise self.fail(f"{section}: row {_text(row)!r} is not defined in ROWS")
            where = f"{section} of row {_text(row)!r}"
            if section == "RHS" and kind == 2:
                raise self.fail(f"RHS on free row {_text(row)!r}: HiGHS would take it as the objective constant")
            if section == "RHS" and kind == 1:
                self.finite(token, f"{where} (the objective constant)")
            else:
                self.number(token, where)
            if row in seen:
                raise self.fail(f"{section}: row {_text(row)!r} has a second value (HiGHS would keep the first)")
            seen.add(row)

    def line_bounds(self, tokens: list[bytes]) -> None:
        kind = tokens[0]
        if kind not in _LOWER | _UPPER | _BOTH:
            raise self.fail(f"BOUNDS: bound type {_text(kind)!r} is not one of UP LO FX FR MI PL BV LI UI SC SI")
        if len(tokens) >= 2 and tokens[1] in self.columns:
            column, rest = tokens[1], tokens[2:]  # no bound-set name, as HiGHS reads it
        elif len(tokens) >= 3:
            column, rest = tokens[2], tokens[3:]
        else:
            raise self.fail(self._shape("BOUNDS", "type [set] column [value]", tokens))
        name = _text(column)
        if kind in _NO_VALUE:
            if len(rest) > 1:
                raise self.fail(self._shape("BOUNDS", "type [set] column", tokens))
            if rest:
                self.number(rest[0], f"{_text(kind)} bound value of {name!r}")
            value = None
        else:
            if len(rest) != 1:
                raise self.fail(self._shape("BOUNDS", "type [set] column value", tokens))
            value = self.number(rest[0], f"{_text(kind)} bound of {name!r}")
            if kind == b"FX" and not abs(value) < HUGE:
                raise self.fail(f"FX bound of {name!r} is {_text(rest[0])}; a fixed value must be finite")
            if kind in (b"LO", b"LI") and value >= HUGE:
                raise self.fail(f"{_text(kind)} bound of {name!r} is {_text(rest[0])}: no value is left")
            if kind in _UPPER and value <= -HUGE:
                raise self.fail(f"{_text(kind)} bound of {name!r} is {_text(rest[0])}: no value is left")
        sides = self.bounds.setdefault(column, [0, 0])
        lower, upper = kind in _LOWER or kind in _BOTH, kind in _UPPER or kind in _BOTH
        for side, sets, label in ((0, lower, "lower"), (1, upper, "upper")):
            if sets and sides[side]:
                raise self.fail(
                    f"BOUNDS: second {label} bound for {name!r} (first at line {sides[side]}); "
                    "HiGHS would keep the first"
                )
        if lower:
            sides[0] = self.line
            self.negative_up.pop(column, None)
        if upper:
            sides[1] = self.line
        if kind in _UPPER and value is not None and value < 0 and not sides[0]:
            self.negative_up[column] = self.line

    def end_bounds(self) -> None:
        if self.negative_up:
            column, line = min(self.negative_up.items(), key=lambda item: item[1])
            raise self.fail(
                f"BOUNDS: negative upper bound on {_text(column)!r}, which has no lower bound: HiGHS keeps "
                "lower bound 0 (infeasible), CPLEX uses -inf; add an LO or MI bound",
                line,
            )

    def line_quadobj(self, tokens: list[bytes]) -> None:
        if len(tokens) not in (3, 5):
            raise self.fail(self._shape("QUADOBJ", "column column value [column value]", tokens))
        for name in tokens[0:2] + tokens[3:4]:
            if name not in self.columns:
                raise self.fail(f"quadratic objective: column {_text(name)!r} is not defined in COLUMNS")
        for token in tokens[2::2]:
            self.finite(token, "quadratic objective coefficient")

    line_qmatrix = line_quadobj

    @staticmethod
    def _shape(section: str, form: str, tokens: list[bytes]) -> str:
        text = " ".join(_text(t) for t in tokens)
        return f"{section}: expected '{form}', got {len(tokens)} fields in {text!r} (names with spaces are not supported)"


# ---- LP ----------------------------------------------------------------------------------------
_LP_SINGLE = b"[]<>=:+^/*-"
_LP_DELIM = re.compile(rb"[\t\n\\:+<>^= /*\[\]-]")
# what C's strtod takes at the start of a token (HiGHS tries it before reading a name)
_LP_NUMBER = re.compile(
    rb"(?i:(?P<inf>inf(?:inity)?)|(?P<nan>nan(?:\([0-9a-z_]*\))?)|(?P<hex>0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?))"
    rb"|(?P<dec>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
)
_LP_SECTIONS = {
    b"minimize": "obj", b"min": "obj", b"minimum": "obj", b"maximize": "obj", b"max": "obj",
    b"maximum": "obj", b"st": "con", b"s.t.": "con", b"bounds": "bounds", b"bound": "bounds",
    b"binary": "other", b"binaries": "other", b"bin": "other", b"general": "other", b"generals": "other",
    b"gen": "other", b"integer": "other", b"integers": "other", b"semi": "other", b"semis": "other",
    b"sos": "other", b"end": "end",
}
_LP_PAIRS = {(b"subject", b"to"): "con", (b"such", b"that"): "con"}


class LpScanner(_Scanner):
    """One pass over the lines of a CPLEX-LP file as HiGHS tokenizes it (see the module docstring)."""

    def __init__(self, path: str):
        super().__init__(path)
        self.section = "obj"
        self.previous = b""  # the last token, as text or one of the single characters
        self.before_sign = b""  # the last token other than + and -
        self.pending_inf: int | None = None  # line of an infinite constant awaiting a comparison
        self.in_comment = False
        self.last_word = b""

    def feed(self, raw: bytes, check: bool = True) -> None:
        self.line += 1
        if check:
            self.check_bytes(raw)
        line = raw.rstrip(b"\r\n")
        pos, n = 0, len(line)
        while pos < n:
            ch = line[pos : pos + 1]
            if ch in (b" ", b"\t"):
                pos += 1
                continue
            if ch == b"\\":
                break
            if ch == b";":
                if line[pos + 1 :].strip():
                    raise self.fail("text after ';' is ignored by HiGHS's LP reader; remove the ';'")
                break
            if ch in _LP_SINGLE:
                self.token(ch)
                pos += 1
                continue
            m = _LP_NUMBER.match(line, pos)
            if m:
                pos = self.number_token(line, m)
                continue
            end = _LP_DELIM.search(line, pos)
            stop = end.start() if end else n
            self.token(line[pos:stop], word=True)
            pos = stop

    def number_token(self, line: bytes, m: re.Match) -> int:
        text, end = m.group(), m.end()
        after = line[end : end + 1]
        glued = bool(after) and not _LP_DELIM.match(after) and after != b";"
        if self.in_comment:
            self.token(text)
            return end
        if m.group("nan") is not None or m.group("inf") is not None:
            if glued:
                name = line[m.start() : _word_end(line, end)]
                raise self.fail(
                    f"name {_text(name)!r} starts with {_text(text)!r}, which HiGHS reads as a number; rename it"
                )
            if m.group("nan") is not None:
                raise self.fail(f"NaN ({_text(text)!r}) is not a number")
            value = math.inf
        elif m.group("hex") is not None:
            raise self.fail(f"hexadecimal number {_text(text)!r} is not allowed")
        else:
            if glued and (after.isdigit() or after == b"." or after in b"eEdD"):
                word = line[m.start() : _word_end(line, end)]
                raise self.fail(
                    f"malformed number {_text(word)!r} (HiGHS would read {_text(text)!r} "
                    f"followed by {_text(word[len(text):])!r})"
                )
            value = float(text)
        pending = not abs(value) < HUGE and self.infinite(text)
        self.token(text)
        if pending:
            self.pending_inf = self.line  # allowed only if a comparison follows
        return end

    def infinite(self, text: bytes) -> bool:
        """Whether an infinite value here is allowed if a comparison follows; raises if never."""
        if self.section == "bounds":
            return False
        if self.section == "con":
            return self.before_sign[-1:] not in (b"<", b">", b"=")
        raise self.fail(f"infinite value {_text(text)!r} in the objective or a coefficient; it must be finite")

    def token(self, tok: bytes, word: bool = False) -> None:
        if self.in_comment:
            if self.previous == b"*" and tok == b"/":
                self.in_comment = False
            self.previous = tok
            return
        if self.previous == b"/" and tok == b"*":
            self.in_comment = True
            self.previous = b""
            return
        if self.pending_inf is not None and tok not in (b"<", b">", b"="):
            raise self.fail("infinite value as a coefficient; it must be finite", self.pending_inf)
        self.pending_inf = None
        if word:
            low = tok.lower()
            pair = _LP_PAIRS.get((self.last_word, low))
            if pair:
                self.section = pair
            elif low in _LP_SECTIONS:
                self.section = _LP_SECTIONS[low]
            self.last_word = low
        if tok not in (b"+", b"-"):
            self.before_sign = tok
        self.previous = tok

    def finish(self) -> None:
        if self.pending_inf is not None:
            raise self.fail("infinite value as a coefficient; it must be finite", self.pending_inf)


def _word_end(line: bytes, pos: int) -> int:
    """Where the LP token running on from `pos` ends (the next delimiter, or the line end)."""
    end = _LP_DELIM.search(line, pos)
    return end.start() if end else len(line)


def scan(f: IO[bytes], path: str, fmt: str, copy_to: IO[bytes] | None = None) -> None:
    """Scan the `.mps` or `.lp` text read from the binary file `f`, in blocks of about 1 MB of
    whole lines (each also written to `copy_to` when given); raises `InputError` naming `path`
    and the line of the first bad token."""
    scanner: MpsScanner | LpScanner = MpsScanner(path) if fmt == ".mps" else LpScanner(path)
    feed = scanner.feed
    while True:
        lines = f.readlines(1 << 20)
        if not lines:
            break
        block = b"".join(lines)
        if copy_to is not None:
            copy_to.write(block)
        check = not block.isascii() or _BAD_CONTROL.search(block) is not None
        for raw in lines:
            feed(raw, check)
    scanner.finish()
