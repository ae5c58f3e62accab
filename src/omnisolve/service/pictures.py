"""Plotly figures for jobs: a picture of the solution (Gantt chart, route map, chosen items or
a table of variable values) and the incumbent/bound convergence chart.

Figures are returned as JSON-safe dicts (`{"data", "layout"}`) so the API can send them as they
are and the browser draws them with plotly.js. Plotly is imported inside the functions: the
service is the only part of omnisolve that needs it.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import numpy as np

from omnisolve.model import ProblemData, Sense
from omnisolve.problems import CVRP, TSP, JobShop, Knapsack, Problem, StructuredProblem

MAX_ROWS = 200  # table rows / bars drawn before the figure says it is truncated
WEBGL_POINTS = 2000  # a path of more points is drawn by WebGL (scattergl): SVG slows down past a few thousand
TEMPLATE = "plotly_white"


def figure_of(content: bytes, filename: str, kind: str, result: dict | None, trace: list) -> dict | None:
    """The `kind` ("solution" or "progress") figure of a job whose upload was `content`, read
    again here (the API runs this in a child process: reading a big problem needs memory)."""
    from omnisolve.service.uploads import parse_problem

    problem = parse_problem(content, filename)
    if kind == "solution":
        return solution_figure(problem, result) if result else None
    return progress_figure(trace, getattr(problem, "sense", Sense.MIN))


def solution_figure(problem: Problem, result: dict) -> dict | None:
    """A plotly figure drawing `result`'s solution of `problem`, or None when there is nothing
    to draw: no solution, a structured solution its problem's `check` rejects (the certificate
    already says what is wrong), values of the wrong length, or a problem kind without a picture."""
    solution, values = result.get("solution"), result.get("values")
    pictures: dict[type, Callable[[Any, Any], Any]] = {
        JobShop: _gantt,
        TSP: _tour_map,
        CVRP: _routes_map,
        Knapsack: _chosen_items,
    }
    draw = pictures.get(type(problem))
    if draw is not None and isinstance(problem, StructuredProblem):
        return None if solution is None or problem.check(solution) else _jsonable(draw(problem, solution))
    if isinstance(problem, ProblemData) and values is not None and len(values) == problem.num_variables:
        return _jsonable(_variables_table(problem, values))
    return None


def progress_figure(trace: list, sense: str = Sense.MIN) -> dict | None:
    """Incumbent (step line) and bound over time from a result trace `[[t, objective, bound], ...]`;
    None when the trace has no objective or bound at all."""
    import plotly.graph_objects as go

    def series(column: int) -> tuple[list[float], list[float]]:
        points = [(float(p[0]), float(p[column])) for p in trace if p[column] is not None]
        return [t for t, _ in points], [v for _, v in points]

    fig = go.Figure()
    for column, name, style in ((1, "incumbent", "solid"), (2, "bound", "dot")):
        t, v = series(column)
        if v:
            line = {"shape": "hv", "dash": style}
            fig.add_trace(go.Scatter(x=t, y=v, name=name, mode="lines+markers", line=line))
    if not fig.data:
        return None
    goal = "minimize" if sense == Sense.MIN else "maximize"
    _style(fig, f"Incumbent and bound over time ({goal})", "time (s)", "objective")
    return _jsonable(fig)


# ---- job shop ---------------------------------------------------------------------------------
def _gantt(problem: JobShop, starts: list[list[int]]):
    """One row per machine, one bar per operation coloured by job, and the makespan line."""
    import plotly.graph_objects as go

    fig = go.Figure()
    makespan = 0
    for j, (job, job_starts) in enumerate(zip(problem.jobs, starts)):
        machines = [f"machine {m}" for m, _ in job]
        durations = [d for _, d in job]
        ends = [s + d for s, d in zip(job_starts, durations)]
        makespan = max([makespan, *ends])
        fig.add_trace(
            go.Bar(
                name=f"job {j}",
                orientation="h",
                y=machines,
                x=durations,
                base=list(job_starts),
                customdata=[[j, k, s, e] for k, (s, e) in enumerate(zip(job_starts, ends))],
                hovertemplate="job %{customdata[0]} op %{customdata[1]}<br>%{y}"
                "<br>start %{customdata[2]}, end %{customdata[3]}<extra></extra>",
                marker={"line": {"width": 1, "color": "white"}},
            )
        )
    fig.add_vline(x=makespan, line={"dash": "dash", "color": "#444"}, annotation_text=f"makespan {makespan}")
    rows = [f"machine {m}" for m in range(problem.num_machines)]
    _style(fig, f"{problem.name}: schedule, makespan {makespan}", "time", "")
    fig.update_layout(barmode="overlay", yaxis={"categoryorder": "array", "categoryarray": rows[::-1]})
    return fig


# ---- routing ----------------------------------------------------------------------------------
def classical_mds(distances: np.ndarray) -> np.ndarray:
    """2-d points whose Euclidean distances approximate `distances` (Torgerson's classical
    MDS on the symmetrized matrix): a layout for instances that only give a matrix."""
    from scipy.linalg import eigh

    d = (np.asarray(distances, float) + np.asarray(distances, float).T) / 2
    n = d.shape[0]
    centred = np.eye(n) - 1.0 / n
    gram = -0.5 * centred @ (d**2) @ centred
    k = min(2, n)
    eigenvalues, vectors = eigh(gram, subset_by_index=[n - k, n - 1])
    points = vectors[:, ::-1] * np.sqrt(np.clip(eigenvalues[::-1], 0.0, None))
    return np.pad(points, ((0, 0), (0, 2 - k)))


def _layout(problem: TSP | CVRP) -> tuple[np.ndarray, str]:
    """Node positions and a title note: the instance's coordinates, or an MDS layout."""
    if problem.coords is not None:
        return problem.coords, ""
    return classical_mds(problem.distances), " (no coordinates: layout by classical MDS of the distances)"


def _path(points: np.ndarray, nodes: list[int], name: str, **style):
    """A polyline through `nodes` with each node's index in the hover text; WebGL past
    `WEBGL_POINTS` points (a 100,000-node tour stays responsive)."""
    import plotly.graph_objects as go

    trace = go.Scattergl if len(nodes) > WEBGL_POINTS else go.Scatter
    return trace(
        x=points[nodes, 0].tolist(),
        y=points[nodes, 1].tolist(),
        customdata=list(nodes),
        name=name,
        mode="lines+markers",
        hovertemplate="node %{customdata}<extra>" + name + "</extra>",
        **style,
    )


def _map(fig, title: str):
    _style(fig, title, "", "")
    fig.update_xaxes(showticklabels=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, zeroline=False, scaleanchor="x", scaleratio=1)
    return fig


def _tour_map(problem: TSP, tour: list[int]):
    """The closed tour as one polyline (n + 1 points) and a marker on its first node; drawn from
    the coordinates, so no distance matrix is needed at any size."""
    import plotly.graph_objects as go

    points, note = _layout(problem)
    nodes = [int(v) for v in tour]
    size = 6 if len(nodes) <= WEBGL_POINTS else 2
    fig = go.Figure([_path(points, nodes + nodes[:1], "tour", marker={"size": size})])
    fig.add_trace(
        go.Scatter(
            x=[float(points[nodes[0], 0])],
            y=[float(points[nodes[0], 1])],
            name="start",
            mode="markers",
            marker={"size": 12, "symbol": "star", "color": "#d62728"},
        )
    )
    length = problem.evaluate(nodes)
    return _map(fig, f"{problem.name}: tour of {problem.n} nodes, length {length:g}{note}")


def _routes_map(problem: CVRP, routes: list[list[int]]):
    """One closed polyline per non-empty route, through the depot, and the depot marker."""
    import plotly.graph_objects as go

    points, note = _layout(problem)
    fig = go.Figure()
    used = [[int(v) for v in route] for route in routes if route]
    for r, route in enumerate(used):
        load = float(problem.demands[route].sum())
        path = [problem.depot, *route, problem.depot]
        fig.add_trace(_path(points, path, f"route {r} (load {load:g}/{problem.capacity:g})", marker={"size": 6}))
    depot = points[problem.depot]
    fig.add_trace(
        go.Scatter(
            x=[float(depot[0])],
            y=[float(depot[1])],
            name="depot",
            mode="markers",
            marker={"size": 14, "symbol": "square", "color": "black"},
        )
    )
    total = problem.evaluate(used)
    return _map(fig, f"{problem.name}: {len(used)} routes, length {total:g}{note}")


# ---- knapsack ---------------------------------------------------------------------------------
def _chosen_items(problem: Knapsack, items: list[int]):
    """Value and weight of each chosen item (the first MAX_ROWS by index) as grouped bars."""
    import plotly.graph_objects as go

    chosen = sorted(int(i) for i in items)
    shown = chosen[:MAX_ROWS]
    labels = [f"item {i}" for i in shown]
    fig = go.Figure(
        [
            go.Bar(name="value", x=labels, y=problem.values[shown].tolist()),
            go.Bar(name="weight", x=labels, y=problem.weights[shown].tolist()),
        ]
    )
    value, weight = problem.values[chosen].sum(), problem.weights[chosen].sum()
    title = (
        f"{problem.name}: {len(chosen)} of {problem.size} items chosen, value {value:g}, "
        f"weight {weight:g} / capacity {problem.capacity:g}{_truncated(len(shown), len(chosen), 'items')}"
    )
    _style(fig, title, "", "")
    fig.update_layout(barmode="group")
    return fig


# ---- LP / MILP --------------------------------------------------------------------------------
def _variables_table(problem: ProblemData, values: list[float]):
    """A table of the non-zero variable values (the first MAX_ROWS)."""
    import plotly.graph_objects as go

    x = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    nonzero = np.flatnonzero(np.nan_to_num(np.abs(x), nan=1.0) > 1e-9)
    shown = nonzero[:MAX_ROWS]
    names = [problem.var_names[int(i)] for i in shown]
    cells = [f"{v:.10g}" for v in x[shown]]
    fig = go.Figure(
        go.Table(
            header={"values": ["variable", "value"], "align": "left", "fill": {"color": "#e8ecf1"}},
            cells={"values": [names, cells], "align": ["left", "right"]},
        )
    )
    title = (
        f"{problem.name}: {len(nonzero)} non-zero of {problem.num_variables} variables"
        f"{_truncated(len(shown), len(nonzero), 'rows')}"
    )
    _style(fig, title, "", "")
    return fig


# ---- shared -----------------------------------------------------------------------------------
def _truncated(shown: int, total: int, what: str) -> str:
    return f" (first {shown} {what} shown)" if shown < total else ""


def _style(fig, title: str, xtitle: str, ytitle: str) -> None:
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title},
        xaxis_title=xtitle,
        yaxis_title=ytitle,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "v"},
    )


def _jsonable(fig) -> dict:
    """The figure as plain JSON types, encoded by plotly's own encoder."""
    return json.loads(fig.to_json())
