"""Black-box and continuous optimization: `minimize(fun, bounds, budget=...)`, the ask/tell
`BlackBox`, and the methods behind them (Nevergrad, Optuna, pycma, SciPy; `methods.names()`),
with `method="auto"` chosen by the rules of `auto`. See docs/continuous.md."""

from omnisolve.blackbox.ask_tell import BlackBox
from omnisolve.blackbox.methods import names as methods
from omnisolve.blackbox.minimize import minimize

__all__ = ["BlackBox", "methods", "minimize"]
