"""Answers whose certificate fails, from tests/fake_solvers.py: each lie is caught by exactly
one check of the certificate (the others pass, so removing that check lets it through), the
library returns an error carrying the check's message, and the CLI exits 1 saying so.
Races, the bench and the service are covered in test_portfolio_race.py, test_bench.py and
test_service_solve.py; refuted claims (exit 8) in test_trust.py."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import omnisolve as om
import omnisolve.io
from fake_solvers import FAILING
from omnisolve.result import Optimality, Status
from omnisolve.solvers import registry
from test_trust import pulp_test_mip, transport

LIES = [  # (backend, model, the one certificate message it must produce)
    ("liar-violated", transport, "2 rows violated; worst demand1 by 1"),
    ("liar-violated", pulp_test_mip, "2 rows violated; worst c2 by 1"),
    ("liar-objective", transport, "solver reported objective 16, recomputed 17"),
    ("liar-objective", pulp_test_mip, "solver reported objective 63, recomputed 64"),
    ("liar-bound", transport, "bound 18 is on the wrong side of objective 17"),
    ("liar-bound", pulp_test_mip, "bound 65 is on the wrong side of objective 64"),
]


@pytest.fixture(autouse=True)
def failing_liars(monkeypatch):
    for name, target in FAILING.items():
        monkeypatch.setitem(registry._BACKENDS, name, target)


@pytest.mark.parametrize("liar, model, message", LIES, ids=[f"{liar}-{m.__name__}" for liar, m, _ in LIES])
def test_a_failed_certificate_is_an_error_never_an_answer(liar, model, message):
    result = om.solve(model(), solver=liar)
    assert result.status == Status.ERROR and not result.status.has_solution
    assert result.certificate.verdict == "fail" and result.certificate.messages == [message]
    assert result.optimality == Optimality.NONE and result.gap is None
    assert result.message == f"verification failed (solver claimed optimal): {message}"


@pytest.mark.parametrize("liar, model, message", LIES[::2], ids=[liar for liar, _, _ in LIES[::2]])
def test_cli_exits_1_when_the_certificate_fails(tmp_path, liar, model, message):
    from omnisolve.cli import app

    path = tmp_path / "model.json"
    om.io.write(model(), path)
    run = CliRunner().invoke(app, ["solve", str(path), "--solver", liar, "-o", str(tmp_path / "r.json")])
    assert run.exit_code == 1, run.output
    text = " ".join(run.output.split())  # rich may wrap the long line
    assert "verification failed (solver claimed optimal)" in text and message in text
