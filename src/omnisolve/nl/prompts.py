"""Every text omnisolve sends to the language model: short, explicit, and carrying the JSON
model format's essentials (docs/json-format.md) so that a model can write it. `$name` marks
what is filled in (`string.Template`; JSON's braces need no escaping)."""

from __future__ import annotations

from string import Template

SYSTEM = (
    "You are an operations-research modeller. You turn a word problem into an optimization model "
    "that the solver omnisolve reads, solves and checks. Answer with JSON in one ```json fenced "
    "block and nothing else. Never write program code: it is not run."
)

FORMULATE = Template(
    """Problem:
$text

Step 1. Write the mathematical formulation as one JSON object with exactly these five keys:
"sets": the index sets and their members;
"parameters": every number of the text, by name, with its value;
"variables": each decision variable with its meaning, type (continuous, integer or binary) and bounds;
"objective": the sense (min or max) and the expression;
"constraints": one entry per condition of the text, with a name and the expression.
Use only data stated in the text."""
)

MODEL = """Step 2. Write that formulation as an omnisolve JSON model in one ```json fenced block:
{"omnisolve_format": "model", "version": 1,
 "variables": [{"name": "x", "lb": 0, "ub": null, "type": "integer"}, {"name": "y"}],
 "objective": {"sense": "max", "constant": 0, "linear": {"x": 3, "y": 2}},
 "constraints": [{"name": "budget", "ub": 100, "coefficients": {"x": 10, "y": 8}},
                 {"name": "balance", "lb": 0, "ub": 0, "coefficients": {"x": 1, "y": -2}}]}
Rules:
- A constraint means lb <= sum of coefficient * variable <= ub; leave out (or set null) a side
  without a bound; an equality has lb equal to ub. Move every variable to the left and every
  constant to the right; a percentage or ratio condition becomes linear coefficients.
- Declare every variable you use in "variables". "lb" defaults to 0 and "ub" to no bound;
  "type" is continuous (default), integer or binary. Counts of indivisible things are integer.
- Numbers only: no expressions, units, comments or trailing commas.
- A product of two variables goes in "quadratic": [["x", "y", coefficient]] (objective or
  "quadratic_constraints" with "lb", "ub", "linear", "quadratic").
A pure travelling-salesman, vehicle-routing, job-shop or 0-1 knapsack problem may instead be
{"omnisolve_format": "tsp", "version": 1, "distances": [[0, 5], [5, 0]]},
{"omnisolve_format": "cvrp", "version": 1, "capacity": 10, "demands": [0, 4, 5], "distances": [[...]]},
{"omnisolve_format": "jobshop", "version": 1, "jobs": [[[machine, duration], ...], ...]} or
{"omnisolve_format": "knapsack", "version": 1, "capacity": 10, "values": [10, 7], "weights": [6, 5]}."""

_ANSWER = "Answer with the complete corrected model in one ```json fenced block."
_OR_SAME = "If the problem as stated really is so, answer with the same model unchanged."

BAD_FORMULATION = Template(
    "Your formulation cannot be read: $error\n"
    'Answer with the whole formulation: one JSON object with the keys "sets", "parameters", '
    '"variables", "objective" and "constraints", in one ```json fenced block.'
)
BAD_MODEL = Template(f"omnisolve cannot use your model: $error\nFix exactly this. {_ANSWER}")
INFEASIBLE = Template(
    "omnisolve proved your model infeasible. $error\n"
    "Check each of these against the problem text: the direction of an inequality, a number, a "
    f"bound, integrality. {_ANSWER} {_OR_SAME}"
)
UNBOUNDED = Template(
    "omnisolve proved your model unbounded: $error\n"
    "A condition of the problem text is missing or points the wrong way, or the objective's sense "
    f"is wrong. {_ANSWER} {_OR_SAME}"
)
NOT_CERTIFIED = Template(f"omnisolve could not certify an answer to your model: $error\n{_ANSWER}")
