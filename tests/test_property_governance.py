"""Property governance (sources §7.3.2, §7.15): owners' committees supervise property companies and settle
property disputes; the estate's Party branch overcomes a company's blocking and brokers disputes."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import scenario

from cogov_sim.actors.disputes import DisputeDesk
from cogov_sim.mechanisms import enterprises
from cogov_sim.mechanisms.disputes import KINDS, PROPERTY
from cogov_sim.model import CommunityModel
from cogov_sim.parameters import Behaviour, K, Levers

B = Behaviour()
SEEDS = range(8)
MONTHS = 36


def test_supervision_raises_the_property_companys_effort():
    oc = np.linspace(0.0, 1.0, 5)
    s = enterprises.property_supervision(oc, False, B.committee_supervision, B.joint_meeting_supervision)
    s_joint = enterprises.property_supervision(oc, True, B.committee_supervision, B.joint_meeting_supervision)
    assert s[0] == 0.0 and np.all(np.diff(s) > 0) and np.all(s_joint >= s) and np.all(s_joint <= 1.0)
    effort = [enterprises.property_effort(B.property_effort_unsupervised, x) for x in s_joint]
    assert effort[0] == B.property_effort_unsupervised and np.all(np.diff(effort) > 0) and effort[-1] <= 1.0


def test_a_party_branch_overcomes_a_property_companys_blocking():
    managed = np.array([True, True, False])
    weak = enterprises.committee_target(1.0, B.committee_blocking, np.zeros(3), managed)
    strong = enterprises.committee_target(1.0, B.committee_blocking, np.ones(3), managed)
    assert weak[0] == pytest.approx(1.0 - B.committee_blocking) and weak[2] == 1.0    # no company, no blocking
    np.testing.assert_allclose(strong, 1.0)
    np.testing.assert_allclose(enterprises.committee_target(0.0, B.committee_blocking, np.ones(3), managed), 0.0)
    share = np.zeros(3)
    for _ in range(200):
        share = enterprises.committee_formation(share, weak, B.committee_formation_speed)
    np.testing.assert_allclose(share, weak, atol=1e-6)


def run_desk(party: float, levers: Levers, months: int = 120, seed: int = 3) -> tuple[DisputeDesk, dict[str, float]]:
    """A dispute desk of 20 communities of 2,000 residents with a property company each, fixed needs."""
    c = 20
    desk, gen = DisputeDesk(c), np.random.default_rng(seed)
    demand = np.full((c, K), 100.0)
    unmet = demand * 0.5
    totals = {"property_arisen": 0.0, "property_settled": 0.0, "property_resolved": 0.0, "property_escalated": 0.0}
    for _ in range(months):
        gap = 1.0 - np.array([enterprises.property_effort(B.property_effort_unsupervised, s)
                              for s in desk.supervision(levers, B)])
        desk.step(levers, B, gen, population=np.full(c, 2000.0), unmet=unmet, demand=demand,
                  managed=np.ones(c, bool), property_gap=gap, unemployment=np.full(c, 0.1),
                  awareness=np.full(c, 0.4), mediation_hours=np.full(c, 8.0), so_safety_units=np.zeros(c),
                  grid_workers=np.zeros(c), party_strength=np.full(c, party))
        last = desk.last
        totals["property_arisen"] += last.property_disputes.sum()
        totals["property_settled"] += last.settled[:, PROPERTY].sum()
        totals["property_resolved"] += last.resolved[:, PROPERTY].sum()
        totals["property_escalated"] += last.escalated[:, PROPERTY].sum()
    return desk, totals


def test_party_strength_raises_property_dispute_resolution_and_committee_formation():
    levers = Levers(owners_committee=0.5)
    weak_desk, weak = run_desk(0.0, levers)
    strong_desk, strong = run_desk(1.0, levers)
    assert np.all(strong_desk.owners_committees > weak_desk.owners_committees)
    assert strong["property_settled"] / strong["property_arisen"] > weak["property_settled"] / weak["property_arisen"]
    assert strong["property_escalated"] < weak["property_escalated"]
    assert strong_desk.last.property_open.sum() <= weak_desk.last.property_open.sum()
    # without any committee, joint meeting or Party branch nothing is settled by the parties
    _, none = run_desk(0.0, Levers())
    assert none["property_settled"] == 0.0 and none["property_arisen"] > 0


def test_owners_committees_lower_property_disputes_and_raise_property_service():
    def run(**levers: object) -> dict[str, float]:
        sc = scenario("cooperative", **{f"levers__{k}": v for k, v in levers.items()})
        out = {"property_disputes": [], "property_service": [], "coverage_environment": []}
        for seed in SEEDS:
            m = CommunityModel(sc, seed=seed, residents=2000)
            disputes_total, service = 0.0, 0.0
            for _ in range(MONTHS):
                m.step()
                disputes_total += m.metrics["property_disputes"]
                service += 1.0 - m.metrics["property_gap"]
            out["property_disputes"].append(disputes_total)
            out["property_service"].append(service / MONTHS)
            out["coverage_environment"].append(m.metrics["coverage_environment"])
        return {k: float(np.mean(v)) for k, v in out.items()}

    without = run()
    with_committees = run(owners_committee=1.0, joint_meetings=True)
    assert with_committees["property_disputes"] < without["property_disputes"]
    assert with_committees["property_service"] > without["property_service"]


def test_property_governance_keeps_the_books_and_outputs_finite():
    sc = scenario("co_governance", population__residents_per_community=1000)
    m = CommunityModel(sc, seed=2, residents=2000)
    for _ in range(24):
        m.step()                                 # ledger.check() raises if the books do not balance
        assert abs(m.metrics["ledger_imbalance"]) < 1e-6
        assert all(np.isfinite(v) for v in m.metrics.values())
    assert m.metrics["owners_committees"] > 0.0
    assert 0.0 <= m.metrics["property_gap"] < 1.0 - B.property_effort_unsupervised
    assert m.disputes.undetected.shape == (m.n_communities, len(KINDS))
