"""Check the numbers (and the tokens HiGHS would drop) in an MPS or LP text before HiGHS reads it.

Every rule here was checked against highspy 1.16.0: a case is refused when HiGHS 1.16 silently
reads a different model from it, or refuses it without naming the line; a case HiGHS 1.16 reads
as intended is accepted. `scan_mps` and `scan_lp` read the text once, line by line, as bytes (so
memory stays flat for files of hundreds of MB), and raise `InputError(message, path, line)` at
the first such token.

MPS. HiGHS 1.16 still reads MPS values with C's `atof`, which takes the longest numeric prefix
of a token and never fails: `1.2.3` is read as 1.2, `abc`, `--1` as 0, `0x10` as 16, `1,5`,
`1_000` as 1, `2e` as 2, `1e5x` as 1e5, `nan` as NaN (kept in the costs and the matrix; in an RHS,
range or bound HiGHS refuses it, naming only the row or column), `1e400` as infinity. Accepted:
`[+-]digits[.digits][(e|E|d|D)[+-]digits]` including `1.`, `.5`, `1e+05`, `-0` and the Fortran
exponent `1D5` (HiGHS 1.16 reads it as 1e5, as we do); `inf`/`infinity` (any case, signed) where
an infinite value is meaningful. Refused: NaN, hex, anything with trailing characters.

Where infinity is allowed (MPS), per section, with what HiGHS 1.16 does:

| section | infinite value (`inf`, `infinity`, `1e400`, or |v| >= 1e20) | HiGHS 1.16 |
|---|---|---|
| COLUMNS objective entry | refused: must be finite and below 1e20 | silently keeps an infinite cost |
| COLUMNS matrix entry, QUADOBJ/QMATRIX | refused | refuses the model without a line |
| RHS of a constraint row | allowed (`+inf` on an L row = no bound) | refuses a row left with no value itself |
| RHS of the objective row | refused (the objective constant) | silently keeps -inf / -1e30 as offset |
| RANGES | allowed (an infinite range leaves that side unbounded) | reads it so |
| BOUNDS UP/UI/SC/SI | `+inf` allowed (no upper bound), `-inf` refused | refuses -inf without a line |
| BOUNDS LO/LI | `-inf` allowed, `+inf` refused | refuses +inf without a line |
| BOUNDS FX | refused | refuses without a line |
| BOUNDS MI/PL/FR/BV | a value is optional and ignored by HiGHS; if present it must be a number | ignores it |

This matches what CPLEX, Gurobi and PuLP write (CPLEX and Gurobi write `1e+30`/`1e+100` or
`inf`/`Infinity` in BOUNDS and RHS; PuLP writes no infinite values at all).

Structure, MPS (free format, as HiGHS reads by default): ROWS lines are `type name`; COLUMNS
lines `column row value [row value]` or a `'MARKER'` line; RHS lines `[set] row value [row
value]` (the set name may be left out, as HiGHS allows: a leading row name means no set);
RANGES lines `set row value [row value]`; BOUNDS lines `type [set] column [value]` (a leading
column name means no set). Also refused, each of which HiGHS 1.16 still reads silently (at most
with a log warning) as a different model: a line with the wrong number of fields (a 6th or 7th
COLUMNS token, a lone row name, an extra RHS/RANGES/BOUNDS token are dropped), names with
spaces (HiGHS then falls back to a fixed-format reader), an undefined row (its entry is
dropped), a row or column defined twice (HiGHS makes a second row or variable), a repeated
matrix entry, RHS or range, a second lower or upper bound on a column (HiGHS keeps the first),
an RHS on a free (second N) row (HiGHS makes it the objective constant), a negative UP bound on
a column without a lower bound (HiGHS keeps lower bound 0, CPLEX makes it -inf: state LO or MI),
an indented `*` line (HiGHS reads it as data), lines before the first section or after NAME
(ignored), `OBJSENSE MAXIMIZE` on one line (HiGHS reads only `MAX`/`MIN` there and silently
minimizes), unknown OBJSENSE lines, and QUADOBJ entries for undefined columns (HiGHS adds them).
Columns named only in BOUNDS are accepted (HiGHS adds them as variables without coefficients).

LP (CPLEX LP as HiGHS 1.16's reader takes it). HiGHS 1.16 no longer reads LP numbers with
`strtod`: names starting with `nan`, `inf` or `e` (`nancy`, `information`, `inflow`, `e1`) are
names, and a number glued to a name starting with a letter is a coefficient (`3x`, `3e1x` is
30 x). It refuses, naming the line, `1.2.3 x`, `1d5 x`, `0x10 x`, `nan x`, `inf x`, `1,5`, `1_000`,
`2e`, block comments and any `;` after a number. Refused here:

| LP text | HiGHS 1.16 |
|---|---|
| `nan` as a term (`x + nan`, `2 nan`, bound `nan <= 5`) | a variable named nan |
| `inf`/`infinity`/`1e400`/`1e30` in the objective (cost or constant) | a variable named inf; infinite cost/constant |
| `inf` or a value >= 1e20 on a row's left side | a variable named inf; refuses a matrix value >= 1e15 without a line |
| a nonzero constant on a constraint's left side (`x + y + 2 >= 1`) | ignored with only a log warning |
| hex (`0x10`) | 0 times a variable `x10` |
| a number glued to `.`, `_` or `,` (`3.5.x`, `1,5`) | `3.5 .x`, `1 ,5` (or refuses) |
| a number glued to a name starting with e/E/d/D (`3ex`, `3d5x`) | `3 ex`, `3 d5x` (or refuses) |
| `;` anywhere outside a backslash comment | part of a name (`y;`) or refuses |

Infinite values are accepted in the bounds section and as a constraint's right-hand side
(after the comparison), where HiGHS 1.16 reads them as no bound (and refuses, naming the row or
column, a bound left with no value). `inf`/`nan` as a constraint name (`inf:`) is accepted.
Section keywords count only at the start of a line and not before a ':' (as HiGHS 1.16 reads
them; elsewhere they are names).

Any text: bytes that are not UTF-8, and control characters other than tab, CR and LF.
"""

from __future__ import annotations

import io
import math
import re
from typing import IO, Any, Callable, cast

from omnisolve.errors import InputError

HUGE = 1e20  # HiGHS's infinite_bound / infinite_cost: values this large count as infinite
MATRIX_LARGEST = 1e15  # HiGHS refuses a constraint-matrix value this large (without naming the line)

_NUMBER = re.compile(rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eEdD][+-]?[0-9]+)?")
_INFINITY = {b"inf": math.inf, b"infinity": math.inf}
_BAD_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")

_SECTIONS = {
    b"NAME",
    b"OBJSENSE",
    b"ROWS",
    b"COLUMNS",
    b"RHS",
    b"BOUNDS",
    b"RANGES",
    b"QSECTION",
    b"QMATRIX",
    b"QUADOBJ",
    b"QCMATRIX",
    b"CSECTION",
    b"DELAYEDROWS",
    b"MODELCUTS",
    b"USERCUTS",
    b"INDICATORS",
    b"SETS",
    b"SOS",
    b"GENCONS",
    b"PWLOBJ",
    b"PWLNAM",
    b"PWLCON",
    b"ENDATA",
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
                raise self.fail(f"byte 0x{raw[exc.start]:02x} at column {exc.start + 1} is not UTF-8 text") from None
        bad = _BAD_CONTROL.search(raw)
        if bad:
            raise self.fail(f"control character 0x{bad.group()[0]:02x} at column {bad.start() + 1}")

    def number(self, token: bytes, what: str) -> float:
        """The value of an MPS number token (+-inf for infinity); InputError when malformed."""
        value: Any = _parse(token)  # float, or the problem (str); told apart by class, faster than isinstance
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
            raise self.fail(
                "a comment must start with '*' in the first column; HiGHS reads an indented '*' line as data"
            )
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
            value: Any = _parse(token)  # float, or the problem (str); told apart by class, faster than isinstance
            if value.__class__ is str or not -HUGE < value < HUGE:
                what = "objective coefficient" if rows[row] == 1 else "coefficient"
                self.finite(token, f"{what} of {_text(column)!r} in row {_text(row)!r}")
            if rows[row] != 1 and not -MATRIX_LARGEST < value < MATRIX_LARGEST:
                raise self.fail(
                    f"coefficient of {_text(column)!r} in row {_text(row)!r}: {_text(token)!r} is out of "
                    f"range (|value| must be below {MATRIX_LARGEST:g}, larger matrix values HiGHS refuses)"
                )
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
        return (
            f"{section}: expected '{form}', got {len(tokens)} fields in {text!r} (names with spaces are not supported)"
        )


# ---- LP ----------------------------------------------------------------------------------------
_LP_SINGLE = b"[]<>=:+^/*-"
_LP_DELIM = re.compile(rb"[\t\n\\:+<>^= /*\[\]-]")
_LP_NUMBER = re.compile(
    rb"(?P<hex>0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
)
# a section keyword counts only as the first word of a line, and not before a ':' (then it is a name)
_LP_SECTION = re.compile(
    rb"[ \t]*(?i:(?P<obj>(?:min|max)(?:imi[sz]e|imum)?)|(?P<con>s(?:ubject[ \t]+to|uch[ \t]+that|\.t\.|t\.?))"
    rb"|(?P<bounds>bounds?)|(?P<other>semi-continuous|semis?|gen(?:erals?)?|integers?|bin(?:ar(?:y|ies))?|sos)"
    rb"|(?P<end>end))(?=[ \t\\]|$)(?![ \t]*:)"
)


class LpScanner(_Scanner):
    """One pass over the lines of a CPLEX-LP file as HiGHS 1.16 tokenizes it (see the module docstring)."""

    def __init__(self, path: str):
        super().__init__(path)
        self.section = "obj"
        self.before_sign = b""  # the last token other than + and -
        self.constant: tuple[int, bytes] | None = None  # a constraint's left-side constant, unless a name follows

    def feed(self, raw: bytes, check: bool = True) -> None:
        self.line += 1
        if check:
            self.check_bytes(raw)
        line = raw.rstrip(b"\r\n")
        semicolon = line.find(b";")
        if semicolon >= 0 and not 0 <= line.find(b"\\") < semicolon:
            raise self.fail(
                "';' is not part of HiGHS's LP format: HiGHS 1.16 refuses it, or reads it as part of a name; remove it"
            )
        pos, n = 0, len(line)
        m = _LP_SECTION.match(line)
        if m:
            self.finish()
            self.section, self.before_sign, pos = cast(str, m.lastgroup), b"", m.end()  # every group is named
        while pos < n:
            ch = line[pos : pos + 1]
            if ch in (b" ", b"\t"):
                pos += 1
                continue
            if ch == b"\\":
                break
            if ch in _LP_SINGLE:
                self.token(ch)
                pos += 1
                continue
            m = _LP_NUMBER.match(line, pos)
            if m:
                pos = self.number_token(line, m)
                continue
            stop = _word_end(line, pos)
            self.word(line[pos:stop], line[stop:].lstrip()[:1] == b":")
            pos = stop

    def number_token(self, line: bytes, m: re.Match) -> int:
        text, end = m.group(), m.end()
        if m.group("hex") is not None:
            raise self.fail(f"hexadecimal number {_text(text)!r} is not allowed (HiGHS 1.16 reads 0 times a name)")
        after = line[end : end + 1]
        if after and not _LP_DELIM.match(after) and (not after.isalpha() or after in b"eEdD"):
            word = line[m.start() : _word_end(line, end)]
            raise self.fail(
                f"malformed number {_text(word)!r} (HiGHS would read {_text(text)!r} followed by "
                f"{_text(word[len(text) :])!r}); put a space between a coefficient and a name"
            )
        self.value(text, float(text))
        return end

    def word(self, tok: bytes, label: bool) -> None:
        """A name (`label`: a constraint's, before a ':'), or `nan`, `inf`, `infinity` in any case."""
        low = tok.lower()
        if not label and low == b"nan":
            raise self.fail(
                f"NaN ({_text(tok)!r}) is not a number (HiGHS 1.16 reads it as a variable named {_text(tok)})"
            )
        if not label and low in (b"inf", b"infinity"):
            self.value(tok, math.inf)
        else:
            self.token(tok, name=True)

    def value(self, text: bytes, value: float) -> None:
        """A number or `inf`: infinite only as a bound or a right-hand side; a nonzero constant on a
        constraint's left side is refused unless a name follows (then it is a coefficient)."""
        right_side = self.before_sign[-1:] in (b"<", b">", b"=")
        exponent = self.before_sign == b"^"
        if not abs(value) < HUGE and self.section != "bounds" and not (self.section == "con" and right_side):
            bare = text.isalpha()
            raise self.fail(
                f"infinite value {_text(text)!r} in the objective, a coefficient or a constraint's left side; "
                "it must be finite"
                + (f" (HiGHS 1.16 reads a bare {_text(text)!r} there as a variable name)" if bare else "")
            )
        if self.section == "con" and not right_side and not exponent and not abs(value) < MATRIX_LARGEST:
            raise self.fail(
                f"coefficient {_text(text)!r} is out of range (|value| must be below {MATRIX_LARGEST:g}, "
                "larger matrix values HiGHS refuses)"
            )
        self.token(text)
        if self.section == "con" and value and not right_side and not exponent:
            self.constant = (self.line, text)

    def token(self, tok: bytes, name: bool = False) -> None:
        if self.constant is not None and not name and tok not in (b":", b"*"):
            self.finish()
        if tok not in (b"+", b"-"):
            self.before_sign = tok
        self.constant = None

    def finish(self) -> None:
        if self.constant is not None:
            line, text = self.constant
            raise self.fail(
                f"constant {_text(text)} on the left-hand side of a constraint: HiGHS 1.16 ignores it "
                "(with only a warning); move it to the right-hand side",
                line,
            )


def _word_end(line: bytes, pos: int) -> int:
    """Where the LP name running on from `pos` ends (the next delimiter, or the line end)."""
    end = _LP_DELIM.search(line, pos)
    return end.start() if end else len(line)


def scan(f: io.BufferedIOBase, path: str, fmt: str, copy_to: IO[bytes] | None = None) -> None:
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
