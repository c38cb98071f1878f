"""The double-entry budget ledger (ODD §7.5) and the books of whole runs: balanced every
month, no internal account overdrawn, government spends exactly the budget it receives,
funds follow tasks and grid management cost what they should."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import scenario, step_with_books

from cogov_sim.ledger import CITY, EXTERNAL, Ledger, LedgerError
from cogov_sim.model import CommunityModel
from cogov_sim.scenario import load_scenario


# ----------------------------------------------------------------------------- the ledger itself
def test_transfer_moves_money_and_keeps_the_sum_zero():
    book = Ledger()
    book.transfer("treasury", "government", 1000.0, "budget")
    book.transfer("government", "rc:0", 300.0, "funds_follow_tasks")
    book.spend("rc:0", 120.0, "rc_services")
    assert book.balance("treasury") == -1000.0
    assert book.balance("government") == 700.0 and book.balance("rc:0") == 180.0
    assert book.balance("spent:rc_services") == 120.0
    assert book.imbalance() == 0.0
    assert book.flows == {"budget": 1000.0, "funds_follow_tasks": 300.0, "rc_services": 120.0}
    assert book.outflow["government"] == 300.0


def test_random_transfers_never_break_the_books():
    gen = np.random.default_rng(0)
    book = Ledger()
    accounts = ["government", "rc:0", "rc:1", "fund:0", "so:7"]
    for _ in range(2000):
        source = gen.choice([*EXTERNAL, *accounts])
        target = gen.choice(accounts)
        available = np.inf if source in EXTERNAL else book.balance(source)
        amount = float(min(available, gen.uniform(0, 500)))
        if source != target:
            book.transfer(source, target, amount, "x")
    assert abs(book.imbalance()) < 1e-6
    book.check()
    assert all(book.balance(a) >= -1e-9 for a in accounts)


def test_transfer_each_keeps_the_books_of_one_transfer_per_pair():
    gen = np.random.default_rng(1)
    one, each = Ledger(), Ledger()
    for book in (one, each):
        book.transfer("treasury", "government", 5000.0, "budget")
        book.transfer("government", "fund:0", 12.5, "fund_matching")
    targets = [f"fund:{c}" for c in range(6)]
    for _ in range(50):
        amounts = gen.uniform(0.0, 10.0, 6) * (gen.random(6) < 0.7)      # some zero, one rounding dust
        amounts[gen.integers(6)] = -1e-12
        paid = [one.transfer("government", t, a, "fund_matching") for t, a in zip(targets, amounts, strict=True)]
        assert each.transfer_each("government", targets, amounts, "fund_matching").tolist() == paid
    assert dict(one.balances) == dict(each.balances) and list(one.balances) == list(each.balances)
    assert one.flows == each.flows and one.outflow == each.outflow and one.moved == each.moved
    with pytest.raises(LedgerError, match="government"):
        each.transfer_each("government", ["rc:0", "rc:1"], [1.0, 1e9], "funds_follow_tasks")
    with pytest.raises(LedgerError):
        each.transfer_each("government", ["rc:0"], [-1.0], "funds_follow_tasks")


def test_internal_accounts_cannot_be_overdrawn():
    book = Ledger()
    book.transfer("treasury", "government", 100.0, "budget")
    with pytest.raises(LedgerError, match="government"):
        book.transfer("government", "rc:0", 100.5, "funds_follow_tasks")
    with pytest.raises(LedgerError):
        book.spend("so:1", 1.0, "so_overhead")
    assert book.balance("government") == 100.0 and book.imbalance() == 0.0


@pytest.mark.parametrize("amount", [-1.0, float("nan")])
def test_negative_or_nan_transfers_are_refused(amount):
    book = Ledger()
    with pytest.raises(LedgerError):
        book.transfer("treasury", "government", amount, "budget")
    assert book.imbalance() == 0.0


def test_close_spends_what_is_left_and_drops_the_account():
    book = Ledger()
    book.transfer("donors", "so:3", 250.0, "so_seed_funds")
    book.close("so:3", "so_overhead")
    assert "so:3" not in book.balances
    assert book.balance("spent:so_overhead") == 250.0 and book.imbalance() == 0.0


def test_new_month_resets_flows_but_not_balances():
    book = Ledger()
    book.transfer("treasury", "government", 50.0, "budget")
    book.new_month()
    assert book.flows.get("budget", 0.0) == 0.0 and book.outflow.get("treasury", 0.0) == 0.0
    assert book.balance("government") == 50.0


def test_check_detects_imbalance_and_overdrafts():
    book = Ledger()
    book.transfer("treasury", "government", 50.0, "budget")
    book.check()
    book.balances["government"] += 1.0                       # money appearing outside a transfer
    with pytest.raises(LedgerError, match="out of balance"):
        book.check()
    book.balances["government"] -= 1.0
    book.balances["rc:0"] -= 5.0
    book.balances["treasury"] += 5.0
    with pytest.raises(LedgerError, match="overdrawn"):
        book.check()


# ----------------------------------------------------------------------------- the books of a run
def test_books_balance_every_month(any_run):
    assert len(any_run.books) == len(any_run.series)
    for month, books in enumerate(any_run.books, start=1):
        assert abs(books.imbalance) <= 1e-6 * max(books.budget_received, 1.0), f"month {month}"
        assert books.lowest_internal >= -1e-6, f"month {month}: an internal account is overdrawn"
    scale = any_run.series["public_spending"].max()
    assert np.all(np.abs(any_run.series["ledger_imbalance"]) <= 1e-9 * scale)


def test_government_spends_exactly_the_budget_it_receives(any_run):
    model = any_run.model
    expected = model.levers.budget_per_resident * model.n_residents
    for books in any_run.books:
        pooled = books.flows.get("department_pooling", 0.0)      # departments' pooled money (sources §7.7)
        assert books.budget_received == pytest.approx(expected)
        assert books.government_outflow == pytest.approx(books.budget_received + pooled, rel=1e-9)
        assert abs(books.government_balance) <= 1e-6 * expected
    pooled = np.array([books.flows.get("department_pooling", 0.0) for books in any_run.books])
    fund = np.array([books.outflow.get(CITY, 0.0) for books in any_run.books])   # new money (sources §7.9)
    np.testing.assert_allclose(any_run.series["public_spending"], expected + pooled + fund, rtol=1e-9)


def test_public_spending_splits_into_its_uses(any_run):
    """Every CNY the government pays out has a recorded use (the participatory fund is the city's, not among them)."""
    uses = ("rc_wages", "work_station", "escalation", "grid", "microfund_matching", "incubation",
            "funds_follow_tasks", "purchase_of_services", "grassroots_support", "social_work_purchase", "refused_tasks",
            "direct_provision")
    for books in any_run.books:
        assert sum(books.flows.get(u, 0.0) for u in uses) >= books.government_outflow * (1 - 1e-9)


# ----------------------------------------------------------------------------- funds follow tasks (sources §4.3)
def _first_month(funds_follow_tasks: float, **overrides: object) -> CommunityModel:
    sc = scenario("administrative_led", levers__funds_follow_tasks=funds_follow_tasks, levers__admin_load=0.3,
                  population__residents_per_community=750, **overrides)
    model = CommunityModel(sc, seed=3, residents=1500)
    model.step()
    return model


@pytest.fixture(scope="module")
def funded_and_unfunded() -> tuple[CommunityModel, CommunityModel]:
    return _first_month(1.0), _first_month(0.0)


def test_funds_follow_tasks_move_money_to_the_rcs(funded_and_unfunded):
    funded, unfunded = funded_and_unfunded
    lev = funded.levers
    budget = lev.budget_per_resident * funded.n_residents
    fixed = sum(funded.ledger.flows.get(u, 0.0) for u in ("rc_wages", "work_station", "escalation", "grid",
                                                           "microfund_matching", "incubation"))
    expected = lev.task_delegation * 1.0 * (budget - fixed)
    assert funded.ledger.flows["funds_follow_tasks"] == pytest.approx(expected)
    pop = funded.residents.community_population
    for c, rc in enumerate(funded.committees):
        # each RC received its population share and spent it on services the same month
        assert funded.ledger.outflow[rc.account] == pytest.approx(expected * pop[c] / pop.sum())
    assert unfunded.ledger.flows.get("funds_follow_tasks", 0.0) == 0.0
    assert all(unfunded.ledger.outflow.get(rc.account, 0.0) == 0.0 for rc in unfunded.committees)


def test_unfunded_delegation_raises_rc_admin_hours(funded_and_unfunded):
    funded, unfunded = funded_and_unfunded
    assert np.all(unfunded.government.admin_demand > funded.government.admin_demand)
    for with_money, without in zip(funded.committees, unfunded.committees, strict=True):
        assert without.admin_share > with_money.admin_share
        assert without.free_hours["services"] < with_money.free_hours["services"]


def test_funds_follow_tasks_share_scales_the_transfer():
    half = _first_month(0.5)
    full = _first_month(1.0)
    assert half.ledger.flows["funds_follow_tasks"] == pytest.approx(0.5 * full.ledger.flows["funds_follow_tasks"])


# ----------------------------------------------------------------------------- grid management (sources §4.5)
def test_grid_management_costs_staff_wages_and_offices(administrative_run):
    model = administrative_run.model
    eco, pop, lev = model.spec.economy, model.spec.population, model.levers
    assert lev.grid_management
    workers = model.grid_workers().sum()
    assert workers > 0
    expected = workers * pop.staff_hours * eco.staff_wage + workers / lev.grid_staff * eco.grid_office_cost
    for books in administrative_run.books:
        assert books.flows["grid"] == pytest.approx(expected)


def test_no_grid_no_grid_cost(co_governance_run):
    assert not co_governance_run.model.levers.grid_management
    assert all(books.flows.get("grid", 0.0) == 0.0 for books in co_governance_run.books)


def test_grid_cost_grows_with_grid_staff():
    costs = []
    for staff in (2.0, 4.0, 8.0):
        sc = scenario("administrative_led_grid", levers__grid_staff=staff, levers__budget_per_resident=200.0)
        costs.append(step_with_books(CommunityModel(sc, seed=1, residents=600), 1).books[0].flows["grid"])
    assert costs[0] < costs[1] < costs[2]
    # wages scale with the staff, offices do not: cost = offices + wages·staff
    assert costs[2] - costs[1] == pytest.approx(2 * (costs[1] - costs[0]))


# ----------------------------------------------------------------------------- budget exhausted by fixed costs
def test_fixed_costs_beyond_the_budget_are_paid_as_far_as_it_goes():
    # RC staff wages alone (about 12 CNY per resident) exceed a 5 CNY/resident budget
    for seed in range(10):
        sc = scenario("co_governance", population__residents_per_community=600, levers__budget_per_resident=5.0)
        run = step_with_books(CommunityModel(sc, seed=seed, residents=1200), 12)
        for books in run.books:
            assert books.government_outflow == pytest.approx(books.budget_received)
            assert books.flows["rc_wages"] == pytest.approx(books.budget_received)


# ----------------------------------------------------------------------------- the fund is new money (sources §7.9)
def test_participatory_fund_is_new_money_beside_the_street_budget():
    """A fund leaves the street's budget and its service uses as they are; the city pays it into the funds."""
    without = step_with_books(CommunityModel(scenario("co_governance", levers__participatory_fund=0.0), seed=4,
                                             residents=1200), 1)
    fund = 200_000.0
    with_fund = step_with_books(CommunityModel(scenario("co_governance", levers__participatory_fund=fund), seed=4,
                                               residents=1200), 1)
    a, b = without.books[0], with_fund.books[0]
    assert b.budget_received == pytest.approx(a.budget_received)
    for use in ("rc_wages", "funds_follow_tasks", "purchase_of_services", "social_work_purchase"):
        assert b.flows.get(use, 0.0) == pytest.approx(a.flows.get(use, 0.0)), use
    n_c = with_fund.model.n_communities
    assert b.outflow[CITY] == pytest.approx(fund / 12.0 * n_c) and a.outflow.get(CITY, 0.0) == 0.0
    assert b.flows["participatory_fund"] == pytest.approx(fund / 12.0 * n_c)
    assert b.government_outflow == pytest.approx(b.budget_received + b.flows.get("department_pooling", 0.0))
    assert abs(b.imbalance) <= 1e-6 * b.budget_received


def test_fund_is_paid_even_when_the_street_has_no_budget():
    run = step_with_books(CommunityModel(scenario("co_governance", levers__budget_per_resident=0.0), seed=2,
                                         residents=1200), 3)
    lever = run.model.levers.participatory_fund
    assert lever > 0
    for books in run.books:
        assert books.budget_received == 0.0
        assert books.flows["participatory_fund"] == pytest.approx(lever / 12.0 * run.model.n_communities)


# ----------------------------------------------------------------------------- tolerance of the self-check
def test_check_tolerance_follows_the_money_moved_not_the_first_budget():
    """Rounding dust of 1e-6 CNY is no error once billions have moved, but a whole CNY lost is."""
    book = Ledger()
    for _ in range(120):
        book.transfer("treasury", "government", 25_000_000.0, "budget")
        book.spend("government", 25_000_000.0, "services")
    book.balances["government"] -= 1e-6  # pure rounding: far below the money moved
    book.check()
    book.balances["government"] -= 1.0   # a whole CNY that vanished
    with pytest.raises(LedgerError, match="out of balance"):
        book.check()


def test_check_is_strict_while_little_money_has_moved():
    book = Ledger()
    book.transfer("treasury", "government", 10.0, "budget")
    book.balances["government"] += 1e-3
    with pytest.raises(LedgerError, match="out of balance"):
        book.check()


@pytest.mark.slow
def test_budget_raised_from_zero_by_a_regime_switch_runs_at_scale():
    """A street that starts with no budget and switches to 500 CNY per resident with a
    participatory fund moves ~25 M CNY a month: 50,000 residents × 120 months must run through
    (the self-check once held it to the first month's zero budget)."""
    sc = scenario("administrative_led", levers__budget_per_resident=0.0)
    switch = dataclasses.replace(load_scenario("transition").events[0], month=6,
                                 params={"scenario": "", "ramp_months": 0, "target": None,
                                         "levers": {"budget_per_resident": 500.0, "participatory_fund": 200_000.0}})
    sc = dataclasses.replace(sc, events=(switch,))
    model = CommunityModel(sc, seed=3, residents=50_000)
    for _ in range(120):
        model.step()
    assert model.ledger.moved > 120 * 20_000_000
    assert abs(model.ledger.imbalance()) <= model.ledger.slack()
