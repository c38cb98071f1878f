"""M7 social organisations: tenders, delivery, learning, agenda control, registration, birth, death
(ODD §7.7, §7.15; sources §2, §3, §4.4, §4.5, §5.3, §7.5, §7.13)."""

from __future__ import annotations

import numpy as np

from .common import safe_ratio


def allocate_purchase_contracts(budget: np.ndarray, domain: np.ndarray, capacity: np.ndarray,
                                professionalism: np.ndarray, unit_cost: float, overhead: float, bid_price: float,
                                professional_discount: float, room: float) -> np.ndarray:
    """Purchase-of-service tenders of a street (政府购买服务, sources §4.5.1, §7.13.3), CNY paid per SO j
    (rows) and community c (columns).

    A registered professional SO keeps a home community but bids for the tendered lots of its domain
    in every community of the street: the sources' registered organisations are far fewer than
    communities and work across them (sources §6.4, §8.4: Mianyang's 23 social-work organisations for
    531 RCs, about one per street office of 23 RCs, sources §7.18.1; sources §8.2: Karamay's 83
    registered associations and non-enterprise units in a district of 58 communities).

    Bids are scored on capacity, professionalism and price,
    ``score_j = capacity_j · professionalism_j / price_j`` with the bid price per unit
    ``price_j = unit_cost · (p_0 − δ·professionalism_j)`` (``so_bid_price``,
    ``so_bid_professional_discount``: professional SOs bid lower). In each cell (c, k) of ``budget``
    the bidders are the SOs of domain k, which take shares by score, ``s_j = score_j / Σ_{i: k_i = k_j}
    score_i``. An SO's lots over all communities are bounded by one room, the price of its capacity
    with room ``ρ`` = ``so_bid_room`` to grow plus its fixed costs, paid once,
    ``R_j = ρ · capacity_j · unit_cost + overhead``; where its shares sum above it, its lots are scaled
    down in proportion:

    ``lot_jc = budget_{c,k_j} · s_j · min(1, R_j / (s_j · Σ_c budget_{c,k_j}))``,

    so ``Σ_j lot_jc ≤ budget_ck`` in every cell and ``Σ_c lot_jc ≤ R_j`` for every SO. Lots are
    budgeted at the ceiling price ``unit_cost · p_0`` (the price of a bidder without
    professionalism), and the SO is paid its own bid: ``paid_jc = lot_jc · price_j / (unit_cost · p_0)``.
    What no SO can absorb and what the bids save below the ceiling stay with government (sources
    §7.13.3: tenders saved 12–13% of the budget).
    """
    n_c, n_k = budget.shape
    if len(domain) == 0:
        return np.zeros((0, n_c))
    relative_price = bid_relative_price(professionalism, bid_price, professional_discount)
    score = capacity * professionalism / relative_price
    share = safe_ratio(score, np.bincount(domain, weights=score, minlength=n_k)[domain])
    asked = share * budget.sum(axis=0)[domain]                       # s_j · Σ_c budget_{c,k_j}
    bound = np.minimum(1.0, safe_ratio(room * capacity * unit_cost + overhead, asked, default=1.0))
    lot = budget[:, domain].T * (share * bound)[:, None]
    return lot * relative_price[:, None]


def bid_relative_price(professionalism: np.ndarray, bid_price: float, professional_discount: float) -> np.ndarray:
    """An SO's bid price relative to the tender's ceiling price (sources §4.5.1, §7.13.3):
    ``(p_0 − δ·professionalism) / p_0`` with ``p_0`` = ``so_bid_price`` and ``δ`` =
    ``so_bid_professional_discount`` (see :func:`allocate_purchase_contracts`)."""
    return 1.0 - professional_discount * professionalism / bid_price


def tender_market_entrants(unabsorbed: np.ndarray, overhead: float, min_capacity: float, unit_cost: float,
                           room: float, max_capacity: float) -> tuple[np.ndarray, np.ndarray]:
    """Capacity (0: none) and home community of the professional SO entering the street's tender market
    from outside this month, per domain k (sources §4.5.1: bundles of livelihood services are
    tendered, and a bundle goes to the organisation that bids for it; sources §7.5.3: professional
    service firms and NGOs; sources §6.4: Mianyang's social-work organisations have about 13 staff
    each, far more than a minimal team, and serve about a street office's 23 RCs each):

    ``q_k = clip((U_k − overhead) / (ρ · unit_cost), q_min, q_max)`` where
    ``U_k = Σ_c max(U_ck, 0) ≥ overhead + q_min · unit_cost``, else 0; home ``h_k = argmax_c U_ck``,

    with ``U_ck`` the tendered money (at the ceiling price) of community c and domain k that no SO
    absorbed, ``ρ`` = ``so_bid_room``, ``q_min`` = ``tender_entry_capacity`` and ``q_max`` =
    ``so_max_capacity``. A professional SO bids in every community of the street
    (:func:`allocate_purchase_contracts`), so one entrant per domain comes where the street's
    unabsorbed money of the domain pays at least a minimal professional SO's overhead and capacity for
    a month, sized to take all of it: its room as :func:`allocate_purchase_contracts` prices it
    (``ρ · q · unit_cost + overhead``) is ``U_k`` (within the bounds). It is based in the community
    with the most unabsorbed money of the domain. None where everything was absorbed.
    """
    money = np.maximum(unabsorbed, 0.0)
    street = money.sum(axis=0)
    capacity = np.clip((street - overhead) / (room * unit_cost), min_capacity, max_capacity)
    return np.where(street >= overhead + min_capacity * unit_cost, capacity, 0.0), np.argmax(money, axis=0)


def delivery_shares(contract_money: np.ndarray, other_income: float, home: int) -> np.ndarray:
    """Where an SO's paid services go this month, as shares over the street's communities (sources
    §4.5.1: a contract buys services for the community that tendered them): in proportion to the
    contract money ``m_c`` it received from each community, its other income ``o`` (fund grants,
    donations, activity money) counting for its home community ``h``:

    ``w_c = (m_c + o·1[c = h]) / (Σ_c m_c + o)``; all at home in a month without income.
    """
    weight = contract_money.astype(float, copy=True)
    weight[home] += other_income
    total = weight.sum()
    if total <= 0:
        weight[:] = 0.0
        weight[home] = 1.0
        return weight
    return weight / total


def so_output(spent: float, unit_cost: float, professionalism: float, volunteers: float, output_base: float,
              volunteer_units: float) -> float:
    """Service units an SO delivers in a month (sources §5.3.2 lack of professionals; sources §3.3 volunteers):
    ``spent / unit_cost · (b + (1 − b)·professionalism) + v·volunteers`` with ``b`` =
    ``so_output_base``, ``v`` = ``volunteer_units`` and ``volunteers`` the volunteering members'
    effort (members times the linkage multiplier of :func:`~cogov_sim.mechanisms.social_work.linkage_multiplier`)."""
    return spent / unit_cost * (output_base + (1.0 - output_base) * professionalism) + volunteer_units * volunteers


def so_service_direction(domain: int, agenda_share: float, steer: np.ndarray) -> np.ndarray:
    """Where an SO's effort goes (以政代社, sources §4.2, §7.5.2): ``(1 − a)·e_domain + a·steer``.

    ``a`` is the share of its work whose agenda government sets (:func:`so_agenda_target`): the
    rest serves its members' domain; the set share follows the direction government steers it
    to. (Coordination then pulls the result toward the main line.)
    """
    out = agenda_share * steer
    out[domain] += 1.0 - agenda_share
    return out


def learn_capacity(capacity: float, utilisation: float, rate: float, max_capacity: float, idle_decay: float) -> float:
    """Learning by doing (ODD §7.7): ``cap' = max(1, cap·(1 + r·u·(1 − cap/cap_max) − δ·(1 − u)))`` with
    ``cap_max`` = ``so_max_capacity`` and ``δ`` = ``so_idle_decay``."""
    return max(1.0, capacity * (1.0 + rate * utilisation * (1.0 - capacity / max_capacity)
                                - idle_decay * (1.0 - utilisation)))


def so_agenda_target(directive_intensity: float, rc_autonomy: float, government_income_share: float,
                     rc_shield: float, dependence_effect: float) -> float:
    """Share of an SO's work whose agenda government sets (以政代社, sources §7.5.2, §5.3.2, §3.1):

    ``a* = 1 − (1 − d·(1 − s·α_rc)) · (1 − e·g)``

    with ``d`` the directive intensity (government pushes its plan onto the organisations as onto
    subordinates), ``α_rc`` the autonomy of the community's RC, which keeps a share ``s`` =
    ``agenda_rc_shield`` of that push off the organisations it hosts (a dependent RC relays the
    street's tasks), ``g`` the government share of the SO's income and ``e`` =
    ``so_dependence_effect`` (who pays sets part of the agenda). Dependence thus shows in who sets
    the agenda, not only in where the money comes from.
    """
    push = directive_intensity * (1.0 - rc_shield * rc_autonomy)
    return 1.0 - (1.0 - push) * (1.0 - dependence_effect * government_income_share)


def registration_probability(capacity: np.ndarray, professionalism: np.ndarray, funds: np.ndarray,
                             incubation: float, rate: float, min_capacity: float, min_funds: float,
                             incubation_boost: float) -> np.ndarray:
    """Monthly chance that a filed grassroots group (备案) registers as a professional SO (登记)
    (sources §7.5.1: few register; sources §4.4.6 incubation):

    ``p = rate · professionalism · (1 + boost·incubation) · 1[capacity ≥ cap_min] · 1[funds ≥ F_min]``

    with ``rate`` = ``registration_rate``, ``cap_min`` = ``registration_capacity``, ``F_min`` =
    ``registration_funds_months · so_overhead`` and ``boost`` = ``registration_incubation_boost``
    (capped at 1).
    """
    ready = (capacity >= min_capacity) & (funds >= min_funds)
    return np.minimum(1.0, rate * professionalism * (1.0 + incubation_boost * incubation)) * ready


def founding_counts(volunteers_with_need: np.ndarray, rate: float, incubation: float, boost: float,
                    self_organisation: float, rng: np.random.Generator) -> np.ndarray:
    """New grassroots groups per community and domain (sources §2.5: set up by residents; sources §7.5.1:
    they start filed, not registered; sources §4.4.6 incubation):

    ``min(V_ck, Poisson(rate · V_ck · (1 + boost·incubation) · self_organisation))`` with ``V_ck`` the
    volunteers of community c whose largest unmet need is in domain k and ``boost`` =
    ``incubation_founding_boost``; a group needs at least one founder of its own.
    """
    births = rng.poisson(rate * volunteers_with_need * (1.0 + boost * incubation) * self_organisation)
    return np.minimum(births, volunteers_with_need.astype(np.int64))


def assign_founders(cell: np.ndarray, births: np.ndarray, founders: int, keys: np.ndarray) -> np.ndarray:
    """Which of this month's new groups each unserved volunteer founds (sources §2.5: groups are set up
    by residents; each resident founds at most one group), as the group's index within its cell
    (−1: founds none).

    ``cell``: each volunteer's cell (community · K + domain); ``births``: new groups per cell (flat);
    ``keys``: a uniform draw per volunteer. The volunteers of a cell are ranked by their keys (a
    draw without replacement); rank ``r`` founds group ``r mod b`` of the cell's ``b`` new groups if
    ``r < b · founders``. The founders are thus distinct, and with ``n = min(V, b · founders)`` of the
    cell's ``V`` volunteers founding, each of its groups has ``⌊n/b⌋`` or ``⌈n/b⌉`` founders (at least
    one when ``b ≤ V``, which :func:`founding_counts` ensures).
    """
    order = np.lexsort((keys, cell))
    ordered = cell[order]
    rank = np.empty(len(cell), np.int64)
    rank[order] = np.arange(len(cell)) - np.searchsorted(ordered, ordered, side="left")
    b = births[cell]
    return np.where(rank < b * founders, rank % np.maximum(b, 1), -1)
