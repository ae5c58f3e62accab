"""TSPLIB95 files: the shared `KEY : value` / `*_SECTION` parser (also used for VRPLIB), the
`.tsp` reader that builds a `TSP`, and the `.tour` reader.

Every malformed file raises `InputError` naming the file and the line at fault.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from omnisolve.errors import InputError
from omnisolve.io._text import Row, construct, read_text, refuse_negative, to_array
from omnisolve.io.limits import MAX_COORDINATE, MAX_NODES, MAX_REAL, dense_matrix_reason, max_dense_nodes, shown
from omnisolve.io.tsplib_distances import EXPLICIT_FORMATS, explicit_matrix, explicit_size
from omnisolve.problems.coordinate_metric import COORDINATE_TYPES, coordinate_distances
from omnisolve.problems.tsp import TSP

EDGE_WEIGHT_TYPES = (*COORDINATE_TYPES, "EXPLICIT")


@dataclass
class Section:
    """A `NAME_SECTION` line and the data rows under it."""

    name: str
    line: int
    rows: list[Row] = field(default_factory=list)

    def stream(self) -> tuple[list[str], list[int]]:
        """All tokens in file order, with the line of each."""
        tokens = [t for _, row in self.rows for t in row]
        lines = [number for number, row in self.rows for _ in row]
        return tokens, lines

    @property
    def end(self) -> int:
        """The section's last line (its header when it has no rows)."""
        return self.rows[-1][0] if self.rows else self.line


@dataclass
class TsplibFile:
    """A parsed TSPLIB-family file: specification entries (upper-case key -> value, line) and
    sections (upper-case name -> `Section`)."""

    path: str
    specs: dict[str, tuple[str, int]]
    sections: dict[str, Section]
    end_line: int

    def error(self, message: str, line: int) -> InputError:
        return InputError(message, path=self.path, line=line)

    def spec(self, key: str) -> str | None:
        entry = self.specs.get(key)
        return entry[0] if entry else None

    def line_of(self, key: str) -> int:
        """The line of spec `key`, or where the data begins if it is missing."""
        if key in self.specs:
            return self.specs[key][1]
        return min((s.line for s in self.sections.values()), default=self.end_line)

    def required(self, key: str) -> str:
        value = self.spec(key)
        if not value:
            raise self.error(f"missing {key}", self.line_of(key))
        return value

    def number(self, key: str, integer: bool = False) -> float:
        """Spec `key` as a positive number (one token; an ASCII integer when `integer`)."""
        token, line = self.required(key), self.line_of(key)
        if len(token.split()) > 1:
            raise self.error(f"{key}: expected one value, found {shown(token)}", line)
        value = to_array([token], [line], self.path, key, integer)[0]
        if value <= 0:
            raise self.error(f"{key} must be positive, got {shown(token)}", line)
        return int(value) if integer else float(value)

    def dimension(self, dense: bool = False) -> int:
        """DIMENSION, checked before anything is allocated: at most `MAX_NODES`, no more nodes than
        the file's node sections and EDGE_WEIGHT_SECTION hold and, when `dense` (the problem will
        hold an n x n distance matrix), within `MAX_DENSE_MATRIX_BYTES`."""
        n = int(self.number("DIMENSION", integer=True))
        line = self.line_of("DIMENSION")
        if n > MAX_NODES:
            raise self.error(f"DIMENSION {n} is more than the {MAX_NODES} nodes omnisolve reads", line)
        for name in ("NODE_COORD_SECTION", "DEMAND_SECTION", "DISPLAY_DATA_SECTION"):
            section = self.sections.get(name)
            # a small DIMENSION is checked with the missing node named (`node_table`); a large one here
            if section is not None and len(section.rows) < n and n > max_dense_nodes():
                raise self.error(f"{name} lists {len(section.rows)} nodes but DIMENSION is {n}", section.line)
        section = self.sections.get("EDGE_WEIGHT_SECTION")
        fmt = (self.spec("EDGE_WEIGHT_FORMAT") or "").upper()
        if section is not None and fmt in EXPLICIT_FORMATS:
            held, needed = sum(len(row) for _, row in section.rows), explicit_size(fmt, n)
            if held < needed:
                raise self.error(
                    f"EDGE_WEIGHT_SECTION has {held} values; {fmt} for DIMENSION {n} needs {needed}", section.end
                )
        reason = dense_matrix_reason(n) if dense else None
        if reason is not None:
            raise self.error(f"DIMENSION: {reason}", line)
        return n

    def required_section(self, name: str, reason: str, line: int | None = None) -> Section:
        """Section `name`; its absence is an error, for `reason`, at `line` (default: end)."""
        section = self.sections.get(name)
        if section is None:
            raise self.error(f"missing {name} ({reason})", line or self.end_line)
        return section

    def check_nodes(self, what: str, ids: np.ndarray, lines: list[int], n: int) -> None:
        """Every node number in 1..n and none twice; else an error at the offending line."""
        first_line: dict[int, int] = {}
        for node, number in zip(ids.tolist(), lines):
            if not 1 <= node <= n:
                raise self.error(f"{what}: node {node} is outside 1..{n}", number)
            if node in first_line:
                raise self.error(f"{what}: node {node} appears twice (first at line {first_line[node]})", number)
            first_line[node] = number

    def node_table(
        self, section: Section, n: int, columns: str, integer: bool = False, limit: float | None = None
    ) -> np.ndarray:
        """Rows `node v1 v2 ...` (nodes 1..n, each once) as an n x k array ordered by node; the
        values are numbers of the input policy (integers when `integer`, |value| < `limit`)."""
        width = len(columns.split())
        for number, tokens in section.rows:
            if len(tokens) != width:
                raise self.error(f"{section.name}: expected {width} values ({columns}), found {len(tokens)}", number)
        lines = [number for number, _ in section.rows]
        errors: list[InputError] = []
        try:
            ids = self._row_nodes(section)
        except InputError as exc:
            errors.append(exc)
        try:
            values = to_array(
                [t for _, row in section.rows for t in row[1:]],
                [number for number, row in section.rows for _ in row[1:]],
                self.path,
                section.name,
                integer,
                limit,
            ).reshape(len(section.rows), width - 1)
        except InputError as exc:
            errors.append(exc)
        if errors:
            raise min(errors, key=lambda exc: exc.line or 0)  # the first bad line of the section
        self.check_nodes(section.name, ids, lines, n)
        if len(ids) < n:
            missing = int(np.setdiff1d(np.arange(1, n + 1), ids)[0])
            raise self.error(
                f"{section.name} lists {len(ids)} nodes but DIMENSION is {n}: node {missing} is missing",
                section.line,
            )
        table = np.empty((n, width - 1))
        table[ids - 1] = values
        return table

    def _row_nodes(self, section: Section) -> np.ndarray:
        """The node number that starts each row of a `node_table` section."""
        lines = [number for number, _ in section.rows]
        return to_array([row[0] for _, row in section.rows], lines, self.path, f"{section.name}: node", True)

    def node_lines(self, section: Section, n: int) -> np.ndarray:
        """The line of each node's row (index node - 1) in a section `node_table` has read."""
        lines = np.zeros(n, dtype=int)
        lines[self._row_nodes(section) - 1] = [number for number, _ in section.rows]
        return lines

    def node_ids(self, section: Section) -> tuple[np.ndarray, list[int]]:
        """A `-1`-terminated list of node numbers (DEPOT_SECTION, TOUR_SECTION), with lines."""
        tokens, lines = section.stream()
        ids = to_array(tokens, lines, self.path, section.name, integer=True)
        stop = np.flatnonzero(ids == -1)
        end = int(stop[0]) if stop.size else len(ids)
        return ids[:end], lines[:end]


def parse_tsplib(path: str | os.PathLike) -> TsplibFile:
    """Split a TSPLIB-family file into specification entries and sections, up to `EOF`."""
    name = os.fspath(path)
    text = read_text(name)
    specs: dict[str, tuple[str, int]] = {}
    sections: dict[str, Section] = {}
    current: Section | None = None
    lines = text.split("\n")
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if not (line[0].isalpha() or line[0] == "_"):
            if current is None:
                raise InputError(f"data line {_short(line)!r} before any *_SECTION keyword", path=name, line=number)
            current.rows.append((number, line.split()))
            continue
        if line == "EOF":
            break
        key, colon, value = line.partition(":")
        key = key.strip().upper()
        if key.endswith("_SECTION"):
            if key in sections:
                raise InputError(f"{key} appears twice (first at line {sections[key].line})", path=name, line=number)
            current = sections[key] = Section(key, number)
        elif colon:
            if key in specs:
                raise InputError(f"{key} appears twice (first at line {specs[key][1]})", path=name, line=number)
            specs[key] = (value.strip(), number)
        else:
            message = f"expected 'KEYWORD : value' or a *_SECTION line, found {_short(line)!r}"
            raise InputError(message, path=name, line=number)
    else:  # no EOF: the end is the last line, not the empty string after the final newline
        number = len(lines) - 1 if len(lines) > 1 and lines[-1] == "" else len(lines)
    if not specs and not sections:
        raise InputError("empty file: no TSPLIB keywords", path=name, line=1)
    return TsplibFile(name, specs, sections, max(number, 1))


def _short(line: str) -> str:
    return line if len(line) <= 40 else line[:37] + "..."


def node_coords(f: TsplibFile, n: int, section_name: str = "NODE_COORD_SECTION") -> np.ndarray | None:
    """The n x 2 coordinates of a NODE_COORD_SECTION (or DISPLAY_DATA_SECTION), if present."""
    section = f.sections.get(section_name)
    return None if section is None else coordinates(f, section, n)


def coordinates(f: TsplibFile, section: Section, n: int) -> np.ndarray:
    """The n x 2 coordinates `section` lists, in the file's NODE_COORD_TYPE."""
    coord_type = (f.spec("NODE_COORD_TYPE") or "TWOD_COORDS").upper()
    if coord_type != "TWOD_COORDS":
        raise f.error(f"NODE_COORD_TYPE {coord_type} is not supported (only TWOD_COORDS)", f.line_of("NODE_COORD_TYPE"))
    return f.node_table(section, n, "node x y", limit=MAX_COORDINATE)


def coordinate_rule(f: TsplibFile, n: int) -> tuple[str, np.ndarray] | None:
    """(edge weight type, n x 2 coordinates) when EDGE_WEIGHT_TYPE computes the weights from
    coordinates; None otherwise."""
    kind = f.required("EDGE_WEIGHT_TYPE").upper()
    if kind not in COORDINATE_TYPES:
        return None
    fmt = (f.spec("EDGE_WEIGHT_FORMAT") or "").upper()
    if fmt not in ("", "FUNCTION"):
        message = f"EDGE_WEIGHT_FORMAT {fmt} does not go with EDGE_WEIGHT_TYPE {kind}"
        raise f.error(message, f.line_of("EDGE_WEIGHT_FORMAT"))
    needed = f"needed for EDGE_WEIGHT_TYPE {kind}"
    return kind, coordinates(f, f.required_section("NODE_COORD_SECTION", needed, f.line_of("EDGE_WEIGHT_TYPE")), n)


def edge_weights(f: TsplibFile, n: int) -> tuple[np.ndarray, np.ndarray | None, str]:
    """(distances, coordinates or None, edge weight type) following TSPLIB95's rules."""
    rule = coordinate_rule(f, n)
    if rule is not None:
        kind, points = rule
        return coordinate_distances(points, kind), points, kind
    kind = f.required("EDGE_WEIGHT_TYPE").upper()
    fmt = (f.spec("EDGE_WEIGHT_FORMAT") or "").upper()
    if kind != "EXPLICIT":
        raise f.error(
            f"unknown EDGE_WEIGHT_TYPE {kind!r}; supported: {', '.join(EDGE_WEIGHT_TYPES)}",
            f.line_of("EDGE_WEIGHT_TYPE"),
        )
    if fmt not in EXPLICIT_FORMATS:
        what = f"EDGE_WEIGHT_FORMAT {fmt}" if fmt else "missing EDGE_WEIGHT_FORMAT"
        message = f"{what}: EXPLICIT weights need one of {', '.join(EXPLICIT_FORMATS)}"
        raise f.error(message, f.line_of("EDGE_WEIGHT_FORMAT"))
    section = f.required_section(
        "EDGE_WEIGHT_SECTION", "needed for EDGE_WEIGHT_TYPE EXPLICIT", f.line_of("EDGE_WEIGHT_TYPE")
    )
    tokens, lines = section.stream()
    expected = explicit_size(fmt, n)
    if len(tokens) != expected:
        line = lines[expected] if len(tokens) > expected else section.end
        raise f.error(f"EDGE_WEIGHT_SECTION has {len(tokens)} values; {fmt} for DIMENSION {n} needs {expected}", line)
    values = to_array(tokens, lines, f.path, "EDGE_WEIGHT_SECTION", limit=MAX_REAL)
    if fmt == "FULL_MATRIX":
        values[:: n + 1] = 0.0  # the diagonal, never used (`explicit_matrix` zeroes it): any value will do
    refuse_negative(values, lines, f.path, "EDGE_WEIGHT_SECTION: distance")
    coords = node_coords(f, n)
    if coords is None:
        coords = node_coords(f, n, "DISPLAY_DATA_SECTION")
    return explicit_matrix(values, fmt, n), coords, "EXPLICIT"


def check_type(f: TsplibFile, allowed: tuple[str, ...]) -> None:
    """If the file states a TYPE, it must be one of `allowed`."""
    kind = f.spec("TYPE")
    if kind is not None and not kind.split():
        raise f.error(f"TYPE is empty, expected {' or '.join(allowed)}", f.line_of("TYPE"))
    if kind is not None and kind.split()[0].upper() not in allowed:
        raise f.error(f"TYPE is {shown(kind)}, expected {' or '.join(allowed)}", f.line_of("TYPE"))


def routing_dimension(f: TsplibFile, kind: str, dense: bool = True) -> int:
    """DIMENSION of a `kind` (TSP or CVRP) problem: at least 2 nodes (the problem class refuses
    fewer too, but cannot name the line) and, when it holds a `dense` matrix, within the limits."""
    n = f.dimension(dense=dense)
    if n < 2:
        raise f.error(f"DIMENSION is {n}: a {kind} needs at least 2 nodes", f.line_of("DIMENSION"))
    return n


def read_tsp(path: str | os.PathLike) -> TSP:
    """A TSPLIB `.tsp` (or `.atsp`) file as a `TSP` with TSPLIB95's exact distances: the
    coordinates and their rule (the TSP computes distances when needed), or the explicit matrix."""
    f = parse_tsplib(path)
    check_type(f, ("TSP", "ATSP"))
    n = routing_dimension(f, "TSP", dense=(f.spec("EDGE_WEIGHT_TYPE") or "").upper() not in COORDINATE_TYPES)
    name = f.spec("NAME") or Path(f.path).stem
    rule = coordinate_rule(f, n)
    if rule is not None:
        kind, points = rule
        return construct(f.path, lambda: TSP(coords=points, name=name, edge_weight_type=kind))
    distances, coords, kind = edge_weights(f, n)
    return construct(f.path, lambda: TSP(distances, coords=coords, name=name, edge_weight_type=kind))


def read_tour(path: str | os.PathLike) -> list[int]:
    """A TSPLIB `.tour` file: the first tour of its TOUR_SECTION as 0-based node indices."""
    f = parse_tsplib(path)
    check_type(f, ("TOUR",))
    section = f.required_section("TOUR_SECTION", "a tour file lists its nodes there")
    ids, lines = f.node_ids(section)
    n = f.dimension() if "DIMENSION" in f.specs else len(ids)
    f.check_nodes(section.name, ids, lines, n)
    if len(ids) != n:
        raise f.error(f"TOUR_SECTION visits {len(ids)} nodes but DIMENSION is {n}", section.end)
    return (ids - 1).tolist()
