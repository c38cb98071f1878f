"""Party organisation (sources §7.3): membership, organised members, building groups, Party
strength, effective coordination, and its channels into participation (directions over seeds)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import scenario

from cogov_sim.mechanisms.party import (
    building_groups,
    draw_party_members,
    effective_coordination,
    organised_members,
    party_strength,
)
from cogov_sim.model import CommunityModel
from cogov_sim.parameters import LIFE_STAGES, Population

YOUTH, WORKING, RETIREE = (LIFE_STAGES.index(s) for s in ("youth", "working", "retiree"))
SEEDS = (0, 1, 2)


def test_membership_share_age_profile_and_no_youth():
    rng = np.random.default_rng(3)
    pop = Population()
    n = 200_000
    stage = rng.choice(3, n, p=[pop.share_youth, 1 - pop.share_youth - pop.share_retiree, pop.share_retiree])
    member = draw_party_members(stage, pop.party_member_share, pop.party_retiree_ratio,
                                (1 - pop.share_youth - pop.share_retiree, pop.share_retiree), rng.random(n))
    assert member.mean() == pytest.approx(pop.party_member_share, abs=0.003)
    assert not member[stage == YOUTH].any()
    ratio = member[stage == RETIREE].mean() / member[stage == WORKING].mean()
    assert ratio == pytest.approx(pop.party_retiree_ratio, rel=0.05)


def test_in_service_members_are_organised_in_the_community_only_if_they_report():
    stage = np.array([WORKING, WORKING, WORKING, RETIREE, YOUTH])
    employed = np.array([True, True, False, False, False])
    member = np.array([True, True, True, True, False])
    draw = np.array([0.2, 0.8, 0.9, 0.9, 0.0])
    assert organised_members(member, stage, employed, draw, 0.0).tolist() == [False, False, True, True, False]
    assert organised_members(member, stage, employed, draw, 0.5).tolist() == [True, False, True, True, False]
    assert organised_members(member, stage, employed, draw, 1.0).tolist() == [True, True, True, True, False]


def test_building_groups_need_enough_members_and_strength_is_bounded_and_monotone():
    building = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    community = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    organised = np.array([True, True, True, True, False, False, True, True])
    group = building_groups(organised, building, 3, 3)
    assert group.tolist() == [True, False, False]
    assert building_groups(organised, building, 3, 2).tolist() == [True, False, True]
    weak, strong = (party_strength(pb, group, building, community, 2, 0.5) for pb in (0.5, 1.0))
    assert np.all((weak >= 0) & (strong <= 1)) and np.all(strong >= weak)
    assert strong[0] == pytest.approx(0.5 + 0.5 * 0.5)           # committee plus half the residents covered
    assert strong[1] == pytest.approx(0.5)                        # committee only
    assert np.all(party_strength(0.0, group, building, community, 2, 0.5) == 0)


def test_effective_coordination_rises_with_strength_and_stays_in_range():
    strength = np.linspace(0, 1, 5)
    c = effective_coordination(0.4, strength, 0.5)
    assert c[0] == pytest.approx(0.4) and np.all(np.diff(c) > 0) and c[-1] <= 1.0
    assert np.all(effective_coordination(1.0, strength, 1.0) == 1.0)


def test_model_provides_party_strength_coordination_and_members():
    model = CommunityModel(scenario("co_governance"), seed=0, residents=1000)
    for _ in range(3):
        model.step()
    month = model.current
    assert month.party_strength.shape == (model.n_communities,)
    assert np.all((month.party_strength >= 0) & (month.party_strength <= 1))
    assert np.all(month.coordination >= month.levers.coordination) and np.all(month.coordination <= 1)
    table = model.residents.table
    assert model.metrics["party_members"] == table.party_member.sum()
    assert 0.03 < table.party_member.mean() < 0.12
    assert not table.party_member[table.stage == YOUTH].any()


def _in_service_member_participation(reporting: float, seed: int, months: int = 24) -> float:
    model = CommunityModel(scenario("co_governance", levers__in_service_reporting=reporting), seed=seed,
                           residents=1500)
    took = []
    for _ in range(months):
        model.step()
        r = model.residents.table
        in_service = r.party_member & (r.stage == WORKING) & r.employed
        took.append(r.participated[in_service].any(axis=1).mean())
    return float(np.mean(took[-12:]))


def test_reporting_in_service_members_take_part_more():
    """双报到 organises in-service members in their residential community (sources §7.3.2)."""
    low = [_in_service_member_participation(0.0, s) for s in SEEDS]
    high = [_in_service_member_participation(1.0, s) for s in SEEDS]
    assert np.mean(high) > np.mean(low)
    assert sum(h > lo for h, lo in zip(high, low, strict=True)) >= 2


def _volunteering(party_building: float, seed: int, months: int = 24) -> float:
    model = CommunityModel(scenario("co_governance", levers__party_building=party_building,
                                    levers__in_service_reporting=1.0), seed=seed, residents=1500)
    rates = []
    for _ in range(months):
        model.step()
        rates.append(model.metrics["participation_volunteer"])
    return float(np.mean(rates[-12:]))


def test_stronger_party_building_raises_volunteering():
    """Party members lead volunteering where a building group exists (sources §7.3.2)."""
    low = [_volunteering(0.0, s) for s in SEEDS]
    high = [_volunteering(1.0, s) for s in SEEDS]
    assert np.mean(high) > np.mean(low)
    assert sum(h > lo for h, lo in zip(high, low, strict=True)) >= 2
