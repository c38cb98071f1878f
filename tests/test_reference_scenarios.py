"""The reference scenarios, one per source model (sources §4.1–§4.5, §7.3, §7.6–§7.13, §8): every file loads
and runs, each sets the levers its description names and cites a source or states an assumption for every
value, co_governance is Chengdu alone, and every scenario is listed wherever scenarios are listed."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_finite, share_columns

from cogov_sim.calibration.reform_targets import REFORM_TARGETS
from cogov_sim.calibration.robustness import RobustnessConfig
from cogov_sim.parameters import Levers
from cogov_sim.run import run_scenario
from cogov_sim.scenario import SCENARIO_DIR, available_scenarios, load_scenario, value_comments
from cogov_sim.workshop.i18n import table

SHIPPED = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml") if not p.name.startswith("_"))
NEW_MODELS = ("nanan", "suyu", "mianyang", "karamay")
BASE = load_scenario("_base").levers
DEFAULT = Levers()


def levers(name: str) -> Levers:
    return load_scenario(name).levers


# ---------------------------------------------------------------------------------- every file runs
@pytest.mark.parametrize("name", SHIPPED)
def test_every_scenario_loads_and_runs(name: str) -> None:
    res = run_scenario(name, seed=1, residents=300, months=12, keep_model=True)
    assert len(res.series) == 12
    assert_finite(res.series)
    shares = res.series[share_columns(res.series)].to_numpy(float)
    assert np.all((shares >= 0) & (shares <= 1))
    assert abs(res.model.ledger.imbalance()) <= res.model.ledger.slack()
    assert (res.series["public_spending"] > 0).all()


def test_the_source_models_are_shipped() -> None:
    assert {"administrative_led", "autonomous", "autonomous_supported", "cooperative", "co_governance", *NEW_MODELS,
            "transition", "shock", "administrative_led_grid", "administrative_led_grid_services"} <= set(SHIPPED)
    assert set(SHIPPED) <= set(available_scenarios())


# ---------------------------------------------------------------------------------- each sets what it says
def test_new_scenarios_set_the_levers_their_descriptions_name() -> None:
    nanan, suyu, mianyang, karamay = (levers(n) for n in NEW_MODELS)
    # Nan'an: three-affairs sorting (sources §4.4.3, §7.12)
    assert nanan.affairs_sorting and not BASE.affairs_sorting
    # Suyu: purchase of services with satisfaction audits, secretary-led lists (sources §4.5, §7.13, §7.3.1)
    assert suyu.satisfaction_audits and not BASE.satisfaction_audits
    assert suyu.purchase_share > levers("administrative_led").purchase_share
    assert suyu.party_building > BASE.party_building
    # Mianyang: work station, micro-funds, incubation, Party chain and 双报到 (sources §4.4.4–§4.4.6, §7.3, §7.6.3)
    assert mianyang.work_station and not BASE.work_station
    assert mianyang.microfund_matching > BASE.microfund_matching
    assert mianyang.so_incubation > BASE.so_incubation
    assert mianyang.in_service_reporting > BASE.in_service_reporting
    assert mianyang.party_building > BASE.party_building
    # Karamay: directive government, grid plus services and hotline, Party-led outreach, purchases in 8 fields
    assert karamay.directive_intensity > BASE.directive_intensity
    assert karamay.grid_management and karamay.grid_services and karamay.hotline
    assert karamay.party_building > BASE.party_building
    assert karamay.purchase_share > BASE.purchase_share
    assert karamay.three_social_linkage > BASE.three_social_linkage


def test_each_new_scenario_changes_only_its_own_institutions_against_its_parent() -> None:
    """nanan, suyu and mianyang are the administrative-led status quo plus their own institutions."""
    adm = levers("administrative_led")
    own = {"nanan": {"affairs_sorting"},
           "suyu": {"purchase_share", "satisfaction_audits", "party_building"},
           "mianyang": {"work_station", "microfund_matching", "so_incubation", "party_building", "in_service_reporting"}}
    for name, expected in own.items():
        changed = {f for f in Levers.__dataclass_fields__ if getattr(levers(name), f) != getattr(adm, f)}
        assert changed == expected, name


def test_co_governance_is_chengdu_alone() -> None:
    cog = levers("co_governance")
    # Chengdu's own (sources §4.4.1–§4.4.2, §7.9)
    assert cog.participatory_fund == 200_000.0 and cog.council and cog.party_building == 1.0
    assert cog.directive_intensity < levers("administrative_led").directive_intensity       # 还权
    assert cog.rc_autonomy_support > BASE.rc_autonomy_support and cog.burden_reduction > 0  # 增能, 归位
    # the other cities' institutions are no longer set
    assert not cog.affairs_sorting                                          # Nan'an
    assert not cog.work_station and cog.microfund_matching == 0.0          # Mianyang
    assert cog.so_incubation == 0.0 and cog.in_service_reporting == 0.0    # Mianyang
    assert not cog.satisfaction_audits                                      # Suyu
    assert not cog.two_way_evaluation and cog.funds_follow_tasks == DEFAULT.funds_follow_tasks  # Jianghan
    text = (SCENARIO_DIR / "co_governance.toml").read_text(encoding="utf-8")
    set_keys = set(re.findall(r"^([a-z_]+)\s*=", text, re.MULTILINE))
    assert not set_keys & {"affairs_sorting", "work_station", "microfund_matching", "so_incubation",
                           "in_service_reporting", "satisfaction_audits", "two_way_evaluation"}


def test_every_lever_value_cites_a_source_or_states_an_assumption() -> None:
    for path in SCENARIO_DIR.glob("*.toml"):
        if path.name.startswith("_"):
            continue
        for (group, key), comment in value_comments(path).items():
            if group == "levers":
                assert re.search(r"sources §\d|assumption", comment) or "separate lever" in comment, \
                    f"{path.name}: {key} = … # {comment}"


def test_every_scenario_has_a_one_line_description() -> None:
    for name in SHIPPED:
        raw = tomllib.loads((SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8"))
        assert raw["name"] == name and raw["description"] and "\n" not in raw["description"]
        assert raw.get("extends"), name


# ---------------------------------------------------------------------------------- listed everywhere
def test_every_scenario_is_listed_in_the_workshop_labels_and_the_readme() -> None:
    labels = table()["scenarios"]
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name in SHIPPED:
        en, zh = labels[name]
        assert en and re.search(r"[\u4e00-\u9fff]", zh), name
        assert f"| `{name}` |" in readme, name


def test_robustness_compares_every_source_model_and_targets_name_shipped_scenarios() -> None:
    assert {"administrative_led", "autonomous", "cooperative", "co_governance", *NEW_MODELS} \
        <= set(RobustnessConfig().scenarios)
    assert {t.scenario for t in REFORM_TARGETS} <= set(SHIPPED)
    assert {t.scenario for t in REFORM_TARGETS if "Chengdu" in t.description} == {"co_governance"}


# ---------------------------------------------------------------------------------- money per scenario
def test_the_fund_is_new_money_in_a_whole_run() -> None:
    """Over a year, co_governance with and without its fund receives the same street budget; with it the
    communities' funds receive the city's money on top, and public spending is higher by exactly that."""
    runs = {f: run_scenario("co_governance", seed=2, residents=600, months=12, keep_model=True,
                            overrides={"levers.participatory_fund": f}) for f in (0.0, 200_000.0)}
    fund = runs[200_000.0].model.ledger.balance("city")
    assert fund == pytest.approx(-200_000.0 * runs[200_000.0].model.n_communities)
    assert runs[0.0].model.ledger.balance("city") == 0.0
    assert runs[0.0].model.ledger.balance("treasury") == pytest.approx(runs[200_000.0].model.ledger.balance("treasury"))
    for res in runs.values():
        assert abs(res.model.ledger.imbalance()) <= res.model.ledger.slack()
