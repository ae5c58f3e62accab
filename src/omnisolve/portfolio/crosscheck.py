"""Cross-check: an independent solver confirms or refutes a claim the data could not prove.

A claim ("optimal", "infeasible", "unbounded") that `verify` left `claimed` goes to witnesses,
each run on the same problem in the time the solve left of its limit plus a share of the limit
past it (`budget`), and verified like any result:

- a witness with a verified better answer, or a verified answer where infeasibility was
  claimed, or a bound where unboundedness was claimed, **refutes** the claim: the result becomes
  the witness's certified answer, marked `refuted` with who claimed what;
- a witness whose own evidence is proven from the data (dual certificate, Farkas ray), or whose
  bound reaches the claimed objective, or who reaches the same verdict by its own path,
  **confirms** it: `proven`, with the witness named in the evidence;
- otherwise the claim stays `claimed`, with what the witnesses said.

Witnesses by class: LP and convex QP -> HiGHS without presolve (its duals are checked from the
data); MILP -> SCIP, then HiGHS without presolve, and for an infeasible or unbounded claim first
the linear relaxation (a Farkas or primal ray proves it for the MILP too); pure-integer linear
models also CP-SAT; structured problems -> another exact backend for the class.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np

from omnisolve.limits import Limits
from omnisolve.model import ProblemData, Sense
from omnisolve.problems import Problem, StructuredProblem
from omnisolve.result import Certificate, Optimality, Result, Status, Verdict
from omnisolve.solvers import registry
from omnisolve.solvers.base import SolverInterface
from omnisolve.verify import verify
from omnisolve.verify.claims import assess, closes, local_only
from omnisolve.verify.tolerances import Tolerances

Mode = Literal["off", "claims", "always"]
MODES = ("off", "claims", "always")
SHARE = 0.2  # of the time limit, for all witnesses together
MIN_SECONDS = 1.0  # the least a witness gets, however short the limit
TOL = 1e-6  # relative objective difference that counts as better / as agreement
#: per class, (witness, largest `size` at which it can settle a claim in a few seconds): a MILP
#: witness closes a TSP's gap up to about 16 nodes only (measured: ulysses22 is 10 % open after
#: 10 s), so beyond that size asking it would only spend time
STRUCTURED_WITNESSES: dict[str, tuple[tuple[str, float], ...]] = {
    "Knapsack": (("knapsack-dp", math.inf), ("scip", 2000), ("cpsat", math.inf)),
    "TSP": (("tsp-dfj", 200), ("tsp-dfj-scip", 200), ("cpsat", 200), ("scip", 16)),
    "JobShop": (("cpsat", math.inf), ("scip", 30)),
    "CVRP": (("cpsat", 30), ("scip", 12)),
}


@dataclass(frozen=True)
class Witness:
    """A backend run as a witness; `relaxation`: it solves the linear relaxation, so only its
    proofs (Farkas ray, primal ray) count, never its answers."""

    label: str
    backend: SolverInterface
    relaxation: bool = False


def check_mode(mode: str) -> Mode:
    if mode not in MODES:
        raise ValueError(f"cross-check must be one of {', '.join(MODES)}, got {mode!r}")
    return cast(Mode, mode)


def needs_check(result: Result, mode: Mode) -> bool:
    """`claims`: an unproven optimal/infeasible/unbounded claim; `always`: also any feasible answer."""
    if mode == "off" or result.certificate is None:
        return False
    if result.optimality == Optimality.CLAIMED and result.status != Status.FEASIBLE:
        return True
    return mode == "always" and result.status == Status.FEASIBLE


def cross_check(
    problem: Problem,
    result: Result,
    mode: Mode = "claims",
    time_limit: float = 60.0,
    threads: int = 1,
    seed: int = 0,
    unused: float = 0.0,
) -> Result:
    """Confirm or refute `result`'s claim with independent witnesses (see the module docstring),
    in `budget(time_limit)` seconds plus the `unused` seconds its solve left of the limit (a
    claim made at 3 s of 10 s has its witnesses' share and the 7 s)."""
    if not needs_check(result, mode):
        return result
    start = time.perf_counter()
    seconds = budget(time_limit) + max(unused, 0.0)
    check = _Check(problem, result)
    asked = witnesses(problem, result)
    # a structured claim's solution is the witnesses' start (a tour, a schedule): it spares them
    # the search for it, not the proof of their bound
    hint = result.solution if isinstance(problem, StructuredProblem) else None
    if not asked:
        _certificate(result).evidence += "; no independent method can settle it at this size"
    for i, witness in enumerate(asked):
        left = seconds - (time.perf_counter() - start)
        # a later witness needs a second at least (in less, its start-up alone overruns: SCIP on
        # a 300-item knapsack took 1.4 s for 0.5 s), so each leaves a second to every later one
        if check.settled or left <= (0.05 if i == 0 else MIN_SECONDS):
            break
        mine = max(left - MIN_SECONDS * (len(asked) - 1 - i), min(left, MIN_SECONDS))
        check.hear(witness, _run(problem, witness, Limits(time=mine, threads=threads, seed=seed, start=hint)))
    return check.finish(time.perf_counter() - start)


def budget(time_limit: float) -> float:
    """The most the witnesses spend together, after a solve with this time limit."""
    return max(MIN_SECONDS, SHARE * time_limit)


def witnesses(problem: Problem, result: Result) -> list[Witness]:
    """The independent runs that can confirm or refute `result`'s claim, most telling first;
    never the backend that made the claim."""
    candidates: list[Witness | None] = []
    if isinstance(problem, StructuredProblem):
        reach = STRUCTURED_WITNESSES.get(problem.kind, ())
        candidates = [_named(name) for name, largest in reach if problem.size <= largest]
    elif isinstance(problem, ProblemData) and not local_only(problem):
        from omnisolve.solvers.highs import HighsSolver

        if problem.is_mip and result.status in (Status.INFEASIBLE, Status.UNBOUNDED):
            candidates.append(Witness("highs on the linear relaxation", HighsSolver(presolve=False), relaxation=True))
        no_presolve = Witness("highs (presolve off)", HighsSolver(presolve=False))
        candidates += [_named("scip"), no_presolve] if problem.is_mip else [no_presolve, _named("scip")]
        if problem.is_mip and bool(problem.integer_mask.all()):
            candidates.append(_named("cpsat"))
    claimant = claimed_by(result)
    return [
        w for w in candidates if w is not None and w.label != claimant and (w.relaxation or w.backend.supports(problem))
    ]


def claimed_by(result: Result) -> str:
    """The backend that made the claim: a race's winner, not the race ("race(a,b)->a")."""
    winner = result.extra.get("race", {}).get("winner") if isinstance(result.extra, dict) else None
    return str(winner or result.solver)


def _named(name: str) -> Witness | None:
    try:
        backend = registry.get(name)
    except Exception:  # an unknown or broken witness is simply not asked
        return None
    return Witness(name, backend) if backend.available() else None


def _certificate(result: Result) -> Certificate:
    """The certificate of a verified result: a claim under test and a witness's answer (other
    than a crash) always have one."""
    if result.certificate is None:
        raise ValueError(f"{result.solver or 'a solver'}'s result was never verified")
    return result.certificate


def _run(problem: Problem, witness: Witness, limits: Limits) -> Result:
    """One verified witness run; a crash or a refusal is an error result, never an exception."""
    target = problem.relaxation() if witness.relaxation and isinstance(problem, ProblemData) else problem
    try:
        answer = witness.backend.solve(target, limits)
    except Exception as exc:  # the witness's failure must not cost the user the primary answer
        return Result(Status.ERROR, solver=witness.label, message=f"{type(exc).__name__}: {exc}")
    answer.solver = witness.label
    return verify(target, answer)


class _Check:
    """The claim under test and what the witnesses said about it."""

    def __init__(self, problem: Problem, result: Result):
        self.problem, self.result = problem, result
        self.sense = getattr(problem, "sense", Sense.MIN)
        self.claim = f"{result.solver} claimed {result.status.value}" + (
            f" {result.objective:.10g}" if result.status == Status.OPTIMAL and result.objective is not None else ""
        )
        self.settled = False
        self.original = {
            "solver": result.solver,
            "status": result.status.value,
            "objective": result.objective,
            "bound": result.bound,
        }
        self.refutations: list[str] = []
        self.said: list[dict] = []
        self.bounds: list[float] = [] if result.bound is None else [result.bound]

    def hear(self, witness: Witness, answer: Result) -> None:
        cert = answer.certificate
        self.said.append(
            {
                "solver": witness.label,
                "status": answer.status.value,
                "objective": answer.objective,
                "bound": answer.bound,
                "optimality": cert.optimality.value if cert else "none",
                "runtime": answer.runtime,
                "message": answer.message,
            }
        )
        if answer.status == Status.ERROR:
            return
        if witness.relaxation:
            self._hear_relaxation(witness, answer)
        elif self.result.status == Status.INFEASIBLE:
            self._hear_on_infeasible(witness, answer)
        elif self.result.status == Status.UNBOUNDED:
            self._hear_on_unbounded(witness, answer)
        else:
            self._hear_on_answer(witness, answer)

    def _hear_relaxation(self, witness: Witness, answer: Result) -> None:
        proven = answer.optimality == Optimality.PROVEN
        if self.result.status == Status.INFEASIBLE and answer.status == Status.INFEASIBLE and proven:
            self._prove(f"the linear relaxation is infeasible: {_certificate(answer).evidence}")
        elif self.result.status == Status.UNBOUNDED and answer.ray is not None and self.result.values is not None:
            trial = Certificate(verdict=Verdict.NONE)
            assess(self.problem, dataclasses.replace(self.result, ray=answer.ray), trial, Tolerances())
            if trial.optimality == Optimality.PROVEN:
                self.result.ray = answer.ray
                self._prove(f"{trial.evidence} (ray of the linear relaxation from {witness.label})")

    def _hear_on_infeasible(self, witness: Witness, answer: Result) -> None:
        if answer.status.has_solution:
            self._adopt(answer, f"{witness.label} found a verified solution with objective {answer.objective:.10g}")
        elif answer.status == Status.INFEASIBLE:
            self._prove(_agreement(witness, answer, "infeasible"))

    def _hear_on_unbounded(self, witness: Witness, answer: Result) -> None:
        if answer.status == Status.UNBOUNDED:
            self._prove(_agreement(witness, answer, "unbounded"))
        elif answer.status.has_solution and answer.bound is not None and np.isfinite(answer.bound):
            self._adopt(answer, f"{witness.label} found a bound {answer.bound:.10g} ({answer.optimality.value})")

    def _hear_on_answer(self, witness: Witness, answer: Result) -> None:
        current = self.result
        if answer.status.has_solution and self._better(answer.objective, current.objective):
            what = f"{witness.label} found a verified solution with objective {answer.objective:.10g}"
            if current.status == Status.OPTIMAL:
                self._adopt(answer, what)
            else:
                self._replace(answer, what)
            return
        if answer.bound is not None and np.isfinite(answer.bound):
            self.bounds.append(answer.bound)
        cert = answer.certificate
        bound: float | None
        if cert is not None and cert.optimality == Optimality.PROVEN and cert.bound is not None:
            bound, how = cert.bound, f"{witness.label}: {cert.evidence}"
        else:
            bound, how = (
                answer.bound,
                f"{witness.label}'s bound {answer.bound} from an independent run" if answer.bound is not None else "",
            )
        if bound is not None and current.objective is not None and closes(current.objective, bound, self.sense, TOL):
            self.result.status = Status.OPTIMAL
            self._prove(how, bound)

    def _better(self, objective: float | None, than: float | None) -> bool:
        if objective is None or than is None:
            return False
        sign = 1.0 if self.sense == Sense.MIN else -1.0
        return sign * (than - objective) > TOL * max(1.0, abs(than))

    def _prove(self, evidence: str, bound: float | None = None) -> None:
        cert = _certificate(self.result)
        if cert.optimality != Optimality.REFUTED:
            cert.optimality = Optimality.PROVEN
            cert.evidence = f"confirmed by {evidence}"
        else:
            cert.evidence = f"the new answer is confirmed by {evidence}"
        if bound is not None:
            cert.bound = bound
        self.settled = True

    def _adopt(self, answer: Result, what: str) -> None:
        """The claim is refuted: the witness's certified answer replaces it."""
        self.refutations.append(f"{self.claim}; {what}")
        self._replace(answer, what)
        cert = _certificate(self.result)
        proven = cert.optimality == Optimality.PROVEN
        cert.evidence = (
            f"the new answer is proven: {cert.evidence}"
            if proven
            else f"the new answer is {answer.solver}'s claim, not confirmed"
        )
        cert.optimality = Optimality.REFUTED
        cert.refutation = " | ".join(self.refutations)
        self.claim = f"{answer.solver} claimed {answer.status.value}" + (
            f" {answer.objective:.10g}" if answer.objective is not None else ""
        )
        self.bounds = [] if answer.bound is None else [answer.bound]
        self.settled = proven

    def _replace(self, answer: Result, what: str) -> None:
        keep = self.result
        for name in (
            "status",
            "objective",
            "bound",
            "values",
            "solution",
            "duals",
            "ray",
            "certificate",
            "solver",
            "solver_version",
        ):
            setattr(keep, name, getattr(answer, name))
        keep.message = what

    def finish(self, seconds: float) -> Result:
        result, cert = self.result, self.result.certificate
        if cert is not None and cert.bound is None and len(self.bounds) >= 2 and result.objective is not None:
            sign = 1.0 if self.sense == Sense.MIN else -1.0
            weakest = min(self.bounds, key=lambda b: sign * b)  # agreed by every run that gave one
            if np.isfinite(weakest) and sign * (result.objective - weakest) >= -TOL * max(1.0, abs(result.objective)):
                cert.bound = weakest
        if cert is not None:
            cert.witnesses = self.said
            if cert.optimality == Optimality.CLAIMED and self.said:
                cert.evidence += "; not confirmed by " + ", ".join(f"{s['solver']} ({s['status']})" for s in self.said)
        report = {"seconds": seconds, "witnesses": self.said}
        if self.refutations:
            report["refuted_claim"] = self.original  # what the solver itself answered
        result.extra = {**result.extra, "cross_check": report}
        return result


def _agreement(witness: Witness, answer: Result, verdict: str) -> str:
    cert = answer.certificate
    if cert is not None and cert.optimality == Optimality.PROVEN:
        return f"{witness.label}: {cert.evidence}"
    return f"{witness.label}, which also finds the problem {verdict} by its own path"
