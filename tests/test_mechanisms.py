"""Unit tests of mechanisms M1–M10 (ODD §7): direction of every effect and invariants
(bounds, no NaN, conservation), plus a scan proving no code names a governance model
(ODD §1.1)."""

from __future__ import annotations

import ast
import dataclasses
import itertools
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

import cogov_sim
from cogov_sim.mechanisms import (
    attitudes,
    committee,
    disputes,
    enterprises,
    forces,
    fund,
    government,
    needs,
    organisations,
    participation,
    supply,
)
from cogov_sim.mechanisms.common import normalise, safe_ratio, sigmoid
from cogov_sim.metrics import gini, gini_of_shares
from cogov_sim.parameters import DOMAINS, Behaviour, Economy, K, Population
from cogov_sim.survey import DIFFICULTIES, buckets, staff_difficulty_scores

B, E, P = Behaviour(), Economy(), Population()
LEVELS = np.linspace(0.0, 1.0, 6)
HEALTH, SAFETY = DOMAINS.index("health"), DOMAINS.index("safety")


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------- common
def test_normalise_sums_to_one_and_zero_rows_become_uniform():
    v = np.array([[1.0, 3.0, 0.0], [0.0, 0.0, 0.0]])
    out = normalise(v)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    np.testing.assert_allclose(out[0], [0.25, 0.75, 0.0])
    np.testing.assert_allclose(out[1], 1.0 / 3.0)


def test_safe_ratio_uses_default_where_denominator_is_zero():
    np.testing.assert_allclose(safe_ratio([1.0, 2.0, 3.0], [2.0, 0.0, 4.0], default=-1.0), [0.5, -1.0, 0.75])


def test_sigmoid_is_increasing_and_bounded():
    x = np.linspace(-30, 30, 101)
    y = sigmoid(x)
    assert np.all(np.diff(y) >= 0) and np.all((y >= 0) & (y <= 1))
    assert sigmoid(0.0) == pytest.approx(0.5)


# ----------------------------------------------------------------------------- M1 needs
def test_needs_profile_follows_life_stage():
    stage = np.array([0, 1, 2])
    profile = needs.need_profile(P.base_need, stage, np.ones((3, K)))
    welfare, children = DOMAINS.index("welfare"), DOMAINS.index("children")
    assert profile[2, welfare] > profile[1, welfare] and profile[2, HEALTH] > profile[1, HEALTH]   # elderly care sources §5.4
    assert profile[0, children] > profile[1, children] > profile[2, children]
    assert np.all(profile > 0)


def test_needs_rise_under_an_emergency_shock_in_shocked_domains_only():
    profile = needs.need_profile(P.base_need, np.array([0, 1, 2, 1]), needs.intensity_draw(rng(), 4, K, 0.5))
    community = np.array([0, 0, 1, 1])
    shock = np.zeros((2, K))
    shock[:, [HEALTH, SAFETY]] = 1.0
    shock[1, HEALTH] = 0.5
    out = needs.monthly_needs(profile, community, shock)
    others = [k for k in range(K) if k not in (HEALTH, SAFETY)]
    assert np.all(out[:, [HEALTH, SAFETY]] > profile[:, [HEALTH, SAFETY]])
    np.testing.assert_allclose(out[:, others], profile[:, others])
    np.testing.assert_allclose(out[2:, HEALTH], 1.5 * profile[2:, HEALTH])
    np.testing.assert_allclose(out[:2, SAFETY], 2.0 * profile[:2, SAFETY])


def test_needs_without_shock_are_the_profile_itself():
    profile = np.ones((3, K))
    assert needs.monthly_needs(profile, np.zeros(3, int), None) is profile


def test_need_intensity_is_positive_with_mean_one():
    for sigma in (0.1, 0.5, 0.8):
        draw = needs.intensity_draw(rng(1), 20_000, K, sigma)
        assert np.all(draw > 0) and np.all(np.isfinite(draw))
        np.testing.assert_allclose(draw.mean(axis=0), 1.0, atol=0.03)
        assert np.log(draw).std() == pytest.approx(sigma, rel=0.03)


# ----------------------------------------------------------------------------- M2 supply
def test_direct_provision_sums_to_its_budget():
    gen = rng(2)
    for _ in range(200):
        c = int(gen.integers(1, 6))
        budget = float(gen.uniform(0, 1e6))
        spend = supply.allocate_direct_provision(
            budget, normalise(gen.random(K)), gen.integers(1, 5000, c).astype(float),
            gen.random((c, K)) * gen.integers(0, 2), float(gen.random()))
        assert spend.shape == (c, K) and np.all(spend >= 0)
        assert spend.sum() == pytest.approx(budget)


@pytest.mark.parametrize("equality", [0.0, 0.25, 0.7, 1.0])
def test_direct_provision_total_is_budget_for_any_equality(equality):
    gen = rng(3)
    spend = supply.allocate_direct_provision(5000.0, normalise(gen.random(K)), np.array([400.0, 900.0, 50.0]),
                                             gen.random((3, K)), equality)
    assert spend.sum() == pytest.approx(5000.0)


def test_direct_provision_with_full_equality_follows_unmet_need():
    unmet = np.array([[0.0, 4.0, 1.0, 0.0, 0.0, 5.0], [10.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    spend = supply.allocate_direct_provision(2000.0, normalise(np.ones(K)), np.array([1.0, 1.0]), unmet, 1.0)
    np.testing.assert_allclose(spend, 2000.0 * unmet / unmet.sum())


def test_direct_provision_without_equality_follows_direction_and_population():
    g = normalise(np.array([5.0, 0.0, 3.0, 2.0, 0.0, 0.0]))
    pop = np.array([100.0, 300.0])
    spend = supply.allocate_direct_provision(1000.0, g, pop, np.ones((2, K)), 0.0)
    np.testing.assert_allclose(spend, 1000.0 * np.outer(pop / pop.sum(), g))


def test_direct_provision_with_no_unmet_need_falls_back_to_direction():
    g = normalise(np.arange(1.0, K + 1))
    spend = supply.allocate_direct_provision(600.0, g, np.array([1.0, 2.0]), np.zeros((2, K)), 1.0)
    assert spend.sum() == pytest.approx(600.0)
    np.testing.assert_allclose(normalise(spend.sum(axis=0)), g)


def test_market_access_rises_with_income_and_falls_with_price():
    income = np.array([0.2, 0.5, 1.0, 2.0, 5.0])
    a = supply.market_access(income, 1.0, E.market_access_spread)
    assert np.all(np.diff(a) > 0) and np.all((a > 0) & (a < 1))
    assert np.all(supply.market_access(income, 3.0, E.market_access_spread) < a)


def test_mutual_aid_follows_volunteering_neighbours_and_is_capped():
    adj = sp.csr_matrix(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=float))
    none = supply.mutual_aid(adj, np.zeros(3, bool), 0.3)
    one = supply.mutual_aid(adj, np.array([False, True, False]), 0.3)
    two = supply.mutual_aid(adj, np.array([False, True, True]), 0.3)
    np.testing.assert_allclose(none, 0.0)
    assert one[0] == pytest.approx(0.3) and two[0] == pytest.approx(0.6) and one[1] == 0.0
    assert np.all(supply.mutual_aid(adj, np.ones(3, bool), 0.9) <= 1.0)


def _matching_inputs(seed: int = 4, n: int = 60, c: int = 3):
    gen = rng(seed)
    need = gen.random((n, K)) * 2
    community = gen.integers(0, c, n)
    demand = np.vstack([need[community == i].sum(axis=0) for i in range(c)])
    return dict(need=need, community=community, public_units=gen.random((c, K)) * demand,
                rc_units=gen.random((c, K)) * 0.3 * demand, demand=demand, awareness=gen.random(n),
                market_units=gen.random((c, K)) * 0.5 * demand, access=gen.random(n), aid=0.2 * gen.random(n))


def test_match_services_keeps_met_between_zero_and_need():
    for seed in range(20):
        args = _matching_inputs(seed)
        args["public_units"] = args["public_units"] * 3          # over-supply too
        unmet, met_public = supply.match_services(**args)
        met = args["need"] - unmet
        assert np.all(np.isfinite(unmet))
        assert np.all(met >= -1e-12) and np.all(met <= args["need"] + 1e-12)
        assert 0.0 <= met_public <= args["need"].sum() + 1e-9


def test_match_services_with_no_supply_leaves_all_need_unmet():
    args = _matching_inputs()
    for key in ("public_units", "rc_units", "market_units"):
        args[key] = np.zeros_like(args[key])
    args["aid"] = np.zeros_like(args["aid"])
    unmet, met_public = supply.match_services(**args)
    np.testing.assert_allclose(unmet, args["need"])
    assert met_public == 0.0


@pytest.mark.parametrize("channel", ["public_units", "rc_units", "market_units", "aid"])
def test_match_services_is_monotone_in_each_supply(channel):
    args = _matching_inputs(5)
    unmet_before, public_before = supply.match_services(**args)
    more = dict(args)
    more[channel] = np.minimum(args[channel] * 1.5 + 0.05, 1.0) if channel == "aid" else args[channel] * 1.5 + 1.0
    unmet_after, public_after = supply.match_services(**more)
    assert np.all(unmet_after <= unmet_before + 1e-12)
    assert unmet_after.sum() < unmet_before.sum()
    if channel in ("public_units", "rc_units"):
        assert public_after > public_before
    else:
        assert public_after == pytest.approx(public_before)


def test_supply_mismatch_is_zero_for_identical_mixes_and_one_for_disjoint():
    demand = rng(6).random((3, K)) + 0.1
    assert supply.supply_mismatch(demand, demand) == pytest.approx(0.0, abs=1e-12)
    assert supply.supply_mismatch(4.0 * demand, demand) == pytest.approx(0.0, abs=1e-12)   # mixes, not amounts
    d = np.zeros((2, K))
    s = np.zeros((2, K))
    d[:, :3], s[:, 3:] = 1.0, 2.0
    assert supply.supply_mismatch(s, d) == pytest.approx(1.0)


def test_supply_mismatch_is_a_share_and_weights_communities_by_demand():
    gen = rng(7)
    for _ in range(100):
        assert 0.0 <= supply.supply_mismatch(gen.random((3, K)), gen.random((3, K))) <= 1.0
    demand = np.array([[1.0, 0, 0, 0, 0, 0], [0, 1.0, 0, 0, 0, 0]])
    supply_ = np.array([[0, 1.0, 0, 0, 0, 0], [0, 1.0, 0, 0, 0, 0]])      # community 0 disjoint, 1 matched
    assert supply.supply_mismatch(supply_, demand) == pytest.approx(0.5)
    assert supply.supply_mismatch(supply_, demand * np.array([[3.0], [1.0]])) == pytest.approx(0.75)


# ----------------------------------------------------------------------------- M3 participation
def _drivers(n: int = 1, **values: object) -> participation.ParticipationDrivers:
    base = dict(belonging=0.3, efficacy=0.2, peer=0.2, outreach=0.2, stakes=0.1, time_cost=0.6,
                outside_option=0.5, propensity=0.0)
    base.update(values)
    return participation.ParticipationDrivers(**{k: np.broadcast_to(np.asarray(v, float), (n,)).copy()
                                                 for k, v in base.items()})


def _probability(driver: str, values: np.ndarray) -> np.ndarray:
    d = _drivers(len(values), **{driver: values})
    return participation.participation_probability(d, B, np.ones((len(values), 4)), 1.0)


@pytest.mark.parametrize("driver", ["belonging", "efficacy", "peer", "outreach", "stakes", "propensity"])
def test_participation_rises_with(driver):
    p = _probability(driver, LEVELS)
    assert np.all(np.diff(p, axis=0) > 0), driver


@pytest.mark.parametrize("driver", ["time_cost", "outside_option"])
def test_participation_falls_with(driver):
    p = _probability(driver, LEVELS)
    assert np.all(np.diff(p, axis=0) < 0), driver


def test_participation_is_zero_where_the_institution_does_not_exist():
    d = _drivers(3, belonging=1.0, efficacy=1.0, peer=1.0, outreach=1.0, stakes=1.0, propensity=3.0)
    availability = np.array([[1.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    p = participation.participation_probability(d, B, availability, 1.0)
    assert p[0, 3] == 0.0 and p[1, 0] == 0.0 and np.all(p[2] == 0.0)
    assert np.all(p[availability > 0] > 0)


def test_participation_scales_with_availability_and_volunteering_with_self_organisation():
    d = _drivers(1)
    full = participation.participation_probability(d, B, np.ones((1, 4)), 1.0)
    half = participation.participation_probability(d, B, np.full((1, 4), 0.5), 1.0)
    dependent = participation.participation_probability(d, B, np.ones((1, 4)), 0.6)
    np.testing.assert_allclose(half, 0.5 * full)
    assert dependent[0, 2] == pytest.approx(0.6 * full[0, 2])
    np.testing.assert_allclose(dependent[0, [0, 1, 3]], full[0, [0, 1, 3]])


def test_participation_probability_is_a_probability_even_at_extremes():
    gen = rng(8)
    n = 500
    d = participation.ParticipationDrivers(
        belonging=gen.random(n), efficacy=gen.random(n), peer=gen.random(n), outreach=gen.random(n),
        stakes=gen.random(n), time_cost=gen.random(n), outside_option=gen.random(n),
        propensity=gen.normal(0, 20, n))
    p = participation.participation_probability(d, B, gen.random((n, 4)), float(gen.random()))
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))


def test_time_cost_is_lowest_for_retirees_and_halved_without_a_job():
    stage = np.array([0, 1, 1, 2])
    employed = np.array([False, True, False, False])
    tc = participation.time_cost(B.time_cost, stage, employed, B.time_cost_jobless_factor)
    assert tc[3] < tc[0] < tc[1]
    assert tc[2] == pytest.approx(B.time_cost_jobless_factor * tc[1])


def test_stakes_rise_with_the_fund_and_a_council():
    fund_ = np.array([0.0, 1.0, 5.0, 50.0])
    with_council = participation.stakes(fund_, True, 5.0, B.stakes_without_council)
    without = participation.stakes(fund_, False, 5.0, B.stakes_without_council)
    assert with_council[0] == 0.0 and np.all(np.diff(with_council) > 0)
    assert np.all(with_council[1:] > without[1:]) and np.all(with_council < 1.0)
    assert with_council[2] == pytest.approx(0.5)            # half-saturation at 5 CNY/resident-month


def test_willingness_rises_with_belonging_and_falls_with_time_cost():
    w_bel = participation.willingness(_drivers(len(LEVELS), belonging=LEVELS), B)
    w_time = participation.willingness(_drivers(len(LEVELS), time_cost=LEVELS), B)
    assert np.all(np.diff(w_bel) > 0) and np.all(np.diff(w_time) < 0)
    assert np.all((w_bel > 0) & (w_bel < 1))


# ----------------------------------------------------------------------------- M4 attitudes
def test_satisfaction_moves_toward_met_need():
    s = np.full(3, 0.5)
    out = attitudes.update_satisfaction(s, np.array([0.0, 0.5, 1.0]), np.ones(3, bool), 0.2, B.satisfaction_job_weight)
    assert out[0] < 0.5 < out[2]
    jobless = attitudes.update_satisfaction(s, np.full(3, 0.7), np.zeros(3, bool), 0.2, B.satisfaction_job_weight)
    employed = attitudes.update_satisfaction(s, np.full(3, 0.7), np.ones(3, bool), 0.2, B.satisfaction_job_weight)
    assert np.all(employed > jobless)


def test_satisfaction_stays_a_share():
    gen = rng(9)
    s = gen.random(1000)
    for _ in range(50):
        s = attitudes.update_satisfaction(s, gen.random(1000), gen.random(1000) < 0.5, float(gen.random()),
                                           float(gen.random()))
    assert np.all((s >= 0) & (s <= 1))


def test_trust_tracks_service_and_responsiveness_and_falls_with_escalations():
    t = np.full(4, 0.4)
    w = B.trust_service_weight
    base = attitudes.update_trust(t, np.full(4, 0.5), np.full(4, 0.5), 0.1, w)
    better_service = attitudes.update_trust(t, np.full(4, 0.9), np.full(4, 0.5), 0.1, w)
    responsive = attitudes.update_trust(t, np.full(4, 0.5), np.full(4, 0.9), 0.1, w)
    shocked = attitudes.update_trust(t, np.full(4, 0.5), np.full(4, 0.5), 0.1, w, shock=0.05)
    assert np.all(better_service > base) and np.all(responsive > base) and np.all(shocked < base)
    extreme = attitudes.update_trust(np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.array([0.0, 1.0]), 1.0,
                                     w, shock=np.array([5.0, -5.0]))
    assert attitudes.update_trust(np.zeros(1), np.ones(1), np.zeros(1), 1.0, 1.0)[0] == 1.0     # service alone
    assert attitudes.update_trust(np.zeros(1), np.ones(1), np.zeros(1), 1.0, 0.0)[0] == 0.0     # response alone
    assert np.all((extreme >= 0) & (extreme <= 1))


def test_belonging_grows_with_participation_and_decays_without():
    b = np.array([0.2, 0.2])
    out = attitudes.update_belonging(b, np.array([True, False]), 0.03, 0.02)
    assert out[0] > 0.2 > out[1]
    for _ in range(500):
        b = attitudes.update_belonging(b, np.array([True, False]), 0.3, 0.3)
    assert 0.0 <= b[1] < b[0] <= 1.0


def test_efficacy_grows_with_voice_success_and_stays_a_share():
    e = np.array([0.3, 0.3])
    out = attitudes.update_efficacy(e, np.array([1.0, 0.0]), 0.05, 0.01)
    assert out[0] > 0.3 > out[1]
    gen = rng(10)
    e = gen.random(500)
    for _ in range(100):
        e = attitudes.update_efficacy(e, (gen.random(500) < 0.5).astype(float), 0.5, 0.5)
    assert np.all((e >= 0) & (e <= 1))


def test_awareness_spreads_by_contact_attendance_and_neighbours():
    nbr = sp.csr_matrix(np.array([[0, 1.0], [1.0, 0]]))
    a = np.array([0.2, 0.2])
    act = B.awareness_activity_contact
    quiet = attitudes.update_awareness(a, np.zeros(2), np.zeros(2), nbr, 0.0, 0.02, act)
    contacted = attitudes.update_awareness(a, np.full(2, 0.5), np.zeros(2), nbr, 0.0, 0.02, act)
    attended = attitudes.update_awareness(a, np.zeros(2), np.ones(2), nbr, 0.0, 0.02, act)
    peers = attitudes.update_awareness(np.array([0.2, 0.9]), np.zeros(2), np.zeros(2), nbr, 0.5, 0.02, act)
    assert np.all(quiet < a) and np.all(contacted > quiet) and np.all(attended > quiet)
    assert peers[0] > quiet[0]
    full = attitudes.update_awareness(np.array([0.0, 1.0]), np.ones(2), np.ones(2), nbr, 1.0, 1.0, act)
    assert np.all((full >= 0) & (full <= 1))


# ----------------------------------------------------------------------------- M5 government
def test_split_budget_funded_share_and_conservation():
    gen = rng(11)
    for _ in range(500):
        available, fixed_costs = float(gen.uniform(0, 1e6)), float(gen.uniform(0, 5e5))
        delta, phi, pi = gen.random(3)
        s = government.split_budget(available, fixed_costs, delta, phi, pi)
        service = available - min(available, fixed_costs)
        assert s.fixed == pytest.approx(min(available, fixed_costs))
        assert s.delegated_funded == pytest.approx(delta * phi * service)
        assert s.delegated_unfunded == pytest.approx(delta * (1 - phi) * service)
        parts = (s.fixed, s.delegated_funded, s.purchase, s.direct)
        assert all(p >= -1e-9 for p in (*parts, s.delegated_unfunded))
        assert sum(parts) == pytest.approx(available)


def test_split_budget_moves_money_with_tasks_only_when_funds_follow():
    no = government.split_budget(100_000.0, 10_000.0, 0.4, 0.0, 0.2)
    yes = government.split_budget(100_000.0, 10_000.0, 0.4, 1.0, 0.2)
    assert no.delegated_funded == 0.0 and no.delegated_unfunded == pytest.approx(36_000.0)
    assert yes.delegated_funded == pytest.approx(36_000.0) and yes.delegated_unfunded == 0.0
    assert yes.direct < no.direct


def test_split_budget_purchase_never_eats_into_the_funded_tasks():
    s = government.split_budget(1000.0, 0.0, 1.0, 0.9, 0.8)
    assert s.delegated_funded == pytest.approx(900.0) and s.purchase == pytest.approx(100.0) and s.direct >= 0


def test_information_quality_rises_with_any_channel():
    assert government.information_quality(np.zeros(5)) == 0.0
    q1 = government.information_quality(np.array([0.3, 0, 0, 0, 0]))
    q2 = government.information_quality(np.array([0.3, 0.4, 0, 0, 0]))
    assert 0 < q1 < q2 <= 1.0
    assert government.information_quality(np.array([1.0, 0.2])) == 1.0


def test_government_direction_mixes_priority_and_perceived_need():
    priority = B.top_down_priority
    signals = np.tile(np.array([1.0, 0, 0, 0, 0, 0]), (5, 1))
    strengths = np.array([1.0, 0, 0, 0, 0])
    deaf = government.government_direction(priority, signals, strengths, 0.0)
    blind = government.government_direction(priority, signals, np.zeros(5), 1.0)
    listening = government.government_direction(priority, signals, strengths, 1.0)
    np.testing.assert_allclose(deaf, normalise(priority))
    np.testing.assert_allclose(blind, normalise(priority))
    np.testing.assert_allclose(listening, [1.0, 0, 0, 0, 0, 0])
    shares = [government.government_direction(priority, signals, strengths, r)[0] for r in LEVELS]
    assert np.all(np.diff(shares) > 0)
    assert all(abs(government.government_direction(priority, signals, strengths, r).sum() - 1) < 1e-12
               for r in LEVELS)


def test_main_line_and_coordination_pull_toward_it():
    g = normalise(np.array([1.0, 0, 0, 0, 0, 0]))
    need = np.array([0, 2.0, 0, 0, 0, 0])
    line = forces.main_line(g, need, 0.5)
    np.testing.assert_allclose(line, [0.5, 0.5, 0, 0, 0, 0])
    np.testing.assert_allclose(forces.main_line(g, need, 0.0), g)
    np.testing.assert_allclose(forces.main_line(g, need, 1.0), normalise(need))
    own = np.array([0, 0, 1.0, 0, 0, 0])
    np.testing.assert_allclose(government.coordinated(own, line, 0.0), own)
    np.testing.assert_allclose(government.coordinated(own, line, 1.0), line)
    cos = [float(government.coordinated(own, line, k) @ line) for k in LEVELS]
    assert np.all(np.diff(cos) > 0)


def _load(**kw: object) -> float:
    args = dict(hours=np.array([1000.0]), admin_load=0.8, directive_intensity=0.5, burden_reduction=0.2,
                grid_management=False, directive_base=B.admin_directive_base, grid_load=B.grid_admin_load)
    args.update(kw)
    return float(government.administrative_load(**args)[0])


def test_administrative_load_direction():
    assert _load(admin_load=1.2) > _load() > _load(admin_load=0.4)
    assert _load(directive_intensity=1.0) > _load() > _load(directive_intensity=0.0)
    assert _load(burden_reduction=0.6) < _load()
    assert _load(grid_management=True) == pytest.approx(_load() + 1000.0 * B.grid_admin_load)
    assert _load(burden_reduction=1.0) == 0.0


# ----------------------------------------------------------------------------- M6 RC workload and autonomy
def test_autonomy_drifts_down_under_pressure_and_up_with_support():
    assert committee.autonomy_drift(0.5, pressure=1.0, support=0.0, rate=0.1) < 0.5
    assert committee.autonomy_drift(0.5, pressure=0.0, support=1.0, rate=0.1) > 0.5
    fixed = 0.3 / (0.3 + 0.9)
    assert committee.autonomy_drift(fixed, 0.9, 0.3, 0.2) == pytest.approx(fixed)
    for start in (0.0, 0.1, 0.9, 1.0):      # moves toward the fixed point from both sides
        moved = committee.autonomy_drift(start, 0.9, 0.3, 0.2)
        assert abs(moved - fixed) <= abs(start - fixed)


def test_autonomy_stays_in_the_unit_interval():
    gen = rng(12)
    for _ in range(500):
        a = committee.autonomy_drift(float(gen.random()), float(gen.uniform(0, 10)), float(gen.uniform(0, 10)),
                                     float(gen.random()))
        assert 0.0 <= a <= 1.0


def _pressure(d: float, share: float, adequacy: float, grid: bool) -> float:
    return committee.administrative_pressure(d, share, adequacy, grid, B.pressure_funding_relief, B.pressure_grid)


def _support(s: float, engagement: float, council: bool, two_way: bool) -> float:
    return committee.institutional_support(s, engagement, council, two_way, B.support_engagement, B.support_council,
                                           B.support_two_way)


def test_administrative_pressure_direction():
    p = _pressure
    assert p(0.9, 1.0, 0.0, False) > p(0.5, 1.0, 0.0, False) > p(0.0, 1.0, 0.0, False) == 0.0
    assert p(0.9, 1.2, 0.0, False) > p(0.9, 0.6, 0.0, False)
    assert p(0.9, 1.0, 0.0, False) > p(0.9, 1.0, 1.0, False)            # low funding adds pressure
    assert p(0.9, 1.0, 0.5, True) == pytest.approx(p(0.9, 1.0, 0.5, False) + B.pressure_grid)


def test_institutional_support_direction():
    s = _support
    base = s(0.1, 0.05, False, False)
    assert s(0.5, 0.05, False, False) > base and s(0.1, 0.3, False, False) > base
    assert s(0.1, 0.05, True, False) > base and s(0.1, 0.05, False, True) > base


def test_rc_under_directive_pressure_and_no_funding_loses_autonomy_and_gains_it_with_support():
    pressure = _pressure(1.0, 1.2, 0.0, False)
    funded = _pressure(1.0, 1.2, 1.0, False)
    weak = _support(0.05, 0.02, False, False)
    strong = _support(0.8, 0.3, True, True)
    a = b = c = 0.5
    for _ in range(60):
        a = committee.autonomy_drift(a, pressure, weak, 0.04)
        b = committee.autonomy_drift(b, funded, weak, 0.04)
        c = committee.autonomy_drift(c, _pressure(0.2, 0.3, 1.0, False), strong, 0.04)
    assert a < b < 0.5 < c


def test_rc_hours_go_to_admin_first_and_add_up():
    gen = rng(13)
    for _ in range(300):
        total = float(gen.uniform(100, 2000))
        w = committee.allocate_rc_hours(total, float(gen.uniform(0, 3 * total)), float(gen.random()),
                                        float(gen.random()), bool(gen.integers(2)), B.free_hour_shares,
                                        float(gen.random()))
        assert 0.0 <= w.admin_hours <= total * (1.0 + w.overtime)
        assert w.admin_hours + sum(w.free_hours.values()) == pytest.approx(total * (1.0 + w.overtime))
        assert 0.0 <= w.admin_share <= 1.0 and w.overload >= 0.0
        assert all(v >= 0 for v in w.free_hours.values())


def _hours(total: float, demand: float, autonomy: float, council: bool) -> committee.Workload:
    return committee.allocate_rc_hours(total, demand, autonomy, 0.5, council, B.free_hour_shares, B.council_hours_share)


def test_rc_autonomy_lets_it_refuse_admin_tasks_and_overload_appears_only_beyond_its_hours():
    dependent = _hours(1000.0, 800.0, 0.0, False)
    autonomous_rc = _hours(1000.0, 800.0, 1.0, False)
    assert dependent.admin_hours == pytest.approx(800.0) and autonomous_rc.admin_hours == pytest.approx(400.0)
    assert dependent.overload == 0.0
    swamped = _hours(1000.0, 1500.0, 0.0, False)      # without a protected core or overtime: the old corner
    assert swamped.admin_share == 1.0 and swamped.overload == pytest.approx(0.5)
    assert sum(swamped.free_hours.values()) == 0.0


def test_council_gets_hours_only_where_one_exists():
    with_council = _hours(1000.0, 500.0, 0.0, True)
    without = _hours(1000.0, 500.0, 0.0, False)
    assert without.free_hours["council"] == 0.0
    assert with_council.free_hours["council"] == pytest.approx(B.council_hours_share * 500.0)
    assert with_council.free_hours["outreach"] < without.free_hours["outreach"]


def test_rc_unit_cost_starts_at_government_cost_and_learns_toward_the_so_cost():
    costs = [committee.rc_unit_cost(40.0, 1.6, months, 24.0) for months in (0, 6, 12, 24, 48, 240)]
    assert costs[0] == pytest.approx(64.0)
    assert np.all(np.diff(costs) < 0) and min(costs) > 40.0
    assert committee.rc_unit_cost(40.0, 1.6, 10_000, 24.0) == pytest.approx(40.0)
    assert committee.rc_unit_cost(40.0, 1.6, 24, 48.0) > committee.rc_unit_cost(40.0, 1.6, 24, 12.0)   # slower learner


def test_need_knowledge_moves_from_the_street_direction_to_residents_needs_with_collection():
    demand = normalise(np.array([5.0, 1, 1, 1, 1, 1]))
    direction = normalise(np.array([1.0, 1, 5, 1, 1, 1]))
    none = committee.need_knowledge(demand, direction, 0.0, 1000, 0.01)
    full = committee.need_knowledge(demand, direction, 10.0, 1000, 0.01)
    half = committee.need_knowledge(demand, direction, 5.0, 1000, 0.01)
    np.testing.assert_allclose(none, direction)
    np.testing.assert_allclose(full, demand)
    np.testing.assert_allclose(half, 0.5 * demand + 0.5 * direction)


# ----------------------------------------------------------------------------- M7 social organisations
UNIT_COST, OVERHEAD = 40.0, 1500.0
BID = (E.so_bid_price, E.so_bid_professional_discount, E.so_bid_room)


def bid_ceiling(capacity: np.ndarray) -> np.ndarray:
    """Most an SO can be paid for a contract (docstring: capacity with 25% room plus overhead)."""
    return E.so_bid_room * capacity * UNIT_COST + OVERHEAD


def _tender(seed: int):
    gen = rng(seed)
    c, n = int(gen.integers(1, 5)), int(gen.integers(1, 30))
    budget = gen.uniform(0, 80_000, (c, K)) * (gen.random((c, K)) < 0.8)
    return budget, gen.integers(0, K, n), gen.uniform(1, 400, n), gen.random(n)


def test_purchase_contracts_never_exceed_a_cell_budget_nor_an_so_room_over_the_street():
    for seed in range(300):
        budget, domain, capacity, prof = _tender(seed)
        paid = organisations.allocate_purchase_contracts(budget, domain, capacity, prof, UNIT_COST, OVERHEAD, *BID)
        assert paid.shape == (len(domain), len(budget))
        assert np.all(paid >= 0) and np.all(np.isfinite(paid))
        lots = paid / relative_price(prof)[:, None]
        assert np.all(lots.sum(axis=1) <= bid_ceiling(capacity) * (1 + 1e-12))   # one room over all communities
        per_cell = np.zeros_like(budget)
        np.add.at(per_cell.T, domain, lots)
        assert np.all(per_cell <= budget * (1 + 1e-12) + 1e-9)                   # no cell over its budget
        assert np.all(paid[budget[:, domain].T == 0] == 0)                       # nothing from a cell without money


def test_a_professional_so_wins_its_domain_s_lots_in_every_community_in_proportion_to_their_budgets():
    budget = np.zeros((3, K))
    budget[:, 2] = [1000.0, 3000.0, 0.0]
    paid = organisations.allocate_purchase_contracts(budget, np.array([2]), np.array([400.0]), np.array([0.5]),
                                                     UNIT_COST, OVERHEAD, *BID)
    lots = paid[0] / relative_price(np.array([0.5]))[0]
    np.testing.assert_allclose(lots, [1000.0, 3000.0, 0.0])                  # room enough: the whole street's lots
    small = organisations.allocate_purchase_contracts(budget, np.array([2]), np.array([10.0]), np.array([0.5]),
                                                      UNIT_COST, OVERHEAD, *BID)[0]
    # one room over the street, its overhead counted once
    assert small.sum() / relative_price(np.array([0.5]))[0] == pytest.approx(bid_ceiling(np.array([10.0]))[0])
    assert small[1] == pytest.approx(3 * small[0]) and small[2] == 0.0        # scaled down in proportion


def relative_price(professionalism: np.ndarray) -> np.ndarray:
    """A bid's price relative to the ceiling price (docstring: price_j / (unit_cost · p_0))."""
    return 1.0 - E.so_bid_professional_discount * professionalism / E.so_bid_price


def test_purchase_contracts_award_the_cell_when_capacity_suffices_and_favour_better_bids():
    budget = np.zeros((1, K))
    budget[0, 2] = 6000.0
    prof = np.array([0.9, 0.3, 0.9])
    paid = organisations.allocate_purchase_contracts(budget, np.array([2, 2, 4]), np.array([300.0, 300.0, 300.0]),
                                                     prof, UNIT_COST, OVERHEAD, *BID)[:, 0]
    lots = paid / relative_price(prof)
    assert lots[:2].sum() == pytest.approx(6000.0)          # the whole cell is awarded ...
    assert paid[:2].sum() < 6000.0                          # ... and paid below the ceiling price: savings
    assert lots[0] > lots[1] and paid[2] == 0.0             # no budget in the third SO's domain
    capped = organisations.allocate_purchase_contracts(budget, np.array([2]), np.array([10.0]), np.array([1.0]),
                                                       UNIT_COST, OVERHEAD, *BID)[:, 0]
    assert capped[0] == pytest.approx(bid_ceiling(np.array([10.0]))[0] * relative_price(np.array([1.0]))[0])
    assert capped[0] < 6000.0                               # the rest stays with government
    empty = organisations.allocate_purchase_contracts(budget, np.array([], int), np.array([]), np.array([]),
                                                      UNIT_COST, OVERHEAD, *BID)
    assert empty.shape == (0, 1)


def test_delivery_shares_follow_contract_money_with_other_income_at_home():
    np.testing.assert_allclose(organisations.delivery_shares(np.array([100.0, 300.0, 0.0]), 0.0, 2),
                               [0.25, 0.75, 0.0])
    np.testing.assert_allclose(organisations.delivery_shares(np.array([100.0, 300.0, 0.0]), 100.0, 0),
                               [0.4, 0.6, 0.0])
    np.testing.assert_allclose(organisations.delivery_shares(np.zeros(3), 0.0, 1), [0.0, 1.0, 0.0])


def test_so_service_direction_mixes_its_domain_and_the_steer():
    steer = normalise(np.array([1.0, 1, 4, 1, 1, 1]))
    own = organisations.so_service_direction(0, 0.0, steer.copy())       # nobody else sets its agenda
    led = organisations.so_service_direction(0, 1.0, steer.copy())       # government sets all of it
    mixed = organisations.so_service_direction(0, 0.4, steer.copy())
    np.testing.assert_allclose(own, np.eye(K)[0])
    np.testing.assert_allclose(led, steer)
    assert mixed.sum() == pytest.approx(1.0) and led[0] < mixed[0] < own[0]


def test_learning_by_doing_grows_used_capacity_and_shrinks_idle_capacity():
    def learn(cap: float, utilisation: float, rate: float, max_capacity: float = B.so_max_capacity) -> float:
        return organisations.learn_capacity(cap, utilisation, rate, max_capacity, B.so_idle_decay)

    assert learn(50.0, 1.0, 0.03) > 50.0
    assert learn(50.0, 0.0, 0.03) < 50.0
    assert learn(1.0, 0.0, 0.03) >= 1.0
    for ceiling in (100.0, B.so_max_capacity):
        cap = 10.0
        for _ in range(5000):
            cap = learn(cap, 1.0, 0.5, ceiling)
        assert ceiling * 0.99 < cap <= ceiling + 1e-9


def test_so_agenda_target_rises_with_directive_intensity_and_government_money_and_falls_with_rc_autonomy():
    e, shield = B.so_dependence_effect, B.agenda_rc_shield

    def target(d: float, rc: float, g: float) -> float:
        return organisations.so_agenda_target(d, rc, g, shield, e)

    assert np.all(np.diff([target(d, 0.3, 0.4) for d in LEVELS]) > 0)
    assert np.all(np.diff([target(0.5, 0.3, g) for g in LEVELS]) > 0)
    assert np.all(np.diff([target(0.5, rc, 0.4) for rc in LEVELS]) < 0)
    grid = [target(d, rc, g) for d in LEVELS for rc in LEVELS for g in LEVELS]
    assert min(grid) >= 0.0 and max(grid) <= 1.0
    assert target(0.0, 0.0, 0.0) == 0.0                                     # nobody sets its agenda from above
    assert target(1.0, 0.0, 0.0) == 1.0                                     # a dependent RC relays all of the push
    assert organisations.so_agenda_target(0.0, 0.0, 1.0, shield, 0.0) == 0.0   # no dependence effect


def test_so_founding_needs_volunteers_and_incubation_speeds_it():
    v = np.full((200, K), 20.0)
    boost = B.incubation_founding_boost
    assert organisations.founding_counts(np.zeros((3, K)), 0.5, 1.0, boost, 1.0, rng()).sum() == 0
    plain = organisations.founding_counts(v, 0.01, 0.0, boost, 1.0, rng(14))
    incubated = organisations.founding_counts(v, 0.01, 1.0, boost, 1.0, rng(14))
    dependent = organisations.founding_counts(v, 0.01, 0.0, boost, 0.5, rng(14))
    assert np.all(plain >= 0) and incubated.sum() > 2 * plain.sum() > 2 * dependent.sum()


# ----------------------------------------------------------------------------- M8 enterprises
def test_co_building_responds_to_coordination_and_recognition():
    def f(giving: float, propensity: float, coordination: float, recognition: float) -> float:
        return enterprises.co_building_contribution(giving, propensity, coordination, recognition, E.co_building_floor)

    assert f(800, 0.5, 1.0, 0.7) > f(800, 0.5, 0.2, 0.7) > 0
    assert f(800, 0.5, 0.5, 1.0) > f(800, 0.5, 0.5, 0.4)
    assert f(800, 0.0, 1.0, 1.0) == 0.0
    assert f(800, 1.0, 1.0, 1.0) == pytest.approx(800.0)               # full coordination: all it gives
    assert f(800, 1.0, 0.0, 1.0) == pytest.approx(800.0 * E.co_building_floor)


def test_recognition_is_bounded_and_rises_with_council_matching_and_evaluation():
    def r(council: bool, matching: float, two_way: bool) -> float:
        return enterprises.recognition(council, matching, two_way, B.recognition_base, B.recognition_council,
                                       B.recognition_matching, B.recognition_two_way)

    assert r(False, 0.0, False) == pytest.approx(B.recognition_base) and r(True, 5.0, True) == pytest.approx(1.0)
    assert r(True, 0, False) > r(False, 0, False) and r(False, 1, False) > r(False, 0, False)
    assert r(False, 0, True) > r(False, 0, False)


def test_property_conflict_rises_with_the_gap_between_fees_and_service():
    slope = B.property_conflict_slope
    c = enterprises.property_conflict(LEVELS, slope)
    assert np.all(np.diff(c) > 0) and c[0] == 0.0 and c[-1] == pytest.approx(slope * LEVELS[-1])


# ----------------------------------------------------------------------------- M9 disputes
def channel_chances(awareness, grid=False, hotline=False):
    return disputes.detection_channels(awareness, B.detection_without_grid, B.detection_awareness_base, grid,
                                       B.detection_with_grid, hotline, B.detection_hotline)


def test_grid_management_and_a_hotline_raise_detection():
    awareness = LEVELS
    no_grid, _ = disputes.combined_detection(channel_chances(awareness))
    grid, _ = disputes.combined_detection(channel_chances(awareness, grid=True))
    hotline, _ = disputes.combined_detection(channel_chances(awareness, hotline=True))
    assert np.all(grid > no_grid) and np.all(hotline > no_grid)
    assert np.all(np.diff(no_grid) > 0)                     # residents report to an RC they know
    assert np.all((no_grid >= 0) & (grid <= 1))


def test_detection_channel_shares_are_probabilities_of_the_working_channels():
    for grid in (False, True):
        for hotline in (False, True):
            _, shares = disputes.combined_detection(channel_chances(LEVELS, grid, hotline))
            np.testing.assert_allclose(shares.sum(axis=1), 1.0)
            assert np.all((shares >= 0) & (shares <= 1))
            assert np.all((shares[:, disputes.CHANNELS.index("grid")] > 0) == grid)
            assert np.all((shares[:, disputes.CHANNELS.index("hotline")] > 0) == hotline)
    _, none = disputes.combined_detection(np.zeros((2, len(disputes.CHANNELS))))
    np.testing.assert_allclose(none, 0.25)


def test_dispute_arrivals_rise_with_unmet_need_conflict_and_unemployment():
    pop = np.full(4000, 2500.0)

    def mean(unmet: float, conflict: float, unemployment: float) -> np.ndarray:
        return disputes.dispute_arrivals(pop, 0.6, np.full(4000, unmet), np.full(4000, conflict),
                                         np.full(4000, unemployment), rng(15)).mean(axis=0)

    base = mean(0.2, 0.0, 0.1)
    assert base[0] == pytest.approx(0.6 * 2.5 * 1.2 * 1.1, rel=0.05) and base[1] == 0.0
    assert mean(0.8, 0.0, 0.1)[0] > base[0] and mean(0.2, 0.0, 0.5)[0] > base[0]
    assert mean(0.2, 1.0, 0.1)[1] == pytest.approx(0.6 * 2.5 * 1.1, rel=0.05)     # property disputes from conflict
    assert disputes.dispute_arrivals(pop[:5], 0.0, np.ones(5), np.ones(5), np.ones(5), rng()).sum() == 0


def random_month(gen, c=4, kinds=2):
    undetected, pending, arisen = (gen.integers(0, 30, (c, kinds)) for _ in range(3))
    shares = gen.dirichlet(np.ones(len(disputes.CHANNELS)), c)
    return undetected, pending, arisen, disputes.handle_disputes(
        undetected, pending, arisen, gen.random(c), shares, gen.random((c, kinds)), gen.uniform(0, 40, c),
        float(gen.random()), gen)


def test_dispute_handling_conserves_cases():
    gen = rng(16)
    for _ in range(200):
        undetected, pending, arisen, month = random_month(gen)
        before = undetected + pending + arisen
        after = month.resolved + month.escalated + month.undetected + month.pending
        np.testing.assert_array_equal(before, after)
        for part in (month.detected, month.settled, month.resolved, month.escalated, month.undetected, month.pending):
            assert np.all(part >= 0)
        assert np.all(month.detected <= undetected + arisen) and np.all(month.settled <= month.resolved)
        np.testing.assert_array_equal(month.detected_by_channel.sum(axis=1), month.detected.sum(axis=1))


def test_dispute_handling_extremes():
    u, p, a = np.array([[5, 1], [0, 2]]), np.array([[3, 0], [2, 2]]), np.array([[4, 0], [1, 3]])
    shares = np.tile([0.0, 0.0, 1.0, 0.0], (2, 1))
    all_seen = disputes.handle_disputes(u, p, a, np.ones(2), shares, np.zeros((2, 2)), np.full(2, 100.0), 0.5, rng())
    np.testing.assert_array_equal(all_seen.undetected, 0)
    np.testing.assert_array_equal(all_seen.resolved, u + p + a)       # ample capacity resolves the queue
    np.testing.assert_array_equal(all_seen.detected_by_channel[:, 2], (u + a).sum(axis=1))   # all by grid
    settled = disputes.handle_disputes(u, p, a, np.ones(2), shares, np.ones((2, 2)), np.zeros(2), 0.5, rng())
    np.testing.assert_array_equal(settled.settled, u + p + a)         # the parties settle everything seen
    calm = disputes.handle_disputes(u, p, a, np.zeros(2), shares, np.zeros((2, 2)), np.zeros(2), 0.0, rng())
    np.testing.assert_array_equal(calm.escalated, 0)
    np.testing.assert_array_equal(calm.undetected, u + a)


def test_property_settlement_rises_with_committees_joint_meetings_and_party_strength():
    def q(oc, joint, party):
        return disputes.property_settlement(np.array([oc]), joint, np.array([party]), B.settlement_committee,
                                            B.settlement_joint_meetings, B.settlement_party)[0]

    assert q(0.0, False, 0.0) == 0.0
    assert q(1.0, False, 0.0) > q(0.5, False, 0.0) > 0.0
    assert q(0.5, True, 0.0) > q(0.5, False, 0.0) and q(0.5, False, 1.0) > q(0.5, False, 0.0)
    assert 0.0 <= q(1.0, True, 1.0) <= 1.0


def test_mediation_capacity_adds_handlers():
    args = dict(rc_mediation_hours=np.array([80.0]), hours_per_dispute=8.0, so_safety_units=np.array([40.0]),
                grid_workers=np.array([4.0]), departments=np.array([2.5]), units_per_dispute=20.0, per_grid_worker=1.0)
    base = disputes.mediation_capacity(**args)
    assert base[0] == pytest.approx(10 + 2 + 4 + 2.5)
    assert disputes.mediation_capacity(**dict(args, units_per_dispute=10.0))[0] > base[0]
    for key in ("rc_mediation_hours", "so_safety_units", "grid_workers", "departments"):
        more = dict(args, **{key: args[key] + 1.0})
        assert disputes.mediation_capacity(**more)[0] > base[0]


# ----------------------------------------------------------------------------- M10 fund
def test_project_allocation_sums_to_the_pool_and_follows_votes_with_a_council():
    votes = np.array([0, 3.0, 1.0, 0, 0, 0])
    fallback = normalise(np.array([1.0, 0, 0, 0, 0, 1]))
    decided = fund.project_allocation(10_000.0, votes, fallback, True)
    by_rc = fund.project_allocation(10_000.0, votes, fallback, False)
    no_votes = fund.project_allocation(10_000.0, np.zeros(K), fallback, True)
    np.testing.assert_allclose(decided, 10_000.0 * votes / votes.sum())
    np.testing.assert_allclose(by_rc, 10_000.0 * fallback)
    np.testing.assert_allclose(no_votes, by_rc)
    assert decided.sum() == pytest.approx(10_000.0)


def test_voice_success_when_ones_top_need_got_a_fair_share():
    share = np.array([[0.5, 0.1, 0.1, 0.1, 0.1, 0.1], [0.5, 0.1, 0.1, 0.1, 0.1, 0.1]])
    np.testing.assert_array_equal(fund.voice_success(np.array([0, 3]), share), [True, False])


# ----------------------------------------------------------------------------- equity and survey
def test_gini_of_equal_values_is_zero_and_of_one_holder_is_maximal():
    assert gini(np.full(50, 0.4)) == pytest.approx(0.0, abs=1e-12)
    assert gini(np.r_[np.zeros(9), 1.0]) == pytest.approx(0.9)
    v = rng(19).random(300)
    assert gini(3 * v) == pytest.approx(gini(v))
    assert 0 < gini(v) < 1


def test_gini_of_shares_approximates_the_exact_gini():
    gen = rng(20)
    assert gini_of_shares(np.full(100, 0.37)) == pytest.approx(0.0, abs=1e-12)
    for _ in range(50):
        v = gen.beta(gen.uniform(1, 6), gen.uniform(1, 6), int(gen.integers(50, 3000)))
        assert gini_of_shares(v) == pytest.approx(gini(v), abs=2e-3)


def test_survey_buckets_sum_to_one_and_count_right():
    counts = np.array([0, 0, 1, 2, 3, 5, 6, 12])
    b = buckets(counts)
    assert b == {"never": 2 / 8, "1-2": 2 / 8, "3-5": 2 / 8, "more than 5": 2 / 8}
    for seed in range(20):
        assert sum(buckets(rng(seed).integers(0, 13, 500)).values()) == pytest.approx(1.0)


def test_staff_name_administrative_work_when_admin_dominates():
    quiet = dataclasses.replace(B, staff_difficulty_noise=0.0)
    busy = staff_difficulty_scores(0.9, 0.1, 0.0, 0.2, 50, quiet, rng())
    free = staff_difficulty_scores(0.05, 0.0, 1.0, 0.0, 50, quiet, rng())
    assert DIFFICULTIES[int(np.argmax(busy[0]))] == "administrative work"
    assert DIFFICULTIES[int(np.argmax(free[0]))] == "low resident participation"


# ----------------------------------------------------------------------------- ODD §1.1
REGIME_WORDS = {"autonomous", "cooperative", "cogovernance", "shanghai", "shenyang", "jianghan", "chengdu",
                "wuhan", "chongqing"}
REGIME_PHRASES = (("administrative", "led"), ("co", "governance"))
#: Keyword arguments whose string values are documentation, like docstrings: parameter
#: metadata (``param(source=..., doc=...)``) and argparse help texts.
DOC_KEYWORDS = {"source", "doc", "help", "description"}
#: Module-level constants that hold scenario names as data, by file (relative to the
#: package): the CLI's reference models (allowed by design).
SCENARIO_NAME_CONSTANTS = {"cli.py": {"REFERENCE_MODELS"}}
#: Subpackages that only drive runs of named scenarios and write reports about them (they
#: set no lever and change no mechanism), so naming the models is their job. Everything
#: else in the package — the simulation core and any new subpackage — is scanned.
TOOL_SUBPACKAGES = ("experiments", "calibration")
#: Texts allowed by file: the survey's questionnaire item "does your community run the
#: autonomous way?" (sources §6), the variable holding its answer, and the citation of the
#: Shanghai 2000 survey (T1).
ALLOWED_TEXTS = {
    "survey.py": {"rc_staff_community_is_autonomous", "autonomous", "Shanghai 2000, sources §6"},
}
PACKAGE = Path(cogov_sim.__file__).parent


def names_regime(text: str) -> bool:
    """True if an identifier or string names a governance model (words split on non-letters).

    "administrative" alone is a regime name only as a whole token: ``administrative_load``
    (administrative tasks, M5) and "administrative work" (a survey answer) are not.
    """
    words = re.findall(r"[a-z]+", text.lower())
    if words == ["administrative"] or REGIME_WORDS.intersection(words):
        return True
    return any(pair in set(itertools.pairwise(words)) for pair in REGIME_PHRASES)


def regime_mentions(source: str, relpath: str = "") -> list[tuple[int, str]]:
    """(line, text) of code identifiers and non-documentation strings naming a governance model."""
    tree = ast.parse(source)
    skip: set[int] = set()
    constants = SCENARIO_NAME_CONSTANTS.get(relpath, set())
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        if isinstance(node, ast.keyword) and node.arg in DOC_KEYWORDS:
            skip.update(id(n) for n in ast.walk(node.value))
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id in constants for t in targets):
                skip.update(id(n) for n in ast.walk(node.value))
    allowed = ALLOWED_TEXTS.get(relpath, set())
    found = []
    for node in ast.walk(tree):
        texts: list[str] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            texts.append(node.value)
        elif isinstance(node, ast.Name):
            texts.append(node.id)
        elif isinstance(node, ast.Attribute):
            texts.append(node.attr)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            texts.append(node.name)
        elif isinstance(node, ast.arg) or (isinstance(node, ast.keyword) and node.arg):
            texts.append(node.arg)
        elif isinstance(node, ast.alias):
            texts += [node.name, node.asname or ""]
        found += [(getattr(node, "lineno", 0), t) for t in texts if names_regime(t) and t not in allowed]
    return sorted(set(found))


def test_regime_scan_catches_what_it_must_and_ignores_documentation():
    bad = '''
def participation_bonus(model):
    """A cooperative street gets more (documentation may name regimes)."""
    # co-governance comment
    if model.spec.name == "co_governance":
        return 0.2
    chengdu_fund = 1.0
    return administrative_led_penalty + chengdu_fund
'''
    hits = {text for _, text in regime_mentions(bad)}
    assert hits == {"co_governance", "chengdu_fund", "administrative_led_penalty"}
    fine = ('def administrative_load(x):\n    """Shanghai, Chengdu, cooperative."""\n'
            '    return param(1, source="sources §4.4 Chengdu", doc="administrative work")\n')
    assert regime_mentions(fine) == []
    listing = 'REFERENCE_MODELS = ("cooperative",)\nif name == "cooperative":\n    pass\n'
    assert regime_mentions(listing, "cli.py") == [(2, "cooperative")]          # the list only, not a branch
    assert regime_mentions(listing, "model.py") == [(1, "cooperative"), (2, "cooperative")]


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] not in TOOL_SUBPACKAGES)


def _relpath(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


@pytest.mark.parametrize("path", SOURCES, ids=_relpath)
def test_no_code_names_a_governance_model(path):
    hits = regime_mentions(path.read_text(encoding="utf-8"), _relpath(path))
    assert hits == [], f"{_relpath(path)} names a governance model in code: {hits}"


def test_the_regime_scan_covers_the_model_and_its_mechanisms():
    scanned = {_relpath(p) for p in SOURCES}
    assert {"model.py", "actors/residents.py", "actors/government.py", "mechanisms/participation.py",
            "mechanisms/government.py"} <= scanned


def test_fund_grants_split_by_absorptive_room_and_the_rest_becomes_projects():
    gen = rng(21)
    for _ in range(200):
        room = gen.uniform(-500, 5000, int(gen.integers(0, 6)))
        amount = float(gen.uniform(0, 20_000))
        grants, remainder = fund.split_grants(amount, room)
        assert np.all(grants >= 0) and remainder >= 0
        assert np.all(grants <= np.maximum(room, 0) + 1e-9)
        assert grants.sum() + remainder == pytest.approx(amount)
    grants, remainder = fund.split_grants(3000.0, np.array([1000.0, 3000.0]))
    np.testing.assert_allclose(grants, [750.0, 2250.0])
    assert remainder == pytest.approx(0.0)
    grants, remainder = fund.split_grants(9000.0, np.array([1000.0, 3000.0, -50.0]))
    np.testing.assert_allclose(grants, [1000.0, 3000.0, 0.0])
    assert remainder == pytest.approx(5000.0)


def test_grid_running_cost_is_wages_plus_shared_offices():
    from cogov_sim.mechanisms.government import grid_running_cost

    assert grid_running_cost(0.0, 168.0, 25.0, 3000.0, 4.0) == 0.0
    assert grid_running_cost(8.0, 168.0, 25.0, 3000.0, 4.0) == pytest.approx(8 * (168 * 25 + 750))
    assert grid_running_cost(8.0, 168.0, 30.0, 3000.0, 4.0) > grid_running_cost(8.0, 168.0, 25.0, 3000.0, 4.0)
