"""Who takes part (sources §5.2, §7.10, §7.12, §7.17): stage-specific drivers, council seats,
three-affairs sorting, the active-participation output and the survey's rows by life stage."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import scenario

from cogov_sim.mechanisms.participation import (
    ParticipationDrivers,
    deliberation_availability,
    participation_logit,
    resident_stakes,
    seat_holders,
)
from cogov_sim.metrics import active_participants
from cogov_sim.model import CommunityModel
from cogov_sim.parameters import LIFE_STAGES, Behaviour
from cogov_sim.run import run_scenario

YOUTH = LIFE_STAGES.index("youth")
SEEDS = (0, 1, 2)
#: The strongest bundle of participation levers the scenario files allow (co-governance plus every
#: participation lever at its most generous value).
STRONGEST = {"participatory_fund": 2_000_000.0, "microfund_matching": 3.0, "party_building": 1.0,
             "in_service_reporting": 1.0, "rc_autonomy_support": 1.0, "autonomy_grant": 1.0, "admin_load": 0.0,
             "burden_reduction": 1.0, "responsiveness": 1.0, "directive_intensity": 0.0, "council": True,
             "affairs_sorting": True, "work_station": True}


def drivers(n: int = 1, **changes: float) -> ParticipationDrivers:
    base = {f.name: np.full(n, 0.5) for f in dataclasses.fields(ParticipationDrivers)}
    base |= {"tie": np.ones(n), "pull": np.ones(n), "employed": np.zeros(n), "propensity": np.zeros(n)}
    return ParticipationDrivers(**(base | {k: np.full(n, v) for k, v in changes.items()}))


def test_drivers_move_the_log_odds_in_the_sources_direction():
    b = Behaviour()
    eta = lambda **kw: float(participation_logit(drivers(**kw), b)[0])   # noqa: E731
    assert eta(employed=1.0) > eta(employed=0.0)                        # a job gives energy (sources §7.17.2)
    assert eta(tie=1.0 - b.unit_tie_discount) < eta(tie=1.0)            # 单位人: ties at the workplace (sources §1.1)
    assert eta(mobilised=1.0) > eta(mobilised=0.0)                      # organised Party members (sources §7.3.2)
    # residents who care little are moved less by stakes (sources §7.10.1)
    gain_interested = eta(stakes=1.0) - eta(stakes=0.0)
    gain_indifferent = eta(stakes=1.0, pull=b.indifferent_pull) - eta(stakes=0.0, pull=b.indifferent_pull)
    assert 0 <= gain_indifferent < gain_interested


def test_stakes_need_awareness_and_sorting_adds_stakes():
    fund = np.array([0.6, 0.6])
    aware = np.array([0.0, 1.0])
    s = resident_stakes(fund, aware, False, 0.3)
    assert s[0] == 0 and s[1] == pytest.approx(0.6)
    sorted_ = resident_stakes(fund, aware, True, 0.3)
    assert np.all(sorted_ > s) and np.all(sorted_ <= 1)


def test_seat_holders_are_the_top_scorers_of_each_community():
    score = np.array([0.1, 0.9, 0.5, 0.3, 0.8, 0.2, 0.7])
    community = np.array([0, 0, 0, 1, 1, 1, 1])
    seat = seat_holders(score, community, np.array([2.0, 1.5]))
    assert seat.tolist() == [False, True, True, False, True, False, False]
    assert deliberation_availability(np.array([1.0]), np.array([False]), False, 0.05)[0] == 0
    assert deliberation_availability(np.array([1.0]), np.array([False]), True, 0.05)[0] == pytest.approx(0.05)


def test_active_participants_use_the_rolling_window():
    recent = np.zeros((3, 12), np.int8)
    recent[0, :6] = 1                      # six acts in a year: more than five
    recent[1, :5] = 1                      # five acts: not more than five
    recent[2, :2] = 1                      # two acts in the first months
    assert active_participants(recent, 59).tolist() == [True, False, False]
    assert active_participants(recent, 2).tolist() == [True, True, True]   # three months so far: > 1.25 acts


def test_students_have_no_voice_and_council_seats_bound_deliberation():
    model = CommunityModel(scenario("co_governance", levers__affairs_sorting=False), seed=4, residents=1500)
    seats = Behaviour().council_seats_per_1000 * model.residents.community_population / 1000.0
    for _ in range(12):
        model.step()
        r = model.residents.table
        assert not r.participated[r.stage == YOUTH][:, [1, 3]].any()
        deliberators = np.bincount(r.community[r.participated[:, 3]], minlength=model.n_communities)
        assert np.all(deliberators <= np.floor(seats))


def _last_year(name: str, levers: dict, seed: int, months: int = 36) -> dict[str, float]:
    overrides = {f"levers.{k}": v for k, v in levers.items()}
    series = run_scenario(name, seed=seed, months=months, residents=1500, overrides=overrides).series.iloc[-12:]
    return series.mean(numeric_only=True).to_dict()


@pytest.mark.parametrize("seed", SEEDS)
def test_active_participation_stays_a_minority_under_the_strongest_bundle(seed):
    """Sources §7.10: reform raises participation; most residents do not become monthly participants."""
    out = _last_year("co_governance", STRONGEST, seed)
    assert 0 < out["active_participation"] < 0.5
    assert out["active_participation"] <= out["participation_public_affairs"] + out["participation_deliberation"]
    assert out["active_participation_youth"] == 0
    for s in LIFE_STAGES:
        assert 0 <= out[f"active_participation_{s}"] <= 1


def test_three_affairs_sorting_raises_deliberation_and_efficacy():
    """Sources §7.12.1: sorting raised residents' participation and sense of gain."""
    off = [_last_year("co_governance", {"affairs_sorting": False}, s) for s in SEEDS]
    on = [_last_year("co_governance", {"affairs_sorting": True}, s) for s in SEEDS]
    for metric in ("participation_deliberation", "efficacy", "active_participation"):
        assert np.mean([o[metric] for o in on]) > np.mean([o[metric] for o in off]), metric


def test_survey_reports_participation_by_life_stage():
    survey = run_scenario("co_governance", seed=0, months=24, residents=800).survey
    for question in ("took_part_this_year", "public_affairs_monthly"):
        rows = survey[survey["question"] == question]
        assert sorted(rows["answer"].unique()) == sorted(LIFE_STAGES)
        assert rows["share"].between(0, 1).all()
    monthly = survey[survey["question"] == "public_affairs_monthly"]
    assert (monthly.loc[monthly["answer"] == "youth", "share"] == 0).all()
    party = survey[survey["question"] == "party_member"]["share"]
    assert party.between(0.03, 0.15).all()
