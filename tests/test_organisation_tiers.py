"""Two tiers of social organisation (sources §7.5): filed grassroots groups live on their members'
volunteering and in-kind support, registered professional SOs on money; agenda control (以政代社)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_finite, scenario

from cogov_sim.actors.organisations import GRASSROOTS, PROFESSIONAL, SocialOrganization, strongest_group_by_cell
from cogov_sim.mechanisms import organisations
from cogov_sim.model import CommunityModel
from cogov_sim.parameters import DOMAINS, Behaviour
from cogov_sim.run import run_scenario

HEALTH = DOMAINS.index("health")
B = Behaviour()
#: No money reaches any SO: no purchase, no fund, no incubation, no gifts, no activity money.
NO_MONEY = dict(levers__purchase_share=0.0, levers__participatory_fund=0.0, levers__microfund_matching=0.0,
                levers__so_incubation=0.0, levers__grassroots_support=0.0, economy__enterprise_giving=0.0,
                economy__resident_giving=0.0, population__initial_sos_per_community=0, behaviour__so_founding=0.0)


def _street(**overrides: object) -> CommunityModel:
    return CommunityModel(scenario("administrative_led", **(NO_MONEY | overrides)), seed=21, residents=1200)


def _organisation(model: CommunityModel, tier: str, members: int) -> SocialOrganization:
    so = SocialOrganization(model, 0, HEALTH, 30.0, 0.3, 0.5, tier)
    rows = np.flatnonzero(model.residents.table.community == 0)[:members]
    model.residents.table.so_member[rows] = so.unique_id
    return so


def test_grassroots_group_survives_a_year_without_money_while_its_members_volunteer():
    model = _street()
    group = _organisation(model, GRASSROOTS, members=600)
    professional = _organisation(model, PROFESSIONAL, members=0)
    for _ in range(12):
        model.step()
        assert abs(model.ledger.imbalance()) < 1e-6
    assert group in model.social_organisations and group.delivered > 0
    assert model.ledger.balance(group.account) == 0.0               # it never held a CNY
    assert professional not in model.social_organisations           # money-less professional SO died
    assert model.metrics["so_grassroots"] == 1 and model.metrics["so_professional"] == 0


@pytest.mark.parametrize("fade_months", [2, 4])
def test_grassroots_group_without_volunteering_members_fades_after_fade_months(fade_months):
    model = _street(behaviour__grassroots_fade_months=fade_months, behaviour__volunteer_intercept=-10.0)
    group = _organisation(model, GRASSROOTS, members=600)                  # members who no longer volunteer
    for _ in range(fade_months - 1):
        model.step()
        assert group in model.social_organisations
    model.step()
    assert group not in model.social_organisations and group.account not in model.ledger.balances


def test_professional_so_pays_overhead_and_grassroots_group_has_no_fixed_cost():
    model = _street()
    group = _organisation(model, GRASSROOTS, members=600)
    professional = _organisation(model, PROFESSIONAL, members=0)
    for so in (group, professional):
        model.ledger.transfer("donors", so.account, 5000.0, "so_seed_funds")
    eco = model.spec.economy
    activities = min(5000.0, group.capacity * eco.so_unit_cost)
    model.step()
    assert model.ledger.flows["so_overhead"] == pytest.approx(eco.so_overhead)     # the professional SO's only
    assert model.ledger.flows["grassroots_activities"] == pytest.approx(activities)


def test_registration_needs_capacity_and_funds_and_incubation_speeds_it():
    cap = np.array([10.0, 50.0, 50.0, 50.0])
    prof = np.array([0.9, 0.9, 0.9, 0.3])
    funds = np.array([1e5, 0.0, 1e5, 1e5])

    def p(incubation: float) -> np.ndarray:
        return organisations.registration_probability(cap, prof, funds, incubation, 0.05, 30.0, 4500.0, 2.0)

    plain, incubated = p(0.0), p(1.0)
    assert plain[0] == 0.0 and plain[1] == 0.0                       # too small; no start-up funds
    assert 0.0 < plain[3] < plain[2] < incubated[2] <= 1.0
    assert np.all(organisations.registration_probability(cap, prof, funds, 1.0, 1.0, 1.0, 0.0, 20.0) <= 1.0)


def test_ready_grassroots_groups_register_as_professional_sos():
    model = _street(levers__so_incubation=1.0, behaviour__registration_rate=1.0)
    group = _organisation(model, GRASSROOTS, members=600)
    group.capacity, group.professionalism = 100.0, 1.0
    model.ledger.transfer("donors", group.account, 1e6, "so_seed_funds")
    model.step()
    assert group.tier == PROFESSIONAL and model.metrics["so_professional"] == 1


def _late_mean(name: str, column: str, seeds: range, **overrides: object) -> float:
    return float(np.mean([run_scenario(scenario(name, **overrides), seed=s, months=36, residents=1500)
                          .series[column].iloc[-12:].mean() for s in seeds]))


def test_agenda_dependence_is_higher_under_high_directive_intensity():
    high = _late_mean("autonomous", "so_agenda_dependence", range(3), levers__directive_intensity=0.9)
    low = _late_mean("autonomous", "so_agenda_dependence", range(3), levers__directive_intensity=0.2)
    assert high > low + 0.2


def test_grassroots_groups_outlive_professional_sos_without_purchase_money():
    runs = [run_scenario(scenario("administrative_led", levers__purchase_share=0.0), seed=s, months=36,
                         residents=1500).series for s in range(3)]
    assert all(r["so_grassroots"].iloc[-1] > 0 for r in runs)
    assert all(r["so_professional"].iloc[-1] == 0 for r in runs)


def test_tier_and_sector_outputs_are_finite_and_bounded():
    res = run_scenario("co_governance", seed=4, months=24, residents=1500)
    s = res.series
    assert_finite(s)
    for col in ("so_agenda_dependence", "purchase_spending_ratio", "so_autonomy"):
        assert s[col].between(0.0, 1.0).all(), col
    np.testing.assert_array_equal(s["so_grassroots"] + s["so_professional"], s["so_count"])
    assert (s["volunteers_registered"] >= s["volunteers"]).all()
    assert (s["volunteers_registered"] <= s["residents"]).all()
    assert (s["retirees"] > 0).all() and (s["retirees"] < s["residents"]).all()


def test_founders_are_drawn_without_replacement_and_every_new_group_has_its_own():
    rng = np.random.default_rng(3)
    cell = rng.integers(0, 6, 400)
    births = np.array([0, 1, 3, 7, 40, 2])
    volunteers = np.bincount(cell, minlength=6)
    for founders in (1, 5, 30):
        group = organisations.assign_founders(cell, births, founders, rng.random(len(cell)))
        for c in range(6):
            of_cell = group[cell == c]
            sizes = np.bincount(of_cell[of_cell >= 0], minlength=births[c])
            assert len(sizes) == births[c]                                  # no founder of a group that was not born
            assert sizes.sum() == min(volunteers[c], births[c] * founders)  # each volunteer founds at most one
            if births[c]:
                assert sizes.min() >= 1 and sizes.max() <= founders         # every group has founders of its own
                assert sizes.max() - sizes.min() <= 1


def test_births_never_outnumber_the_cell_s_unserved_volunteers():
    volunteers = np.array([[0.0, 1.0, 3.0, 500.0]])
    births = organisations.founding_counts(volunteers, 5.0, 1.0, 2.0, 1.0, np.random.default_rng(1))
    assert np.all(births <= volunteers) and births[0, 0] == 0 and births[0, 3] > 3


def test_groups_founded_in_one_month_keep_distinct_founders_in_the_model():
    model = _street(behaviour__so_founding=0.05, levers__so_incubation=1.0)
    founders = model.spec.behaviour.so_founders
    several = False
    for _ in range(6):
        before = {so.unique_id for so in model.social_organisations}
        model.step()
        model.ledger.check()
        new = [so for so in model.social_organisations if so.unique_id not in before and not so.professional]
        cells = [(so.community, so.domain) for so in new]
        several |= len(cells) > len(set(cells))
        members = model.residents.table.so_member
        for so in new:
            assert 1 <= int((members == so.unique_id).sum()) <= founders
    assert several, "the test must see several groups born in one cell in one month"


def test_volunteers_join_grassroots_groups_and_a_professional_provider_does_not_block_founding():
    model = _street()
    professional = _organisation(model, PROFESSIONAL, members=0)
    professional.capacity = 300.0
    best = strongest_group_by_cell(model.social_organisations, model.n_communities, len(DOMAINS))
    assert best[0, HEALTH] == -1                     # a professional SO alone leaves its cell open for a group
    group = _organisation(model, GRASSROOTS, members=0)
    best = strongest_group_by_cell(model.social_organisations, model.n_communities, len(DOMAINS))
    assert best[0, HEALTH] == group.unique_id        # volunteers join the residents' group, not the larger provider


def test_a_professional_so_with_lots_in_two_communities_delivers_to_both_in_proportion():
    model = _street(levers__social_work_purchase=0.0, population__residents_per_community=600)
    assert model.n_communities == 2
    so = _organisation(model, PROFESSIONAL, members=0)                 # home community 0
    eco = model.spec.economy
    money = so.capacity * eco.so_unit_cost + eco.so_overhead            # a month's overhead and full capacity
    model.ledger.transfer("treasury", model.government.account, money, "budget")
    model.ledger.transfer(model.government.account, so.account, money, "purchase_of_services")
    so.receive_contracts(np.array([0.25, 0.75]) * money)               # a quarter won at home, the rest next door
    model.step()
    np.testing.assert_allclose(so.shares, [0.25, 0.75])
    delivered = model.current.so_units.sum(axis=1)                      # it is the street's only provider
    assert delivered.sum() == pytest.approx(so.delivered) and so.delivered > 0
    assert delivered[1] == pytest.approx(3.0 * delivered[0])            # units follow the contract money
    assert so.social_workers > 0                                        # its staff work where its services go
    np.testing.assert_allclose(model.sector.social_workers([so]), so.social_workers * np.array([0.25, 0.75]))
    assert not so.contracts.any()                                       # the month's contracts are booked
    model.ledger.check()


def test_a_new_organisation_delivers_at_home_with_a_vector_of_its_own():
    """Delivery shares start at home, one entry per community, and hold no community × community array
    (a view of one kept it alive for every organisation: 2.5 GiB at a million residents)."""
    model = _street(population__residents_per_community=600)
    so = _organisation(model, GRASSROOTS, members=0)
    expected = np.zeros(model.n_communities)
    expected[so.community] = 1.0
    np.testing.assert_array_equal(so.shares, expected)
    assert so.shares.base is None and so.shares.nbytes == 8 * model.n_communities
