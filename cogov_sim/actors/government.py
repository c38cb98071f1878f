"""Government: the street office with the district departments above it (基层政府, the guiding
force, docs/sources.md §2). Owns mechanism M5: budget, direction, fixed costs, transfers with
delegated tasks, direct provision and the administrative tasks pushed down to the RCs.
"""

from __future__ import annotations

import mesa
import numpy as np

from ..ledger import CITY, Ledger
from ..mechanisms.common import normalise
from ..mechanisms.government import (
    administrative_load,
    audited_pushdown,
    department_services,
    government_direction,
    information_quality,
    kept_tasks,
    pooled_department_funds,
    rectified_provision,
    satisfaction_audit,
    satisfied_share,
    split_budget,
    unfunded_task_money,
    work_station_takeover,
)
from ..mechanisms.supply import allocate_direct_provision
from ..parameters import Behaviour, Economy, K, Levers
from ..state import Month


class Government(mesa.Agent):
    """Street office with the district departments above it (基层政府, guiding force, docs/sources.md §2).

    Attributes:
        direction: direction ``g`` over the service domains (M5).
        response_chance: chance that a resident's voice is acted on by government.
        fund_paid: money paid into each community's participatory fund this month (the city's fund
            tranche and the street's micro-fund matching, CNY): what residents see they can decide on.
        spending: direct provision this month by community and domain (CNY).
        admin_demand: administrative hours pushed down to each RC this month (after the work station's part).
        refused_hours: hours of unfunded delegated tasks each RC refused this month (they stay with
            the departments, sources §7.14.1).
        audit_failures, disciplined, sanction, audit_failed: satisfaction-audit record per community
            (failed audits in a row, ever referred for discipline, sanction level, failed the last
            audit; sources §7.13); audit_referrals: referrals for discipline so far.
        fund_accounts, rc_accounts: the ledger accounts of each community's participatory fund and RC.
    """

    account = "government"

    def __init__(self, model: mesa.Model, n_communities: int, behaviour: Behaviour) -> None:
        super().__init__(model)
        self.direction = normalise(behaviour.top_down_priority)
        self.spending = np.zeros((n_communities, K))
        self.admin_demand = np.zeros(n_communities)
        self.response_chance = 0.0
        self.fund_paid = np.zeros(n_communities)
        self.budget_split = None
        self.refused_hours = np.zeros(n_communities)
        self.audit_failures = np.zeros(n_communities, np.int64)
        self.disciplined = np.zeros(n_communities, bool)
        self.sanction = np.zeros(n_communities)
        self.audit_failed = np.zeros(n_communities, bool)
        self.audit_referrals = 0
        self.fund_accounts = [f"fund:{c}" for c in range(n_communities)]
        self.rc_accounts = [f"rc:{c}" for c in range(n_communities)]

    def set_direction(self, levers: Levers, behaviour: Behaviour, signals: np.ndarray, strengths: np.ndarray) -> None:
        """Direction from the top-down priority and the needs that reach it (M5)."""
        responsiveness = min(1.0, levers.responsiveness + behaviour.two_way_responsiveness * levers.two_way_evaluation)
        self.direction = government_direction(behaviour.top_down_priority, signals, strengths, responsiveness)
        self.response_chance = responsiveness * information_quality(strengths)

    def budget(self, levers: Levers, economy: Economy, ledger: Ledger, *, budget: float, escalation_cost: float,
               grid_cost: float, donations_last_month: np.ndarray, population: np.ndarray,
               staff_cost: tuple[float, float]) -> np.ndarray:
        """Receive the month's budget, pay the fixed costs, transfer funds with delegated tasks.

        The participatory fund is new money (sources §7.9.2): the city's account pays each community's
        fund ``participatory_fund / 12`` CNY this month (ledger ``city → fund:c``, category
        ``participatory_fund``), beside the street's budget and whatever that budget is. Of the street's
        budget, fixed costs are paid first, in this order, as far as it goes: community staff
        (``staff_cost``: RC staff wages, then the work station's staff and running cost, sources §5.5.1,
        §7.6.2), escalations, grid, micro-fund matching (by last month's donations), incubation. Of the
        rest (sources §4.3, §4.5) the delegated and funded share goes to the RCs by population. Returns
        the purchase-of-service budget by community and domain (CNY), to be tendered to SOs.
        """
        ledger.transfer("treasury", self.account, budget, "budget")
        n_c = len(population)
        self.fund_paid = ledger.transfer_each(CITY, self.fund_accounts, [levers.participatory_fund / 12.0] * n_c,
                                              "participatory_fund")
        fixed = [
            ("rc_wages", staff_cost[0], None),
            ("work_station", staff_cost[1], None),
            ("escalation", escalation_cost, None),
            ("grid", grid_cost, None),
            ("microfund_matching", levers.microfund_matching * donations_last_month.sum(), "fund_matching"),
            ("incubation", levers.so_incubation * economy.incubation_cost * n_c, "incubator"),
        ]
        fixed_total = sum(amount for _, amount, _ in fixed)
        split = split_budget(ledger.balance(self.account), fixed_total, levers.task_delegation,
                             levers.funds_follow_tasks, levers.purchase_share)
        for use, amount, target in fixed:
            amount = max(0.0, min(amount, ledger.balance(self.account)))
            if target is None:
                ledger.spend(self.account, amount, use)
            elif target == "incubator":
                ledger.transfer(self.account, "incubator", amount, use)
            else:
                self.fund_paid += ledger.transfer_each(self.account, self.fund_accounts,
                                                       amount * normalise(donations_last_month), use)
        ledger.transfer_each(self.account, self.rc_accounts, split.delegated_funded * population / population.sum(),
                             "funds_follow_tasks")
        self.budget_split = split
        return split.purchase * np.outer(population / population.sum(), self.direction)

    def public_spending(self, ledger: Ledger) -> float:
        """Public money paid out this month (CNY): the street's own outflow plus the city's fund money
        (sources §7.9: new money, but public money all the same)."""
        return ledger.outflow.get(self.account, 0.0) + ledger.outflow.get(CITY, 0.0)

    def provide(self, month: Month, economy: Economy, behaviour: Behaviour, ledger: Ledger, *, population: np.ndarray,
                unmet_last_month: np.ndarray, committee_hours: np.ndarray, station_hours: np.ndarray,
                refused_share: np.ndarray) -> None:
        """Spend what is left on direct provision (M2) and push administrative tasks down (M6).

        Departments' pooled money (sources §7.7) joins direct provision. Unfunded delegated tasks an
        RC refused (``refused_share`` per community, sources §7.14.1) stay with the departments, which
        spend on delivering them in that community (ledger ``refused_tasks``); the rest of the balance
        is direct provision. Sanctions of failed satisfaction audits re-aim a community's provision at
        its unmet needs and withdraw push-down (sources §7.13.2). Provision becomes
        ``month.government_units``; accepted unfunded tasks add to the RCs' administrative hours; a work
        station takes them over up to ``station_hours`` (sources §7.6) and delivers them as
        ``month.admin_units``.
        """
        lev = month.levers
        ledger.transfer("departments", self.account, pooled_department_funds(
            int(population.sum()), lev.resource_pooling, economy.department_funds_per_resident), "department_pooling")
        sanction = self.sanction * float(lev.satisfaction_audits)
        task_money = unfunded_task_money(self.budget_split.delegated_unfunded, population,
                                         economy.unfunded_task_hours_share)
        kept = kept_tasks(task_money, refused_share, self.direction, ledger.balance(self.account))
        ledger.spend(self.account, kept.sum(), "refused_tasks")
        self.spending = allocate_direct_provision(ledger.balance(self.account), self.direction, population,
                                                  unmet_last_month, lev.equality_redistribution)
        ledger.spend(self.account, self.spending.sum(), "direct_provision")
        self.spending = rectified_provision(self.spending + kept, unmet_last_month, sanction)
        month.government_units = self.spending / (economy.so_unit_cost * economy.government_cost_ratio)
        self.refused_hours = kept.sum(axis=1) / economy.so_unit_cost * economy.rc_unit_hours
        unfunded_hours = np.maximum(task_money / economy.so_unit_cost * economy.rc_unit_hours - self.refused_hours, 0.0)
        self.admin_demand = audited_pushdown(
            administrative_load(committee_hours, lev.admin_load, lev.directive_intensity, lev.burden_reduction,
                                lev.grid_management, behaviour.admin_directive_base, behaviour.grid_admin_load)
            + unfunded_hours, sanction, behaviour.audit_pushdown_cut)
        self.take_over_admin(month, economy, behaviour, station_hours)

    def take_over_admin(self, month: Month, economy: Economy, behaviour: Behaviour, station_hours: np.ndarray) -> None:
        """The work station's staff take administrative hours off the RCs up to their own hours
        (zero without a station) and deliver them as department services (sources §3.5 居站分设, sources §7.6)."""
        taken = work_station_takeover(self.admin_demand, station_hours)
        self.admin_demand = self.admin_demand - taken
        month.admin_units += department_services(taken, np.ones_like(taken), economy.admin_service_share,
                                                 economy.rc_unit_hours, behaviour.admin_service_mix)

    def audit(self, month_index: int, levers: Levers, behaviour: Behaviour, satisfaction: np.ndarray,
              community: np.ndarray) -> None:
        """Satisfaction audit (民意访评, sources §7.13) at the end of every audit period where audits exist:
        residents' satisfaction with services per community; failing units rectify, a second failure
        in a row is referred for discipline (the sanctions act from next month in :meth:`provide`)."""
        if not levers.satisfaction_audits or (month_index + 1) % behaviour.audit_period_months:
            return
        result = satisfaction_audit(
            satisfied_share(satisfaction, community, len(self.sanction), behaviour.satisfied_threshold),
            behaviour.audit_pass_share, self.audit_failures, self.disciplined, behaviour.audit_rectification,
            behaviour.audit_discipline)
        self.audit_failed, self.audit_failures = result.failed, result.failures
        self.disciplined, self.sanction = result.disciplined, result.sanction
        self.audit_referrals += int((result.failures > 1).sum())
