"""Tender market entry (sources §4.5.1, §7.5.3, §6): tendered money no SO of the street absorbs attracts a
professional SO from outside, one per domain and month, which bids in every community from the next
month's tender."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import assert_finite, scenario

from cogov_sim.actors.organisations import tender_contracts
from cogov_sim.mechanisms.organisations import tender_market_entrants
from cogov_sim.model import CommunityModel
from cogov_sim.parameters import Behaviour, Economy, K

ECO, BEH = Economy(), Behaviour()
LOT = ECO.so_overhead + BEH.tender_entry_capacity * ECO.so_unit_cost   # the smallest bundle that brings an entrant


def _entry(unabsorbed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return tender_market_entrants(unabsorbed, ECO.so_overhead, BEH.tender_entry_capacity, ECO.so_unit_cost,
                                  ECO.so_bid_room, BEH.so_max_capacity)


def _entrants(unabsorbed: np.ndarray) -> np.ndarray:
    return _entry(unabsorbed)[0]


def _lot(capacity: np.ndarray) -> np.ndarray:
    """The lot ``allocate_purchase_contracts`` prices for an SO of ``capacity`` (its room to grow plus overhead)."""
    return ECO.so_bid_room * capacity * ECO.so_unit_cost + ECO.so_overhead


def test_one_entrant_per_domain_sized_to_the_bundle_within_its_bounds_and_none_when_all_is_absorbed():
    money = np.array([[0.0, 0.5 * LOT, 0.999 * LOT, LOT, 2.5 * LOT, 5.0 * LOT, 1e7, -100.0]])
    capacity = _entrants(money)
    assert capacity.shape == (8,)
    assert capacity[0] == capacity[1] == capacity[2] == capacity[7] == 0.0   # no bundle, or too small, or overdrawn
    entered = capacity > 0
    assert entered.tolist() == [False, False, False, True, True, True, True, False]
    assert np.all(capacity[entered] >= BEH.tender_entry_capacity)                # at least a minimal team
    assert np.all(capacity <= BEH.so_max_capacity) and capacity[6] == BEH.so_max_capacity
    assert np.all(np.diff(capacity[3:7]) > 0)                                    # a bigger bundle, a bigger entrant
    assert capacity[3] == BEH.tender_entry_capacity                              # the smallest bundle: a minimal team
    np.testing.assert_allclose(_lot(capacity[4:6]), money[0, 4:6])               # its lot is the whole bundle
    assert np.all(_entrants(np.zeros((3, 6))) == 0)


def test_the_street_s_unabsorbed_money_of_a_domain_pools_into_one_entrant_based_where_most_is_left():
    money = np.zeros((4, 3))
    money[:, 0] = 0.4 * LOT                                  # no community alone pays a minimal team ...
    money[:, 1] = [0.0, 3.0 * LOT, LOT, -50.0]
    capacity, home = _entry(money)
    assert capacity.shape == home.shape == (3,)
    assert capacity[0] > 0                                   # ... the street together does
    np.testing.assert_allclose(_lot(capacity[:2]), [1.6 * LOT, 4.0 * LOT])   # sized to the street's money
    assert home[1] == 1 and capacity[2] == 0.0               # based where most is left; nothing, no entrant


def test_bundle_sized_entry_brings_fewer_professional_sos_than_one_per_minimal_lot():
    money = np.array([[LOT, 2.5 * LOT, 5.0 * LOT, 8.0 * LOT]])                  # bundles below the ceiling
    minimal_lots = np.floor(money / LOT)                                         # one minimal team per lot
    entrants = (_entrants(money) > 0).astype(int)
    assert entrants.sum() == 4 < minimal_lots.sum()
    # the entrants together can take at least what the minimal teams could have
    assert _lot(_entrants(money)).sum() >= (minimal_lots * LOT).sum() * (1 - 1e-12)


def _street(**overrides: object) -> CommunityModel:
    return CommunityModel(scenario("suyu", **overrides), seed=5, residents=1500)


def _communities() -> CommunityModel:
    """A street of three communities."""
    return _street(population__residents_per_community=500)


def test_unabsorbed_tender_money_brings_one_professional_entrant_per_domain_that_takes_contracts():
    model = _communities()
    assert model.n_communities == 3
    seen = {so.unique_id for so in model.social_organisations}
    for month in range(6):
        model.step()
        unabsorbed = model.sector.unabsorbed.copy()
        capacity, home = _entry(unabsorbed)
        assert month > 0 or (capacity > 0).any(), "the suyu tender must leave money to enter for at 1,500 residents"
        entrants = [so for so in model.social_organisations if so.unique_id not in seen and so.professional]
        seen |= {so.unique_id for so in model.social_organisations}
        assert len(entrants) == (capacity > 0).sum()                     # one per domain with money to take
        assert len({so.domain for so in entrants}) == len(entrants)      # never two of a domain in a month
        for so in entrants:
            assert so.capacity == capacity[so.domain] and so.community == home[so.domain]
            assert so.professionalism == BEH.tender_entrant_professionalism
        if month == 0:
            first = unabsorbed.sum()
        model.ledger.check()
    assert model.sector.unabsorbed.sum() < first             # the entrants absorb later tenders


def test_an_so_s_contracts_span_communities_within_the_cell_budgets_and_the_books_balance():
    model = _communities()
    for _ in range(3):
        model.step()
    gov = model.government.account
    budget = np.full((model.n_communities, K), 3000.0)
    model.ledger.transfer("treasury", gov, budget.sum(), "budget")
    sos = list(model.social_organisations)
    before = {so.unique_id: model.ledger.balance(so.account) for so in sos}
    held = model.ledger.balance(gov)
    contracted = tender_contracts(sos, budget, model.spec.economy, model.ledger, gov, model.sector)
    paid = {so.unique_id: model.ledger.balance(so.account) - before[so.unique_id] for so in sos}
    assert np.all(contracted <= budget + 1e-6) and np.all(model.sector.unabsorbed >= -1e-6)
    assert model.ledger.balance(gov) == pytest.approx(held - contracted.sum())          # money conserved
    assert sum(paid.values()) == pytest.approx(contracted.sum())
    spanning = [so for so in sos if so.professional and np.count_nonzero(so.contracts) >= 2]
    assert spanning, "a professional SO must win lots in more than its home community"
    for so in spanning:
        assert so.contracts.sum() == pytest.approx(paid[so.unique_id])
    model.ledger.check()


def test_entry_raises_spending_and_professional_sos_with_the_books_balanced():
    def run(capacity: float) -> CommunityModel:
        model = _street(behaviour__tender_entry_capacity=capacity)
        for _ in range(24):
            model.step()
            model.ledger.check()
            assert_finite(pd.DataFrame([model.metrics]))
        return model

    small, costly = run(BEH.tender_entry_capacity), run(400.0)   # a 400-unit entrant never finds a lot this size
    assert small.sector.purchase_spending_ratio > costly.sector.purchase_spending_ratio + 0.1
    assert small.metrics["so_professional"] > costly.metrics["so_professional"]


def test_entrants_die_when_contracts_stop():
    model = _street()
    for _ in range(3):
        model.step()
    entrants = {so.unique_id for so in model.social_organisations
                if so.professional and so.professionalism >= BEH.tender_entrant_professionalism}
    assert entrants
    model.levers = dataclasses.replace(model.levers, purchase_share=0.0)   # the tenders stop
    for _ in range(24):
        model.step()
    alive = {so.unique_id for so in model.social_organisations}
    assert not entrants & alive                              # the existing death rule takes them
    assert not _entrants(model.sector.unabsorbed).any()     # and no tender money calls new ones
