"""Benchmark plots (matplotlib, Agg backend, PNG): primal gap over time, performance profiles, and
ECDFs of targets reached (black-box runs)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from types import ModuleType

import numpy as np

from omnisolve.bench import metrics
from omnisolve.bench.runner import Run, primal_trace

GAP_FLOOR = 1e-6  # gaps below this are drawn at the floor of the log scale


def _pyplot() -> ModuleType:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def gap_vs_time(runs: list[Run], solvers: list[str], time_limit: float, path: Path) -> None:
    """Per solver, the mean over its runs of Berthold's primal gap p(t) (1 before the first
    incumbent, about the relative gap once close) on a log scale."""
    plt = _pyplot()
    grid = np.linspace(0.0, time_limit, 400)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for solver in solvers:
        mine = [
            (r, r.reference)
            for r in runs
            if r.solver == solver and r.status != "unsupported" and r.reference is not None
        ]
        if not mine:
            continue
        curves = [metrics.primal_gap_at(primal_trace(r, time_limit), best, grid) for r, best in mine]
        ax.step(
            grid, np.maximum(np.mean(curves, axis=0), GAP_FLOOR), where="post", label=f"{solver} ({len(mine)} runs)"
        )
    ax.set_yscale("log")
    ax.set_ylim(GAP_FLOOR / 2, 1.5)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("mean primal gap p(t)")
    ax.set_title("primal gap over time (floor 1e-6)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def profiles(runs: list[Run], solvers: list[str], path: Path) -> None:
    """Performance profiles over (instance, repeat): the fraction within a factor tau of the best
    primal integral (a run without incumbent integrates p = 1 over the whole limit; unsupported:
    never), and of the best time to solve (unsolved, error, unsupported: never)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, key, label in (
        (axes[0], "primal_integral", "primal integral"),
        (axes[1], "time_to_solve", "time to solve"),
    ):
        table: dict[tuple[str, int], dict[str, float | None]] = {}
        for r in runs:
            table.setdefault((r.instance, r.repeat), {})[r.solver] = getattr(r, key)
        ratios = metrics.performance_ratios(table)
        finite = [x for s in solvers for x in ratios.get(s, []) if math.isfinite(x)]
        top = max(2.0, 1.1 * max(finite, default=1.0))
        taus = np.logspace(0.0, math.log10(top), 300)
        for solver in solvers:
            ax.step(taus, metrics.performance_profile(ratios.get(solver, []), taus), where="post", label=solver)
        ax.set_xscale("log")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("tau (ratio to the best)")
        ax.set_ylabel("fraction of runs")
        ax.set_title(f"performance profile: {label}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def ecdf_panels(
    panels: dict[str, dict[str, tuple[list[float], list[float]]]], path: Path, columns: int, highlight: str = ""
) -> None:
    """One panel per title in `panels` (`columns` per row), each a step curve per label: (calls
    per dimension, fraction of (run, target) pairs reached) on a log x axis, as COCO draws
    them; the `highlight` label's curve is drawn thick and black, above the others."""
    plt = _pyplot()
    rows = math.ceil(len(panels) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(5.5 * columns, 4.5 * rows), squeeze=False)
    for ax, (title, curves) in zip(axes.flat, panels.items()):
        colors = itertools.cycle(plt.get_cmap("tab20").colors)  # more methods than the default cycle's 10
        for color, (label, (x, y)) in zip(colors, curves.items()):
            style = {"color": "black", "linewidth": 2.5, "zorder": 3} if label == highlight else {"color": color}
            ax.step(x, y, where="post", label=label, **style)
        ax.set_xscale("log")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("calls / dimension")
        ax.set_ylabel("fraction of (function, target) pairs")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    axes[0][-1].legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
