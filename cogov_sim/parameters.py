"""Typed, documented scenario parameters: population, economy, levers and behaviour.

Every parameter carries its default, allowed range, unit and source in the dataclass
field metadata, so that scenario validation (:mod:`cogov_sim.scenario`), the README's
lever table and the parameter table of ``docs/ODD.md`` all read one definition.

Sources are cited as digest sections (``§4.3`` = ``shared/domain/seed-digest.md`` §4.3),
model-brief sections (``brief §5``), calibration targets (``T1``–``T5``, brief §7) or
"assumption" where the sources give no figure (flagged for calibration).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

#: The six service domains (brief §2), aligned with the six kinds of community social
#: organisation of digest §2.
DOMAINS: tuple[str, ...] = (
    "welfare",  # welfare and elder care — service-welfare (服务福利)
    "children",  # children and education — culture-sports-science-education (文体科教)
    "health",  # health — health-family-planning (医疗计生)
    "environment",  # environment and property — environment-property (环境物业)
    "safety",  # safety and mediation — security-mediation (治安民调)
    "culture",  # culture and sports — culture-sports (文体) / co-building (共建发展)
)
K = len(DOMAINS)

#: Life stages (brief §2).
LIFE_STAGES: tuple[str, ...] = ("youth", "working", "retiree")

#: Participation types (brief §4 M3). Activities and public affairs are separate
#: survey instruments in the sources (digest §6: T2/T3 ask about public affairs, T4 about
#: community activities).
PARTICIPATION_TYPES: tuple[str, ...] = ("activity", "public_affairs", "volunteer", "deliberation")


def param(
    default: Any,
    lo: float | None = None,
    hi: float | None = None,
    *,
    unit: str = "",
    source: str,
    doc: str,
) -> Any:
    """Declare a scenario parameter with its range, unit, source and description."""
    return field(default=default, metadata={"range": (lo, hi), "unit": unit, "source": source, "doc": doc})


@dataclass(frozen=True)
class Population:
    """Who lives in the street and how it is organised (brief §2–§3)."""

    residents: int = param(5000, 50, 1_000_000, unit="persons", source="brief §2 (10^3–10^5)",
                           doc="Number of residents in the street.")
    residents_per_community: int = param(2500, 100, 20_000, unit="persons",
                                         source="assumption; Mianyang 531 RCs (§6)",
                                         doc="Residents per community (one RC each).")
    residents_per_building: int = param(60, 6, 600, unit="persons", source="assumption",
                                        doc="Residents per building; households nest in buildings.")
    mean_household_size: float = param(2.6, 1.0, 6.0, unit="persons", source="2020 census (NBS): 2.62",
                                       doc="Mean household size.")
    residents_per_grid: int = param(4500, 100, 20_000, unit="persons", source="§4.5 (4,000–5,000 per grid)",
                                    doc="Residents per grid (网格).")
    share_youth: float = param(0.22, 0.0, 1.0, unit="share", source="2020 census (NBS): ages 0–19 ≈ 23%",
                               doc="Share of youth/students.")
    share_retiree: float = param(0.20, 0.0, 1.0, unit="share", source="2020 census (NBS): 60+ ≈ 18.7%",
                                 doc="Share of retirees; the rest are working-age.")
    employment_rate: float = param(0.85, 0.0, 1.0, unit="share", source="assumption",
                                   doc="Share of working-age residents employed.")
    local_employment_share: float = param(0.3, 0.0, 1.0, unit="share", source="§2 (enterprises employ residents)",
                                          doc="Share of the employed who work for an enterprise in their community.")
    enterprises_per_community: int = param(4, 0, 100, unit="enterprises", source="brief §2 (a few per community)",
                                           doc="Enterprises per community; the first is the property company.")
    initial_sos_per_community: int = param(2, 0, 100, unit="SOs",
                                           source="assumption (§5.3 SOs are weak); §6 Karamay's 8.6 is a developed case",
                                           doc="Social organisations per community at the start.")
    rc_staff_per_1000: float = param(2.8, 0.2, 20.0, unit="staff/1000 residents",
                                     source="§6 Mianyang (55 staff / 13 RCs ≈ 4.2 per RC); assumption 7 per 2,500",
                                     doc="Residents' committee staff per 1,000 residents (at least one per RC).")
    staff_hours: float = param(168.0, 40.0, 250.0, unit="hours/staff/month", source="assumption (42 h week)",
                               doc="Working hours per RC staff member per month.")
    initial_belonging: float = param(0.3, 0.0, 1.0, unit="index", source="§5.2 (dormitory)",
                                     doc="Mean initial belonging (Beta-distributed).")
    initial_awareness: float = param(0.5, 0.0, 1.0, unit="index", source="assumption",
                                     doc="Mean initial awareness of the RC.")
    initial_trust: float = param(0.5, 0.0, 1.0, unit="index", source="assumption",
                                 doc="Mean initial trust in government and RC.")
    cross_ties_per_resident: float = param(1.0, 0.0, 10.0, unit="ties", source="brief §3 (sparse weak ties)",
                                           doc="Mean weak ties to residents of other buildings in the community.")
    building_ties: int = param(4, 2, 20, unit="ties", source="brief §3 (dense ties within a building)",
                               doc="Watts–Strogatz neighbours per resident within a building (even).")
    rewiring: float = param(0.1, 0.0, 1.0, unit="probability", source="Watts & Strogatz 1998",
                            doc="Watts–Strogatz rewiring probability within a building.")


@dataclass(frozen=True)
class Levers:
    """Institutional levers (brief §5). A governance model is a bundle of these values."""

    budget_per_resident: float = param(30.0, 0.0, 500.0, unit="CNY/resident/month",
                                       source="assumption; §5.5 (under-funded budgets)",
                                       doc="Street public budget for community services.")
    directive_intensity: float = param(0.5, 0.0, 1.0, unit="index", source="§4.1, §5.1",
                                       doc="How hard government pushes its own plan and tasks down (行政主导).")
    responsiveness: float = param(0.3, 0.0, 1.0, unit="index", source="§2, §5.4",
                                  doc="Weight government gives to needs that reach it through channels.")
    coordination: float = param(0.3, 0.0, 1.0, unit="index", source="§2 force synthesis (主线)",
                                doc="Pull of other actors' directions toward the development main line.")
    equality_redistribution: float = param(0.2, 0.0, 1.0, unit="share", source="§2 (coordinates equality)",
                                           doc="Share of direct provision targeted to the worst-covered needs.")
    task_delegation: float = param(0.2, 0.0, 1.0, unit="share", source="§4.3 five to the community",
                                   doc="Share of the service budget's tasks delegated to RCs.")
    funds_follow_tasks: float = param(0.0, 0.0, 1.0, unit="share", source="§4.3 权随责走、费随事转",
                                      doc="Share of delegated tasks' cost transferred with them.")
    purchase_share: float = param(0.1, 0.0, 1.0, unit="share", source="§4.5 政府购买服务",
                                  doc="Share of the service budget tendered to SOs.")
    admin_load: float = param(0.9, 0.0, 3.0, unit="share of RC hours", source="§3 千条线一根针; T5",
                              doc="Administrative tasks pushed to each RC, as a share of its staff hours.")
    burden_reduction: float = param(0.0, 0.0, 1.0, unit="share", source="§3 减负增效 (Nanjing)",
                                    doc="Share of administrative tasks abolished by burden-reduction rules.")
    work_station: bool = param(False, source="§3 居站分设", doc="A community work station absorbs admin tasks.")
    autonomy_grant: float = param(0.3, 0.0, 1.0, unit="index", source="§4.2–§4.4 还权 (return power); §6: 8% see autonomy",
                                  doc="RC autonomy granted by the institutional set-up: the RC starts at it, and a regime "
                                      "switch raises autonomy to at least the new grant.")
    rc_autonomy_support: float = param(0.1, 0.0, 1.0, unit="index", source="§4.2–§4.4 还权、增能",
                                       doc="Institutional support for RC self-governance.")
    council: bool = param(False, source="§4.2 议行分离, §4.4 deliberative council",
                          doc="A residents' deliberative council exists (separation of deliberation and execution).")
    participatory_fund: float = param(0.0, 0.0, 2_000_000.0, unit="CNY/community/year",
                                      source="§4.4 Chengdu (200,000 CNY initially)",
                                      doc="Public-service fund per community per year.")
    microfund_matching: float = param(0.0, 0.0, 3.0, unit="CNY per CNY donated", source="§4.4 micro-funds",
                                      doc="Government match for micro-fund donations.")
    so_incubation: float = param(0.0, 0.0, 1.0, unit="index", source="§4.4 incubation centres",
                                 doc="Strength of SO incubation (founding and seed funds).")
    grid_management: bool = param(False, source="§4.5 网格化管理", doc="Grid management with grid workers.")
    grid_staff: float = param(4.0, 0.0, 30.0, unit="workers per residents_per_grid residents", source="§4.5",
                              doc="Grid workers (full-time equivalents) per grid-sized block of residents.")
    two_way_evaluation: bool = param(False, source="§4.3 双向评估, §4.5 政社互动",
                                     doc="Communities evaluate street departments.")
    satisfaction_audits: bool = param(False, source="§4.5 民意访评", doc="Satisfaction audits with accountability.")
    affairs_sorting: bool = param(False, source="§4.4 三事分流", doc="Issues sorted to the responsible actor.")


@dataclass(frozen=True)
class Economy:
    """Unit costs and wages (brief §4 M2, M5, M7): the common money unit of the ledger."""

    so_unit_cost: float = param(40.0, 1.0, 1000.0, unit="CNY/service unit", source="assumption",
                                doc="Cost of one unit of met need delivered by an SO.")
    government_cost_ratio: float = param(1.6, 1.0, 5.0, unit="ratio", source="brief §4 M2 (costs the most)",
                                         doc="Government direct provision cost per unit relative to SOs.")
    rc_unit_hours: float = param(1.5, 0.1, 20.0, unit="staff hours/unit", source="assumption",
                                 doc="RC staff hours per unit of met need.")
    staff_wage: float = param(25.0, 1.0, 500.0, unit="CNY/hour", source="§5.5 (low pay)",
                              doc="Wage of RC and grid staff, used to value hours.")
    grid_office_cost: float = param(3000.0, 0.0, 100000.0, unit="CNY/grid/month", source="§4.5 (offices)",
                                    doc="Grid running cost beyond wages.")
    so_overhead: float = param(1500.0, 0.0, 50000.0, unit="CNY/SO/month", source="assumption",
                               doc="Fixed monthly cost of keeping an SO going.")
    escalation_cost: float = param(5000.0, 0.0, 1e6, unit="CNY/escalation", source="§2 mass incidents",
                                   doc="Public cost of one escalated dispute.")
    market_price_index: float = param(1.0, 0.1, 10.0, unit="index", source="brief §4 M2",
                                      doc="Price of market services relative to median income.")
    work_station_absorption: float = param(0.7, 0.0, 1.0, unit="share", source="§3 居站分设 (one station per 3–5 RCs)",
                                           doc="Share of administrative tasks a work station takes over.")
    enterprise_giving: float = param(800.0, 0.0, 1e5, unit="CNY/enterprise/month", source="§2 supporting force",
                                     doc="Co-building contribution of a fully coordinated, recognised enterprise.")
    resident_giving: float = param(2.0, 0.0, 100.0, unit="CNY/donor/month", source="§4.4 micro-funds",
                                   doc="Micro-fund donation of a participating resident.")


@dataclass(frozen=True)
class Behaviour:
    """Behavioural parameters not given by the sources (calibrated, brief §7)."""

    activity_intercept: float = param(-3.2, -10.0, 5.0, unit="logit", source="prior; fitted in _calibration.toml (T4)",
                                      doc="Baseline log-odds of attending a community activity in a month.")
    public_affairs_intercept: float = param(-4.0, -10.0, 5.0, unit="logit", source="prior; fitted in _calibration.toml (T2, T3)",
                                            doc="Baseline log-odds of taking part in public affairs in a month.")
    volunteer_intercept: float = param(-4.6, -10.0, 5.0, unit="logit", source="assumption",
                                       doc="Baseline log-odds of volunteering in a month.")
    deliberation_intercept: float = param(-3.5, -10.0, 5.0, unit="logit", source="assumption",
                                          doc="Baseline log-odds of deliberating where a council exists.")
    propensity_sd: float = param(1.3, 0.0, 5.0, unit="logit", source="prior; fitted in _calibration.toml (T2, T3)",
                                 doc="SD of residents' persistent individual propensity to take part.")
    belonging_weight: float = param(1.0, 0.0, 10.0, unit="logit", source="brief §4 M3",
                                    doc="Participation log-odds per unit of belonging.")
    efficacy_weight: float = param(0.8, 0.0, 10.0, unit="logit", source="brief §4 M3",
                                   doc="Participation log-odds per unit of efficacy.")
    peer_weight: float = param(0.8, 0.0, 10.0, unit="logit", source="brief §4 M3",
                               doc="Participation log-odds per unit of neighbours' participation.")
    outreach_weight: float = param(0.5, 0.0, 10.0, unit="logit", source="§4.5 五百工作机制",
                                   doc="Participation log-odds per unit of RC outreach reaching the resident.")
    stakes_weight: float = param(1.0, 0.0, 10.0, unit="logit", source="§4.4 Chengdu fund",
                                 doc="Participation log-odds per unit of stakes (a fund residents decide).")
    time_cost_weight: float = param(1.0, 0.0, 10.0, unit="logit", source="§5.2",
                                    doc="Participation log-odds lost per unit of time cost.")
    outside_option_weight: float = param(0.8, 0.0, 10.0, unit="logit", source="§5.2",
                                         doc="Participation log-odds lost per unit of outside options.")
    willingness_intercept: float = param(-2.2, -10.0, 5.0, unit="logit", source="prior; fitted in _calibration.toml (T1)",
                                         doc="Baseline log-odds of being willing to take part often.")
    satisfaction_rate: float = param(0.2, 0.0, 1.0, unit="1/month", source="assumption",
                                     doc="Rate at which satisfaction tracks need coverage.")
    trust_rate: float = param(0.05, 0.0, 1.0, unit="1/month", source="assumption",
                              doc="Rate at which trust tracks responsiveness and service.")
    belonging_gain: float = param(0.03, 0.0, 1.0, unit="1/participation", source="assumption",
                                  doc="Belonging gained per month with participation.")
    belonging_decay: float = param(0.02, 0.0, 1.0, unit="1/month", source="assumption (dormitory, §5.2)",
                                   doc="Belonging lost per month without participation.")
    efficacy_gain: float = param(0.05, 0.0, 1.0, unit="1/success", source="assumption",
                                 doc="Efficacy gained when one's voice changes something.")
    efficacy_decay: float = param(0.01, 0.0, 1.0, unit="1/month", source="assumption",
                                  doc="Monthly decay of efficacy toward zero.")
    awareness_contact: float = param(0.5, 0.0, 5.0, unit="1/outreach hour per resident",
                                     source="§4.5 五百工作机制", doc="Awareness gained per outreach hour per resident.")
    awareness_peer: float = param(0.01, 0.0, 1.0, unit="1/month", source="brief §4 M4",
                                  doc="Awareness spread rate from aware neighbours.")
    awareness_decay: float = param(0.02, 0.0, 1.0, unit="1/month", source="assumption",
                                   doc="Monthly decay of awareness of the RC.")
    autonomy_rate: float = param(0.04, 0.0, 1.0, unit="1/month", source="§4.2 穿新鞋,走老路",
                                 doc="Speed of RC autonomy drift.")
    refusable_share: float = param(0.5, 0.0, 1.0, unit="share", source="§4.3 may refuse unreasonable tasks",
                                   doc="Share of admin tasks a fully autonomous RC may refuse.")
    mutual_aid_rate: float = param(0.05, 0.0, 1.0, unit="units per volunteering neighbour",
                                   source="§2 residents serve one another", doc="Mutual aid per volunteering neighbour.")
    so_learning: float = param(0.03, 0.0, 1.0, unit="1/month", source="brief §4 M7",
                               doc="Capacity growth per month of full utilisation (learning by doing).")
    so_founding: float = param(0.0008, 0.0, 0.1, unit="SOs/volunteer with unmet need/month",
                               source="§2 (founded by residents)", doc="SO founding rate.")
    so_death_months: int = param(3, 1, 24, unit="months", source="brief §4 M7",
                                 doc="Months an SO survives without funds for its overhead.")
    dispute_rate: float = param(0.6, 0.0, 50.0, unit="disputes/1000 residents/month", source="§4.4, §4.5",
                                doc="Baseline dispute arrivals.")
    detection_without_grid: float = param(0.35, 0.0, 1.0, unit="probability/month", source="§4.5",
                                          doc="Monthly chance an open dispute is detected without grid workers.")
    detection_with_grid: float = param(0.9, 0.0, 1.0, unit="probability/month",
                                       source="§4.5 (closed in 2 h 8 min)", doc="Detection chance with grid workers.")
    escalation_probability: float = param(0.08, 0.0, 1.0, unit="probability/month", source="§2 mass incidents; assumption",
                                          doc="Monthly chance an unresolved dispute escalates.")
    department_capacity: float = param(1.0, 0.0, 50.0, unit="disputes/1000 residents/month",
                                       source="brief §4 M9 (departments handle disputes)",
                                       doc="Disputes street departments resolve without grid dispatch.")
    activity_floor: float = param(0.5, 0.0, 1.0, unit="share", source="assumption (street cultural stations)",
                                  doc="Availability of community activities organised by others than the RC and SOs.")
    mediation_hours: float = param(8.0, 0.5, 100.0, unit="hours/dispute", source="assumption",
                                   doc="RC staff hours to mediate one dispute.")
    grid_dependence: float = param(0.4, 0.0, 1.0, unit="share", source="§4.5 all-purpose grid breeds dependence",
                                   doc="Share of self-organisation displaced by full grid coverage.")
    staff_difficulty_noise: float = param(0.25, 0.0, 2.0, unit="index", source="prior; fitted in _calibration.toml (T5)",
                                          doc="Spread of RC staff's perception of their main difficulty.")


def blend_levers(start: Levers, target: Levers, fraction: float) -> Levers:
    """Levers part-way from ``start`` to ``target``: numbers move linearly, switches flip at once."""
    values = {}
    for f in dataclasses.fields(Levers):
        a, b = getattr(start, f.name), getattr(target, f.name)
        values[f.name] = b if isinstance(b, bool) else a + (b - a) * fraction
    return Levers(**values)


GROUPS: dict[str, type] = {"population": Population, "economy": Economy, "levers": Levers, "behaviour": Behaviour}


def format_number(x: float) -> str:
    """Readable number for messages and tables: ``2,000,000`` rather than ``2e+06``."""
    return f"{x:,.0f}" if abs(x) >= 10_000 and float(x).is_integer() else f"{x:g}"


def parameter_rows() -> list[dict[str, Any]]:
    """One row per parameter: group, name, default, range, unit, source, description."""
    rows = []
    for group, cls in GROUPS.items():
        for f in dataclasses.fields(cls):
            lo, hi = f.metadata["range"]
            rows.append({
                "group": group, "name": f.name, "default": f.default,
                "range": "on/off" if isinstance(f.default, bool) else f"{format_number(lo)}–{format_number(hi)}",
                "unit": f.metadata["unit"], "source": f.metadata["source"], "doc": f.metadata["doc"],
            })
    return rows
