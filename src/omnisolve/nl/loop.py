"""One candidate: formulate, write the model, solve and certify it, and repair from omnisolve's
own messages, up to a number of rounds shared by every step.

(a) the five-element formulation as JSON; (b) the omnisolve JSON model; (c) read it with
omnisolve's JSON reader and solve + certify with `omnisolve.api.solve`; (d) a JSON or schema
error, an undeclared variable, infeasibility (with the infeasible subset), unboundedness or a
failed certificate goes back to the language model with the exact message. A model that stays
infeasible or unbounded, or comes back unchanged, is the candidate's answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from omnisolve.errors import OmnisolveError
from omnisolve.nl import prompts
from omnisolve.nl.endpoint import Chat
from omnisolve.nl.replies import read_formulation, read_model
from omnisolve.problems import Problem
from omnisolve.result import Result, Status

log = logging.getLogger("omnisolve.nl")


@dataclass
class SolveOptions:
    """How each candidate model is solved (as `omnisolve.solve` takes them)."""

    time_limit: float = 10.0
    threads: int | None = None
    cross_check: str = "claims"


@dataclass
class Candidate:
    """What one candidate came to: its formulation, the last model omnisolve read and solved
    with its certified result, the messages sent back to the language model (`feedback`) and
    the conversation. `error`: why the last answer could not be used, when it could not (the
    rounds ran out on it)."""

    formulation: dict[str, Any] | None = None
    model: dict[str, Any] | None = None
    problem: Problem | None = None
    result: Result | None = None
    feedback: list[str] = field(default_factory=list)
    tokens: int = 0
    conversation: list[dict[str, str]] = field(default_factory=list)
    error: str = ""

    @property
    def repairs(self) -> int:
        return len(self.feedback)


class _Rounds:
    """The conversation of one candidate and its budget of repair rounds."""

    def __init__(self, chat: Chat, candidate: Candidate, temperature: float, repairs: int):
        self.chat, self.candidate, self.temperature, self.repairs = chat, candidate, temperature, repairs

    def ask(self, message: str) -> str:
        self.candidate.conversation.append({"role": "user", "content": message})
        reply = self.chat.ask(self.candidate.conversation, self.temperature)
        self.candidate.conversation.append({"role": "assistant", "content": reply.text})
        self.candidate.tokens += reply.tokens
        return reply.text

    def repair(self, message: str) -> str | None:
        """Send `message` back and return the answer; None when no round is left."""
        if self.candidate.repairs >= self.repairs:
            return None
        self.candidate.feedback.append(message)
        log.info("repair %d: %s", self.candidate.repairs, message.splitlines()[0])
        return self.ask(message)


def run_candidate(chat: Chat, text: str, temperature: float, repairs: int, options: SolveOptions) -> Candidate:
    """Formulate, model, solve and repair `text` once; `EndpointError` when the language model
    cannot be reached (never caught here: no other candidate would do better)."""
    candidate = Candidate(conversation=[{"role": "system", "content": prompts.SYSTEM}])
    rounds = _Rounds(chat, candidate, temperature, repairs)
    answer: str | None = rounds.ask(prompts.FORMULATE.substitute(text=text))
    while answer is not None:
        try:
            candidate.formulation = read_formulation(answer)
            break
        except OmnisolveError as exc:
            candidate.error = str(exc)
            answer = rounds.repair(prompts.BAD_FORMULATION.substitute(error=exc))
    if candidate.formulation is None:
        return candidate
    answer = rounds.ask(prompts.MODEL)
    while answer is not None:
        message = _try_model(candidate, answer, options)
        if message is None:
            break
        answer = rounds.repair(message)
    return candidate


def _try_model(candidate: Candidate, answer: str, options: SolveOptions) -> str | None:
    """Read and solve the model in `answer`: None when the candidate is done, else the message
    that goes back to the language model."""
    from omnisolve.api import solve

    try:
        model, problem = read_model(answer)
        result = solve(problem, time_limit=options.time_limit, threads=options.threads, cross_check=options.cross_check)
    except OmnisolveError as exc:
        candidate.error = str(exc)
        return prompts.BAD_MODEL.substitute(error=exc)
    unchanged = model == candidate.model
    candidate.model, candidate.problem, candidate.result, candidate.error = model, problem, result, ""
    message = judge(result)
    return None if unchanged else message


def judge(result: Result) -> str | None:
    """The message for a result that should go back to the language model, None for an answer."""
    if result.status == Status.INFEASIBLE:
        why = result.extra.get("explanation") or {}
        return prompts.INFEASIBLE.substitute(error=why.get("message") or "No infeasible subset was found in time.")
    if result.status == Status.UNBOUNDED:
        detail = result.certificate.evidence if result.certificate is not None else ""
        return prompts.UNBOUNDED.substitute(error=detail or "the objective improves without limit.")
    if result.status == Status.ERROR:
        cert = result.certificate
        return prompts.NOT_CERTIFIED.substitute(error="; ".join([result.message, *(cert.messages if cert else [])]))
    return None
