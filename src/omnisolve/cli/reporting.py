"""Rich renderings shared by the CLI and the demo: result and feature tables, live progress."""

from __future__ import annotations

import threading
import time

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from omnisolve.errors import OmnisolveError
from omnisolve.problems import Problem
from omnisolve.result import Optimality, Result, Status, Verdict

STATUS_STYLE = {
    Status.OPTIMAL: "bold green",
    Status.FEASIBLE: "green",
    Status.INFEASIBLE: "yellow",
    Status.UNBOUNDED: "yellow",
    Status.TIME_LIMIT: "yellow",
    Status.ERROR: "bold red",
}


def fmt(value: float | None, digits: int = 10) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def fmt_gap(gap: float | None) -> str:
    return "-" if gap is None else f"{100 * gap:.4g} %"


OPTIMALITY_STYLE = {
    Optimality.PROVEN: "bold green",
    Optimality.CLAIMED: "yellow",
    Optimality.REFUTED: "bold red",
    Optimality.NONE: "dim",
}


def status_text(result: Result) -> Text:
    """The status with what is known about it: "optimal (proven)", "infeasible (claimed)"...;
    an optimum within the gap tolerance but not closed says so ("optimal (proven, within gap
    6.7e-05 %)"): the objective is then not necessarily the optimum."""
    text = Text(result.status.value, style=STATUS_STYLE[result.status])
    if result.optimality != Optimality.NONE:
        within = ""
        if result.status == Status.OPTIMAL and result.gap is not None and result.gap > 0:
            within = f", within gap {fmt_gap(result.gap)}"
        text.append(f" ({result.optimality.value}{within})", style=OPTIMALITY_STYLE[result.optimality])
    return text


def gap_text(result: Result) -> str:
    """The certified gap, and the solver's own (unchecked) one when it differs."""
    certified, claimed = result.gap, result.claimed_gap
    if claimed is None or (certified is not None and abs(certified - claimed) < 1e-12):
        return fmt_gap(certified)
    return f"{fmt_gap(certified)} (solver's unchecked bound: {fmt_gap(claimed)})"


def verdict_text(result: Result) -> Text:
    cert = result.certificate
    if cert is None:
        return Text("unchecked", style="yellow")
    style = {Verdict.PASS: "green", Verdict.FAIL: "bold red"}.get(cert.verdict, "dim")
    return Text(cert.verdict, style=style)


def result_table(result: Result, title: str = "") -> Table:
    """Status, objective, bound, gap, time, solver and the certificate of one result."""
    table = Table(title=title or None, show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("status", status_text(result))
    table.add_row("objective", fmt(result.objective))
    cert = result.certificate
    certified = cert.bound if cert is not None else None
    table.add_row(
        "bound", fmt(certified) if certified is not None or result.bound is None else f"{fmt(result.bound)} (unchecked)"
    )
    table.add_row("gap", gap_text(result))
    table.add_row("time", f"{result.runtime:.2f} s")
    table.add_row("solver", f"{result.solver} {result.solver_version}".strip())
    if cert is not None:
        detail = verdict_text(result)
        if cert.verdict != Verdict.NONE:
            detail.append(
                f"  (max violation {cert.max_violation:.2g}, integrality {cert.integrality_violation:.2g},"
                f" recomputed objective {fmt(cert.objective)})",
                style="dim",
            )
        table.add_row("certificate", detail)
        for line in cert.messages if cert.verdict == Verdict.FAIL else []:
            table.add_row("", Text(line, style="red"))
        if cert.optimality != Optimality.NONE:
            table.add_row(
                "optimality", Text(f"{cert.optimality.value}: {cert.evidence}", style=OPTIMALITY_STYLE[cert.optimality])
            )
        if cert.refutation:
            table.add_row("refuted", Text(cert.refutation, style="bold red"))
    if result.message and result.status != Status.ERROR:
        table.add_row("note", result.message)
    why = result.extra.get("explanation") or {}
    if why.get("status") == "infeasible":
        members = [*why.get("rows", []), *why.get("bounds", [])]
        kind = "irreducible infeasible subset" if why.get("irreducible") else "infeasible subset"
        table.add_row("why", Text(f"{kind}: " + ", ".join(members), style="yellow"))
    return table


def features_table(problem: Problem, title: str = "") -> Table:
    """Problem class, size and features."""
    from omnisolve.portfolio.features import describe

    kind, feats = describe(problem)
    table = Table(title=title or None, show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("class", kind)
    for key, value in feats.items():
        table.add_row(key, f"{value:.6g}" if isinstance(value, float) else str(value))
    return table


def solvers_table() -> Table:
    """Every registered backend, whether its package is installed, and its version."""
    from omnisolve.solvers import registry

    table = Table("solver", "installed", "version", "handles")
    for name in registry.names():
        try:
            backend = registry.get(name)
        except OmnisolveError as exc:
            table.add_row(name, Text("no", style="red"), "-", str(exc))
            continue
        ok = backend.available()
        table.add_row(
            name,
            Text("yes", style="green") if ok else Text("no", style="red"),
            backend.version() if ok else "-",
            backend.description,
        )
    return table


class Progress:
    """A live line `elapsed | incumbent | bound` on stderr while a solve runs (terminals only)."""

    def __init__(self, console: Console, enabled: bool = True):
        self.console = console
        self.enabled = enabled and console.is_terminal
        self._lock = threading.Lock()
        self._objective: float | None = None
        self._bound: float | None = None
        self._start = time.perf_counter()
        self._live: Live | None = None

    def update(self, elapsed: float, objective: float | None, bound: float | None) -> None:
        with self._lock:
            if objective is not None:
                self._objective = objective
            if bound is not None:
                self._bound = bound

    def _render(self) -> Text:
        with self._lock:
            obj, bound = self._objective, self._bound
        return Text(
            f"solving... {time.perf_counter() - self._start:6.1f} s | incumbent {fmt(obj, 8)} | bound {fmt(bound, 8)}",
            style="cyan",
        )

    def __enter__(self) -> "Progress":
        if self.enabled:
            self._live = Live(get_renderable=self._render, console=self.console, refresh_per_second=4, transient=True)
            self._live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._live is not None:
            self._live.__exit__(*exc)
