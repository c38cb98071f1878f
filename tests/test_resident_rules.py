"""The per-agent Mesa references and the fused kernels of the residents' month
(benchmarks/resident_rules.py) give the same outputs as the project's own phases when fed the same
inputs and draws: every phase (needs, Party organisation, matching, participation and the council's
seats, attitudes, audits, joining and founding organisations, the monthly outputs), with and without
a need shock, across a new survey year."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import resident_rules as rr

from cogov_sim.model import CommunityModel
from cogov_sim.parameters import K
from cogov_sim.scenario import load_scenario

MONTHS = 3


@pytest.fixture(scope="module")
def start() -> tuple[rr.World, object]:
    """A year of co-governance with three-affairs sorting and audits every other month, then frequent
    founding (a rate above the parameter's range, to found groups in three months), so that every branch
    of the month is taken in the three months compared (12–14: a new survey year at 12, audits at 13)."""
    scenario = load_scenario("co_governance").with_overrides({
        "levers.affairs_sorting": True, "levers.satisfaction_audits": True, "behaviour.audit_period_months": 2})
    model = CommunityModel(scenario, seed=3, residents=800)
    for _ in range(12):
        model.step()
    world, residents = rr.from_model(model)
    return dataclasses.replace(world, behaviour=dataclasses.replace(world.behaviour, so_founding=1.0)), residents


def with_shock(world: rr.World, shocked: bool) -> rr.World:
    shock = np.zeros((len(world.reach), K))
    shock[:, 2] = 0.5
    return dataclasses.replace(world, need_shock=shock if shocked else None)


def months(n: int, runner) -> list[dict]:
    rng = np.random.default_rng(7)
    snapshots = []
    for _ in range(MONTHS):
        runner.step_with(rr.draws(rng, n))
        snapshots.append(runner.snapshot())
    return snapshots


@pytest.mark.parametrize("shocked", [False, True])
def test_the_vectorised_month_takes_every_branch(start, shocked):
    world, residents = start
    world = with_shock(world, shocked)
    month = months(len(residents), rr.Vectorised(world, residents))
    assert world.first_month % 12 == 0 and (month[0]["year_counts"] <= 1).all()          # a new survey year
    assert [m["satisfied"] is not None for m in month] == [False, True, False]           # audits
    assert all(m["participated"][:, t].any() for m in month for t in range(4))
    assert any((m["so_member"] >= world.next_id).any() for m in month)                    # founders enrolled
    assert all(len(m["volunteers_by_organisation"]) for m in month)                       # volunteers joined
    assert not np.array_equal(month[-1]["awareness"], residents.table.awareness)
    assert (month[0]["demand"][:, 2] > residents.membership @ residents.need_profile[:, 2]).all() == shocked


@pytest.mark.parametrize("shocked", [False, True])
@pytest.mark.parametrize("reference", ["AgentModel", "LeanModel", "Fused"])
def test_references_equal_the_projects_phases(start, reference, shocked):
    world, residents = start
    world = with_shock(world, shocked)
    if reference == "Fused":
        kernels = rr.fused_kernels()
        if kernels is None:
            pytest.skip("numba not installed (optional: pip install -e .[bench])")
        other = rr.Fused(kernels, world, residents)
    else:
        other = getattr(rr, reference)(world, residents)
    expected = months(len(residents), rr.Vectorised(world, residents))
    for want, got in zip(expected, months(len(residents), other), strict=True):
        assert set(got) >= {*rr.COLUMNS, *(f"output:{name}" for name in rr.RESIDENT_METRICS)}
        diff, mismatches = rr.max_difference(want, got)
        assert mismatches == 0 and diff < 1e-12


def test_idiomatic_reference_is_mesa_on_a_cell_space(start):
    world, residents = start
    agents = rr.AgentModel(world, residents)
    months(len(residents), agents)
    collected = agents.datacollector.get_model_vars_dataframe()
    assert len(collected) == MONTHS and set(rr.RESIDENT_METRICS) <= set(collected.columns)
    assert isinstance(agents.grid, rr.Network) and all(a.cell.coordinate == a.row for a in agents.residents)
    assert len(agents.residents) == len(residents)
