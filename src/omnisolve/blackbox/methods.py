"""The registry of black-box methods: name -> the backend module that makes it, with its
option, the package it needs and one line on what it is. Backends are imported on first use."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from omnisolve.blackbox.backend import Backend, Setup
from omnisolve.errors import UnsupportedError

NG_PREFIX = "ng:"


@dataclass(frozen=True)
class Method:
    module: str  # in omnisolve.blackbox, with a `make(setup) -> Backend`
    option: str  # passed on as `Setup.option`
    package: str
    summary: str


METHODS: dict[str, Method] = {
    "ngopt": Method(
        "ng_backend", "NGOpt", "nevergrad", "Nevergrad's NGOpt: its own pick from dimension, budget, workers"
    ),
    "optuna-tpe": Method("optuna_backend", "tpe", "optuna", "Optuna's TPE sampler; constraints via constraints_func"),
    "optuna-cmaes": Method("optuna_backend", "cmaes", "optuna", "Optuna's CmaEsSampler (package cmaes); penalty"),
    "optuna-gp": Method("optuna_backend", "gp", "optuna", "Optuna's Gaussian-process sampler (needs torch)"),
    "cma": Method("cma_backend", "", "cma", "pycma's CMA-ES with IPOP restarts; penalty"),
    "scipy-de": Method("scipy_backend", "scipy-de", "scipy", "SciPy differential_evolution, restarted; penalty"),
    "scipy-da": Method("scipy_backend", "scipy-da", "scipy", "SciPy dual_annealing, restarted; penalty"),
    "powell": Method("scipy_backend", "powell", "scipy", "SciPy Powell from random restarts; penalty"),
    "cobyla": Method("scipy_backend", "cobyla", "scipy", "SciPy COBYLA from random restarts; constraints native"),
    "cobyqa": Method("scipy_backend", "cobyqa", "scipy", "SciPy COBYQA from random restarts; constraints native"),
    "nelder-mead": Method("scipy_backend", "nelder-mead", "scipy", "SciPy Nelder-Mead from random restarts; penalty"),
    "cobyqa-da": Method(
        "scipy_backend", "cobyqa-da", "scipy", "COBYQA restarts on half the budget, then dual annealing; penalty"
    ),
    "cobyqa-cma": Method(
        "scipy_backend", "cobyqa-cma", "scipy", "COBYQA restarts on half the budget, then CMA-ES (IPOP); penalty"
    ),
    "config": Method(
        "config_backend",
        "",
        "scikit-learn",
        "constrained Bayesian optimization after CONFIG: GP models of f and g, optimistic feasibility; small budgets",
    ),
}


def names() -> list[str]:
    """Every method name `minimize` and `BlackBox` take ("ng:NAME" stands for Nevergrad's registry)."""
    return ["auto", *METHODS, "ng:NAME"]


def lookup(name: str) -> Method:
    """The method called `name`; `UnsupportedError` listing the valid names otherwise."""
    if name.startswith(NG_PREFIX) and len(name) > len(NG_PREFIX):
        return Method("ng_backend", name[len(NG_PREFIX) :], "nevergrad", f"Nevergrad's {name[len(NG_PREFIX) :]}")
    if name not in METHODS:
        raise UnsupportedError(f"unknown black-box method {name!r}; valid: {', '.join(names())}")
    return METHODS[name]


def make(name: str, setup: Setup) -> Backend:
    """The backend of method `name`, set up; `UnsupportedError` for an unknown name or a method
    whose package is missing."""
    import dataclasses

    method = lookup(name)
    module = importlib.import_module(f"omnisolve.blackbox.{method.module}")
    try:
        backend: Backend = module.make(dataclasses.replace(setup, option=method.option))
    except ImportError as exc:
        raise UnsupportedError(f"method {name} needs the package {exc.name or method.package!r}: {exc}") from None
    return backend
