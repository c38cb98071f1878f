"""Scenario files (ODD §6): every shipped scenario loads and runs; ``extends``,
overrides and events compose as documented; every bad file is refused with one line
naming the file, the key, the value and what is allowed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import BAD_SCENARIOS, BadScenario, assert_finite

from cogov_sim.errors import ScenarioError
from cogov_sim.model import CommunityModel
from cogov_sim.parameters import Levers
from cogov_sim.run import run_scenario
from cogov_sim.scenario import SCENARIO_DIR, available_scenarios, load_scenario, scenario_description

SHIPPED = available_scenarios()
REFERENCE = ("administrative_led", "autonomous", "cooperative", "co_governance")


# ----------------------------------------------------------------------------- shipped scenarios
def test_the_reference_models_a_transition_and_a_shock_ship():
    assert set(REFERENCE) | {"transition", "shock"} <= set(SHIPPED)
    assert not any(name.startswith("_") for name in SHIPPED)          # fragments are not runnable
    assert all(path.parent == SCENARIO_DIR for name, path in SHIPPED.items() if name in REFERENCE)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_scenario_loads_and_runs_without_nan(name):
    sc = load_scenario(name)
    assert sc.name == name and sc.description
    assert scenario_description(SHIPPED[name]) == sc.description.splitlines()[0]
    results = run_scenario(name, seed=1, months=6, residents=300)
    assert len(results.series) == 6 and (results.series["residents"] == 300).all()
    assert_finite(results.series)
    assert results.series["ledger_imbalance"].abs().max() < 1e-6


def test_reference_models_differ_only_in_levers():
    loaded = [load_scenario(n) for n in REFERENCE]
    base = loaded[0]
    for sc in loaded[1:]:
        assert sc.economy == base.economy and sc.behaviour == base.behaviour and sc.events == ()
        assert sc.population == base.population
        assert sc.levers != base.levers


def test_transition_switches_to_the_cooperative_levers():
    (event,) = load_scenario("transition").events
    assert event.kind == "regime_switch" and event.month == 24 and event.params["ramp_months"] == 24
    assert event.params["target"] == load_scenario("cooperative").levers


def test_extends_inherits_and_overrides(write_toml):
    write_toml("parent", 'months = 30\n[levers]\ncouncil = true\ndirective_intensity = 0.2\n'
                         '[[events]]\nmonth = 10\nkind = "ageing"\nshare = 0.1\n')
    child = load_scenario(write_toml("child", 'extends = "parent"\n[levers]\ndirective_intensity = 0.7\n'
                                              '[[events]]\nmonth = 5\nkind = "budget_cut"\nshare = 0.2\n'))
    assert child.name == "child" and child.months == 30
    assert child.levers.council is True and child.levers.directive_intensity == 0.7
    assert child.levers.responsiveness == Levers().responsiveness
    assert [(e.month, e.kind) for e in child.events] == [(5, "budget_cut"), (10, "ageing")]
    assert child.events[0].params == {"share": 0.2, "duration": 0}                  # defaults filled in


def test_grid_variant_extends_the_administrative_model():
    admin, grid = load_scenario("administrative_led").levers, load_scenario("administrative_led_grid").levers
    assert grid == dataclasses.replace(admin, grid_management=True, grid_staff=grid.grid_staff)


def test_with_overrides_validates_like_files():
    sc = load_scenario("cooperative")
    changed = sc.with_overrides({"levers.council": False, "months": 12, "population.residents": 400})
    assert changed.levers.council is False and changed.months == 12 and changed.population.residents == 400
    assert sc.levers.council is True                                                  # the original is untouched
    with pytest.raises(ScenarioError, match="did you mean 'directive_intensity'"):
        sc.with_overrides({"levers.directive_intensty": 0.5})
    with pytest.raises(ScenarioError, match="out of range"):
        sc.with_overrides({"levers.purchase_share": 2.0})
    with pytest.raises(ScenarioError, match="did you mean 'levers'"):
        sc.with_overrides({"lever.council": True})


def test_extra_scenario_folders_are_searched(tmp_path, monkeypatch):
    (tmp_path / "my_variant.toml").write_text('description = "Mine."\nextends = "cooperative"\n'
                                              '[levers]\nparticipatory_fund = 100000.0\n', encoding="utf-8")
    monkeypatch.setenv("COGOV_SCENARIO_PATH", str(tmp_path))
    assert "my_variant" in available_scenarios()
    sc = load_scenario("my_variant")
    assert sc.levers.participatory_fund == 100000.0 and sc.levers.council is True
    assert CommunityModel("my_variant", seed=0, residents=200).levers == sc.levers


# ----------------------------------------------------------------------------- bad files
@pytest.mark.parametrize("case", BAD_SCENARIOS, ids=lambda c: c.id)
def test_bad_scenario_files_raise_one_line_scenario_errors(case: BadScenario, tmp_path: Path):
    main = case.write(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(main)
    message = str(info.value)
    assert "\n" not in message
    for part in case.expect:
        assert part.replace("{main}", str(main)) in message, f"{part!r} missing from: {message}"


def test_unknown_scenario_name_suggests_the_closest():
    with pytest.raises(ScenarioError) as info:
        load_scenario("cooperatve")
    assert "did you mean 'cooperative'" in str(info.value) and "administrative_led" in str(info.value)


def test_regime_switch_to_a_missing_scenario_is_refused(write_toml):
    path = write_toml("bad", '[[events]]\nmonth = 3\nkind = "regime_switch"\nscenario = "cooperativ"\n')
    with pytest.raises(ScenarioError, match="did you mean 'cooperative'"):
        load_scenario(path)


def test_regime_switch_levers_are_validated(write_toml):
    path = write_toml("bad", '[[events]]\nmonth = 3\nkind = "regime_switch"\nlevers = {council = 2}\n')
    with pytest.raises(ScenarioError, match=r"levers\.council"):
        load_scenario(path)


def test_circular_extends_is_detected_with_relative_paths(tmp_path, monkeypatch):
    (tmp_path / "a.toml").write_text('extends = "b"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError, match="circular"):
        load_scenario("a.toml")


def test_extends_to_a_missing_scenario_names_the_extending_file(write_toml):
    path = write_toml("child", 'extends = "no_such_base"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "no_such_base" in str(info.value)
    assert str(path) in str(info.value) and "extends" in str(info.value)
