"""State the problem in words: a language model formulates it, omnisolve solves, certifies and
sends every failure back for repair (docs/nl.md).

    import omnisolve as om
    f = om.formulate("A bakery makes ...", base_url="http://localhost:11434/v1", model="qwen2.5")
    f.formulation, f.model, f.result.certificate     # sets/parameters/variables/..., JSON model, proof
    om.solve_text("...", samples=3).extra["nl"]     # the candidates, their answers, the chosen one

The language model only writes JSON that omnisolve's own reader validates: no generated code is
ever run. One layer below `api` (it calls `omnisolve.api.solve`), above `bench`, `service`, `cli`.
"""

from omnisolve.nl.endpoint import DEFAULT_MODEL, Endpoint, EndpointError
from omnisolve.nl.formulate import Formulation, FormulationError, formulate, same_value, solve_text

__all__ = [
    "DEFAULT_MODEL",
    "Endpoint",
    "EndpointError",
    "Formulation",
    "FormulationError",
    "formulate",
    "same_value",
    "solve_text",
]
