"""Residents' committee (居委会, the platform, docs/sources.md §3). Owns mechanism M6 (hours and
autonomy) and M10 (the participatory fund's micro-project cycle).
"""

from __future__ import annotations

from collections.abc import Sequence

import mesa
import numpy as np

from ..ledger import Ledger
from ..mechanisms.committee import (
    administrative_pressure,
    allocate_rc_hours,
    autonomy_drift,
    consent_refusal,
    council_supervision,
    institutional_support,
    need_knowledge,
    office_occupation,
    rc_unit_cost,
    response_chance,
)
from ..mechanisms.common import normalise
from ..mechanisms.fund import project_allocation, split_grants
from ..mechanisms.government import department_services
from ..parameters import Behaviour, Economy, K, Levers, Population
from ..state import Month


class ResidentsCommittee(mesa.Agent):
    """Residents' committee (居委会, the platform, docs/sources.md §3) of one community.

    Attributes:
        autonomy: self-governing autonomy α in [0, 1] (M6).
        staff, hours: staff and their monthly hours.
        admin_share, overload, overtime, free_hours: this month's workload (M6).
        activity_space: share of the RC's activity space left by department offices (sources §7.8.1).
        knowledge: what the RC believes its residents need (a mix over domains).
        votes: deliberators' unmet needs gathered over the current fund cycle (M10).
        fund_share: how the last fund cycle split the pool over domains.
        project_units: service units per month delivered by the current cycle's projects.
        project_months_left: months the current projects still run.
        supervised: a council supervises this RC (sources §7.14.2; set each month from the levers).
        response: chance the RC acts on a resident's voice, after this month's work (M4 input).
    """

    def __init__(self, model: mesa.Model, community: int, autonomy: float, residents: float,
                 population: Population) -> None:
        super().__init__(model)
        self.community = community
        self.autonomy = autonomy
        self.account = f"rc:{community}"
        self.fund_account = f"fund:{community}"
        self.staff = max(1, round(residents * population.rc_staff_per_1000 / 1000.0))
        self.hours = self.staff * population.staff_hours
        self.admin_share = 0.0
        self.overload = 0.0
        self.overtime = 0.0
        self.activity_space = 1.0
        self.free_hours: dict[str, float] = {}
        self.knowledge = np.full(K, 1.0 / K)
        self.votes = np.zeros(K)
        self.experience = 0.0
        self.fund_share = np.zeros(K)
        self.project_units = np.zeros(K)
        self.project_months_left = 0
        self.supervised = False
        self.response = 0.0

    def begin_month(self) -> None:
        """Projects of a finished cycle stop delivering."""
        self.project_months_left = max(self.project_months_left - 1, 0)
        if self.project_months_left == 0:
            self.project_units[:] = 0.0

    def step(self, month: Month, economy: Economy, behaviour: Behaviour, ledger: Ledger, *, admin_demand: np.ndarray,
             direction: np.ndarray, population: np.ndarray, engagement: np.ndarray,
             organisations: Sequence[Sequence]) -> None:
        """Spend hours (admin first), deliver services, run the fund cycle, update autonomy.

        Per-community inputs are indexed by this RC's community: the administrative hours
        government pushed down, residents, last month's engagement, and ``organisations``: the
        street's social organisations grouped by community (this community's are the fund's grantees).
        """
        c, lev = self.community, month.levers
        admin_demand = float(admin_demand[c])
        residents, engagement = population[c], engagement[c]
        organisations = organisations[c]
        beh = behaviour
        work = allocate_rc_hours(self.hours, admin_demand, self.autonomy, beh.refusable_share, lev.council,
                                 beh.free_hour_shares, beh.council_hours_share, beh.rc_protected_core,
                                 beh.rc_overtime_hours / self.hours * self.staff, beh.overload_quality_loss)
        self.admin_share, self.overload, self.free_hours = work.admin_share, work.overload, work.free_hours
        self.overtime = work.overtime
        month.admin_units[c] += department_services(np.array([work.admin_hours]), np.array([work.quality]),
                                                    economy.admin_service_share, economy.rc_unit_hours,
                                                    beh.admin_service_mix)[0]
        self.host_department_offices(lev.department_offices, economy, ledger)
        need_mix = normalise(month.demand[c])
        self.knowledge = need_knowledge(need_mix, direction, work.free_hours["needs"], residents,
                                        beh.need_collection_hours)
        self.supervised = bool(lev.council)
        self.knowledge = council_supervision(self.knowledge, need_mix, self.supervised, beh.council_supervision)
        month.rc_units[c] = work.free_hours["services"] / economy.rc_unit_hours * self.knowledge
        spent = ledger.spend(self.account, ledger.balance(self.account), "rc_services")
        cost = rc_unit_cost(economy.so_unit_cost, economy.government_cost_ratio, self.experience,
                            economy.rc_cost_learning_months)
        month.rc_money_units[c] = spent / cost * self.knowledge
        self.experience += float(spent > 0)
        if (month.index + 1) % beh.fund_cycle_months == 0:
            self.run_fund_cycle(economy, beh.fund_cycle_months, ledger, lev.council, organisations)
        adequacy = lev.funds_follow_tasks if lev.task_delegation > 0 else 1.0
        pressure = administrative_pressure(lev.directive_intensity, admin_demand / self.hours, adequacy,
                                           lev.grid_management, beh.pressure_funding_relief, beh.pressure_grid)
        support = institutional_support(lev.rc_autonomy_support, engagement, lev.council, lev.two_way_evaluation,
                                        beh.support_engagement, beh.support_council, beh.support_two_way)
        self.autonomy = autonomy_drift(self.autonomy, pressure, support, beh.autonomy_rate)
        self.response = self.response_chance(beh)

    def host_department_offices(self, department_offices: float, economy: Economy, ledger: Ledger) -> None:
        """Department offices in the community take their share of the funds that followed tasks and
        of the activity space (sources §7.8.1, the cooperative model's cost)."""
        ledger.spend(self.account, office_occupation(department_offices, economy.office_funds_share)
                     * ledger.balance(self.account), "department_offices")
        self.activity_space = 1.0 - office_occupation(department_offices, economy.office_space_share)

    def response_chance(self, behaviour: Behaviour) -> float:
        """Chance this RC acts on a resident's voice this month (M4 input); a supervising council
        holds it to account (sources §7.14.2)."""
        return response_chance(self.admin_share,
                               council_supervision(self.autonomy, 1.0, self.supervised, behaviour.council_supervision),
                               behaviour.rc_response_base)

    def consent_refusal(self, levers: Levers, behaviour: Behaviour) -> float:
        """Share of this month's delegated tasks without money the RC refuses where transfers need its
        agreement (征得社区组织同意, sources §7.14.1); its council backs the refusal."""
        return consent_refusal(self.autonomy, levers.task_consent, levers.council, behaviour.consent_council_backing)

    def hear_residents(self, votes: np.ndarray) -> None:
        """Deliberators' unmet needs this month (community × domain) join this cycle's votes."""
        self.votes += votes[self.community]

    def run_fund_cycle(self, economy: Economy, cycle_months: int, ledger: Ledger, council: bool,
                       organisations: Sequence) -> None:
        """Micro-project cycle (征集→评审→实施→评估, docs/sources.md §4.4): allocate the pool over
        domains, grant it to SOs of each domain or have projects implemented, evaluate voices."""
        pool = ledger.balance(self.fund_account)
        allocation = project_allocation(pool, self.votes, self.knowledge, council)
        self.fund_share = normalise(allocation)
        self.votes = np.zeros(K)
        domains = np.array([so.domain for so in organisations], dtype=np.int64)
        room = (cycle_months * (economy.so_bid_room * np.array([so.capacity for so in organisations], dtype=float)
                                * economy.so_unit_cost + economy.so_overhead)
                - np.array([ledger.balance(so.account) for so in organisations], dtype=float))
        project_cost = economy.so_unit_cost * economy.project_cost_factor
        for k in np.flatnonzero(allocation > 0).tolist():
            members = np.flatnonzero(domains == k)
            sos = [organisations[i] for i in members.tolist()]
            grants, remainder = split_grants(allocation[k], room[members])     # each SO's room before any grant
            ledger.transfer_each(self.fund_account, [so.account for so in sos], grants, "fund_grants")
            for so, amount in zip(sos, grants, strict=True):
                so.receive(amount, from_government=False)
            spent = ledger.spend(self.fund_account, max(0.0, min(remainder, ledger.balance(self.fund_account))),
                                 "fund_projects")
            self.project_units[k] += spent / project_cost / cycle_months
        self.project_months_left = cycle_months
