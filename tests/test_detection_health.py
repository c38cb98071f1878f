"""Detection channels and grid plus services (sources §7.11); the within-health mismatch and inverse care
(sources §5.4, §7.16)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import scenario

from cogov_sim.mechanisms import needs, supply
from cogov_sim.mechanisms.disputes import CHANNELS
from cogov_sim.model import CommunityModel
from cogov_sim.parameters import DOMAINS, Behaviour

B = Behaviour()
HEALTH = DOMAINS.index("health")
SEEDS = range(6)


def run(name: str, months: int = 24, seed: int = 0, **overrides: object) -> tuple[CommunityModel, list[dict[str, float]]]:
    m = CommunityModel(scenario(name, **overrides), seed=seed, residents=2000)
    rows = []
    for _ in range(months):
        m.step()
        rows.append(dict(m.metrics))
    return m, rows


@pytest.mark.parametrize("name", ["administrative_led", "administrative_led_grid", "administrative_led_grid_services"])
def test_detection_shares_are_shares_of_the_channels_that_exist(name):
    m, rows = run(name)
    lev = m.levers
    for row in rows:
        shares = np.array([row[f"detection_{ch}"] for ch in CHANNELS])
        assert np.all((shares >= 0) & (shares <= 1))
        detected = int(m.disputes.last.detected.sum()) if row is rows[-1] else None
        assert shares.sum() == pytest.approx(1.0) or (shares.sum() == 0 and detected in (0, None))
    total = {ch: sum(r[f"detection_{ch}"] for r in rows) for ch in CHANNELS}
    assert (total["grid"] > 0) == lev.grid_management and (total["hotline"] > 0) == lev.hotline
    assert total["resident"] > 0                       # residents' own reports stay a channel (sources §7.11.4)


def test_grid_plus_services_reduces_dependence_and_adds_services_over_grid_alone():
    grid_alone, grid_services = [], []
    for seed in SEEDS:
        a, rows_a = run("administrative_led_grid", seed=seed)
        b, rows_b = run("administrative_led_grid_services", seed=seed, levers__hotline=False)
        assert b.current.self_organisation > a.current.self_organisation
        grid_alone.append(np.mean([r["met_public_units"] for r in rows_a]))
        grid_services.append(np.mean([r["met_public_units"] for r in rows_b]))
    assert np.mean(grid_services) > np.mean(grid_alone)
    plain, _ = run("administrative_led", months=2)
    assert plain.current.self_organisation == 1.0                  # no grid, no dependence either way
    units = supply.grid_service_units(np.array([0.0, 2.0]), 168.0, B.grid_service_share, 1.5, np.ones((2, 6)))
    assert units[0].sum() == 0.0 and units[1].sum() == pytest.approx(2 * 168.0 * B.grid_service_share / 1.5)


def test_curative_heavy_supply_meets_less_health_need_than_the_same_units_preventive():
    ratio = np.linspace(0.0, 2.0, 21)
    pi = B.health_preventive_need
    matched = supply.health_mix_ratio(ratio, pi, pi)
    curative = supply.health_mix_ratio(ratio, pi, B.health_preventive_government)
    np.testing.assert_allclose(matched, np.minimum(1.0, ratio))
    sigma = B.health_preventive_government
    assert np.all(curative <= matched + 1e-12)
    # once curative units exceed curative need, the surplus cannot meet preventive need
    assert np.all(curative[ratio > (1.0 - pi) / (1.0 - sigma)] < matched[ratio > (1.0 - pi) / (1.0 - sigma)])
    units = np.ones((3, 6)) * 80.0
    demand = np.ones((3, 6)) * 100.0
    mixed = supply.health_mix_units(units, demand, HEALTH, pi, B.health_preventive_government)
    assert np.all(mixed[:, HEALTH] < units[:, HEALTH])
    np.testing.assert_array_equal(np.delete(mixed, HEALTH, axis=1), np.delete(units, HEALTH, axis=1))
    assert supply.within_health_mismatch(np.full(3, pi), pi, np.ones(3)) == 0.0
    # in the model, with a budget at which public health supply is about the health need (so curative
    # units exceed curative need, yet supply is not so large that residents' access alone limits coverage),
    # the same government health units cover more health need when they are preventive
    def coverage(sigma: float) -> float:
        return float(np.mean([np.mean([r["coverage_health"] for r in run(
            "administrative_led", seed=s, behaviour__health_preventive_government=sigma,
            levers__budget_per_resident=60.0)[1][12:]]) for s in SEEDS[:3]]))

    assert coverage(pi) > coverage(B.health_preventive_government)


def test_inverse_care_more_need_and_worse_service_where_income_is_low():
    income = np.array([0.3, 0.6, 1.0, 2.0])
    need = needs.inverse_care_need(income, B.inverse_care_need_income)
    assert np.all(np.diff(need) <= 0) and need[0] > need[-1] and need.mean() == pytest.approx(1.0)
    quality = supply.inverse_care_quality(income, B.inverse_care_quality)
    assert np.all(np.diff(quality) >= 0) and quality[0] < 1.0 and quality[-1] == 1.0 and np.all(quality > 0)
    # in the model the poorest fifth gets a smaller share of its health need met than the richest fifth
    m, _ = run("cooperative", months=12)
    r, month = m.residents.table, m.current
    need_h, unmet_h = month.need[:, HEALTH], month.unmet[:, HEALTH]
    poor, rich = r.income <= np.quantile(r.income, 0.2), r.income >= np.quantile(r.income, 0.8)
    cov = [1.0 - unmet_h[g].sum() / need_h[g].sum() for g in (poor, rich)]
    assert cov[0] < cov[1] and need_h[poor].mean() > need_h[rich].mean()


@pytest.mark.parametrize("name", ["administrative_led_grid_services", "co_governance"])
def test_outputs_stay_finite_and_health_mismatch_is_a_share(name):
    _, rows = run(name)
    for row in rows:
        assert all(np.isfinite(v) for v in row.values())
        assert 0.0 <= row["health_mismatch"] <= 1.0
        assert abs(row["ledger_imbalance"]) < 1e-6
