"""M7 social organisations: tenders, delivery, learning, agenda control, registration, birth, death
(ODD §7.7, §7.15; sources §2, §3, §4.4, §4.5, §5.3, §7.5, §7.13)."""

from __future__ import annotations

import numpy as np

from .common import safe_ratio


def allocate_purchase_contracts(budget: np.ndarray, community: np.ndarray, domain: np.ndarray,
                                capacity: np.ndarray, professionalism: np.ndarray, unit_cost: float,
                                overhead: float, bid_price: float, professional_discount: float,
                                room: float) -> np.ndarray:
    """Purchase-of-service tenders (政府购买服务, sources §4.5.1, §7.13.3), CNY paid per SO.

    Within each cell (community c, domain k) of ``budget`` the bids are scored on capacity,
    professionalism and price, ``score_j = capacity_j · professionalism_j / price_j`` with the
    bid price per unit ``price_j = unit_cost · (p_0 − δ·professionalism_j)`` (``so_bid_price``,
    ``so_bid_professional_discount``: professional SOs bid lower). SO j wins the lot
    ``lot_j = min(ρ · capacity_j · unit_cost + overhead, budget_ck · score_j / Σ score)`` (a lot
    prices the SO's capacity with room ``ρ`` = ``so_bid_room`` to grow, plus its fixed costs),
    budgeted at the ceiling price ``unit_cost · p_0`` (the price of a bidder without
    professionalism), and is paid its own bid: ``paid_j = lot_j · price_j / (unit_cost · p_0)``.
    What no SO can absorb and what the bids save below the ceiling stay with government (sources
    §7.13.3: tenders saved 12–13% of the budget).
    """
    if len(community) == 0:
        return np.zeros(0)
    n_c, n_k = budget.shape
    cell = community * n_k + domain
    relative_price = bid_relative_price(professionalism, bid_price, professional_discount)
    score = capacity * professionalism / relative_price
    total = np.bincount(cell, weights=score, minlength=n_c * n_k)
    share = safe_ratio(score, total[cell])
    lot = np.minimum(room * capacity * unit_cost + overhead, budget.ravel()[cell] * share)
    return lot * relative_price


def bid_relative_price(professionalism: np.ndarray, bid_price: float, professional_discount: float) -> np.ndarray:
    """An SO's bid price relative to the tender's ceiling price (sources §4.5.1, §7.13.3):
    ``(p_0 − δ·professionalism) / p_0`` with ``p_0`` = ``so_bid_price`` and ``δ`` =
    ``so_bid_professional_discount`` (see :func:`allocate_purchase_contracts`)."""
    return 1.0 - professional_discount * professionalism / bid_price


def tender_market_entrants(unabsorbed: np.ndarray, overhead: float, min_capacity: float, unit_cost: float,
                           room: float, max_capacity: float) -> np.ndarray:
    """Capacity of the professional SO entering each community's tender market from outside this month,
    per community c and domain k (0: none) (sources §4.5.1: bundles of livelihood services are
    tendered, and a bundle goes to the organisation that bids for it; sources §7.5.3: professional
    service firms and NGOs; sources §6.4: Mianyang's social-work organisations have about 13 staff
    each, far more than a minimal team):

    ``q_ck = clip((U_ck − overhead) / (ρ · unit_cost), q_min, q_max)`` where
    ``U_ck ≥ overhead + q_min · unit_cost``, else 0,

    with ``U_ck`` the tendered money (at the ceiling price) no SO of the cell absorbed, ``ρ`` =
    ``so_bid_room``, ``q_min`` = ``tender_entry_capacity`` and ``q_max`` = ``so_max_capacity``. An
    entrant comes where the unabsorbed bundle pays at least a minimal professional SO's overhead and
    capacity for a month, one per cell, sized to take the whole bundle: its lot as
    :func:`allocate_purchase_contracts` prices it (``ρ · q · unit_cost + overhead``) is the bundle
    (within the bounds). None where everything was absorbed.
    """
    money = np.maximum(unabsorbed, 0.0)
    capacity = np.clip((money - overhead) / (room * unit_cost), min_capacity, max_capacity)
    return np.where(money >= overhead + min_capacity * unit_cost, capacity, 0.0)


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
