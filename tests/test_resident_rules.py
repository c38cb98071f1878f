"""The per-agent Mesa reference of the residents' rules (benchmarks/resident_rules.py) gives the
same outputs as the project's vectorised mechanisms when fed the same inputs and draws."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import resident_rules as rr

from cogov_sim.model import CommunityModel


@pytest.fixture(scope="module")
def start() -> tuple[rr.Inputs, rr.State]:
    model = CommunityModel("co_governance", seed=3, residents=800)
    for _ in range(13):
        model.step()
    return rr.from_model(model)


def months(runner, n: int) -> None:
    rng = np.random.default_rng(7)
    for _ in range(3):
        runner(*rr.draws(rng, n))


@pytest.mark.parametrize("reference", [rr.AgentModel, rr.LeanModel])
def test_per_agent_references_equal_vectorised_rules(start, reference):
    inputs, state = start
    vectorised = state.copy()
    months(lambda u, v: rr.vectorised_month(inputs, vectorised, u, v), len(inputs.community))
    agents = reference(inputs, state.copy())
    months(agents.step_with, len(inputs.community))
    diff, flips = rr.max_difference(vectorised, agents.read_state())
    assert flips == 0 and diff < 1e-12
    assert vectorised.participated.any() and not np.array_equal(vectorised.awareness, state.awareness)


def test_idiomatic_reference_collects_the_same_outputs(start):
    inputs, state = start
    vectorised, agents = state.copy(), rr.AgentModel(inputs, state.copy())
    months(lambda u, v: rr.vectorised_month(inputs, vectorised, u, v), len(inputs.community))
    months(agents.step_with, len(inputs.community))
    collected = agents.datacollector.get_model_vars_dataframe()
    assert len(collected) == 3 and collected.notna().all().all()
    expected = rr.reporters_from_columns(vectorised)
    assert set(collected.columns) == set(expected)
    assert max(abs(collected[name].iloc[-1] - value) for name, value in expected.items()) < 1e-14
    assert isinstance(agents.grid, rr.Network) and all(a.cell.coordinate == a.row for a in agents.residents)


def test_fused_kernel_equals_vectorised_rules(start):
    kernel = rr.fused_kernel()
    if kernel is None:
        pytest.skip("numba not installed (optional: pip install -e .[bench])")
    inputs, state = start
    vectorised = state.copy()
    months(lambda u, v: rr.vectorised_month(inputs, vectorised, u, v), len(inputs.community))
    fused = rr.Fused(kernel, inputs, state)
    months(fused.step_with, len(inputs.community))
    diff, flips = rr.max_difference(vectorised, fused.state)
    assert flips == 0 and diff < 1e-12
