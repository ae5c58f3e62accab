"""`formulate(text)` and `solve_text(text)`: a word problem to a certified answer through a
language model, with K candidates chosen by the agreement of their certified answers."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any, Callable

from omnisolve.errors import InputError, OmnisolveError
from omnisolve.model import ProblemData
from omnisolve.nl.endpoint import Chat, Endpoint
from omnisolve.nl.loop import Candidate, SolveOptions, run_candidate
from omnisolve.problems import Problem
from omnisolve.result import Result, Status, jsonable

log = logging.getLogger("omnisolve.nl")
SAMPLING_TEMPERATURE = 0.7  # with samples > 1: candidates must differ to be worth comparing


class FormulationError(OmnisolveError):
    """No candidate gave a model omnisolve could read and solve within the repair rounds; the
    message is the last problem found. Exit code 1, as for a solver error. `tokens`: what the
    candidates used."""

    exit_code = 1

    def __init__(self, message: str, tokens: int = 0):
        super().__init__(message)
        self.tokens = tokens


@dataclass
class Formulation:
    """The chosen candidate: the five-element `formulation`, the JSON `model`, the `problem`
    read from it and its certified `result` (whose `extra["nl"]` is `summary`), the messages
    sent back to repair it (`feedback`), and every candidate's outcome (`candidates`)."""

    text: str
    formulation: dict[str, Any]
    model: dict[str, Any]
    problem: Problem
    result: Result
    feedback: list[str]
    candidates: list[dict[str, Any]]
    chosen: int
    conversation: list[dict[str, str]] = field(repr=False, default_factory=list)

    @property
    def repairs(self) -> int:
        return len(self.feedback)

    @property
    def summary(self) -> dict[str, Any]:
        return self.result.extra["nl"]

    @property
    def answer(self) -> dict[str, Any]:
        """The answer in the model's terms: the non-zero variable values by name, or a
        structured problem's solution (tour, routes, schedule, items) under "solution"."""
        values = self.result.values
        if isinstance(self.problem, ProblemData) and values is not None:
            names = self.problem.var_names.tolist()
            return {name: float(v) for name, v in zip(names, values.tolist()) if abs(v) > 1e-9}
        return {} if self.result.solution is None else {"solution": jsonable(self.result.solution)}


def formulate(
    text: str,
    *,
    base_url: str | None = None,
    model: str | None = None,
    samples: int = 1,
    repairs: int = 3,
    time_limit: float = 10.0,
    threads: int | None = None,
    cross_check: str = "claims",
    temperature: float | None = None,
    timeout: float = 120.0,
    max_retries: int = 2,
    stream: bool = False,
    on_text: Callable[[str], None] | None = None,
) -> Formulation:
    """Turn the word problem `text` into a model, solve and certify it, repairing it from
    omnisolve's messages up to `repairs` rounds; with `samples` K > 1, K candidates (sampled at
    `temperature`, default 0.7; 0 for one) and the answer most of them agree on.

    The language model is any OpenAI-compatible endpoint: `base_url` (else $OPENAI_BASE_URL,
    else OpenAI), `model` (else $OMNISOLVE_NL_MODEL, else DEFAULT_MODEL), the key from
    $OPENAI_API_KEY; `timeout` seconds per request and `max_retries` go to the client. With
    `stream` the answers arrive piece by piece (then `timeout` bounds the wait between two
    pieces, so a slow local model may write for longer); `on_text` sees each piece as it comes.
    `time_limit`, `threads` and `cross_check` are `omnisolve.solve`'s, per candidate model.
    Raises `EndpointError` (exit 4) when the endpoint fails and `FormulationError` (exit 1)
    when no candidate gave a usable model."""
    if not text.strip():
        raise InputError("the problem text is empty")
    if samples < 1 or repairs < 0:
        raise InputError("samples must be >= 1 and repairs >= 0")
    endpoint = Endpoint.resolve(base_url, model, timeout, max_retries, stream)
    chat = Chat(endpoint, on_text)
    temp = temperature if temperature is not None else (0.0 if samples == 1 else SAMPLING_TEMPERATURE)
    options = SolveOptions(time_limit, threads, cross_check)
    found = []
    for k in range(samples):
        log.info("candidate %d of %d", k + 1, samples)
        found.append(run_candidate(chat, text, temp, repairs, options))
    chosen, agreeing = choose(found)
    best, tokens = found[chosen], sum(c.tokens for c in found)
    if best.result is None or best.formulation is None or best.model is None or best.problem is None:
        raise FormulationError(f"no usable model after {repairs} repair rounds: {best.error}", tokens)
    outcomes = [_outcome(c) for c in found]
    best.result.extra = {
        **best.result.extra,
        "nl": {
            "model_name": endpoint.model,
            "formulation": best.formulation,
            "model": best.model,
            "repairs": best.repairs,
            "feedback": best.feedback,
            "chosen": chosen,
            "agreeing": agreeing,
            "samples": samples,
            "candidates": outcomes,
            "tokens": tokens,
        },
    }
    return Formulation(
        text,
        best.formulation,
        best.model,
        best.problem,
        best.result,
        best.feedback,
        outcomes,
        chosen,
        best.conversation,
    )


def solve_text(text: str, **options: Any) -> Result:
    """The certified `Result` of the word problem `text` (`formulate`'s options); how it was
    formulated is in `result.extra["nl"]`."""
    return formulate(text, **options).result


def same_value(a: float, b: float) -> bool:
    """Equal within a relative 1e-4 or an absolute 1e-6: the NL datasets' rule."""
    return abs(a - b) <= max(1e-6, 1e-4 * max(abs(a), abs(b)))


def answer_of(result: Result | None) -> float | str | None:
    """What a candidate votes for: its certified objective, "infeasible" / "unbounded" for a
    proven-so model, None when it has no certified answer."""
    if result is None:
        return None
    if result.status in (Status.INFEASIBLE, Status.UNBOUNDED):
        return result.status.value
    cert = result.certificate
    if result.status.has_solution and cert is not None and cert.passed and cert.objective is not None:
        return cert.objective if math.isfinite(cert.objective) else None
    return None


def _agree(a: float | str | None, b: float | str | None) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return same_value(a, b)
    return a == b


def structure(problem: Problem | None) -> str:
    """A model's shape, compared beside its answer: "min, 2 variables (2 integer), 2
    constraints", or a structured problem's kind and size ("TSP of 12"); "" for no model."""
    if problem is None:
        return ""
    if isinstance(problem, ProblemData):
        rows = problem.A.shape[0] + len(problem.quadratic_rows) + len(problem.nl_constraints)
        integer = int(problem.integer_mask.sum())
        return f"{problem.sense.value}, {len(problem.var_names)} variables ({integer} integer), {rows} constraints"
    return f"{problem.kind} of {problem.size}"


def choose(candidates: list[Candidate]) -> tuple[int, int]:
    """(index of the chosen candidate, how many agree with it): the largest group of equal
    certified answers; between groups of one size, the one whose models agree most in
    `structure`, then fewer repairs. Within the group, a candidate of its most common structure
    with the fewest repairs. Without any certified answer, the candidate with a result and the
    fewest repairs (or the first one, whose error is then reported)."""
    answers = [answer_of(c.result) for c in candidates]
    shapes = [structure(c.problem) for c in candidates]
    groups: list[list[int]] = []
    for k, answer in enumerate(answers):
        if answer is None:
            continue
        group = next((g for g in groups if _agree(answers[g[0]], answer)), None)
        if group is None:
            groups.append([k])
        else:
            group.append(k)

    def alike(k: int, group: list[int]) -> int:
        return sum(shapes[j] == shapes[k] for j in group)

    if groups:
        best = min(
            groups,
            key=lambda g: (-len(g), -max(alike(k, g) for k in g), min(candidates[k].repairs for k in g), g[0]),
        )
        return min(best, key=lambda k: (-alike(k, best), candidates[k].repairs, k)), len(best)
    with_result = [k for k, c in enumerate(candidates) if c.result is not None]
    return (min(with_result, key=lambda k: (candidates[k].repairs, k)) if with_result else 0), 0


def _outcome(candidate: Candidate) -> dict[str, Any]:
    result, answer = candidate.result, answer_of(candidate.result)
    return {
        "status": result.status.value if result is not None else "no model",
        "objective": answer if isinstance(answer, float) else None,
        "structure": structure(candidate.problem),
        "repairs": candidate.repairs,
        "tokens": candidate.tokens,
        "error": candidate.error,
    }
