"""M6 residents' committee workload and autonomy (brief §4 M6; digest §3, §4.2, §4.3)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: How an RC splits its free hours (outreach, activities, mediation, collecting needs,
#: services, supporting the council). Assumption after digest §3 and §4.5 (五百工作机制).
FREE_HOUR_SHARES = {"outreach": 0.2, "activities": 0.25, "mediation": 0.15, "needs": 0.15,
                    "services": 0.25, "council": 0.0}
COUNCIL_SHARE = 0.1


@dataclass(frozen=True)
class Workload:
    """One RC's month: hours by use and the admin indicators."""

    admin_hours: float
    free_hours: dict[str, float]
    admin_share: float
    overload: float


def allocate_rc_hours(total_hours: float, admin_demand: float, autonomy: float, refusable: float,
                      council: bool) -> Workload:
    """Hours to administrative tasks first, as far as autonomy lets the RC refuse (digest §3, §4.3):

    ``accepted = L · (1 − α·ρ)``; ``admin = min(H, accepted)``; ``overload = max(0, accepted − H)/H``;
    free hours ``H − admin`` split by :data:`FREE_HOUR_SHARES` (10% to the council where one exists).
    """
    accepted = admin_demand * (1.0 - autonomy * refusable)
    admin = min(total_hours, accepted)
    free = total_hours - admin
    shares = dict(FREE_HOUR_SHARES)
    if council:
        shares = {k: v * (1.0 - COUNCIL_SHARE) for k, v in shares.items()}
        shares["council"] = COUNCIL_SHARE
    return Workload(admin_hours=admin, free_hours={k: free * v for k, v in shares.items()},
                    admin_share=admin / total_hours, overload=max(0.0, accepted - total_hours) / total_hours)


def autonomy_drift(autonomy: float, pressure: float, support: float, rate: float) -> float:
    """RC autonomy dynamics, "new shoes, old road" (穿新鞋,走老路, digest §4.2):

    ``α' = α + r·(support·(1 − α) − pressure·α)``, fixed point ``support/(support + pressure)``.
    """
    return float(np.clip(autonomy + rate * (support * (1.0 - autonomy) - pressure * autonomy), 0.0, 1.0))


def administrative_pressure(directive_intensity: float, demanded_share: float, funding_adequacy: float,
                            grid_management: bool) -> float:
    """Pressure on autonomy (digest §3 千条线一根针, §4.5 grid):
    ``d·(admin hours demanded / staff hours)·(1 − ½·funding adequacy) + 0.3·grid``.

    Pressure comes from what the street demands, not from what the RC accepts: refusing a
    task does not make the pressure to take it go away.
    """
    return directive_intensity * demanded_share * (1.0 - 0.5 * funding_adequacy) + 0.3 * float(grid_management)


def institutional_support(autonomy_support: float, engagement: float, council: bool, two_way: bool) -> float:
    """Support for autonomy: ``s + ½·engagement + 0.2·council + 0.2·two-way evaluation`` (digest §4.2–§4.4),
    with engagement the share of residents who voiced (public affairs or deliberation) this month."""
    return autonomy_support + 0.5 * engagement + 0.2 * float(council) + 0.2 * float(two_way)


def rc_unit_cost(so_unit_cost: float, cost_ratio: float, experience: float, months_to_learn: float = 24.0) -> float:
    """Cost per unit of service an RC buys with delegated money (digest §4.3 "whoever does the
    work uses the money"; gradual path in stages): it starts at government's cost and learns
    toward the SO cost, ``c_SO · (1 + (ratio − 1)·exp(−experience / 24 months))``."""
    return so_unit_cost * (1.0 + (cost_ratio - 1.0) * float(np.exp(-experience / months_to_learn)))


def need_knowledge(demand_mix: np.ndarray, direction: np.ndarray, collection_hours: float, residents: int,
                   hours_per_resident: float = 0.01) -> np.ndarray:
    """What an RC believes its residents need: ``q·demand mix + (1 − q)·g``, with
    ``q = min(1, collection hours / (0.01 h · residents))`` (digest §2: residents are the main
    information source; without collection the RC follows the street's direction)."""
    q = min(1.0, collection_hours / max(hours_per_resident * residents, 1e-9))
    return q * demand_mix + (1.0 - q) * direction
