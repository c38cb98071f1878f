"""Community social organisations (社区社会组织, the integrating force, docs/sources.md §2, §5.3, §7.5).
Owns mechanism M7: two tiers (filed grassroots groups and registered professional SOs),
tenders, in-kind support, delivery, social workers, learning, agenda control, membership,
registration, birth and death.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import mesa
import numpy as np

from ..ledger import Ledger
from ..mechanisms.government import coordinated
from ..mechanisms.organisations import (
    allocate_purchase_contracts,
    bid_relative_price,
    delivery_shares,
    learn_capacity,
    registration_probability,
    so_agenda_target,
    so_output,
    so_service_direction,
)
from ..mechanisms.social_work import linkage_multiplier, social_worker_wages
from ..parameters import Behaviour, Economy, Levers
from ..state import Month

#: The two tiers of community organisation (sources §7.5.1: 登记少、备案多).
GRASSROOTS = "grassroots"      # filed (备案): dance teams, elderly associations, building groups
PROFESSIONAL = "professional"  # registered (登记): contracts, overhead, professional staff
TIERS = (GRASSROOTS, PROFESSIONAL)


class SocialOrganization(mesa.Agent):
    """Community social organisation (社区社会组织, integrating force, docs/sources.md §2, §7.5).

    Attributes:
        community, domain: its home community and what it serves. A grassroots group serves its home
            community; a professional SO bids for its domain's lots in every community of the street
            and delivers where its contracts are (sources §6.4, §8.2; ODD §7.20).
        contracts: contract money received from each community this month (CNY, per community).
        shares: where its services went last month, shares over the communities (see
            :func:`~cogov_sim.mechanisms.organisations.delivery_shares`).
        tier: ``"grassroots"`` (filed, 备案: no fixed cash cost, lives on its members' volunteering
            and in-kind support, fades without active members) or ``"professional"`` (registered,
            登记: wins tenders, pays overhead and social workers, dies when its funds run dry).
        capacity: service units it can deliver per month; professionalism in [0, 1].
        agenda_share: share of its work whose agenda government sets (以政代社, sources §7.5.2);
            ``autonomy`` is ``1 − agenda_share``.
        government_share: smoothed share of its income that comes from government.
        volunteers: members who volunteered last month; delivered: units delivered this month.
        social_workers: professional social workers it employs this month (FTE).
        dissolved: set when it died or faded (the model then removes it).
    """

    def __init__(self, model: mesa.Model, community: int, domain: int, capacity: float,
                 professionalism: float, autonomy: float, tier: str = PROFESSIONAL) -> None:
        super().__init__(model)
        if tier not in TIERS:
            raise ValueError(f"tier {tier!r}: allowed {TIERS}")
        self.community = community
        self.domain = domain
        self.tier = tier
        self.capacity = capacity
        self.professionalism = professionalism
        self.agenda_share = 1.0 - autonomy
        self.account = f"so:{self.unique_id}"
        self.months_unfunded = 0
        self.months_inactive = 0
        self.income_government = 0.0
        self.income_other = 0.0
        self.contracts = np.zeros(model.n_communities)
        self.shares = delivery_shares(self.contracts, 0.0, community)    # all at home until paid
        self.government_share = 0.0
        self.delivered = 0.0
        self.volunteers = 0
        self.social_workers = 0.0
        self.dissolved = False

    @property
    def autonomy(self) -> float:
        """Share of its work whose agenda it sets itself (1 − ``agenda_share``)."""
        return 1.0 - self.agenda_share

    @property
    def professional(self) -> bool:
        """Whether it is a registered professional SO (登记)."""
        return self.tier == PROFESSIONAL

    def receive(self, amount: float, from_government: bool) -> None:
        """Record income this month (the money itself moves in the ledger)."""
        if from_government:
            self.income_government += amount
        else:
            self.income_other += amount

    def receive_contracts(self, paid: np.ndarray) -> None:
        """Record this month's contract money from each community (government income; the money itself
        moves in the ledger)."""
        self.contracts += paid
        self.income_government += float(paid.sum())

    def count_volunteers(self, volunteers_by_organisation: dict[int, int]) -> None:
        """This month's volunteering members."""
        self.volunteers = volunteers_by_organisation.get(self.unique_id, 0)

    def register(self) -> None:
        """A filed grassroots group registers (备案 → 登记) and becomes a professional SO."""
        self.tier = PROFESSIONAL
        self.months_inactive = 0

    def step(self, month: Month, economy: Economy, behaviour: Behaviour, ledger: Ledger, direction: np.ndarray,
             rc_autonomy: np.ndarray, volunteer_multiplier: np.ndarray) -> None:
        """Pay costs, deliver services, learn, follow or shed government's agenda; a professional SO
        dissolves when funds run dry, a grassroots group when its members stop volunteering (M7).

        ``rc_autonomy`` and ``volunteer_multiplier`` are per community (the RCs' autonomy; the
        three-social linkage multiplier on volunteers' effort). Its paid services go to the
        communities by :func:`~cogov_sim.mechanisms.organisations.delivery_shares` (contract money,
        other income at home), its members' volunteering to its home community; its agenda target
        reads the RCs' autonomy weighted by the same shares."""
        eco, beh, lev = economy, behaviour, month.levers
        income = self.income_government + self.income_other
        if income > 0:
            self.government_share += beh.so_share_smoothing * (self.income_government / income - self.government_share)
        self.shares = delivery_shares(self.contracts, income - float(self.contracts.sum()), self.community)
        self.income_government = self.income_other = 0.0
        self.contracts[:] = 0.0
        budget = self.capacity * eco.so_unit_cost
        pay = self.pay_professional if self.professional else self.pay_grassroots
        spent = pay(eco, beh, ledger, budget)
        if self.dissolved:
            return
        volunteers = self.volunteers * float(volunteer_multiplier[self.community])
        units = so_output(spent, eco.so_unit_cost, self.professionalism, volunteers, eco.so_output_base,
                          beh.volunteer_units)
        at_home = so_output(0.0, eco.so_unit_cost, self.professionalism, volunteers, eco.so_output_base,
                            beh.volunteer_units)
        delivered = (units - at_home) * self.shares
        delivered[self.community] += at_home
        where = np.flatnonzero(delivered)
        own = so_service_direction(self.domain, self.agenda_share, direction)
        kappa = month.coordination[where]
        month.so_units[where] += delivered[where, None] * coordinated(own, month.main_line[where], kappa[:, None])
        month.so_steered[where] += delivered[where] * self.agenda_share * (1.0 - kappa)
        self.delivered = units
        # a professional SO is as busy as its money; a volunteer group as its members' work
        utilisation = min(1.0, (spent / budget if budget > 0 else 0.0) if self.professional else units / self.capacity)
        self.capacity = learn_capacity(self.capacity, utilisation, beh.so_learning, beh.so_max_capacity,
                                       beh.so_idle_decay)
        if spent > 0:
            self.professionalism += beh.so_professional_learning * (1.0 - self.professionalism)
        target = so_agenda_target(lev.directive_intensity, float(self.shares @ rc_autonomy), self.government_share,
                                  beh.agenda_rc_shield, beh.so_dependence_effect)
        self.agenda_share += beh.so_autonomy_speed * (target - self.agenda_share)

    def pay_professional(self, economy: Economy, behaviour: Behaviour, ledger: Ledger, budget: float) -> float:
        """Overhead, then services of which its social workers' wages are part; dissolves after
        ``so_death_months`` months without funds for the overhead. Returns the service spending."""
        funds = ledger.balance(self.account)
        if funds < economy.so_overhead:
            self.months_unfunded += 1
            if self.months_unfunded >= behaviour.so_death_months:
                ledger.close(self.account, "so_overhead")
                self.dissolved = True
                self.social_workers = 0.0
                return 0.0
        else:
            self.months_unfunded = 0
        ledger.spend(self.account, min(ledger.balance(self.account), economy.so_overhead), "so_overhead")
        spent = min(ledger.balance(self.account), budget)
        wages = social_worker_wages(spent, economy.so_staff_share, self.professionalism)
        ledger.spend(self.account, wages, "social_worker_wages")
        ledger.spend(self.account, spent - wages, "so_services")
        self.social_workers = wages / economy.social_worker_wage
        return spent

    def pay_grassroots(self, economy: Economy, behaviour: Behaviour, ledger: Ledger, budget: float) -> float:
        """No fixed cost: its activity money (if any) buys activities; fades after
        ``grassroots_fade_months`` months without a volunteering member. Returns the spending."""
        self.months_inactive = 0 if self.volunteers > 0 else self.months_inactive + 1
        if self.months_inactive >= behaviour.grassroots_fade_months:
            ledger.close(self.account, "grassroots_activities")
            self.dissolved = True
            return 0.0
        return ledger.spend(self.account, min(ledger.balance(self.account), budget), "grassroots_activities")


@dataclass
class SocialSector:
    """What the street's organisation sector accumulates beyond single organisations (outputs).

    Attributes:
        purchase_budgeted, purchase_paid: purchase-of-service money tendered and actually paid to
            SOs since the start (CNY); the rest stayed with government.
        posts: social workers (FTE) this month in the posts government purchases for each community.
        unabsorbed: this month's tendered money by community and domain that no SO absorbed, at the
            ceiling price (CNY; empty before the first tender).
    """

    n_communities: int
    purchase_budgeted: float = 0.0
    purchase_paid: float = 0.0
    posts: np.ndarray = field(init=False)
    unabsorbed: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.posts = np.zeros(self.n_communities)
        self.unabsorbed = np.zeros((self.n_communities, 0))

    def social_workers(self, organisations: Iterable[SocialOrganization]) -> np.ndarray:
        """Social workers (FTE) per community: purchased posts plus those professional SOs employ, each
        SO's in the communities where its services went (its ``shares``)."""
        out = self.posts.copy()
        for so in organisations:
            if so.social_workers:
                out += so.social_workers * so.shares
        return out

    @property
    def purchase_spending_ratio(self) -> float:
        """Purchase money actually paid to SOs ÷ the purchase budget, cumulative (0 before any budget)."""
        return self.purchase_paid / self.purchase_budgeted if self.purchase_budgeted > 0 else 0.0


def tender_contracts(organisations: list[SocialOrganization], budget: np.ndarray, economy: Economy, ledger: Ledger,
                     payer: str, sector: SocialSector) -> np.ndarray:
    """Purchase-of-service tenders (政府购买服务, docs/sources.md §4.5, §7.13): the budget by community
    and domain is awarded to the street's registered professional SOs of each domain, whatever their
    home community, at their bid prices
    (:func:`~cogov_sim.mechanisms.organisations.allocate_purchase_contracts`) and paid from
    ``payer``'s account. Returns the amounts paid by community and domain (CNY); what no SO can
    absorb and what the bids saved stay with the payer. What no SO absorbed (at the ceiling price)
    is left in ``sector.unabsorbed`` for the market entry of
    :func:`~cogov_sim.mechanisms.organisations.tender_market_entrants`."""
    sector.purchase_budgeted += float(budget.sum())
    sector.unabsorbed = budget.copy()
    bidders = [so for so in organisations if so.professional]
    if not bidders:
        return np.zeros_like(budget)
    domain = np.array([so.domain for so in bidders], np.int64)
    professionalism = np.array([so.professionalism for so in bidders])
    paid = allocate_purchase_contracts(budget, domain, np.array([so.capacity for so in bidders]), professionalism,
                                       economy.so_unit_cost, economy.so_overhead, economy.so_bid_price,
                                       economy.so_bid_professional_discount, economy.so_bid_room)
    for so, amounts in zip(bidders, paid, strict=True):
        ledger.transfer(payer, so.account, float(amounts.sum()), "purchase_of_services")
        so.receive_contracts(amounts)
    by_domain = np.eye(budget.shape[1])[domain].T                      # K × SOs
    contracted = (by_domain @ paid).T
    sector.unabsorbed -= (by_domain @ (paid / bid_relative_price(professionalism, economy.so_bid_price,
                                                                economy.so_bid_professional_discount)[:, None])).T
    sector.purchase_paid += float(contracted.sum())
    return contracted


def support_grassroots(organisations: Iterable[SocialOrganization], amount: float, ledger: Ledger, payer: str) -> None:
    """In-kind support of filed groups (sources §7.5.1; 一楼一品 with activity funds): ``amount`` CNY of
    activity money to every grassroots group from ``payer``'s account, as far as it goes."""
    for so in organisations:
        if not so.professional:
            paid = ledger.transfer(payer, so.account, max(0.0, min(amount, ledger.balance(payer))), "grassroots_support")
            so.receive(paid, from_government=True)


def purchase_social_work(month: Month, economy: Economy, ledger: Ledger, payer: str, direction: np.ndarray,
                         sector: SocialSector) -> None:
    """Government purchase of social-work services (sources §7.4.2): ``social_work_purchase / 12`` CNY per
    community a month (as far as ``payer``'s account goes) pays social-work posts, ``wages /
    social_worker_wage`` FTE each (``sector.posts``). Their casework delivers ``wages / so_unit_cost``
    units at full professionalism in the direction government sets, pulled toward the main line."""
    lev = month.levers
    for c in range(len(sector.posts)):
        wages = ledger.spend(payer, max(0.0, min(lev.social_work_purchase / 12.0, ledger.balance(payer))),
                             "social_work_purchase")
        sector.posts[c] = wages / economy.social_worker_wage
        month.so_units[c] += wages / economy.so_unit_cost * coordinated(direction, month.main_line[c],
                                                                        month.coordination[c])


def volunteer_multipliers(organisations: Sequence[SocialOrganization], sector: SocialSector, levers: Levers,
                          behaviour: Behaviour) -> np.ndarray:
    """The three-social linkage multiplier on volunteers' effort per community (sources §7.4.1), from the
    community's social workers and its organisations' volunteering members."""
    volunteers = np.zeros(sector.n_communities)
    for so in organisations:
        volunteers[so.community] += so.volunteers
    return linkage_multiplier(sector.social_workers(organisations), volunteers, levers.three_social_linkage,
                              behaviour.linkage_max_gain, behaviour.linkage_half_ratio)


def register_ready(organisations: Iterable[SocialOrganization], levers: Levers, economy: Economy,
                   behaviour: Behaviour, ledger: Ledger, rng: np.random.Generator) -> None:
    """Grassroots groups that are ready register as professional SOs (备案 → 登记, sources §7.5.1, §4.4.6),
    each with :func:`~cogov_sim.mechanisms.organisations.registration_probability`."""
    groups = [so for so in organisations if not so.professional]
    if not groups:
        return
    p = registration_probability(np.array([so.capacity for so in groups]),
                                 np.array([so.professionalism for so in groups]),
                                 np.array([ledger.balance(so.account) for so in groups]), levers.so_incubation,
                                 behaviour.registration_rate, behaviour.registration_capacity,
                                 behaviour.registration_funds_months * economy.so_overhead,
                                 behaviour.registration_incubation_boost)
    for so, registers in zip(groups, rng.random(len(groups)) < p, strict=True):
        if registers:
            so.register()


def strongest_group_by_cell(organisations: Iterable[SocialOrganization], n_communities: int,
                            n_domains: int) -> np.ndarray:
    """The id of the largest-capacity grassroots group per community and domain (−1 where none).

    Volunteers join residents' own groups (sources §7.5.1: dance teams, elderly associations,
    building groups living on their members' volunteering); a registered professional SO is staffed
    and paid from its contracts and takes no resident members (it reaches volunteers through its
    social workers, the three-social linkage of :func:`volunteer_multipliers`, sources §7.4.1), so a
    professional provider in the cell neither takes the cell's joining volunteers nor stops them
    founding a group of their own."""
    best = np.full((n_communities, n_domains), -1, np.int64)
    best_cap = np.zeros((n_communities, n_domains))
    for so in organisations:
        if not so.professional and so.capacity > best_cap[so.community, so.domain]:
            best[so.community, so.domain], best_cap[so.community, so.domain] = so.unique_id, so.capacity
    return best
