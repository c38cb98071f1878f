"""Administrative work as services (sources §7.6): department services from admin hours, a paid work
station, RC wages in the books, overload as overtime and lost quality, pooled departmental money
(sources §7.7) and the cost of department offices in the community (sources §7.8)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import scenario, step_with_books

from cogov_sim.mechanisms import committee, government
from cogov_sim.model import CommunityModel
from cogov_sim.parameters import DOMAINS, Behaviour, Economy, Population

B, E, P = Behaviour(), Economy(), Population()
DEPARTMENT_DOMAINS = [DOMAINS.index(d) for d in ("welfare", "health", "safety")]


def first_month(name: str, **overrides: object) -> CommunityModel:
    """One month of a shipped scenario in two communities of 750 residents."""
    model = CommunityModel(scenario(name, population__residents_per_community=750, **overrides), seed=4,
                           residents=1500)
    model.step()
    return model


# ----------------------------------------------------------------------------- department services
def test_admin_hours_deliver_units_in_the_department_domains_only():
    hours, quality = np.array([300.0, 0.0, 120.0]), np.array([1.0, 1.0, 0.5])
    units = government.department_services(hours, quality, E.admin_service_share, E.rc_unit_hours, B.admin_service_mix)
    np.testing.assert_allclose(units.sum(axis=1), hours * quality * E.admin_service_share / E.rc_unit_hours)
    others = np.setdiff1d(np.arange(len(DOMAINS)), DEPARTMENT_DOMAINS)
    assert np.all(units[:, others] == 0.0) and np.all(units[0, DEPARTMENT_DOMAINS] > 0.0)


def test_admin_units_enter_public_supply_and_raise_coverage():
    with_services = first_month("administrative_led")
    paperwork_only = first_month("administrative_led", economy__admin_service_share=0.0)
    assert with_services.current.admin_units.sum() > 0.0 == paperwork_only.current.admin_units.sum()
    np.testing.assert_allclose(with_services.current.admin_units.sum(axis=0)[DEPARTMENT_DOMAINS].sum(),
                               with_services.current.admin_units.sum())
    assert with_services.metrics["coverage"] > paperwork_only.metrics["coverage"]
    assert with_services.metrics["met_public_units"] > paperwork_only.metrics["met_public_units"]
    for d in ("welfare", "health", "safety"):
        assert with_services.metrics[f"coverage_{d}"] > paperwork_only.metrics[f"coverage_{d}"]


# ----------------------------------------------------------------------------- the work station (居站分设)
def test_work_station_takes_admin_hours_only_up_to_its_staff_hours():
    demand = np.array([100.0, 400.0, 900.0])
    station = government.work_station_hours(3, E.work_station_staff, E.rcs_per_work_station, P.staff_hours, True)
    np.testing.assert_allclose(station, E.work_station_staff / E.rcs_per_work_station * P.staff_hours)
    taken = government.work_station_takeover(demand, station)
    np.testing.assert_allclose(taken, np.minimum(demand, station))
    assert np.all(government.work_station_hours(3, 8.0, 4.0, 168.0, False) == 0.0)


@pytest.mark.parametrize("admin_load", [0.5, 3.0])
def test_work_station_costs_money_and_relieves_rcs_only_up_to_its_capacity(admin_load):
    levers = dict(levers__funds_follow_tasks=1.0, levers__admin_load=admin_load)   # no unfunded task hours
    with_station = first_month("co_governance", levers__work_station=True, **levers)
    without = first_month("co_governance", levers__work_station=False, **levers)
    stations = with_station.n_communities / E.rcs_per_work_station
    cost = stations * (E.work_station_staff * P.staff_hours * E.staff_wage + E.work_station_office_cost)
    assert with_station.ledger.flows["work_station"] == pytest.approx(cost)
    assert without.ledger.flows.get("work_station", 0.0) == 0.0
    capacity = with_station.work_station_hours()
    relief = without.government.admin_demand - with_station.government.admin_demand
    assert np.all(relief > 0.0) and np.all(relief <= capacity + 1e-9)
    np.testing.assert_allclose(relief, np.minimum(without.government.admin_demand, capacity))
    if admin_load > 2.0:                                 # a heavy load exceeds what the station's staff can take
        assert np.all(with_station.government.admin_demand > 0.0)
    assert with_station.current.admin_units.sum() > 0.0


def test_rc_staff_wages_are_paid_from_the_budget_every_month(administrative_run):
    model = administrative_run.model
    staff = sum(rc.staff for rc in model.committees)
    for books in administrative_run.books:
        assert books.flows["rc_wages"] == pytest.approx(staff * P.staff_hours * E.staff_wage)


# ----------------------------------------------------------------------------- overload: overtime and quality
def test_overload_is_overtime_and_lost_quality_never_zero_free_hours():
    gen = np.random.default_rng(8)
    cap = B.rc_overtime_hours / P.staff_hours
    for _ in range(500):
        contract = float(gen.uniform(100, 2000))
        accepted = float(gen.uniform(0, 8 * contract))
        load = committee.admin_under_load(contract, accepted, B.rc_protected_core, cap, B.overload_quality_loss)
        assert contract - load.contract_hours > 0.0                 # the protected core survives
        assert 0.0 <= load.overtime_hours <= cap * contract + 1e-9
        assert load.contract_hours + load.overtime_hours <= accepted + 1e-9
        assert 0.0 < load.quality <= 1.0 and load.overload >= 0.0
        assert (load.overload > 0) == (load.quality < 1.0)


def test_more_admin_demand_means_fewer_free_hours_more_overtime_and_lower_quality():
    cap = B.rc_overtime_hours / P.staff_hours
    loads = [committee.admin_under_load(1000.0, a, B.rc_protected_core, cap, B.overload_quality_loss)
             for a in np.linspace(0.0, 6000.0, 61)]
    free = np.array([1000.0 - x.contract_hours for x in loads])
    overtime = np.array([x.overtime_hours for x in loads])
    quality = np.array([x.quality for x in loads])
    assert np.all(np.diff(free) <= 1e-9) and free[-1] > 0.0 and free[0] == 1000.0
    assert np.all(np.diff(overtime) >= -1e-9) and overtime[0] == 0.0 and overtime[-1] == pytest.approx(cap * 1000.0)
    assert np.all(np.diff(quality) <= 1e-12) and quality[-1] < quality[0] == 1.0


def test_heaviest_admin_load_keeps_free_hours_and_bounds_overtime():
    heaviest = dict(levers__admin_load=3.0, levers__directive_intensity=1.0, levers__burden_reduction=0.0,
                    levers__task_delegation=1.0, levers__funds_follow_tasks=0.0, levers__grid_management=True,
                    levers__autonomy_grant=0.0)
    run = step_with_books(CommunityModel(scenario("administrative_led", **heaviest), seed=2, residents=1000), 12)
    cap = B.rc_overtime_hours / P.staff_hours
    for rc in run.model.committees:
        assert sum(rc.free_hours.values()) > 0.0 and rc.free_hours["outreach"] > 0.0
        assert 0.0 < rc.overtime <= cap + 1e-12 and rc.admin_share < 1.0 and rc.overload > 0.0
    series = run.series
    assert series["rc_overtime"].between(0.0, cap + 1e-12).all() and series["rc_admin_share"].lt(1.0).all()


def test_t5_staff_difficulty_still_reads_admin_share_and_overload():
    """The simulated survey's T5 question stays computable and overloaded staff still name admin work."""
    def admin_named(name: str) -> float:
        survey = step_with_books(CommunityModel(name, seed=3, residents=1000), 24).results.survey
        rows = survey[(survey["question"] == "rc_staff_main_difficulty") & (survey["answer"] == "administrative work")]
        assert len(rows) == 2 and rows["share"].between(0.0, 1.0).all()
        return float(rows["share"].mean())

    overloaded, relieved = admin_named("administrative_led"), admin_named("co_governance")
    assert overloaded > 0.5 > relieved


# ----------------------------------------------------------------------------- pooled mobilisation (sources §7.7)
def test_resource_pooling_adds_departments_money_and_provision():
    pooled = first_month("administrative_led", levers__resource_pooling=1.0)
    alone = first_month("administrative_led", levers__resource_pooling=0.0)
    money = E.department_funds_per_resident * pooled.n_residents
    assert pooled.ledger.flows["department_pooling"] == pytest.approx(money)
    assert pooled.ledger.balance("departments") == pytest.approx(-money)
    assert alone.ledger.flows.get("department_pooling", 0.0) == 0.0
    assert pooled.metrics["public_spending"] == pytest.approx(alone.metrics["public_spending"] + money)
    assert pooled.current.government_units.sum() > alone.current.government_units.sum()
    assert pooled.metrics["coverage"] > alone.metrics["coverage"]


# ----------------------------------------------------------------------------- department offices (sources §7.8)
def test_department_offices_take_the_rcs_funds_and_activity_space():
    offices = first_month("cooperative", levers__department_offices=1.0)
    none = first_month("cooperative", levers__department_offices=0.0)
    received = offices.ledger.flows["funds_follow_tasks"]
    assert received == pytest.approx(none.ledger.flows["funds_follow_tasks"])
    assert offices.ledger.flows["department_offices"] == pytest.approx(E.office_funds_share * received)
    assert offices.ledger.flows["rc_services"] == pytest.approx((1.0 - E.office_funds_share) * received)
    assert none.ledger.flows.get("department_offices", 0.0) == 0.0
    assert none.ledger.flows["rc_services"] == pytest.approx(received)
    assert all(rc.activity_space == pytest.approx(1.0 - E.office_space_share) for rc in offices.committees)
    assert all(rc.activity_space == 1.0 for rc in none.committees)
    assert offices.current.rc_money_units.sum() < none.current.rc_money_units.sum()


# ----------------------------------------------------------------------------- invariants over the regimes
@pytest.mark.parametrize("name", ["administrative_led", "autonomous", "cooperative", "co_governance"])
def test_books_balance_and_outputs_are_finite(name):
    run = step_with_books(CommunityModel(name, seed=6, residents=1000), 12)
    for books in run.books:
        assert abs(books.imbalance) <= 1e-6 * max(books.budget_received, 1.0)
        assert books.lowest_internal >= -1e-6
    series = run.series
    assert np.isfinite(series.select_dtypes("number").to_numpy()).all()
    assert series["rc_overtime"].ge(0.0).all() and series["rc_admin_share"].between(0.0, 1.0).all()
