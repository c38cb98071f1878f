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
LOT = ECO.so_overhead + BEH.tender_entry_capacity * ECO.so_unit_cost


def _entrants(unabsorbed: np.ndarray) -> np.ndarray:
    return tender_market_entrants(unabsorbed, ECO.so_overhead, BEH.tender_entry_capacity, ECO.so_unit_cost)


def test_more_unabsorbed_money_brings_more_entrants_and_none_when_all_is_absorbed():
    money = np.array([[0.0, 0.5 * LOT, LOT, 2.5 * LOT, 10.0 * LOT, -100.0]])
    entrants = _entrants(money)
    assert entrants.tolist() == [[0, 0, 1, 2, 10, 0]]
    assert np.all(np.diff(entrants[0, :5]) >= 0)
    assert np.all(_entrants(np.zeros((3, 6))) == 0)


def _street(**overrides: object) -> CommunityModel:
    return CommunityModel(scenario("suyu", **overrides), seed=5, residents=1500)


def test_unabsorbed_tender_money_brings_professional_entrants_that_take_contracts():
    model = _street()
    before = {so.unique_id for so in model.social_organisations}
    model.step()
    unabsorbed = model.sector.unabsorbed.copy()
    expected = _entrants(unabsorbed).sum()
    assert expected > 0, "the suyu tender must leave money to enter for at 1,500 residents"
    entrants = [so for so in model.social_organisations if so.unique_id not in before and so.professional]
    assert len(entrants) == expected                        # every lot of unabsorbed money brings one entrant
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
