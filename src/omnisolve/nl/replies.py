"""Read the language model's answers: the JSON in a ```json fenced block, the five-element
formulation, and the model through omnisolve's own JSON reader (input limits, field-by-field
validation, messages that name the field). Nothing in an answer is ever executed."""

from __future__ import annotations

import json
import re
from typing import Any

from omnisolve.errors import InputError
from omnisolve.io.json_model import parse_json
from omnisolve.problems import Problem
from omnisolve.result import jsonable

FIVE = ("sets", "parameters", "variables", "objective", "constraints")
MODEL_NAME = "model.json"  # what the reader's messages call the model
_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n(.*?)```", re.DOTALL)


def json_text(answer: str) -> str:
    """The last ```json fenced block of `answer` (a fence without a language counts), else the
    whole answer when it is a bare JSON object."""
    blocks = _FENCE.findall(answer)
    if blocks:
        return blocks[-1].strip()
    if answer.strip().startswith("{"):
        return answer.strip()
    raise InputError("no JSON found: put the JSON object in one ```json fenced block")


def read_formulation(answer: str) -> dict[str, Any]:
    """The five-element formulation (sets, parameters, variables, objective, constraints)."""
    text = json_text(answer)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(doc, dict):
        raise InputError("expected one JSON object")
    missing = [key for key in FIVE if key not in doc]
    if missing:
        raise InputError(f"missing key{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}")
    return jsonable(doc)


def read_model(answer: str) -> tuple[dict[str, Any], Problem]:
    """The JSON model as written (an infinite bound as null, which means the same) and the
    problem omnisolve reads from it; `InputError` with the reader's exact message (e.g.
    `model.json: constraints[2].coefficients: unknown variable 'z'`)."""
    text = json_text(answer)
    problem = parse_json(text.encode("utf-8"), MODEL_NAME)
    return jsonable(json.loads(text)), problem
