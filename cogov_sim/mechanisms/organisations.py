"""M7 social organisations: tenders, delivery, learning, autonomy, birth, death
(brief §4 M7; digest §2, §3, §4.4, §4.5, §5.3)."""

from __future__ import annotations

import numpy as np

from .common import safe_ratio

#: Capacity ceiling of one SO, service units per month (assumption).
MAX_CAPACITY = 400.0


def allocate_purchase_contracts(budget: np.ndarray, community: np.ndarray, domain: np.ndarray,
                                capacity: np.ndarray, professionalism: np.ndarray, unit_cost: float,
                                overhead: float) -> np.ndarray:
    """Purchase-of-service tenders (政府购买服务, digest §4.5), CNY per SO.

    Within each cell (community c, domain k) of ``budget`` the bids are scored on capacity,
    professionalism and price, ``score_j = capacity_j · professionalism_j / price_j`` with the
    bid price per unit ``price_j = unit_cost · (1.3 − 0.6·professionalism_j)`` (professional SOs
    bid lower); SO j receives
    ``min(1.25 · capacity_j · unit_cost + overhead, budget_ck · score_j / Σ score)``: a bid
    prices the SO's capacity (with 25% room to grow) plus its fixed costs. What no SO can
    absorb stays with government (it becomes direct provision).
    """
    if len(community) == 0:
        return np.zeros(0)
    n_c, n_k = budget.shape
    cell = community * n_k + domain
    score = capacity * professionalism / (1.3 - 0.6 * professionalism)
    total = np.bincount(cell, weights=score, minlength=n_c * n_k)
    share = safe_ratio(score, total[cell])
    return np.minimum(1.25 * capacity * unit_cost + overhead, budget.ravel()[cell] * share)


def so_service_direction(domain: int, autonomy: float, steer: np.ndarray) -> np.ndarray:
    """Where an SO's effort goes (以政代社, digest §4.2): ``α·e_domain + (1 − α)·steer``.

    An autonomous SO serves its members' domain; a dependent one follows the direction
    government steers it to. (Coordination then pulls the result toward the main line.)
    """
    out = (1.0 - autonomy) * steer
    out[domain] += autonomy
    return out


def learn_capacity(capacity: float, utilisation: float, rate: float) -> float:
    """Learning by doing (brief §4 M7): ``cap' = cap·(1 + r·u·(1 − cap/cap_max) − 0.02·(1 − u))``."""
    return max(1.0, capacity * (1.0 + rate * utilisation * (1.0 - capacity / MAX_CAPACITY) - 0.02 * (1.0 - utilisation)))


def so_autonomy_target(government_income_share: float, directive_intensity: float) -> float:
    """An SO's autonomy tends to ``(1 − d)·(1 − ½·government share of its income)``: a directive
    government treats SOs as its subordinates (以政代社, digest §4.2) and dependence on its money
    erodes independence further (§5.3)."""
    return (1.0 - directive_intensity) * (1.0 - 0.5 * government_income_share)


def founding_counts(volunteers_with_need: np.ndarray, rate: float, incubation: float, self_organisation: float,
                    rng: np.random.Generator) -> np.ndarray:
    """New SOs per community and domain (digest §2: founded by residents; §4.4 incubation):

    ``Poisson(rate · V_ck · (1 + 2·incubation) · self_organisation)`` with ``V_ck`` the
    volunteers of community c whose largest unmet need is in domain k.
    """
    return rng.poisson(rate * volunteers_with_need * (1.0 + 2.0 * incubation) * self_organisation)
