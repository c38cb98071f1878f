"""Tender market entry (sources §4.5.1, §7.5.3, §6): tendered money no local SO absorbs attracts a
professional SO from outside the community, which bids from the next month's tender."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from conftest import assert_finite, scenario

from cogov_sim.mechanisms.organisations import tender_market_entrants
from cogov_sim.model import CommunityModel
from cogov_sim.parameters import Behaviour, Economy

ECO, BEH = Economy(), Behaviour()
LOT = ECO.so_overhead + BEH.tender_entry_capacity * ECO.so_unit_cost   # the smallest bundle that brings an entrant


def _entrants(unabsorbed: np.ndarray) -> np.ndarray:
    return tender_market_entrants(unabsorbed, ECO.so_overhead, BEH.tender_entry_capacity, ECO.so_unit_cost,
                                  ECO.so_bid_room, BEH.so_max_capacity)


def _lot(capacity: np.ndarray) -> np.ndarray:
    """The lot ``allocate_purchase_contracts`` prices for an SO of ``capacity`` (its room to grow plus overhead)."""
    return ECO.so_bid_room * capacity * ECO.so_unit_cost + ECO.so_overhead


def test_one_entrant_per_cell_sized_to_the_bundle_within_its_bounds_and_none_when_all_is_absorbed():
    money = np.array([[0.0, 0.5 * LOT, 0.999 * LOT, LOT, 2.5 * LOT, 5.0 * LOT, 1e7, -100.0]])
    capacity = _entrants(money)[0]
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


def test_bundle_sized_entry_brings_fewer_professional_sos_than_one_per_minimal_lot():
    money = np.array([[LOT, 2.5 * LOT, 5.0 * LOT, 8.0 * LOT]])                  # bundles below the ceiling
    minimal_lots = np.floor(money / LOT)                                         # one minimal team per lot
    entrants = (_entrants(money) > 0).astype(int)
    assert entrants.sum() == 4 < minimal_lots.sum()
    # the entrants together can take at least what the minimal teams could have
    assert _lot(_entrants(money)).sum() >= (minimal_lots * LOT).sum() * (1 - 1e-12)


def _street(**overrides: object) -> CommunityModel:
    return CommunityModel(scenario("suyu", **overrides), seed=5, residents=1500)


def test_unabsorbed_tender_money_brings_professional_entrants_that_take_contracts():
    model = _street()
    before = {so.unique_id for so in model.social_organisations}
    model.step()
    unabsorbed = model.sector.unabsorbed.copy()
    expected = _entrants(unabsorbed)
    assert (expected > 0).any(), "the suyu tender must leave money to enter for at 1,500 residents"
    entrants = [so for so in model.social_organisations if so.unique_id not in before and so.professional]
    assert len(entrants) == (expected > 0).sum()             # one entrant per cell with a bundle to take
    for so in entrants:
        assert so.capacity == expected[so.community, so.domain]
    assert all(so.professionalism == BEH.tender_entrant_professionalism for so in entrants)
    model.step()
    assert model.sector.unabsorbed.sum() < unabsorbed.sum()  # the entrants absorb next month's tender
    assert all(model.ledger.balance(so.account) >= 0 for so in entrants)
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
