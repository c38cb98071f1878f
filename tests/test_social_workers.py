"""Professional social workers (社工) and the three-social linkage (三社联动, sources §3.2, §3.3, §7.4):
wages through the ledger, purchased posts, and the multiplier on volunteers' effort."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import scenario

from cogov_sim.mechanisms.social_work import linkage_multiplier, social_worker_wages
from cogov_sim.model import CommunityModel
from cogov_sim.parameters import Behaviour, Economy

B = Behaviour()
LEVELS = np.linspace(0.0, 1.0, 6)


def multiplier(workers, volunteers, linkage: float) -> np.ndarray:
    return linkage_multiplier(np.asarray(workers, float), np.asarray(volunteers, float), linkage,
                              B.linkage_max_gain, B.linkage_half_ratio)


def test_linkage_multiplier_is_one_without_linkage_and_at_least_one_with_it():
    workers = np.array([0.0, 0.5, 1.0, 3.0, 10.0, 1.0])
    volunteers = np.array([40.0, 40.0, 40.0, 40.0, 40.0, 0.0])
    np.testing.assert_array_equal(multiplier(workers, volunteers, 0.0), 1.0)         # two skins
    for linkage in LEVELS:
        m = multiplier(workers, volunteers, linkage)
        assert np.all(m >= 1.0) and np.all(m <= 1.0 + linkage * B.linkage_max_gain + 1e-12)
        assert np.all(np.diff(m[:5]) >= 0)                                            # more workers, more gain
    assert multiplier(workers, volunteers, 1.0)[5] == 1.0                             # nobody to lead
    assert multiplier([0.0], [40.0], 1.0)[0] == 1.0                                   # nobody leading
    by_linkage = [multiplier([2.0], [40.0], x)[0] for x in LEVELS]
    assert np.all(np.diff(by_linkage) > 0)
    half = multiplier([B.linkage_half_ratio * 40.0], [40.0], 1.0)[0]
    assert half == pytest.approx(1.0 + B.linkage_max_gain / 2)


def test_social_worker_wages_are_the_professional_part_of_staff_costs():
    assert social_worker_wages(10_000.0, 0.6, 0.0) == 0.0
    assert social_worker_wages(10_000.0, 0.6, 0.5) == pytest.approx(3000.0)
    assert social_worker_wages(10_000.0, 1.0, 1.0) == pytest.approx(10_000.0)


def _stepped(months: int, seed: int = 5, **overrides: object) -> CommunityModel:
    model = CommunityModel(scenario("co_governance", **({"population__residents_per_community": 600,
                                                          "levers__budget_per_resident": 100.0} | overrides)),
                           seed=seed, residents=1200)
    for _ in range(months):
        model.step()
    return model


def test_wages_move_through_the_ledger_and_the_books_balance_every_month():
    model = _stepped(0, levers__social_work_purchase=120_000.0)
    eco = model.spec.economy
    for _ in range(18):
        model.step()
        model.ledger.check()
        flows = model.ledger.flows
        posts = model.sector.posts
        assert flows["social_work_purchase"] == pytest.approx(posts.sum() * eco.social_worker_wage)
        assert posts == pytest.approx(np.full(model.n_communities, 120_000.0 / 12 / eco.social_worker_wage))
        employed = sum(so.social_workers for so in model.social_organisations if so.professional)
        assert flows.get("social_worker_wages", 0.0) == pytest.approx(employed * eco.social_worker_wage)
        assert model.metrics["social_workers"] == pytest.approx(posts.sum() + employed)
        assert model.metrics["social_workers_per_community"] == pytest.approx(
            model.metrics["social_workers"] / model.n_communities)
    assert model.metrics["social_workers"] > 0


def test_purchase_of_social_work_adds_posts():
    none = _stepped(6, levers__social_work_purchase=0.0).metrics["social_workers"]
    bought = _stepped(6, levers__social_work_purchase=240_000.0).metrics["social_workers"]
    posts = 240_000.0 / 12 / Economy().social_worker_wage
    assert bought > none + posts                 # two communities' posts, less any SO staff the money displaced


def test_linkage_multiplies_what_volunteering_members_deliver():
    """Same seed: the runs agree until volunteers exist; then linkage raises each SO's delivery."""
    base = dict(levers__social_work_purchase=240_000.0)
    without = _stepped(1, **base, levers__three_social_linkage=0.0)
    linked = _stepped(1, **base, levers__three_social_linkage=1.0)
    for _ in range(36):                                # until the first organisation has volunteering members
        if any(so.volunteers > 0 for so in without.social_organisations):
            break
        for model in (without, linked):
            model.step()
    assert any(so.volunteers > 0 for so in without.social_organisations), "the run needs volunteering members"
    assert ({so.unique_id for so in without.social_organisations}
            == {so.unique_id for so in linked.social_organisations})   # identical so far
    for model in (without, linked):
        model.step()                                   # next month: last month's volunteers are led
    a = {so.unique_id: (so.delivered, so.volunteers) for so in without.social_organisations}
    b = {so.unique_id: so.delivered for so in linked.social_organisations}
    assert a.keys() == b.keys()
    for uid, (delivered, _) in a.items():
        assert b[uid] >= delivered - 1e-9
    assert sum(b.values()) > sum(d for d, _ in a.values())


def test_purchase_spending_ratio_stays_below_one_as_bids_save_and_unabsorbed_money_stays():
    model = _stepped(24, levers__purchase_share=0.3)
    ratio = model.metrics["purchase_spending_ratio"]
    assert 0.0 < ratio < 1.0
    assert model.sector.purchase_paid < model.sector.purchase_budgeted
