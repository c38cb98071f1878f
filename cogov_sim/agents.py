"""The five agent types of brief §2.

``Resident`` agents are Mesa agents whose state lives in the model's column arrays
(:class:`ResidentTable`); their monthly dynamics run vectorised in the model. The
institutional actors (one government, one RC per community, a few enterprises per
community, the social organisations) step as ordinary Mesa agents and call the mechanisms.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import mesa
import numpy as np

from .mechanisms.committee import (
    administrative_pressure,
    allocate_rc_hours,
    autonomy_drift,
    institutional_support,
    need_knowledge,
    rc_unit_cost,
)
from .mechanisms.common import normalise
from .mechanisms.enterprises import co_building_contribution, recognition
from .mechanisms.fund import CYCLE_MONTHS, project_allocation, split_grants
from .mechanisms.government import (
    TOP_DOWN_PRIORITY,
    administrative_load,
    coordinated,
    government_direction,
    information_quality,
    split_budget,
)
from .mechanisms.organisations import (
    learn_capacity,
    so_autonomy_target,
    so_service_direction,
)
from .mechanisms.supply import allocate_direct_provision
from .parameters import K

if TYPE_CHECKING:
    from .model import CommunityModel

#: Share of delegated service work that falls on RC staff hours when no money follows
#: the task (digest §4.3: 费随事转 exists to stop exactly this). Assumption.
UNFUNDED_TASK_HOURS_SHARE = 0.2
#: Incubation-centre running cost per community and month at full incubation (§4.4). Assumption.
INCUBATION_COST = 3000.0
#: Seed money for an incubated SO, and what founders put in without incubation (CNY). Assumption.
INCUBATED_SEED, FOUNDERS_SEED = 10000.0, 3000.0


@dataclass
class ResidentTable:
    """Column arrays holding every resident's state (one row per resident)."""

    community: np.ndarray
    building: np.ndarray
    stage: np.ndarray
    income: np.ndarray
    education: np.ndarray
    employed: np.ndarray
    employer: np.ndarray
    intensity: np.ndarray
    propensity: np.ndarray
    satisfaction: np.ndarray
    trust_government: np.ndarray
    trust_rc: np.ndarray
    belonging: np.ndarray
    efficacy: np.ndarray
    awareness: np.ndarray
    participated: np.ndarray
    year_counts: np.ndarray
    so_member: np.ndarray
    coverage: np.ndarray

    def __len__(self) -> int:
        return len(self.community)

    def append(self, other: ResidentTable) -> None:
        """Add the rows of ``other`` (migrant inflow)."""
        for f in fields(self):
            setattr(self, f.name, np.concatenate([getattr(self, f.name), getattr(other, f.name)]))


def _column(name: str) -> property:
    def get(self: Resident):
        return getattr(self.model.residents, name)[self.row]

    def set_(self: Resident, value) -> None:
        getattr(self.model.residents, name)[self.row] = value

    return property(get, set_, doc=f"This resident's ``{name}`` (a view into the model's column array).")


class Resident(mesa.Agent):
    """A resident (社区居民, internal driving force, digest §2).

    State lives in ``model.residents`` at row ``self.row``; attribute access reads and writes
    that row. Monthly dynamics are vectorised in :class:`~cogov_sim.model.CommunityModel`.
    """

    def __init__(self, model: CommunityModel, row: int) -> None:
        super().__init__(model)
        self.row = int(row)

    community = _column("community")
    stage = _column("stage")
    income = _column("income")
    employed = _column("employed")
    satisfaction = _column("satisfaction")
    trust_government = _column("trust_government")
    trust_rc = _column("trust_rc")
    belonging = _column("belonging")
    efficacy = _column("efficacy")
    awareness = _column("awareness")


class Government(mesa.Agent):
    """Street office with the district departments above it (基层政府, guiding force, digest §2)."""

    def __init__(self, model: CommunityModel) -> None:
        super().__init__(model)
        self.account = "government"
        self.direction = normalise(TOP_DOWN_PRIORITY)
        self.spending = np.zeros((model.n_communities, K))
        self.admin_demand = np.zeros(model.n_communities)
        self.response_chance = 0.0

    def step(self) -> None:
        """Receive the budget, set the direction, pay fixed costs, fund RCs, tender, provide."""
        m = self.model
        lev, eco = m.levers, m.scenario.economy
        ledger = m.ledger
        budget = lev.budget_per_resident * m.n_residents * (1.0 - m.budget_cut)
        ledger.transfer("treasury", self.account, budget, "budget")
        signals, strengths = m.information_channels()
        responsiveness = min(1.0, lev.responsiveness + 0.2 * lev.two_way_evaluation)
        self.direction = government_direction(TOP_DOWN_PRIORITY, signals, strengths, responsiveness)
        self.response_chance = responsiveness * information_quality(strengths)
        pop = m.community_population
        fixed = [  # paid first, in this order, as far as the budget goes
            ("escalation", m.escalations_last_month * eco.escalation_cost, None),
            ("grid", m.grid_workers.sum() * (m.scenario.population.staff_hours * eco.staff_wage
                                              + eco.grid_office_cost / max(lev.grid_staff, 1e-9)), None),
            ("participatory_fund", lev.participatory_fund / 12.0 * m.n_communities, "fund"),
            ("microfund_matching", lev.microfund_matching * m.donations_last_month.sum(), "fund_matching"),
            ("incubation", lev.so_incubation * INCUBATION_COST * m.n_communities, "incubator"),
        ]
        fixed_total = sum(amount for _, amount, _ in fixed)
        split = split_budget(ledger.balance(self.account), fixed_total, lev.task_delegation,
                             lev.funds_follow_tasks, lev.purchase_share)
        for use, amount, target in fixed:
            amount = max(0.0, min(amount, ledger.balance(self.account)))
            if target is None:
                ledger.spend(self.account, amount, use)
            elif target == "incubator":
                ledger.transfer(self.account, "incubator", amount, use)
            else:
                weights = (pop / pop.sum()) if target == "fund" else normalise(m.donations_last_month)
                for c in range(m.n_communities):
                    ledger.transfer(self.account, f"fund:{c}", amount * weights[c], use)
        for c, rc in enumerate(m.committees):
            ledger.transfer(self.account, rc.account, split.delegated_funded * pop[c] / pop.sum(), "funds_follow_tasks")
        purchase_cells = split.purchase * np.outer(pop / pop.sum(), self.direction)
        m.tender_contracts(purchase_cells)
        self.spending = allocate_direct_provision(ledger.balance(self.account), self.direction, pop, m.unmet_last_month,
                                                  lev.equality_redistribution)
        ledger.spend(self.account, self.spending.sum(), "direct_provision")
        m.government_units = self.spending / (eco.so_unit_cost * eco.government_cost_ratio)
        hours = m.committee_hours
        unfunded_hours = (split.delegated_unfunded * pop / pop.sum() / eco.so_unit_cost * eco.rc_unit_hours
                          * UNFUNDED_TASK_HOURS_SHARE)
        self.admin_demand = administrative_load(hours, lev.admin_load, lev.directive_intensity, lev.burden_reduction,
                                                lev.work_station, eco.work_station_absorption,
                                                lev.grid_management) + unfunded_hours


class ResidentsCommittee(mesa.Agent):
    """Residents' committee (居委会, the platform, digest §3): hours, autonomy, fund cycle."""

    def __init__(self, model: CommunityModel, community: int, autonomy: float) -> None:
        super().__init__(model)
        self.community = community
        self.autonomy = autonomy
        self.account = f"rc:{community}"
        self.fund_account = f"fund:{community}"
        pop = model.scenario.population
        self.staff = max(1, round(model.community_population[community] * pop.rc_staff_per_1000 / 1000.0))
        self.hours = self.staff * pop.staff_hours
        self.admin_share = 0.0
        self.overload = 0.0
        self.free_hours: dict[str, float] = {}
        self.knowledge = np.full(K, 1.0 / K)
        self.votes = np.zeros(K)
        self.experience = 0.0

    def step(self) -> None:
        """Spend hours (admin first), deliver services, run the fund cycle, update autonomy."""
        m = self.model
        c, lev, eco = self.community, m.levers, m.scenario.economy
        work = allocate_rc_hours(self.hours, m.government.admin_demand[c], self.autonomy,
                                 m.scenario.behaviour.refusable_share, lev.council)
        self.admin_share, self.overload, self.free_hours = work.admin_share, work.overload, work.free_hours
        n_c = m.community_population[c]
        self.knowledge = need_knowledge(normalise(m.demand[c]), m.government.direction, work.free_hours["needs"], n_c)
        m.rc_units[c] = work.free_hours["services"] / eco.rc_unit_hours * self.knowledge
        spent = m.ledger.spend(self.account, m.ledger.balance(self.account), "rc_services")
        cost = rc_unit_cost(eco.so_unit_cost, eco.government_cost_ratio, self.experience)
        m.rc_money_units[c] = spent / cost * self.knowledge
        self.experience += float(spent > 0)
        if (m.month + 1) % CYCLE_MONTHS == 0:
            self.run_fund_cycle()
        adequacy = lev.funds_follow_tasks if lev.task_delegation > 0 else 1.0
        pressure = administrative_pressure(lev.directive_intensity, m.government.admin_demand[c] / self.hours,
                                           adequacy, lev.grid_management)
        support = institutional_support(lev.rc_autonomy_support, m.engagement[c], lev.council, lev.two_way_evaluation)
        self.autonomy = autonomy_drift(self.autonomy, pressure, support, m.scenario.behaviour.autonomy_rate)

    def run_fund_cycle(self) -> None:
        """Micro-project cycle (征集→评审→实施→评估, digest §4.4): allocate the pool over domains,
        grant it to SOs of each domain or have projects implemented, evaluate voices."""
        m = self.model
        c, eco = self.community, m.scenario.economy
        pool = m.ledger.balance(self.fund_account)
        allocation = project_allocation(pool, self.votes, self.knowledge, m.levers.council)
        m.fund_share[c] = normalise(allocation)
        self.votes = np.zeros(K)
        for k in np.flatnonzero(allocation > 0):
            sos = [so for so in m.social_organisations if so.community == c and so.domain == k]
            room = np.array([CYCLE_MONTHS * (1.25 * so.capacity * eco.so_unit_cost + eco.so_overhead) - so.funds
                             for so in sos])
            grants, remainder = split_grants(allocation[k], room)
            for so, amount in zip(sos, grants, strict=True):
                m.ledger.transfer(self.fund_account, so.account, amount, "fund_grants")
                so.income_other += amount
            spent = m.ledger.spend(self.fund_account, max(0.0, min(remainder, m.ledger.balance(self.fund_account))),
                                   "fund_projects")
            m.project_units[c, k] += spent / (eco.so_unit_cost * 1.2) / CYCLE_MONTHS
        m.project_months_left[c] = CYCLE_MONTHS


class Enterprise(mesa.Agent):
    """Community enterprise or property company (驻社区企业/物业公司, supporting force, digest §2)."""

    def __init__(self, model: CommunityModel, community: int, offer_domain: int, capacity: float,
                 propensity: float, property_company: bool) -> None:
        super().__init__(model)
        self.community = community
        self.offer_domain = offer_domain
        self.capacity = capacity
        self.propensity = propensity
        self.property_company = property_company
        self.contribution = 0.0

    def step(self) -> None:
        """Offer market services and contribute to the community micro-fund (M8)."""
        m = self.model
        lev = m.levers
        self.contribution = co_building_contribution(
            m.scenario.economy.enterprise_giving, self.propensity, lev.coordination,
            recognition(lev.council, lev.microfund_matching, lev.two_way_evaluation))
        m.ledger.transfer("donors", f"fund:{self.community}", self.contribution, "co_building")
        m.donations_this_month[self.community] += self.contribution
        own = np.zeros(K)
        own[self.offer_domain] = 1.0
        m.market_units[self.community] += self.capacity * coordinated(own, m.main_line[self.community], lev.coordination)


class SocialOrganization(mesa.Agent):
    """Community social organisation (社区社会组织, integrating force, digest §2)."""

    def __init__(self, model: CommunityModel, community: int, domain: int, capacity: float,
                 professionalism: float, autonomy: float) -> None:
        super().__init__(model)
        self.community = community
        self.domain = domain
        self.capacity = capacity
        self.professionalism = professionalism
        self.autonomy = autonomy
        self.account = f"so:{self.unique_id}"
        self.months_unfunded = 0
        self.income_government = 0.0
        self.income_other = 0.0
        self.government_share = 0.0
        self.delivered = 0.0
        self.volunteers = 0

    @property
    def funds(self) -> float:
        """Money the SO holds (its ledger balance)."""
        return self.model.ledger.balance(self.account)

    def step(self) -> None:
        """Pay overhead, deliver services, learn, drift in autonomy, or die when funds run dry (M7)."""
        m = self.model
        eco, beh, lev = m.scenario.economy, m.scenario.behaviour, m.levers
        ledger = m.ledger
        income = self.income_government + self.income_other
        if income > 0:
            self.government_share += 0.2 * (self.income_government / income - self.government_share)
        self.income_government = self.income_other = 0.0
        if self.funds < eco.so_overhead:
            self.months_unfunded += 1
            if self.months_unfunded >= beh.so_death_months:
                self.dissolve()
                return
        else:
            self.months_unfunded = 0
        ledger.spend(self.account, min(self.funds, eco.so_overhead), "so_overhead")
        budget = self.capacity * eco.so_unit_cost
        spent = ledger.spend(self.account, min(self.funds, budget), "so_services")
        units = spent / eco.so_unit_cost * (0.6 + 0.4 * self.professionalism) + 0.5 * self.volunteers
        own = so_service_direction(self.domain, self.autonomy, m.government.direction)
        m.so_units[self.community] += units * coordinated(own, m.main_line[self.community], lev.coordination)
        self.delivered = units
        utilisation = min(1.0, spent / budget) if budget > 0 else 0.0
        self.capacity = learn_capacity(self.capacity, utilisation, beh.so_learning)
        if spent > 0:
            self.professionalism += 0.01 * (1.0 - self.professionalism)
        target = so_autonomy_target(self.government_share, lev.directive_intensity)
        self.autonomy += 0.05 * (target - self.autonomy)

    def dissolve(self) -> None:
        """Funds ran dry: close the account, free the members, leave the model."""
        self.model.ledger.close(self.account, "so_overhead")
        self.model.release_members(self.unique_id)
        self.remove()
