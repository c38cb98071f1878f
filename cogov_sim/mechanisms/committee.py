"""M6 residents' committee workload and autonomy (ODD §7.6; sources §3, §4.2, §4.3)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Workload:
    """One RC's month: hours by use and the admin indicators.

    ``admin_hours`` are worked on administrative tasks (contract hours plus overtime);
    ``admin_share`` is their share of all hours worked; ``overload`` the admin work accepted
    beyond the contract room, per contract hour; ``overtime`` hours beyond contract per contract
    hour; ``quality`` the units an admin hour delivers relative to unhurried work.
    """

    admin_hours: float
    free_hours: dict[str, float]
    admin_share: float
    overload: float
    overtime: float = 0.0
    quality: float = 1.0


def allocate_rc_hours(total_hours: float, admin_demand: float, autonomy: float, refusable: float,
                      council: bool, free_hour_shares: dict[str, float], council_share: float,
                      protected_core: float = 0.0, overtime_cap: float = 0.0, quality_loss: float = 0.0) -> Workload:
    """Hours to administrative tasks first, as far as autonomy lets the RC refuse (sources §3.1, §4.3.1),
    with overload absorbed as overtime and lost quality (:func:`admin_under_load`, sources §7.6.2):

    ``accepted = L · (1 − α·ρ)``; contract admin hours, overtime and overload from
    :func:`admin_under_load`; free hours ``H − contract admin`` (never zero while the protected core
    ``c > 0``) split by ``free_hour_shares`` (``Behaviour.free_hour_shares``); where a council exists
    it gets ``council_share`` and the other uses shrink by ``1 − council_share``.
    ``admin share = (contract admin + overtime) / (H + overtime)``.
    """
    accepted = admin_demand * (1.0 - autonomy * refusable)
    load = admin_under_load(total_hours, accepted, protected_core, overtime_cap, quality_loss)
    free = total_hours - load.contract_hours
    shares = dict(free_hour_shares)
    if council:
        shares = {k: v * (1.0 - council_share) for k, v in shares.items()}
        shares["council"] = council_share
    worked = load.contract_hours + load.overtime_hours
    return Workload(admin_hours=worked, free_hours={k: free * v for k, v in shares.items()},
                    admin_share=worked / (total_hours + load.overtime_hours), overload=load.overload,
                    overtime=load.overtime_hours / total_hours, quality=load.quality)


@dataclass(frozen=True)
class AdminLoad:
    """How an RC's staff absorb the administrative work they accepted (:func:`admin_under_load`)."""

    contract_hours: float
    overtime_hours: float
    overload: float
    quality: float


def admin_under_load(contract: float, accepted: float, protected_core: float, overtime_cap: float,
                     quality_loss: float) -> AdminLoad:
    """Overload is overtime and lost quality, not the end of self-governance (sources §7.6.2, §5.5.2):

    with load ``x = accepted / H`` the RC protects a core of self-governance hours
    ``core = H · c / (1 + x)`` (``c`` = ``rc_protected_core``), which shrinks with load along a saturating
    curve but never reaches zero; admin work takes contract hours up to the room ``H − core``:
    ``a = min(accepted, H − core)``; what does not fit is the overload ``o = (accepted − a)/H``, worked in
    overtime up to the cap ``O = min(κ·H, accepted − a)`` (``κ`` = ``rc_overtime_hours / staff_hours``,
    the rest left undone), and every admin hour delivers ``q = 1 / (1 + θ·o)`` of its units
    (``θ`` = ``overload_quality_loss``).
    """
    x = accepted / contract
    room = contract * (1.0 - protected_core / (1.0 + x))
    admin = min(accepted, room)
    overload = (accepted - admin) / contract
    overtime = min(overtime_cap * contract, accepted - admin)
    return AdminLoad(contract_hours=admin, overtime_hours=overtime, overload=overload,
                     quality=1.0 / (1.0 + quality_loss * overload))


def autonomy_drift(autonomy: float, pressure: float, support: float, rate: float) -> float:
    """RC autonomy dynamics, "new shoes, old road" (穿新鞋,走老路, sources §4.2):

    ``α' = α + r·(support·(1 − α) − pressure·α)``, fixed point ``support/(support + pressure)``.
    """
    return float(np.clip(autonomy + rate * (support * (1.0 - autonomy) - pressure * autonomy), 0.0, 1.0))


def administrative_pressure(directive_intensity: float, demanded_share: float, funding_adequacy: float,
                            grid_management: bool, funding_relief: float, grid_pressure: float) -> float:
    """Pressure on autonomy (sources §3.1 千条线一根针, sources §4.5.5 grid):
    ``d·(admin hours demanded / staff hours)·(1 − r·funding adequacy) + p_grid·grid``
    with ``r`` = ``pressure_funding_relief`` and ``p_grid`` = ``pressure_grid``.

    Pressure comes from what the street demands, not from what the RC accepts: refusing a
    task does not make the pressure to take it go away.
    """
    return (directive_intensity * demanded_share * (1.0 - funding_relief * funding_adequacy)
            + grid_pressure * float(grid_management))


def institutional_support(autonomy_support: float, engagement: float, council: bool, two_way: bool,
                          engagement_weight: float, council_weight: float, two_way_weight: float) -> float:
    """Support for autonomy (sources §4.2.3, §4.3.2, §4.4.1):
    ``s + w_eng·engagement + w_council·council + w_2way·two-way evaluation`` (``support_engagement``,
    ``support_council``, ``support_two_way``), with engagement the share of residents who voiced
    (public affairs or deliberation) this month."""
    return (autonomy_support + engagement_weight * engagement + council_weight * float(council)
            + two_way_weight * float(two_way))


def rc_unit_cost(so_unit_cost: float, cost_ratio: float, experience: float, months_to_learn: float) -> float:
    """Cost per unit of service an RC buys with delegated money (sources §4.3.4 "whoever does the
    work spends the money"; sources §4.3.6 gradual path): it starts at government's cost and learns
    toward the SO cost, ``c_SO · (1 + (ratio − 1)·exp(−experience / T))`` with ``T`` =
    ``rc_cost_learning_months``."""
    return so_unit_cost * (1.0 + (cost_ratio - 1.0) * float(np.exp(-experience / months_to_learn)))


def response_chance(admin_share: float, autonomy: float, base: float) -> float:
    """Chance an RC acts on a resident's voice: ``(1 − admin share)·(b + (1 − b)·α)`` with ``b`` =
    ``rc_response_base`` (sources §3.1: administrative work leaves little room for residents;
    sources §4.2.3 self-governance)."""
    return (1.0 - admin_share) * (base + (1.0 - base) * autonomy)


def need_knowledge(demand_mix: np.ndarray, direction: np.ndarray, collection_hours: float, residents: int,
                   hours_per_resident: float) -> np.ndarray:
    """What an RC believes its residents need: ``q·demand mix + (1 − q)·g``, with
    ``q = min(1, collection hours / (h · residents))``, ``h`` = ``need_collection_hours``
    (sources §2.4: residents are the main information source; without collection the RC
    follows the street's direction)."""
    q = min(1.0, collection_hours / max(hours_per_resident * residents, 1e-9))
    return q * demand_mix + (1.0 - q) * direction


def office_occupation(department_offices: float, share: float) -> float:
    """Share of the RC's funds or activity space department offices occupy (sources §7.8.1:
    departments set up offices and posted staff in the community, taking its office space and
    budget): ``d · s`` with ``s`` = ``office_funds_share`` or ``office_space_share``."""
    return department_offices * share


def consent_refusal(autonomy: float, consent: float, council: bool, backing: float) -> float:
    """Share of the delegated tasks without money an RC refuses where transfers need the community
    organisation's agreement (征得社区组织同意, sources §7.14.1):
    ``refused = κ · (1 − (1 − α)·(1 − b·council))``, ``κ`` = ``task_consent``, ``b`` = ``consent_council_backing``.
    A quasi-subordinate RC (α = 0) without a council consents to everything; the council's backing
    lets it say no (sources §7.14.2)."""
    return consent * (1.0 - (1.0 - autonomy) * (1.0 - backing * float(council)))


def council_supervision(value: np.ndarray | float, accountable: np.ndarray | float, council: bool,
                        strength: float) -> np.ndarray | float:
    """A council deliberates and supervises the executive (议行分离, sources §4.2.3, §7.14.2):
    ``x' = x + σ·council·(accountable − x)``, ``σ`` = ``council_supervision``. Applied to the RC's
    autonomy as it acts on residents' voices (accountable = 1) and to its knowledge of their
    needs (accountable = their demand mix, instead of the street's direction)."""
    return value + strength * float(council) * (np.asarray(accountable) - value)
