"""Targets for the reformed models (sources §8) on synthetic result frames, and the street-scale preset."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from cogov_sim.calibration.reform_targets import COMMUNITIES, FIT, REFORM_TARGETS, VALIDATE, target_table
from cogov_sim.errors import ScenarioError
from cogov_sim.model import CommunityModel
from cogov_sim.run import run_scenario
from cogov_sim.scenario import POPULATION_PRESETS, load_scenario, preset_residents

#: The output names fixed in advance for the reformed models' mechanisms (the contract these targets read).
FIXED_METRICS = {"so_grassroots", "so_professional", "social_workers_per_community", "purchase_spending_ratio",
                 "volunteers_registered", "retirees", "active_participation"}


def frame(n: int = 12, seed: int = 0, **columns: float) -> pd.DataFrame:
    """``n`` seeds of a scenario's summary: each column around its value (1% noise), 23 communities."""
    rng = np.random.default_rng(seed)
    data = {name: value * (1 + rng.normal(0, 0.01, n)) for name, value in columns.items()}
    return pd.DataFrame({"seed": range(n), COMMUNITIES: 23, **data})


def karamay(so_per_community: float = 8.6, grassroots_share: float = 414 / 497, workers: float = 2.45,
            volunteers_per_retiree: float = 0.71) -> pd.DataFrame:
    so = so_per_community * 23
    return frame(so_grassroots=so * grassroots_share, so_professional=so * (1 - grassroots_share),
                 social_workers_per_community=workers, volunteers_registered=volunteers_per_retiree * 4000,
                 retirees=4000.0)


def runs(**over: pd.DataFrame) -> dict[str, pd.DataFrame]:
    base = {"karamay": karamay(), "co_governance": frame(social_workers_per_community=1.12, active_participation=0.2),
            "suyu": frame(purchase_spending_ratio=0.87)}
    return {**base, **over}


def status(table: pd.DataFrame) -> dict[str, str]:
    return dict(zip(table["target"], table["status"], strict=True))


def test_every_target_is_declared_and_reads_the_fixed_metric_names() -> None:
    assert len({t.id for t in REFORM_TARGETS}) == len(REFORM_TARGETS)
    for t in REFORM_TARGETS:
        assert t.role in (FIT, VALIDATE)
        assert t.kind in ("value", "below")
        assert re.fullmatch(r"sources §8\.\d", t.source)
        assert set(t.metrics) <= FIXED_METRICS, t.id
        assert t.why_tolerance and t.why_role
        assert t.kind == "below" or t.tolerance > 0
    assert {t.scenario for t in REFORM_TARGETS} == {"karamay", "co_governance", "suyu"}
    values = {t.id: t.value for t in REFORM_TARGETS}
    assert values["R1"] == pytest.approx(8.57, abs=0.01) and values["R2"] == pytest.approx(0.833, abs=0.001)
    assert values["R3"] == pytest.approx(2.45, abs=0.01) and values["R4"] == pytest.approx(1.12, abs=0.01)
    assert values["R5"] == pytest.approx(0.71, abs=0.01) and values["R6"] == pytest.approx(0.87)


def test_figures_that_match_the_sources_pass() -> None:
    t = target_table(runs())
    assert set(t["status"]) == {"pass"}, t[["target", "status", "mean"]]
    r1 = t.set_index("target").loc["R1"]
    assert r1["ci_low"] <= r1["mean"] <= r1["ci_high"] and r1["seeds"] == 12


def test_figures_outside_the_tolerance_fail() -> None:
    t = status(target_table(runs(karamay=karamay(so_per_community=5.0, grassroots_share=0.6, workers=1.0,
                                                 volunteers_per_retiree=0.3),
                                 suyu=frame(purchase_spending_ratio=0.99))))
    assert t["R1"] == t["R2"] == t["R3"] == t["R5"] == t["R6"] == "fail"
    assert t["R4"] == t["R7"] == "pass"


def test_tolerance_edges() -> None:
    r1 = next(t for t in REFORM_TARGETS if t.id == "R1")
    inside = status(target_table(runs(karamay=karamay(so_per_community=r1.value - 0.9 * r1.tolerance))))
    outside = status(target_table(runs(karamay=karamay(so_per_community=r1.value - 1.2 * r1.tolerance))))
    assert inside["R1"] == "pass" and outside["R1"] == "fail"


def test_minority_claim_needs_the_whole_interval_below_one_half() -> None:
    assert status(target_table(runs(co_governance=frame(social_workers_per_community=1.1, active_participation=0.55))))[
        "R7"] == "fail"
    rng = np.random.default_rng(1)
    noisy = frame(n=4, social_workers_per_community=1.1, active_participation=0.48)
    noisy["active_participation"] = 0.48 + rng.normal(0, 0.05, 4)      # mean below 0.5, interval across it
    assert status(target_table(runs(co_governance=noisy)))["R7"] == "fail"


def test_missing_scenarios_and_metrics_are_not_evaluated_rather_than_failed() -> None:
    t = status(target_table({"karamay": karamay().drop(columns=["retirees"])}))
    assert t["R1"] == "pass"
    assert t["R5"] == "not evaluated: no metric retirees"
    assert t["R4"] == "not evaluated: no scenario 'co_governance'" and t["R6"] == "not evaluated: no scenario 'suyu'"
    zero = karamay()
    zero["so_grassroots"] = zero["so_professional"] = 0.0
    assert status(target_table(runs(karamay=zero)))["R2"] == "not evaluated: no finite value"


# ---------------------------------------------------------------------------------- street scale
def test_street_preset_has_23_communities() -> None:
    sc = load_scenario("administrative_led")
    n = preset_residents("street", sc)
    assert POPULATION_PRESETS["street"] == 23
    assert n == 23 * sc.population.residents_per_community
    model = CommunityModel(sc, seed=0, residents=n)
    assert model.n_communities == 23
    assert model.n_residents == n


def test_street_preset_runs_where_residents_are_given() -> None:
    small = load_scenario("co_governance").with_overrides({"population.residents_per_community": 100})
    res = run_scenario(small, seed=0, months=2, residents="street")
    assert int(res.summary["residents_final"].iloc[0]) == pytest.approx(2300, rel=0.05)
    with pytest.raises(ScenarioError, match=r"population preset.*street"):
        run_scenario("co_governance", months=1, residents="stret")
