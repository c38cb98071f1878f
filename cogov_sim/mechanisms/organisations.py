"""M7 social organisations: tenders, delivery, learning, autonomy, birth, death
(ODD §7.7; sources §2, §3, §4.4, §4.5, §5.3)."""

from __future__ import annotations

import numpy as np

from .common import safe_ratio


def allocate_purchase_contracts(budget: np.ndarray, community: np.ndarray, domain: np.ndarray,
                                capacity: np.ndarray, professionalism: np.ndarray, unit_cost: float,
                                overhead: float, bid_price: float, professional_discount: float,
                                room: float) -> np.ndarray:
    """Purchase-of-service tenders (政府购买服务, sources §4.5.1), CNY per SO.

    Within each cell (community c, domain k) of ``budget`` the bids are scored on capacity,
    professionalism and price, ``score_j = capacity_j · professionalism_j / price_j`` with the
    bid price per unit ``price_j = unit_cost · (p_0 − δ·professionalism_j)`` (``so_bid_price``,
    ``so_bid_professional_discount``: professional SOs bid lower); SO j receives
    ``min(ρ · capacity_j · unit_cost + overhead, budget_ck · score_j / Σ score)``: a bid
    prices the SO's capacity (with room ``ρ`` = ``so_bid_room`` to grow) plus its fixed costs.
    What no SO can absorb stays with government (it becomes direct provision).
    """
    if len(community) == 0:
        return np.zeros(0)
    n_c, n_k = budget.shape
    cell = community * n_k + domain
    score = capacity * professionalism / (bid_price - professional_discount * professionalism)
    total = np.bincount(cell, weights=score, minlength=n_c * n_k)
    share = safe_ratio(score, total[cell])
    return np.minimum(room * capacity * unit_cost + overhead, budget.ravel()[cell] * share)


def so_output(spent: float, unit_cost: float, professionalism: float, volunteers: int, output_base: float,
              volunteer_units: float) -> float:
    """Service units an SO delivers in a month (sources §5.3.2 lack of professionals; sources §3.3 volunteers):
    ``spent / unit_cost · (b + (1 − b)·professionalism) + v·volunteers`` with ``b`` =
    ``so_output_base`` and ``v`` = ``volunteer_units``."""
    return spent / unit_cost * (output_base + (1.0 - output_base) * professionalism) + volunteer_units * volunteers


def so_service_direction(domain: int, autonomy: float, steer: np.ndarray) -> np.ndarray:
    """Where an SO's effort goes (以政代社, sources §4.2): ``α·e_domain + (1 − α)·steer``.

    An autonomous SO serves its members' domain; a dependent one follows the direction
    government steers it to. (Coordination then pulls the result toward the main line.)
    """
    out = (1.0 - autonomy) * steer
    out[domain] += autonomy
    return out


def learn_capacity(capacity: float, utilisation: float, rate: float, max_capacity: float, idle_decay: float) -> float:
    """Learning by doing (ODD §7.7): ``cap' = max(1, cap·(1 + r·u·(1 − cap/cap_max) − δ·(1 − u)))`` with
    ``cap_max`` = ``so_max_capacity`` and ``δ`` = ``so_idle_decay``."""
    return max(1.0, capacity * (1.0 + rate * utilisation * (1.0 - capacity / max_capacity)
                                - idle_decay * (1.0 - utilisation)))


def so_autonomy_target(government_income_share: float, directive_intensity: float, dependence_effect: float) -> float:
    """An SO's autonomy tends to ``(1 − d)·(1 − e·government share of its income)``, ``e`` =
    ``so_dependence_effect``: a directive government treats SOs as its subordinates (以政代社,
    sources §4.2.4) and dependence on its money erodes independence further (sources §5.3.2)."""
    return (1.0 - directive_intensity) * (1.0 - dependence_effect * government_income_share)


def founding_counts(volunteers_with_need: np.ndarray, rate: float, incubation: float, boost: float,
                    self_organisation: float, rng: np.random.Generator) -> np.ndarray:
    """New SOs per community and domain (sources §2.5: set up by residents; sources §4.4.6 incubation):

    ``Poisson(rate · V_ck · (1 + boost·incubation) · self_organisation)`` with ``V_ck`` the
    volunteers of community c whose largest unmet need is in domain k and ``boost`` =
    ``incubation_founding_boost``.
    """
    return rng.poisson(rate * volunteers_with_need * (1.0 + boost * incubation) * self_organisation)
