"""The wrong-claim suite: small models from public solver bug reports where a solver claimed a
wrong optimum, infeasibility or unboundedness (tests/data/wrong_claims/manifest.csv names each
report and its true answer). omnisolve must report none of them wrongly: the right status, the
right optimum, and every claim proven or the lie refuted."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import omnisolve as om
from omnisolve.result import Optimality, Status

SUITE = Path(__file__).parent / "data" / "wrong_claims"
CASES = list(csv.DictReader((SUITE / "manifest.csv").open())) if (SUITE / "manifest.csv").exists() else []


def test_the_suite_is_large_and_sourced():
    assert len(CASES) >= 30
    assert all(case["source_url"].startswith("https://github.com/") for case in CASES)


@pytest.mark.parametrize("solver", ["auto", "highs"])
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_no_wrong_claim_reaches_the_user(case, solver):
    result = om.solve(SUITE / case["file"], solver=solver, time_limit=10)
    expected = Status(case["true_status"])
    assert result.status == expected, f"{case['id']}: {result.status.value} ({result.message}), truly {expected.value}"
    if expected == Status.OPTIMAL:
        truth = float(case["true_objective"])
        assert result.objective == pytest.approx(truth, rel=1e-6, abs=1e-6)
        assert result.certificate.passed
    # a claim is proven, or a wrong one was caught: never a bare backend's word
    assert result.optimality in (Optimality.PROVEN, Optimality.REFUTED), result.certificate.evidence
    if case["id"].startswith("pulp_"):  # PuLP's own tests, as PuLP writes them: 64 and 64.95, proven
        assert result.optimality == Optimality.PROVEN
