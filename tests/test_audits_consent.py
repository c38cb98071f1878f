"""Government-side institutions (sources §7.13, §7.14): satisfaction audits with sanctions (民意访评),
consent before tasks are transferred without their money (征得社区组织同意, 费随事转), and a council
that supervises the RC (议行分离). Direction of every effect and invariants (bounds, no NaN,
ledger balances)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import scenario

from cogov_sim.actors.committee import ResidentsCommittee
from cogov_sim.mechanisms.committee import consent_refusal, council_supervision, response_chance
from cogov_sim.mechanisms.government import (
    audited_pushdown,
    kept_tasks,
    rectified_provision,
    satisfaction_audit,
    satisfied_share,
    unfunded_task_money,
)
from cogov_sim.model import CommunityModel
from cogov_sim.parameters import Behaviour, K

B = Behaviour()
FAIL, PASS = 0.0, 1.0          # satisfaction of every resident of a failing / passing community


# ----------------------------------------------------------------------------- mechanisms
def test_satisfied_share_counts_residents_above_the_threshold_per_community():
    share = satisfied_share(np.array([0.9, 0.1, 0.7, 0.2, 0.3]), np.array([0, 0, 1, 1, 1]), 3, 0.6)
    np.testing.assert_allclose(share, [0.5, 1 / 3, 1.0])       # an empty community counts as satisfied


def test_a_first_failure_rectifies_a_second_disciplines_for_good():
    zeros, none = np.zeros(2, np.int64), np.zeros(2, bool)
    fail_first = np.array([0.2, 0.9])
    first = satisfaction_audit(fail_first, 0.5, zeros, none, 0.3, 0.6)
    np.testing.assert_array_equal(first.failed, [True, False])
    np.testing.assert_allclose(first.sanction, [0.3, 0.0])
    second = satisfaction_audit(fail_first, 0.5, first.failures, first.disciplined, 0.3, 0.6)
    np.testing.assert_array_equal(second.disciplined, [True, False])
    assert second.sanction[0] > first.sanction[0] and second.sanction[1] == 0.0
    passed = satisfaction_audit(np.array([0.9, 0.9]), 0.5, second.failures, second.disciplined, 0.3, 0.6)
    np.testing.assert_allclose(passed.sanction, [0.6, 0.0])    # discipline lasts after a pass
    np.testing.assert_array_equal(passed.failures, [0, 0])
    again = satisfaction_audit(np.array([0.9, 0.2]), 0.5, first.failures, first.disciplined, 0.3, 0.6)
    np.testing.assert_allclose(again.sanction, [0.0, 0.3])     # a pass lifts rectification


def test_rectified_provision_re_aims_a_sanctioned_community_and_keeps_its_money():
    rng = np.random.default_rng(0)
    spending, unmet = rng.random((3, K)) * 100, rng.random((3, K))
    for s in np.linspace(0.0, 1.0, 5):
        sanction = np.array([s, 0.0, 1.0])
        out = rectified_provision(spending, unmet, sanction)
        np.testing.assert_allclose(out.sum(axis=1), spending.sum(axis=1))
        assert np.all(out >= 0) and np.all(np.isfinite(out))
        np.testing.assert_allclose(out[1], spending[1])
    mix = unmet / unmet.sum(axis=1, keepdims=True)

    def distance(x: np.ndarray) -> float:
        return float(np.abs(x[0] / x[0].sum() - mix[0]).sum())

    distances = [distance(rectified_provision(spending, unmet, np.array([s, 0.0, 0.0]))) for s in (0.0, 0.3, 0.6, 1.0)]
    assert np.all(np.diff(distances) < 0) and distances[-1] == pytest.approx(0.0, abs=1e-12)


def test_audited_pushdown_withdraws_more_with_a_higher_sanction():
    demand = np.array([100.0, 100.0, 100.0])
    out = audited_pushdown(demand, np.array([0.0, 0.3, 0.6]), 0.5)
    assert out[0] == 100.0 and out[0] > out[1] > out[2] >= 0.0


def test_kept_tasks_follow_refusals_and_never_exceed_the_money_held():
    money = unfunded_task_money(1000.0, np.array([1.0, 3.0]), 0.2)
    np.testing.assert_allclose(money, [50.0, 150.0])
    g = np.full(K, 1.0 / K)
    kept = kept_tasks(money, np.array([1.0, 0.0]), g, available=1e9)
    np.testing.assert_allclose(kept.sum(axis=1), [50.0, 0.0])
    assert kept_tasks(money, np.ones(2), g, available=80.0).sum() == pytest.approx(80.0)
    assert kept_tasks(money, np.zeros(2), g, available=80.0).sum() == 0.0


def test_consent_refusal_rises_with_autonomy_and_a_council_and_needs_the_rule():
    alphas = np.linspace(0.0, 1.0, 6)
    without = [consent_refusal(a, 1.0, False, 0.5) for a in alphas]
    with_council = [consent_refusal(a, 1.0, True, 0.5) for a in alphas]
    assert np.all(np.diff(without) > 0) and without[0] == 0.0 and without[-1] == 1.0
    assert all(c >= w for c, w in zip(with_council, without, strict=True)) and with_council[0] > 0.0
    assert all(consent_refusal(a, 0.0, True, 0.5) == 0.0 for a in alphas)
    assert all(0.0 <= consent_refusal(a, k, c, 0.5) <= k for a in alphas for k in (0.3, 1.0) for c in (False, True))


def test_council_supervision_raises_the_response_chance_and_pulls_knowledge_to_the_needs():
    for admin_share in (0.0, 0.4):
        for alpha in (0.0, 0.5, 0.9):
            base = response_chance(admin_share, alpha, B.rc_response_base)
            supervised = response_chance(admin_share, council_supervision(alpha, 1.0, True, 0.3), B.rc_response_base)
            off = response_chance(admin_share, council_supervision(alpha, 1.0, False, 0.3), B.rc_response_base)
            assert supervised > base and off == base and 0.0 <= supervised <= 1.0
    knowledge, needs = np.full(K, 1.0 / K), np.eye(K)[0]
    pulled = council_supervision(knowledge, needs, True, 0.3)
    assert pulled.sum() == pytest.approx(1.0)
    assert np.abs(pulled - needs).sum() < np.abs(knowledge - needs).sum()


# ----------------------------------------------------------------------------- actors in a model
def _model(name: str = "co_governance", seed: int = 2, **levers: object) -> CommunityModel:
    """Two communities of 800 residents."""
    sc = scenario(name, population__residents_per_community=800, **{f"levers__{k}": v for k, v in levers.items()})
    return CommunityModel(sc, seed=seed, residents=1600)


def _force_audit(model: CommunityModel) -> None:
    """An audit in which community 0 fails (nobody satisfied) and community 1 passes."""
    r = model.residents.table
    model.government.audit(model.spec.behaviour.audit_period_months - 1, model.levers, model.spec.behaviour,
                           np.where(r.community == 0, FAIL, PASS), r.community)


def _unmet_distance(model: CommunityModel, c: int) -> float:
    """Distance between government's provision mix in community c and that community's unmet-need mix."""
    spend, unmet = model.government.spending[c], model.residents.unmet_by_community[c]
    return float(np.abs(spend / spend.sum() - unmet / unmet.sum()).sum())


def test_failing_an_audit_cuts_push_down_and_re_aims_provision_there_and_a_second_failure_more():
    plain, once, twice = (_model("suyu") for _ in range(3))   # audits on, no work station to absorb the push-down
    for m in (plain, once, twice):
        m.step()
    _force_audit(once)
    _force_audit(twice)
    _force_audit(twice)
    assert once.government.sanction[0] == B.audit_rectification and twice.government.disciplined[0]
    assert once.government.sanction[1] == 0.0 == twice.government.sanction[1]
    for m in (plain, once, twice):
        m.step()
    demand = [m.government.admin_demand for m in (plain, once, twice)]
    assert demand[0][0] > demand[1][0] > demand[2][0]            # the failing community: stronger each time
    assert demand[0][1] == demand[1][1] == demand[2][1]          # the passing one: untouched
    assert _unmet_distance(plain, 0) > _unmet_distance(once, 0) > _unmet_distance(twice, 0)
    np.testing.assert_allclose([m.government.spending.sum(axis=1) for m in (once, twice)],
                               [plain.government.spending.sum(axis=1)] * 2)
    assert once.metrics["audit_sanctioned_share"] == 0.5 and twice.metrics["audit_referrals"] == 1.0


def test_no_audit_effect_when_the_lever_is_off():
    reference, sanctioned = _model(satisfaction_audits=False), _model(satisfaction_audits=False)
    for m in (reference, sanctioned):
        m.step()
    _force_audit(sanctioned)                                    # the lever is off: no audit happens
    assert not sanctioned.government.sanction.any()
    sanctioned.government.sanction[:] = 1.0                     # and a leftover sanction has no effect
    for _ in range(14):
        reference.step()
        sanctioned.step()
        assert reference.metrics == sanctioned.metrics
    assert reference.metrics["audit_failures"] == 0.0 == reference.metrics["audit_sanctioned_share"]


def test_audits_run_once_a_period_and_outputs_stay_in_bounds():
    model = _model(satisfaction_audits=True)
    referrals, sanctions = [], []
    for _ in range(36):
        model.step()
        out = model.metrics
        assert all(np.isfinite(v) for v in out.values())
        assert 0.0 <= out["audit_sanctioned_share"] <= 1.0 and 0.0 <= out["rc_response_chance"] <= 1.0
        assert 0.0 <= out["audit_failures"] <= model.n_communities and out["rc_admin_demand"] >= 0.0
        assert np.all((model.government.sanction >= 0.0) & (model.government.sanction <= 1.0))
        referrals.append(out["audit_referrals"])
        sanctions.append(model.government.sanction.copy())
    audit_months = {m for m in range(36) if (m + 1) % B.audit_period_months == 0}
    for m in range(1, 36):
        if m not in audit_months:
            assert referrals[m] == referrals[m - 1]
            np.testing.assert_array_equal(sanctions[m], sanctions[m - 1])
    assert not sanctions[min(audit_months) - 1].any()                 # nothing before the first audit


@pytest.fixture(scope="module")
def consent_pair() -> tuple[CommunityModel, CommunityModel]:
    """The same first month without and with the consent rule, tasks delegated without money."""
    pair = tuple(_model("autonomous", seed=4, task_consent=k, funds_follow_tasks=0.0, task_delegation=0.5)
                 for k in (0.0, 1.0))
    for m in pair:
        m.step()
    return pair


def test_consent_keeps_unfunded_tasks_with_the_departments_and_the_books_balance(consent_pair):
    without, consent = consent_pair
    refused = consent.government.refused_hours
    assert np.all(refused > 0) and not without.government.refused_hours.any()
    np.testing.assert_allclose(without.government.admin_demand - consent.government.admin_demand, refused)
    eco = consent.spec.economy
    kept_money = refused.sum() / eco.rc_unit_hours * eco.so_unit_cost
    f0, f1 = without.ledger.flows, consent.ledger.flows
    assert f1["refused_tasks"] == pytest.approx(kept_money)
    assert f1["refused_tasks"] + f1["direct_provision"] == pytest.approx(f0["direct_provision"])
    assert consent.ledger.outflow["government"] == pytest.approx(without.ledger.outflow["government"])
    assert consent.government.spending.sum() == pytest.approx(without.government.spending.sum())
    assert abs(consent.ledger.imbalance()) < 1e-6 and consent.metrics["tasks_refused_hours"] == pytest.approx(
        refused.sum())


def test_consent_relieves_the_rcs_over_several_seeds():
    def run(consent: float, seed: int) -> dict[str, float]:
        m = _model("autonomous", seed=seed, task_consent=consent)
        rows = []
        for _ in range(24):
            m.step()
            rows.append(m.metrics)
        return {k: float(np.mean([r[k] for r in rows[-12:]])) for k in ("rc_admin_demand", "rc_response_chance")}

    pairs = [(run(0.0, s), run(1.0, s)) for s in range(3)]
    assert all(c["rc_admin_demand"] < o["rc_admin_demand"] for o, c in pairs)
    assert np.mean([c["rc_response_chance"] - o["rc_response_chance"] for o, c in pairs]) > 0


def test_a_supervising_council_raises_the_rc_response_chance():
    model = _model()
    model.step()
    rc: ResidentsCommittee = model.committees[0]
    beh = model.spec.behaviour
    rc.supervised = False
    alone = rc.response_chance(beh)
    rc.supervised = True
    assert rc.response_chance(beh) > alone
    assert all(r.supervised for r in model.committees)          # the council lever is on in co_governance
