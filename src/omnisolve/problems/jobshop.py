"""The job-shop scheduling problem: each job runs its operations in order, each on one
machine; a machine does one operation at a time; minimize the makespan."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import scipy.sparse as sp

from omnisolve.errors import ModelError
from omnisolve.model import Model, ProblemData, Sense
from omnisolve.problems._common import as_int, capped, int_list, label, readonly, stats, value_vector
from omnisolve.problems.base import StructuredProblem


def _read_jobs(jobs: Any, where: str) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Validate `jobs[j][k] = (machine, duration)` into nested tuples of ints."""
    if not isinstance(jobs, (list, tuple, np.ndarray)) or len(jobs) == 0:
        raise ModelError(f"{where}: needs a non-empty list of jobs")
    out = []
    for j, ops in enumerate(jobs):
        if not isinstance(ops, (list, tuple, np.ndarray)) or len(ops) == 0:
            raise ModelError(f"{where}: job {j} has no operations")
        job = []
        for k, op in enumerate(ops):
            try:
                machine, duration = op
            except (TypeError, ValueError):
                raise ModelError(f"{where}: job {j} op {k} must be a (machine, duration) pair, got {op!r}") from None
            m, d = as_int(machine), as_int(duration)
            if m is None or m < 0:
                raise ModelError(f"{where}: job {j} op {k}: machine {machine!r} must be an integer >= 0")
            if d is None or d < 0:
                raise ModelError(f"{where}: job {j} op {k}: duration {duration!r} must be an integer >= 0")
            job.append((m, d))
        out.append(tuple(job))
    return tuple(out)


def _select(terms: list[tuple[np.ndarray, float]], n: int) -> sp.csr_matrix:
    """Sparse rows over n operations: row r is the sum of coef * e_cols[r] over (cols, coef)."""
    m = len(terms[0][0])
    data = np.concatenate([np.full(m, coef) for _, coef in terms])
    rows = np.tile(np.arange(m), len(terms))
    cols = np.concatenate([cols for cols, _ in terms])
    return sp.csr_matrix((data, (rows, cols)), shape=(m, n))


class JobShop(StructuredProblem):
    """`jobs[j]` lists job j's operations in order as (machine, duration) pairs, machines
    0-based. A solution is `starts[j][k]`, the integer start time of operation k of job j.
    Operations are also numbered globally, job by job, for the MILP."""

    kind = "JobShop"
    sense = Sense.MIN

    def __init__(self, jobs: list[list[tuple[int, int]]], name: str = "jobshop"):
        self.name = name
        self.jobs = _read_jobs(jobs, label(self.kind, name))
        self.num_jobs = len(self.jobs)
        lengths = [len(job) for job in self.jobs]
        ops = [op for job in self.jobs for op in job]
        self._machine = readonly(np.array([m for m, _ in ops], dtype=np.int64))
        self._duration = readonly(np.array([d for _, d in ops], dtype=np.int64))
        self._job = readonly(np.repeat(np.arange(self.num_jobs), lengths))
        self._first = readonly(np.concatenate([[0], np.cumsum(lengths)]))
        self.num_machines = int(self._machine.max()) + 1

    @property
    def size(self) -> int:
        return len(self._machine)

    def __repr__(self) -> str:
        return f"JobShop({self.name!r}, {self.num_jobs} jobs x {self.num_machines} machines)"

    @property
    def horizon(self) -> int:
        """Sum of all durations: the makespan of running everything one after another."""
        return int(self._duration.sum())

    @property
    def lower_bound(self) -> int:
        """max(longest job, busiest machine): no schedule is shorter."""
        return max(int(self._machine_loads().max()), int(self._job_lengths().max()))

    def _machine_loads(self) -> np.ndarray:
        return np.bincount(self._machine, weights=self._duration, minlength=self.num_machines)

    def _job_lengths(self) -> np.ndarray:
        return np.add.reduceat(self._duration, self._first[:-1])

    def _op(self, o: int | np.integer[Any]) -> str:
        j = int(self._job[o])
        return f"job {j} op {o - int(self._first[j])}"

    def _chain(self) -> np.ndarray:
        """Global indices o whose next operation o + 1 belongs to the same job."""
        return np.flatnonzero(self._job[:-1] == self._job[1:])

    def _machine_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """All pairs a < b of operations of different jobs on the same machine."""
        order = np.argsort(self._machine, kind="stable")
        bounds = np.searchsorted(self._machine[order], np.arange(self.num_machines + 1))
        firsts, seconds = [], []
        for mach in range(self.num_machines):
            ops = order[bounds[mach] : bounds[mach + 1]]
            i, j = np.triu_indices(len(ops), 1)
            firsts.append(ops[i])
            seconds.append(ops[j])
        a, b = np.concatenate(firsts), np.concatenate(seconds)
        keep = self._job[a] != self._job[b]
        return a[keep], b[keep]

    # ---- MILP ----------------------------------------------------------------------------------
    def to_model(self) -> Model:
        """Disjunctive formulation: start s_o in [0, H - d_o] (H = sum of durations, also the
        big-M), makespan C >= s_o + d_o for each job's last operation, s_{o+1} >= s_o + d_o
        inside a job, and for each pair a < b on one machine a binary y (1 = a first) with
        s_a + d_a <= s_b + H (1 - y) and s_b + d_b <= s_a + H y.
        Variables: start (one per operation, job by job), makespan (1), before (pairs)."""
        n, d, H = self.size, self._duration.astype(float), float(self.horizon)
        m = Model(self.name)
        s = m.add_variables(n, "start", lb=0.0, ub=H - d)
        cmax = m.add_variables(1, "makespan", lb=float(self.lower_bound), ub=H)
        chain = self._chain()
        if chain.size:
            m.add_constraint(_select([(chain + 1, 1.0), (chain, -1.0)], n) @ s >= d[chain], name="precedence")
        last = self._first[1:] - 1
        ones = sp.csr_matrix(np.ones((len(last), 1)))
        m.add_constraint(ones @ cmax - _select([(last, 1.0)], n) @ s >= d[last], name="makespan")
        a, b = self._machine_pairs()
        if a.size:
            y = m.add_variables(len(a), "before", vtype="binary")
            diff = _select([(a, 1.0), (b, -1.0)], n) @ s
            m.add_constraint(diff + y * H <= H - d[a], name="a_first")
            m.add_constraint(-diff - y * H <= -d[b], name="b_first")
        m.minimize(cmax[0])
        return m

    def solution_from_values(self, data: ProblemData, values: np.ndarray) -> list[list[int]]:
        """Round the starts, read each machine's order from them, and return the earliest-start
        schedule with those orders: integral and never later than feasible values, even when a
        solver leaves slack on its continuous starts. If the starts contradict the job order,
        the rounded starts are returned as they are (and `check` rejects them)."""
        s = np.rint(np.clip(value_vector(values, self.size), -1e15, 1e15))
        end = s + self._duration
        order = np.lexsort((np.arange(self.size), end, s))
        rank = np.empty(self.size, dtype=np.int64)
        rank[order] = np.arange(self.size)
        chain = self._chain()
        if (rank[chain + 1] < rank[chain]).any():
            return self._nested(s.astype(np.int64))
        start = np.zeros(self.size, dtype=np.int64)
        job_free = np.zeros(self.num_jobs, dtype=np.int64)
        machine_free = np.zeros(self.num_machines, dtype=np.int64)
        for o in order:
            j, mach = self._job[o], self._machine[o]
            start[o] = max(job_free[j], machine_free[mach])
            job_free[j] = machine_free[mach] = start[o] + self._duration[o]
        return self._nested(start)

    def values_from_solution(self, starts: list[list[int]]) -> np.ndarray:
        """The `to_model()` variable values of a valid schedule (for MIP starts and round trips)."""
        problems = self.check(starts)
        if problems:
            where = label(self.kind, self.name)
            raise ModelError(f"{where}: cannot encode an invalid schedule: {problems[0]}")
        s = cast(np.ndarray, self._read(starts)[0])  # check() read them
        end = s + self._duration
        a, b = self._machine_pairs()
        before = (s[a] < s[b]) | ((s[a] == s[b]) & (end[a] <= end[b]))
        return np.concatenate([s, [end.max()], before]).astype(float)

    def _nested(self, flat: np.ndarray) -> list[list[int]]:
        return [flat[self._first[j] : self._first[j + 1]].tolist() for j in range(self.num_jobs)]

    # ---- solutions -----------------------------------------------------------------------------
    def _read(self, starts: Any) -> tuple[np.ndarray | None, list[str]]:
        """Starts flattened job by job, or None with the reasons they cannot be read."""
        if isinstance(starts, np.ndarray):
            starts = starts.tolist()
        if not isinstance(starts, (list, tuple)):
            return None, [f"starts must be a list of lists of start times, got {type(starts).__name__}"]
        if len(starts) != self.num_jobs:
            return None, [f"starts has {len(starts)} jobs, expected {self.num_jobs}"]
        flat: list[int] = []
        problems: list[str] = []
        for j, (row, job) in enumerate(zip(starts, self.jobs)):
            times, problem = int_list(row, f"starts[{j}]")
            if times is None:
                problems.append(cast(str, problem))  # int_list gives a problem whenever it gives no list
            elif len(times) != len(job):
                problems.append(f"starts[{j}] has {len(times)} operations, expected {len(job)}")
            else:
                flat.extend(times)
        return (None, problems) if problems else (np.array(flat, dtype=np.int64), [])

    def check(self, starts: Any) -> list[str]:
        s, problems = self._read(starts)
        if s is None:
            return problems
        end = s + self._duration
        early = [f"{self._op(o)} starts at {s[o]} < 0" for o in np.flatnonzero(s < 0)]
        chain = self._chain()
        late = chain[s[chain + 1] < end[chain]]
        precedence = [f"{self._op(o + 1)} starts at {s[o + 1]} before {self._op(o)} ends at {end[o]}" for o in late]
        return (
            capped(early, "negative starts")
            + capped(precedence, "precedence violations")
            + capped(self._overlaps(s, end), "overlaps")
        )

    def _overlaps(self, s: np.ndarray, end: np.ndarray) -> list[str]:
        """Each operation that starts before an earlier-starting one on its machine ends."""
        lines = []
        order = np.lexsort((np.arange(self.size), end, s, self._machine))
        busy_until, holder = -np.inf, -1
        for k, o in enumerate(order):
            if k == 0 or self._machine[o] != self._machine[order[k - 1]]:
                busy_until, holder = -np.inf, -1
            if s[o] < busy_until:
                lines.append(
                    f"machine {self._machine[o]}: {self._op(holder)} [{s[holder]}, {end[holder]}) "
                    f"overlaps {self._op(o)} [{s[o]}, {end[o]})"
                )
            if end[o] > busy_until:
                busy_until, holder = end[o], o
        return lines

    def evaluate(self, starts: Any) -> float:
        """The makespan: the latest end time; NaN when `starts` cannot be read."""
        s, _ = self._read(starts)
        return float("nan") if s is None else float((s + self._duration).max())

    def features(self) -> dict[str, float]:
        loads, lengths = self._machine_loads(), self._job_lengths()
        bound = max(self.lower_bound, 1)
        visits = self._job * self.num_machines + self._machine
        return {
            "num_jobs": float(self.num_jobs),
            "num_machines": float(self.num_machines),
            "num_operations": float(self.size),
            "jobs_per_machine": self.num_jobs / self.num_machines,
            **stats("duration", self._duration),
            **stats("machine_load", loads),
            **stats("job_length", lengths),
            "lower_bound": float(self.lower_bound),
            "horizon_to_bound": self.horizon / bound,
            "machine_to_job_bound": float(loads.max()) / max(float(lengths.max()), 1.0),
            "repeat_visits": 1.0 - len(np.unique(visits)) / self.size,
        }
