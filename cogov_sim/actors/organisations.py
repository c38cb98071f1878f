"""Community social organisations (社区社会组织, the integrating force, docs/sources.md §2, §5.3).
Owns mechanism M7: tenders, delivery, learning, autonomy, membership, birth and death.
"""

from __future__ import annotations

from collections.abc import Iterable

import mesa
import numpy as np

from ..ledger import Ledger
from ..mechanisms.government import coordinated
from ..mechanisms.organisations import (
    allocate_purchase_contracts,
    learn_capacity,
    so_autonomy_target,
    so_output,
    so_service_direction,
)
from ..parameters import Behaviour, Economy
from ..state import Month


class SocialOrganization(mesa.Agent):
    """Community social organisation (社区社会组织, integrating force, docs/sources.md §2).

    Attributes:
        community, domain: where and what it serves.
        capacity: service units it can deliver per month; professionalism, autonomy in [0, 1].
        government_share: smoothed share of its income that comes from government.
        volunteers: members who volunteered this month; delivered: units delivered this month.
        dissolved: set when its funds ran dry for too long (the model then removes it).
    """

    def __init__(self, model: mesa.Model, community: int, domain: int, capacity: float,
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
        self.dissolved = False

    def receive(self, amount: float, from_government: bool) -> None:
        """Record income this month (the money itself moves in the ledger)."""
        if from_government:
            self.income_government += amount
        else:
            self.income_other += amount

    def count_volunteers(self, volunteers_by_organisation: dict[int, int]) -> None:
        """This month's volunteering members."""
        self.volunteers = volunteers_by_organisation.get(self.unique_id, 0)

    def step(self, month: Month, economy: Economy, behaviour: Behaviour, ledger: Ledger, direction: np.ndarray) -> None:
        """Pay overhead, deliver services, learn, drift in autonomy, or dissolve when funds run dry (M7)."""
        eco, beh, lev = economy, behaviour, month.levers
        income = self.income_government + self.income_other
        if income > 0:
            self.government_share += beh.so_share_smoothing * (self.income_government / income - self.government_share)
        self.income_government = self.income_other = 0.0
        funds = ledger.balance(self.account)
        if funds < eco.so_overhead:
            self.months_unfunded += 1
            if self.months_unfunded >= behaviour.so_death_months:
                ledger.close(self.account, "so_overhead")
                self.dissolved = True
                return
        else:
            self.months_unfunded = 0
        ledger.spend(self.account, min(ledger.balance(self.account), eco.so_overhead), "so_overhead")
        budget = self.capacity * eco.so_unit_cost
        spent = ledger.spend(self.account, min(ledger.balance(self.account), budget), "so_services")
        units = so_output(spent, eco.so_unit_cost, self.professionalism, self.volunteers, eco.so_output_base,
                          beh.volunteer_units)
        own = so_service_direction(self.domain, self.autonomy, direction)
        month.so_units[self.community] += units * coordinated(own, month.main_line[self.community],
                                                              month.coordination[self.community])
        month.so_steered[self.community] += units * (1.0 - self.autonomy) * (1.0 - month.coordination[self.community])
        self.delivered = units
        utilisation = min(1.0, spent / budget) if budget > 0 else 0.0
        self.capacity = learn_capacity(self.capacity, utilisation, beh.so_learning, beh.so_max_capacity,
                                       beh.so_idle_decay)
        if spent > 0:
            self.professionalism += beh.so_professional_learning * (1.0 - self.professionalism)
        target = so_autonomy_target(self.government_share, lev.directive_intensity, beh.so_dependence_effect)
        self.autonomy += beh.so_autonomy_speed * (target - self.autonomy)


def tender_contracts(organisations: list[SocialOrganization], budget: np.ndarray, economy: Economy, ledger: Ledger,
                     payer: str) -> np.ndarray:
    """Purchase-of-service tenders (政府购买服务, docs/sources.md §4.5): the budget by community and
    domain is awarded to the SOs of each cell and paid from ``payer``'s account. Returns the
    amounts contracted by community and domain (CNY); what no SO can absorb stays with the payer."""
    contracted = np.zeros_like(budget)
    if not organisations:
        return contracted
    arr = np.array([(so.community, so.domain, so.capacity, so.professionalism) for so in organisations])
    amounts = allocate_purchase_contracts(budget, arr[:, 0].astype(int), arr[:, 1].astype(int), arr[:, 2], arr[:, 3],
                                          economy.so_unit_cost, economy.so_overhead, economy.so_bid_price,
                                          economy.so_bid_professional_discount, economy.so_bid_room)
    for so, amount in zip(organisations, amounts, strict=True):
        ledger.transfer(payer, so.account, amount, "purchase_of_services")
        so.receive(amount, from_government=True)
        contracted[so.community, so.domain] += amount
    return contracted


def strongest_by_cell(organisations: Iterable[SocialOrganization], n_communities: int, n_domains: int) -> np.ndarray:
    """The id of the largest-capacity organisation per community and domain (−1 where none)."""
    best = np.full((n_communities, n_domains), -1, np.int64)
    best_cap = np.zeros((n_communities, n_domains))
    for so in organisations:
        if so.capacity > best_cap[so.community, so.domain]:
            best[so.community, so.domain], best_cap[so.community, so.domain] = so.unique_id, so.capacity
    return best
