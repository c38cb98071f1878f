"""Typed, documented scenario parameters: population, economy, levers and behaviour.

Every parameter carries its default, allowed range, unit and source in the dataclass
field metadata, so that scenario validation (:mod:`cogov_sim.scenario`), the README's
lever table and the parameter table of ``docs/ODD.md`` all read one definition.

Sources are cited as claims of ``docs/sources.md`` (``sources §4.3``), sections of the model
description (``ODD §7.12``), calibration targets (``T1``–``T5``, ODD §1.2) or
"assumption" where the sources give no figure (flagged for calibration).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

#: The six service domains (ODD §2.2), aligned with the six kinds of community social
#: organisation of sources §2.
DOMAINS: tuple[str, ...] = (
    "welfare",  # welfare and elder care — service-welfare (服务福利)
    "children",  # children and education — culture-sports-science-education (文体科教)
    "health",  # health — health-family-planning (医疗计生)
    "environment",  # environment and property — environment-property (环境物业)
    "safety",  # safety and mediation — security-mediation (治安民调)
    "culture",  # culture and sports — culture-sports (文体) / co-building (共建发展)
)
K = len(DOMAINS)

#: Life stages (ODD §2.2).
LIFE_STAGES: tuple[str, ...] = ("youth", "working", "retiree")

#: Participation types (ODD §7.3). Activities and public affairs are separate
#: survey instruments in the sources (sources §6: T2/T3 ask about public affairs, T4 about
#: community activities).
PARTICIPATION_TYPES: tuple[str, ...] = ("activity", "public_affairs", "volunteer", "deliberation")

#: Uses of an RC's free hours besides supporting a council (ODD §7.6).
RC_HOUR_USES: tuple[str, ...] = ("outreach", "activities", "mediation", "needs", "services")


def read_only(values: Any) -> np.ndarray:
    """``values`` as a read-only array: a parameter group's derived array, built once per (frozen)
    instance with :func:`functools.cached_property` and shared by every caller, so nobody may change it."""
    array = np.array(values)
    array.flags.writeable = False
    return array


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
    """Who lives in the street and how it is organised (ODD §2)."""

    residents: int = param(5000, 50, 1_000_000, unit="persons", source="ODD §2.4 (10^3–10^5)",
                           doc="Number of residents in the street.")
    residents_per_community: int = param(2500, 100, 20_000, unit="persons",
                                         source="assumption; Mianyang 531 RCs (sources §6)",
                                         doc="Residents per community (one RC each).")
    residents_per_building: int = param(60, 6, 600, unit="persons", source="assumption",
                                        doc="Residents per building; households nest in buildings.")
    mean_household_size: float = param(2.6, 1.0, 6.0, unit="persons", source="2020 census (NBS): 2.62",
                                       doc="Mean household size.")
    residents_per_grid: int = param(4500, 100, 20_000, unit="persons", source="sources §4.5 (4,000–5,000 per grid)",
                                    doc="Residents per grid (网格).")
    share_youth: float = param(0.22, 0.0, 1.0, unit="share", source="2020 census (NBS): ages 0–19 ≈ 23%",
                               doc="Share of youth/students.")
    share_retiree: float = param(0.20, 0.0, 1.0, unit="share", source="2020 census (NBS): 60+ ≈ 18.7%",
                                 doc="Share of retirees; the rest are working-age.")
    employment_rate: float = param(0.85, 0.0, 1.0, unit="share", source="assumption",
                                   doc="Share of working-age residents employed.")
    local_employment_share: float = param(0.3, 0.0, 1.0, unit="share", source="sources §2 (enterprises employ residents)",
                                          doc="Share of the employed who work for an enterprise in their community.")
    enterprises_per_community: int = param(4, 0, 100, unit="enterprises", source="ODD §2.3 (a few per community)",
                                           doc="Enterprises per community; the first is the property company.")
    initial_sos_per_community: int = param(4, 0, 100, unit="SOs",
                                           source="assumption (sources §5.3 SOs are weak); "
                                                  "sources §6 Karamay's 8.6 is a developed case",
                                           doc="Social organisations per community at the start (both tiers, "
                                               "split by initial_grassroots_share).")
    rc_staff_per_1000: float = param(2.8, 0.2, 20.0, unit="staff/1000 residents",
                                     source="sources §6 Mianyang (55 staff / 13 RCs ≈ 4.2 per RC); assumption 7 per 2,500",
                                     doc="Residents' committee staff per 1,000 residents (at least one per RC).")
    staff_hours: float = param(168.0, 40.0, 250.0, unit="hours/staff/month", source="assumption (42 h week)",
                               doc="Working hours per RC staff member per month.")
    initial_belonging: float = param(0.3, 0.0, 1.0, unit="index", source="sources §5.2 (dormitory)",
                                     doc="Mean initial belonging (Beta-distributed).")
    initial_awareness: float = param(0.5, 0.0, 1.0, unit="index", source="assumption",
                                     doc="Mean initial awareness of the RC.")
    initial_trust: float = param(0.5, 0.0, 1.0, unit="index", source="assumption",
                                 doc="Mean initial trust in government and RC.")
    cross_ties_per_resident: float = param(1.0, 0.0, 10.0, unit="ties", source="ODD §2.1 (sparse weak ties)",
                                           doc="Mean weak ties to residents of other buildings in the community.")
    building_ties: int = param(4, 2, 20, unit="ties", source="ODD §2.1 (dense ties within a building)",
                               doc="Watts–Strogatz neighbours per resident within a building (even).")
    rewiring: float = param(0.1, 0.0, 1.0, unit="probability", source="Watts & Strogatz 1998",
                            doc="Watts–Strogatz rewiring probability within a building.")
    # --- drawing residents, communities and the first organisations (set-up)
    need_intensity_sd: float = param(
        0.5, 0.0, 2.0, unit="log units", source="assumption (needs differ within a group, sources §2.4)",
        doc="SD of each resident's lognormal need multiplier (mean 1) per domain.")
    income_sd: float = param(
        0.6, 0.0, 2.0, unit="log units", source="assumption",
        doc="SD of individual log income around the community level (mean factor 1).")
    retiree_income_factor: float = param(
        0.7, 0.1, 2.0, unit="factor", source="assumption",
        doc="Income of retirees relative to others.")
    education_base: float = param(
        0.5, 0.0, 1.0, unit="index", source="assumption",
        doc="Education index at the community's income level.")
    education_income_slope: float = param(
        0.15, 0.0, 1.0, unit="index per log income", source="assumption",
        doc="Education gained per unit of log income.")
    education_sd: float = param(
        0.15, 0.0, 1.0, unit="index", source="assumption",
        doc="SD of education around its income-predicted value.")
    attitude_concentration: float = param(
        6.0, 0.5, 100.0, unit="Beta a + b", source="assumption",
        doc="Concentration of the Beta distributions of initial attitudes (higher: less spread).")
    initial_satisfaction: float = param(
        0.5, 0.0, 1.0, unit="index", source="assumption",
        doc="Mean initial satisfaction with services.")
    initial_efficacy: float = param(
        0.2, 0.0, 1.0, unit="index", source="assumption (sources §5.2 weak identity)",
        doc="Mean initial political efficacy.")
    community_age_spread: float = param(
        0.4, 0.0, 1.0, unit="factor", source="assumption (community types, sources §4.2.1: old estates and new)",
        doc="Communities' retiree share is the street's times U(1 − spread, 1 + spread).")
    community_income_sd: float = param(
        0.3, 0.0, 2.0, unit="log units", source="assumption",
        doc="SD of communities' log income level.")
    initial_so_capacity_low: float = param(
        20.0, 1.0, 400.0, unit="service units/month", source="assumption (sources §5.3.2 weak SOs)",
        doc="Initial SOs' capacity is drawn U(low, high).")
    initial_so_capacity_high: float = param(
        40.0, 1.0, 400.0, unit="service units/month", source="assumption (sources §5.3.2)",
        doc="Upper end of initial SOs' capacity.")
    initial_so_professionalism: float = param(
        0.3, 0.0, 1.0, unit="index", source="assumption (sources §5.3.2 lack professionals)",
        doc="Professionalism of the initial SOs.")
    initial_so_autonomy: float = param(
        0.5, 0.0, 1.0, unit="index", source="assumption (sources §5.3.2 lack independence)",
        doc="Autonomy of the initial SOs.")
    initial_so_seed_months: float = param(
        3.0, 0.0, 24.0, unit="months of so_overhead", source="assumption",
        doc="Funds the initial SOs hold at the start, in months of overhead.")
    # --- monthly need by life stage and domain (M1): assumption shaped by sources §2.4 (needs
    # differ by age and occupation) and sources §5.4 (elderly residents: health and care)
    need_youth_welfare: float = param(
        0.05, 0.0, 5.0, unit="service units/resident/month", source="assumption (sources §2.4: needs differ by age)",
        doc="Monthly welfare need of a youth resident (before the individual multiplier).")
    need_youth_children: float = param(
        0.6, 0.0, 5.0, unit="service units/resident/month", source="assumption (sources §2.4: needs differ by age)",
        doc="Monthly children need of a youth resident (before the individual multiplier).")
    need_youth_health: float = param(
        0.15, 0.0, 5.0, unit="service units/resident/month", source="assumption (sources §2.4: needs differ by age)",
        doc="Monthly health need of a youth resident (before the individual multiplier).")
    need_youth_environment: float = param(
        0.2, 0.0, 5.0, unit="service units/resident/month", source="assumption (sources §2.4: needs differ by age)",
        doc="Monthly environment need of a youth resident (before the individual multiplier).")
    need_youth_safety: float = param(
        0.15, 0.0, 5.0, unit="service units/resident/month", source="assumption (sources §2.4: needs differ by age)",
        doc="Monthly safety need of a youth resident (before the individual multiplier).")
    need_youth_culture: float = param(
        0.4, 0.0, 5.0, unit="service units/resident/month", source="assumption (sources §2.4: needs differ by age)",
        doc="Monthly culture need of a youth resident (before the individual multiplier).")
    need_working_welfare: float = param(
        0.1, 0.0, 5.0, unit="service units/resident/month", source="assumption (sources §2.4)",
        doc="Monthly welfare need of a working resident.")
    need_working_children: float = param(
        0.25, 0.0, 5.0, unit="service units/resident/month", source="assumption (sources §2.4)",
        doc="Monthly children need of a working resident.")
    need_working_health: float = param(
        0.15, 0.0, 5.0, unit="service units/resident/month", source="assumption (sources §2.4)",
        doc="Monthly health need of a working resident.")
    need_working_environment: float = param(
        0.3, 0.0, 5.0, unit="service units/resident/month", source="assumption (sources §2.4)",
        doc="Monthly environment need of a working resident.")
    need_working_safety: float = param(
        0.2, 0.0, 5.0, unit="service units/resident/month", source="assumption (sources §2.4)",
        doc="Monthly safety need of a working resident.")
    need_working_culture: float = param(
        0.2, 0.0, 5.0, unit="service units/resident/month", source="assumption (sources §2.4)",
        doc="Monthly culture need of a working resident.")
    need_retiree_welfare: float = param(
        0.6, 0.0, 5.0, unit="service units/resident/month",
        source="assumption (sources §2.4, §5.4: elderly health and care needs)",
        doc="Monthly welfare need of a retiree resident.")
    need_retiree_children: float = param(
        0.05, 0.0, 5.0, unit="service units/resident/month",
        source="assumption (sources §2.4, §5.4: elderly health and care needs)",
        doc="Monthly children need of a retiree resident.")
    need_retiree_health: float = param(
        0.6, 0.0, 5.0, unit="service units/resident/month",
        source="assumption (sources §2.4, §5.4: elderly health and care needs)",
        doc="Monthly health need of a retiree resident (before the individual multiplier).")
    need_retiree_environment: float = param(
        0.25, 0.0, 5.0, unit="service units/resident/month",
        source="assumption (sources §2.4, §5.4: elderly health and care needs)",
        doc="Monthly environment need of a retiree resident.")
    need_retiree_safety: float = param(
        0.2, 0.0, 5.0, unit="service units/resident/month",
        source="assumption (sources §2.4, §5.4: elderly health and care needs)",
        doc="Monthly safety need of a retiree resident (before the individual multiplier).")
    need_retiree_culture: float = param(
        0.35, 0.0, 5.0, unit="service units/resident/month",
        source="assumption (sources §2.4, §5.4: elderly health and care needs)",
        doc="Monthly culture need of a retiree resident.")
    @cached_property
    def base_need(self) -> np.ndarray:
        """Monthly need by life stage (rows, :data:`LIFE_STAGES`) and domain (columns, :data:`DOMAINS`); read-only,
        built once per instance (the parameters are frozen)."""
        return read_only([[getattr(self, f"need_{stage}_{domain}") for domain in DOMAINS] for stage in LIFE_STAGES])

    migrant_income_level: float = param(
        0.8, 0.1, 5.0, unit="factor", source="assumption (sources §1.1 migrants)",
        doc="Income level of migrants arriving in a migrant-inflow event (street level = 1).")
    migrant_belonging: float = param(
        0.1, 0.0, 1.0, unit="index", source="assumption (sources §5.2)",
        doc="Mean belonging of arriving migrants.")
    migrant_awareness: float = param(
        0.1, 0.0, 1.0, unit="index", source="assumption",
        doc="Mean awareness of the RC among arriving migrants.")
    # --- Party membership and interest in community affairs (sources §7.3, §7.10)
    party_member_share: float = param(
        0.07, 0.0, 1.0, unit="share of residents",
        source="99.185 million CPC members at the end of 2023 (CPC Central Organization Department, 2024 statistical "
               "bulletin) ÷ 1.41 billion people (NBS 2023) ≈ 7.0%; none among youth/students (assumption: members are adults)",
        doc="Share of all residents who are Party members; drawn among working-age residents and retirees only.")
    party_retiree_ratio: float = param(
        1.5, 0.0, 10.0, unit="× working-age rate",
        source="assumption (the membership is older than the adult population)",
        doc="Membership rate among retirees relative to working-age residents (the overall share is kept).")
    interested_share: float = param(
        0.25, 0.0, 1.0, unit="share of residents",
        source="sources §7.10.1 (most care little); the share from sources §6.1 (Shanghai 2000: 25% glad or willing to "
               "take part often), used as drawn, not fitted",
        doc="Share of residents who care about community public affairs; institutional pull moves the others only "
            "by indifferent_pull.")
    # --- two tiers of social organisation (sources §7.5)
    initial_grassroots_share: float = param(
        0.75, 0.0, 1.0, unit="share of initial SOs",
        source="assumption (sources §7.5.1: few registered, many filed — 登记少、备案多)",
        doc="Share of the initial SOs that are filed grassroots groups (备案); the rest are registered professional SOs "
            "(登记). Each community gets round(initial_sos_per_community × share) grassroots groups.")


@dataclass(frozen=True)
class Levers:
    """Institutional levers (ODD Appendix D). A governance model is a bundle of these values."""

    budget_per_resident: float = param(42.0, 0.0, 500.0, unit="CNY/resident/month",
                                       source="assumption; sources §5.5 (under-funded budgets): 30 for services plus "
                                              "11.76 for RC staff (2.8/1,000 × 168 h × 25 CNY)",
                                       doc="Street public budget for community services, RC staff wages and any work "
                                           "station included.")
    directive_intensity: float = param(0.5, 0.0, 1.0, unit="index", source="sources §4.1, §5.1",
                                       doc="How hard government pushes its own plan and tasks down (行政主导).")
    responsiveness: float = param(0.3, 0.0, 1.0, unit="index", source="sources §2, §5.4",
                                  doc="Weight government gives to needs that reach it through channels.")
    coordination: float = param(0.3, 0.0, 1.0, unit="index", source="sources §2 force synthesis (主线)",
                                doc="Pull of other actors' directions toward the development main line.")
    equality_redistribution: float = param(0.2, 0.0, 1.0, unit="share", source="sources §2 (coordinates equality)",
                                           doc="Share of direct provision targeted to the worst-covered needs.")
    task_delegation: float = param(0.2, 0.0, 1.0, unit="share", source="sources §4.3 five to the community",
                                   doc="Share of the service budget's tasks delegated to RCs.")
    funds_follow_tasks: float = param(0.0, 0.0, 1.0, unit="share", source="sources §4.3 权随责走、费随事转",
                                      doc="Share of delegated tasks' cost transferred with them.")
    purchase_share: float = param(0.1, 0.0, 1.0, unit="share", source="sources §4.5 政府购买服务",
                                  doc="Share of the service budget tendered to SOs.")
    admin_load: float = param(0.9, 0.0, 3.0, unit="share of RC hours", source="sources §3 千条线一根针; T5",
                              doc="Administrative tasks pushed to each RC, as a share of its staff hours.")
    burden_reduction: float = param(0.0, 0.0, 1.0, unit="share", source="sources §3 减负增效 (Nanjing)",
                                    doc="Share of administrative tasks abolished by burden-reduction rules.")
    work_station: bool = param(False, source="sources §3.5 居站分设, sources §7.6",
                               doc="A community work station (staffed, paid by government) takes over admin tasks "
                                   "up to its staff hours.")
    autonomy_grant: float = param(0.3, 0.0, 1.0, unit="index",
                                  source="sources §4.2–§4.4 还权 (return power); sources §6: 8% see autonomy",
                                  doc="RC autonomy granted by the institutional set-up: the RC starts at it, and a regime "
                                      "switch raises autonomy to at least the new grant.")
    rc_autonomy_support: float = param(0.1, 0.0, 1.0, unit="index", source="sources §4.2–§4.4 还权、增能",
                                       doc="Institutional support for RC self-governance.")
    council: bool = param(False, source="sources §4.2 议行分离, sources §4.4 deliberative council",
                          doc="A residents' deliberative council exists (separation of deliberation and execution).")
    participatory_fund: float = param(0.0, 0.0, 2_000_000.0, unit="CNY/community/year",
                                      source="sources §4.4 Chengdu (200,000 CNY initially)",
                                      doc="Public-service fund per community per year.")
    microfund_matching: float = param(0.0, 0.0, 3.0, unit="CNY per CNY donated", source="sources §4.4 micro-funds",
                                      doc="Government match for micro-fund donations.")
    so_incubation: float = param(0.0, 0.0, 1.0, unit="index", source="sources §4.4 incubation centres",
                                 doc="Strength of SO incubation (founding and seed funds).")
    grid_management: bool = param(False, source="sources §4.5 网格化管理", doc="Grid management with grid workers.")
    grid_staff: float = param(4.0, 0.0, 30.0, unit="workers per residents_per_grid residents", source="sources §4.5",
                              doc="Grid workers (full-time equivalents) per grid-sized block of residents.")
    two_way_evaluation: bool = param(False, source="sources §4.3 双向评估, sources §4.5 政社互动",
                                     doc="Communities evaluate street departments.")
    satisfaction_audits: bool = param(False, source="sources §4.5 民意访评", doc="Satisfaction audits with accountability.")
    affairs_sorting: bool = param(False, source="sources §4.4 三事分流", doc="Issues sorted to the responsible actor.")
    # --- Party building (sources §7.3)
    party_building: float = param(
        0.5, 0.0, 1.0, unit="index",
        source="sources §7.3.1 (000: the community Party organisation is the leading core everywhere, so the status quo "
               "has it at ordinary strength 0.5; 1 where Party building leads reform, 一核多元, 党建引领)",
        doc="Strength of Party building (党建引领): the committee's pull on coordination, mobilisation of members, "
            "building groups leading volunteers.")
    in_service_reporting: float = param(
        0.0, 0.0, 1.0, unit="share of in-service members",
        source="sources §7.3.1, §4.5.8 (双报到, Mianyang); absent in the status quo",
        doc="Share of in-service (employed working-age) Party members who report to their residential community "
            "(双报到) and so are organised there.")
    # --- administrative work as services: pooled mobilisation and department offices (sources §7.6–§7.8)
    resource_pooling: float = param(
        0.0, 0.0, 1.0, unit="index", source="sources §7.7.2–§7.7.3 (条与块之间的中介: departments pulled together)",
        doc="Strength with which the street's management committee pools the departments' money into community "
            "services (new money from the departments' lines, spent along government's direction).")
    department_offices: float = param(
        0.0, 0.0, 1.0, unit="index", source="sources §7.8.1 (departments set up offices and staff in the community)",
        doc="Extent to which departments set up offices in the community, taking a share of the RC's funds that "
            "follow tasks and of its activity space.")
    # --- government-side institutions: consent to task transfers (sources §7.14)
    task_consent: float = param(
        0.0, 0.0, 1.0, unit="share", source="sources §4.3.4, §7.14.1 征得社区组织同意",
        doc="Share of task transfers that need the community organisation's agreement: there an RC may refuse "
            "delegated tasks that come without their money, and the departments keep what it refuses.")
    # --- resident-side institutions: property governance, grid plus services, hotline (sources §7.3, §7.11, §7.15)
    owners_committee: float = param(
        0.0, 0.0, 1.0, unit="share of estates", source="sources §7.15.1 业委会",
        doc="Share of estates where an owners' committee (业委会) is set up beside the property company; a property "
            "company can block one unless the estate's Party branch steps in (sources §7.3.2).")
    joint_meetings: bool = param(
        False, source="sources §7.15.1 (joint meetings of the parties)",
        doc="Joint meetings of the property company, the owners' committee and the RC settle property disputes and "
            "supervise the company.")
    grid_services: bool = param(
        False, source="sources §7.11.3 网格+服务",
        doc="Grid plus services: grid workers also deliver community services, joining administrative and "
            "self-governing force (only with grid_management).")
    hotline: bool = param(
        False, source="sources §7.11.4 (Karamay public hotline)",
        doc="A public hotline through which residents report cases directly.")
    # --- social workers, three-social linkage, grassroots support (sources §7.4, §7.5)
    grassroots_support: float = param(
        200.0, 0.0, 10_000.0, unit="CNY/grassroots group/month",
        source="assumption (sources §7.5.1: supported in kind by the RC and street, small activity money; "
               "一楼一品 with activity funds)",
        doc="Activity money the street gives each filed grassroots group a month (paid through the ledger; the "
            "space they use is in kind and not costed).")
    social_work_purchase: float = param(
        18_000.0, 0.0, 2_000_000.0, unit="CNY/community/year",
        source="sources §7.4.2 (about 2 billion CNY a year nationwide) ÷ about 110,000 urban residents' "
               "committees (Ministry of Civil Affairs statistical bulletins, around 2020)",
        doc="Government purchase of social-work services: social-work posts stationed in each community, paid "
            "as wages through the ledger (the nationwide average is the status quo).")
    three_social_linkage: float = param(
        0.0, 0.0, 1.0, unit="index", source="sources §3.2, §7.4 (三社联动; without it 'two skins', 两张皮)",
        doc="How far community, social organisations and social workers are joined: at 0 social workers do not "
            "multiply volunteers' effort (two skins); at 1 fully.")


@dataclass(frozen=True)
class Economy:
    """Unit costs and wages (ODD §7.2, §7.5, §7.7): the common money unit of the ledger."""

    so_unit_cost: float = param(40.0, 1.0, 1000.0, unit="CNY/service unit", source="assumption",
                                doc="Cost of one unit of met need delivered by an SO.")
    government_cost_ratio: float = param(1.6, 1.0, 5.0, unit="ratio", source="ODD §7.2 (costs the most)",
                                         doc="Government direct provision cost per unit relative to SOs.")
    rc_unit_hours: float = param(1.5, 0.1, 20.0, unit="staff hours/unit", source="assumption",
                                 doc="RC staff hours per unit of met need.")
    staff_wage: float = param(25.0, 1.0, 500.0, unit="CNY/hour", source="sources §5.5 (low pay)",
                              doc="Wage of RC and grid staff, used to value hours.")
    grid_office_cost: float = param(3000.0, 0.0, 100000.0, unit="CNY/grid/month", source="sources §4.5 (offices)",
                                    doc="Grid running cost beyond wages.")
    so_overhead: float = param(1500.0, 0.0, 50000.0, unit="CNY/SO/month", source="assumption",
                               doc="Fixed monthly cost of keeping an SO going.")
    escalation_cost: float = param(5000.0, 0.0, 1e6, unit="CNY/escalation", source="sources §2 mass incidents",
                                   doc="Public cost of one escalated dispute.")
    market_price_index: float = param(1.0, 0.1, 10.0, unit="index", source="ODD §7.2",
                                      doc="Price of market services relative to median income.")
    enterprise_giving: float = param(800.0, 0.0, 1e5, unit="CNY/enterprise/month", source="sources §2 supporting force",
                                     doc="Co-building contribution of a fully coordinated, recognised enterprise.")
    resident_giving: float = param(2.0, 0.0, 100.0, unit="CNY/donor/month", source="sources §4.4 micro-funds",
                                   doc="Micro-fund donation of a participating resident.")
    market_access_spread: float = param(
        0.5, 0.01, 5.0, unit="log units", source="assumption",
        doc="Log-income scale over which market access rises from 27% to 73%.")
    property_company_capacity: float = param(
        0.1, 0.0, 5.0, unit="service units/resident/month", source="assumption (sources §2.3, §4.4.7 property companies)",
        doc="Environment services a property company offers per resident.")
    enterprise_capacity: float = param(
        0.06, 0.0, 5.0, unit="service units/resident/month", source="assumption (sources §2.3)",
        doc="Market services another enterprise offers per resident of its community.")
    enterprise_propensity_low: float = param(
        0.2, 0.0, 1.0, unit="index", source="assumption (sources §2.3)",
        doc="Enterprises' co-building propensity is drawn U(low, high).")
    enterprise_propensity_high: float = param(
        0.8, 0.0, 1.0, unit="index", source="assumption (sources §2.3)",
        doc="Upper end of enterprises' co-building propensity.")
    co_building_floor: float = param(
        0.2, 0.0, 1.0, unit="share", source="assumption (sources §2.3, §2.7)",
        doc="Co-building an enterprise gives without coordination, as a share of what it gives when fully coordinated with the"
            " main line.")
    unfunded_task_hours_share: float = param(
        0.2, 0.0, 1.0, unit="share", source="assumption (sources §4.3.4, §7.6.2: tasks pushed down without money)",
        doc="Share of delegated service work without money that lands on RC staff hours.")
    rc_cost_learning_months: float = param(
        24.0, 1.0, 240.0, unit="months", source="assumption (sources §4.3.6 gradual path)",
        doc="Time constant in which an RC buying services learns from government's cost toward the SO cost.")
    so_bid_price: float = param(
        1.3, 0.1, 5.0, unit="× so_unit_cost", source="assumption (sources §4.5.1 tenders)",
        doc="Bid price per unit of a wholly unprofessional SO.")
    so_bid_professional_discount: float = param(
        0.2, 0.0, 5.0, unit="× so_unit_cost", source="fitted to R6, sources §7.13",
        doc="Bid price reduction per unit of professionalism.")
    so_bid_room: float = param(
        1.25, 1.0, 5.0, unit="× capacity cost", source="assumption",
        doc="A bid (or fund grant) prices the SO's capacity with this much room to grow.")
    so_output_base: float = param(
        0.6, 0.0, 1.0, unit="units per unit bought", source="assumption (sources §5.3.2)",
        doc="Units an unprofessional SO delivers per unit of money spent; rises to 1 with professionalism.")
    project_cost_factor: float = param(
        1.2, 1.0, 5.0, unit="× so_unit_cost", source="assumption (sources §4.4.5)",
        doc="Cost of a unit delivered by a fund micro-project relative to an SO unit.")
    incubation_cost: float = param(
        3000.0, 0.0, 100000.0, unit="CNY/community/month", source="assumption (sources §4.4.6 incubation centres)",
        doc="Incubation-centre running cost per community at so_incubation = 1.")
    incubated_seed: float = param(
        10000.0, 0.0, 1000000.0, unit="CNY/new SO", source="assumption (sources §4.4.6)",
        doc="Seed money of an incubated SO at so_incubation = 1 (scaled by the lever).")
    founders_seed: float = param(
        3000.0, 0.0, 1000000.0, unit="CNY/new SO", source="assumption (sources §2.5 set up by residents)",
        doc="What founders put into a new SO without incubation money.")
    # --- signed force synthesis (sources §2.6–§2.7, §7.1–§7.2)
    participation_hours: float = param(
        2.0, 0.0, 40.0, unit="hours/act", source="assumption (a meeting or a suggestion takes an evening)",
        doc="Hours one act of taking part in public affairs or deliberating takes; valued at staff_wage in the force "
            "synthesis.")
    # --- administrative work as services: work station, wages, pooling, department offices (sources §7.6–§7.8)
    admin_service_share: float = param(
        0.6, 0.0, 1.0, unit="share of admin hours",
        source="assumption (sources §7.6.1: admin work is mostly services for departments; sources §3.1: paperwork)",
        doc="Share of administrative hours that deliver department services to residents (the rest is paperwork, "
            "reports, meetings, inspections); a service hour delivers 1/rc_unit_hours units.")
    work_station_staff: float = param(
        8.0, 2.0, 50.0, unit="staff/work station",
        source="sources §7.6.3 (a head and a deputy); assumption (six clerks)",
        doc="Staff of one community work station (社区工作站), paid staff_wage for staff_hours a month.")
    rcs_per_work_station: float = param(
        4.0, 1.0, 10.0, unit="RCs/work station", source="sources §3.5, §7.6.3 (one station per 3–5 RCs)",
        doc="Residents' committees one work station serves; each RC gets this fraction of a station's staff and cost.")
    work_station_office_cost: float = param(
        3000.0, 0.0, 100000.0, unit="CNY/work station/month",
        source="assumption (sources §7.6.2: a work station has a cost; as grid_office_cost)",
        doc="Running cost of a work station beyond wages.")
    department_funds_per_resident: float = param(
        6.0, 0.0, 500.0, unit="CNY/resident/month",
        source="assumption (sources §7.7.3 pooled resources; a fifth of the default street budget)",
        doc="Departments' money pooled into community services at resource_pooling = 1.")
    office_funds_share: float = param(
        0.3, 0.0, 1.0, unit="share", source="assumption (sources §7.8.1: offices occupy the community's budget)",
        doc="Share of the RC's funds that follow tasks taken by department offices at department_offices = 1.")
    office_space_share: float = param(
        0.3, 0.0, 1.0, unit="share", source="assumption (sources §7.8.1: offices occupy the community's office space)",
        doc="Share of the RC's activity space (the reach of its activity hours) lost at department_offices = 1.")
    # --- social workers (sources §7.4, §8)
    social_worker_wage: float = param(
        4500.0, 500.0, 50_000.0, unit="CNY/FTE/month",
        source="assumption (sources §5.5.1: community workers poorly paid; near the RC staff wage × hours)",
        doc="Monthly wage of a professional social worker (社工), full-time equivalent.")
    so_staff_share: float = param(
        0.6, 0.0, 1.0, unit="share of service spending", source="assumption (services are labour; sources §5.3.2)",
        doc="Share of a professional SO's service spending that is staff wages; the professional (social-worker) "
            "part of it is this × the SO's professionalism.")


@dataclass(frozen=True)
class Behaviour:
    """Behavioural parameters and the coefficients of the mechanisms' equations (most not given by the
    sources: assumptions, some calibrated against T1–T5)."""

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
    belonging_weight: float = param(1.0, 0.0, 10.0, unit="logit", source="ODD §7.3",
                                    doc="Participation log-odds per unit of belonging.")
    efficacy_weight: float = param(0.8, 0.0, 10.0, unit="logit", source="ODD §7.3",
                                   doc="Participation log-odds per unit of efficacy.")
    peer_weight: float = param(0.8, 0.0, 10.0, unit="logit", source="ODD §7.3",
                               doc="Participation log-odds per unit of neighbours' participation.")
    outreach_weight: float = param(0.5, 0.0, 10.0, unit="logit", source="sources §4.5 五百工作机制",
                                   doc="Participation log-odds per unit of RC outreach reaching the resident.")
    stakes_weight: float = param(1.0, 0.0, 10.0, unit="logit", source="sources §4.4 Chengdu fund",
                                 doc="Participation log-odds per unit of stakes (a fund residents decide).")
    time_cost_weight: float = param(1.0, 0.0, 10.0, unit="logit", source="sources §5.2",
                                    doc="Participation log-odds lost per unit of time cost.")
    outside_option_weight: float = param(0.8, 0.0, 10.0, unit="logit", source="sources §5.2",
                                         doc="Participation log-odds lost per unit of outside options.")
    willingness_intercept: float = param(-2.2, -10.0, 5.0, unit="logit", source="prior; fitted in _calibration.toml (T1)",
                                         doc="Baseline log-odds of being willing to take part often.")
    satisfaction_rate: float = param(0.2, 0.0, 1.0, unit="1/month", source="assumption",
                                     doc="Rate at which satisfaction tracks need coverage.")
    trust_rate: float = param(0.05, 0.0, 1.0, unit="1/month", source="assumption",
                              doc="Rate at which trust tracks responsiveness and service.")
    belonging_gain: float = param(0.03, 0.0, 1.0, unit="1/participation", source="assumption",
                                  doc="Belonging gained per month with participation.")
    belonging_decay: float = param(0.02, 0.0, 1.0, unit="1/month", source="assumption (dormitory, sources §5.2)",
                                   doc="Belonging lost per month without participation.")
    efficacy_gain: float = param(0.05, 0.0, 1.0, unit="1/success", source="assumption",
                                 doc="Efficacy gained when one's voice changes something.")
    efficacy_decay: float = param(0.01, 0.0, 1.0, unit="1/month", source="assumption",
                                  doc="Monthly decay of efficacy toward zero.")
    awareness_contact: float = param(0.5, 0.0, 5.0, unit="1/outreach hour per resident",
                                     source="sources §4.5 五百工作机制", doc="Awareness gained per outreach hour per resident.")
    awareness_peer: float = param(0.01, 0.0, 1.0, unit="1/month", source="ODD §7.4",
                                  doc="Awareness spread rate from aware neighbours.")
    awareness_decay: float = param(0.02, 0.0, 1.0, unit="1/month", source="assumption",
                                   doc="Monthly decay of awareness of the RC.")
    autonomy_rate: float = param(0.04, 0.0, 1.0, unit="1/month", source="sources §4.2 穿新鞋,走老路",
                                 doc="Speed of RC autonomy drift.")
    refusable_share: float = param(0.5, 0.0, 1.0, unit="share", source="sources §4.3 may refuse unreasonable tasks",
                                   doc="Share of admin tasks a fully autonomous RC may refuse.")
    mutual_aid_rate: float = param(0.05, 0.0, 1.0, unit="units per volunteering neighbour",
                                   source="sources §2 residents serve one another", doc="Mutual aid per volunteering neighbour.")
    so_learning: float = param(0.03, 0.0, 1.0, unit="1/month", source="ODD §7.7",
                               doc="Capacity growth per month of full utilisation (learning by doing).")
    so_founding: float = param(0.0008, 0.0, 0.1, unit="SOs/volunteer with unmet need/month",
                               source="sources §2 (founded by residents)", doc="SO founding rate.")
    so_death_months: int = param(3, 1, 24, unit="months", source="ODD §7.7",
                                 doc="Months an SO survives without funds for its overhead.")
    dispute_rate: float = param(0.6, 0.0, 50.0, unit="disputes/1000 residents/month", source="sources §4.4, §4.5",
                                doc="Baseline dispute arrivals.")
    detection_without_grid: float = param(0.35, 0.0, 1.0, unit="probability/month", source="sources §4.5",
                                          doc="Monthly chance an open dispute is detected without grid workers.")
    detection_with_grid: float = param(0.9, 0.0, 1.0, unit="probability/month",
                                       source="sources §4.5 (closed in 2 h 8 min)", doc="Detection chance with grid workers.")
    escalation_probability: float = param(0.08, 0.0, 1.0, unit="probability/month",
                                          source="sources §2 mass incidents; assumption",
                                          doc="Monthly chance an unresolved dispute escalates.")
    department_capacity: float = param(1.0, 0.0, 50.0, unit="disputes/1000 residents/month",
                                       source="ODD §7.9 (departments handle disputes)",
                                       doc="Disputes street departments resolve without grid dispatch.")
    activity_floor: float = param(0.5, 0.0, 1.0, unit="share", source="assumption (street cultural stations)",
                                  doc="Availability of community activities organised by others than the RC and SOs.")
    mediation_hours: float = param(8.0, 0.5, 100.0, unit="hours/dispute", source="assumption",
                                   doc="RC staff hours to mediate one dispute.")
    grid_dependence: float = param(0.4, 0.0, 1.0, unit="share", source="sources §4.5 all-purpose grid breeds dependence",
                                   doc="Share of self-organisation displaced by full grid coverage.")
    staff_difficulty_noise: float = param(0.25, 0.0, 2.0, unit="index", source="prior; fitted in _calibration.toml (T5)",
                                          doc="Spread of RC staff's perception of their main difficulty.")
    @cached_property
    def time_cost(self) -> np.ndarray:
        """Time cost by life stage (:data:`LIFE_STAGES`); read-only, built once per instance."""
        return read_only([getattr(self, f"time_cost_{stage}") for stage in LIFE_STAGES])

    @cached_property
    def top_down_priority(self) -> np.ndarray:
        """Government's own priority over :data:`DOMAINS` (not normalised); read-only, built once per instance."""
        return read_only([getattr(self, f"priority_{domain}") for domain in DOMAINS])

    @cached_property
    def free_hour_shares(self) -> dict[str, float]:
        """How an RC splits its free hours by use (the council's share is added where one exists); built once per
        instance and shared, so callers copy it before changing it."""
        return {use: getattr(self, f"rc_{use}_share") for use in RC_HOUR_USES} | {"council": 0.0}

    # --- M3 participation: time cost, outside options, stakes, what the institutions offer
    time_cost_youth: float = param(
        0.6, 0.0, 5.0, unit="index", source="assumption (sources §5.2.2: participation varies with circumstances)",
        doc="Time cost of taking part for students.")
    time_cost_working: float = param(
        1.0, 0.0, 5.0, unit="index", source="assumption (sources §5.2.2: participation varies with circumstances)",
        doc="Time cost of taking part for working age.")
    time_cost_retiree: float = param(
        0.2, 0.0, 5.0, unit="index", source="assumption (sources §5.2.2: participation varies with circumstances)",
        doc="Time cost of taking part for retirees.")
    time_cost_jobless_factor: float = param(
        0.5, 0.0, 1.0, unit="factor", source="assumption (sources §7.17.2)",
        doc="Time cost of working-age residents without a job, relative to the employed.")
    outside_option_income_weight: float = param(
        0.5, 0.0, 1.0, unit="share", source="assumption (sources §5.2.1)",
        doc="Weight of income (vs education, 1 − weight) in residents' outside options.")
    stakes_half_saturation: float = param(
        5.0, 0.01, 1000.0, unit="CNY/resident/month",
        source="sources §4.4.1 (200,000 CNY a year ≈ 5 CNY a month for ≈ 3,300 residents)",
        doc="Fund per resident-month at which stakes reach half their maximum.")
    stakes_without_council: float = param(
        0.3, 0.0, 1.0, unit="× stakes with a council", source="assumption (sources §4.4.1: the council decides)",
        doc="Stakes a fund gives where the RC decides alone, relative to a deliberative council.")
    full_outreach_hours: float = param(
        0.05, 0.001, 1.0, unit="RC hours/resident/month",
        source="assumption (sources §4.5.6: one liaison per 150–180 households)",
        doc="Outreach at which every aware resident feels reached.")
    full_activity_supply: float = param(
        0.04, 0.001, 1.0, unit="activity supply/resident/month", source="assumption",
        doc="Activity supply (RC activity hours + SO culture units × activity_per_culture_unit) for full availability.")
    activity_per_culture_unit: float = param(
        2.0, 0.0, 20.0, unit="activity hours/SO culture unit", source="assumption",
        doc="Activity supply one unit of SO culture services adds.")
    full_council_hours: float = param(
        0.01, 0.001, 1.0, unit="RC hours/resident/month", source="assumption (sources §4.2.3)",
        doc="Council support at which deliberation is fully available.")
    # --- M4 attitudes
    satisfaction_job_weight: float = param(
        0.15, 0.0, 1.0, unit="share", source="assumption (sources §2.3: residents with jobs are more satisfied)",
        doc="Weight of having a job (or not being of working age) in the satisfaction target; coverage weighs 1 − it.")
    trust_service_weight: float = param(
        0.6, 0.0, 1.0, unit="share", source="assumption",
        doc="Weight of service received in the trust target; being responded to weighs 1 − it.")
    awareness_activity_contact: float = param(
        0.3, 0.0, 1.0, unit="probability", source="assumption",
        doc="Chance that attending a community activity makes the RC known.")
    escalation_trust_hit: float = param(
        0.01, 0.0, 1.0, unit="trust/escalation per 1,000 residents", source="assumption (sources §2.3 mass incidents)",
        doc="Trust in government and RC lost per escalated dispute.")
    # --- M5 government: its own priority over domains (normalised), responsiveness, tasks, channels
    priority_welfare: float = param(
        0.1, 0.0, 1.0, unit="weight",
        source="assumption (sources §4.1.4: visible services, environment, culture; sources §5.4.2: curative health care)",
        doc="Government's own top-down priority for welfare (the six weights are normalised).")
    priority_children: float = param(
        0.05, 0.0, 1.0, unit="weight",
        source="assumption (sources §4.1.4: visible services, environment, culture; sources §5.4.2: curative health care)",
        doc="Government's own top-down priority for children (the six weights are normalised).")
    priority_health: float = param(
        0.3, 0.0, 1.0, unit="weight",
        source="assumption (sources §4.1.4: visible services, environment, culture; sources §5.4.2: curative health care)",
        doc="Government's own top-down priority for health (the six weights are normalised).")
    priority_environment: float = param(
        0.25, 0.0, 1.0, unit="weight",
        source="assumption (sources §4.1.4: visible services, environment, culture; sources §5.4.2: curative health care)",
        doc="Government's own top-down priority for environment (the six weights are normalised).")
    priority_safety: float = param(
        0.15, 0.0, 1.0, unit="weight",
        source="assumption (sources §4.1.4: visible services, environment, culture; sources §5.4.2: curative health care)",
        doc="Government's own top-down priority for safety (the six weights are normalised).")
    priority_culture: float = param(
        0.15, 0.0, 1.0, unit="weight",
        source="assumption (sources §4.1.4: visible services, environment, culture; sources §5.4.2: curative health care)",
        doc="Government's own top-down priority for culture (the six weights are normalised).")
    two_way_responsiveness: float = param(
        0.2, 0.0, 1.0, unit="index", source="assumption (sources §4.3.2 two-way evaluation)",
        doc="Responsiveness added when communities evaluate street departments.")
    main_line_need_weight: float = param(
        0.5, 0.0, 1.0, unit="share", source="sources §2.7, §7.2.1 (society-wide goals and the community's needs)",
        doc="Weight of residents' expressed needs (vs the society-wide goals society_goal_<domain>) in the main line's "
            "domain mix; no actor's own direction enters the main line (sources §7.2).")
    admin_directive_base: float = param(
        0.5, 0.0, 2.0, unit="index", source="assumption (sources §3.1)",
        doc="Administrative load factor at directive intensity 0 (the factor is base + intensity).")
    grid_admin_load: float = param(
        0.1, 0.0, 1.0, unit="share of RC hours",
        source="assumption (sources §4.5.5: administrative power sinks to the grass roots)",
        doc="Administrative work grid management adds to each RC.")
    need_collection_hours: float = param(
        0.01, 0.0001, 1.0, unit="RC hours/resident/month",
        source="assumption (sources §2.4: residents the main source of information)",
        doc="Needs-collection hours at which an RC knows its residents' needs fully (and reports them).")
    suggestion_saturation: float = param(
        0.05, 0.001, 1.0, unit="share of residents", source="assumption",
        doc="Share of residents making suggestions at which that channel is at full strength.")
    grid_channel_strength: float = param(
        0.8, 0.0, 1.0, unit="index", source="assumption (sources §4.5.3 grid reports)",
        doc="Strength of grid reports as a needs channel to government.")
    audit_channel_strength: float = param(
        0.6, 0.0, 1.0, unit="index", source="assumption (sources §7.13.1–§7.13.2)",
        doc="Strength of satisfaction audits as a needs channel to government.")
    # --- M6 residents' committee: how free hours are split, pressure and support for autonomy
    rc_outreach_share: float = param(
        0.2, 0.0, 1.0, unit="share of RC free hours", source="assumption (sources §3.1)",
        doc="Share of the RC's free hours spent on outreach to residents (sources §4.5.6); the five shares should sum to 1.")
    rc_activities_share: float = param(
        0.25, 0.0, 1.0, unit="share of RC free hours", source="assumption (sources §3.1)",
        doc="Share of the RC's free hours spent on community activities; the five shares should sum to 1.")
    rc_mediation_share: float = param(
        0.15, 0.0, 1.0, unit="share of RC free hours", source="assumption (sources §3.1)",
        doc="Share of the RC's free hours spent on mediating disputes; the five shares should sum to 1.")
    rc_needs_share: float = param(
        0.15, 0.0, 1.0, unit="share of RC free hours", source="assumption (sources §3.1)",
        doc="Share of the RC's free hours spent on collecting residents' needs (sources §2.4); the five shares should sum to "
            "1.")
    rc_services_share: float = param(
        0.25, 0.0, 1.0, unit="share of RC free hours", source="assumption (sources §3.1)",
        doc="Share of the RC's free hours spent on delivering services; the five shares should sum to 1.")
    council_hours_share: float = param(
        0.1, 0.0, 1.0, unit="share of RC free hours", source="assumption (sources §4.2.3)",
        doc="Free hours given to supporting the council where one exists (the other uses shrink pro rata).")
    pressure_funding_relief: float = param(
        0.5, 0.0, 1.0, unit="share", source="assumption (sources §4.3.4)",
        doc="Share of administrative pressure lifted when funds follow tasks fully.")
    pressure_grid: float = param(
        0.3, 0.0, 2.0, unit="index", source="sources §4.5.5, §7.11.2 (the grid suppresses self-governance); assumption",
        doc="Pressure on RC autonomy from grid management.")
    support_engagement: float = param(
        0.5, 0.0, 2.0, unit="index per engaged share", source="assumption (sources §4.4.1)",
        doc="Support for RC autonomy per share of residents who voiced this month.")
    support_council: float = param(
        0.2, 0.0, 2.0, unit="index", source="assumption (sources §4.2.3, §7.14.2)",
        doc="Support for RC autonomy from a deliberative council.")
    support_two_way: float = param(
        0.2, 0.0, 2.0, unit="index", source="assumption (sources §4.3.2)",
        doc="Support for RC autonomy from two-way evaluation.")
    rc_response_base: float = param(
        0.5, 0.0, 1.0, unit="probability", source="assumption",
        doc="Chance an RC without autonomy (and without admin work) acts on a resident's voice; rises to 1 with autonomy.")
    # --- M7 social organisations
    so_max_capacity: float = param(
        400.0, 10.0, 100000.0, unit="service units/SO/month", source="assumption",
        doc="Ceiling of an SO's capacity under learning by doing.")
    so_idle_decay: float = param(
        0.02, 0.0, 1.0, unit="1/month", source="assumption",
        doc="Capacity an SO loses per month when idle.")
    so_professional_learning: float = param(
        0.01, 0.0, 1.0, unit="1/month", source="assumption",
        doc="Professionalism gained toward 1 in a month with services delivered.")
    so_share_smoothing: float = param(
        0.2, 0.0, 1.0, unit="1/month", source="assumption",
        doc="Speed at which an SO's government share of income tracks the month's.")
    so_autonomy_speed: float = param(
        0.05, 0.0, 1.0, unit="1/month", source="assumption",
        doc="Speed of an SO's autonomy toward its target.")
    so_dependence_effect: float = param(
        0.5, 0.0, 1.0, unit="share", source="sources §5.3.2, §7.5.2 (dependence erodes independence); assumption",
        doc="Autonomy an SO loses when all its income is government money.")
    volunteer_units: float = param(
        0.5, 0.0, 10.0, unit="service units/volunteer/month", source="assumption (sources §3.3)",
        doc="Services a volunteering member adds to an SO's output.")
    incubation_founding_boost: float = param(
        2.0, 0.0, 20.0, unit="× founding rate", source="assumption (sources §4.4.6 incubation centres)",
        doc="Extra founding rate at full incubation.")
    so_founders: int = param(
        5, 1, 100, unit="members", source="assumption (sources §2.5 set up by residents)",
        doc="Unserved volunteers who become a new SO's first members.")
    new_so_capacity: float = param(
        10.0, 1.0, 400.0, unit="service units/month", source="assumption",
        doc="Capacity of a newly founded SO.")
    new_so_professionalism: float = param(
        0.2, 0.0, 1.0, unit="index", source="assumption (sources §5.3.2)",
        doc="Professionalism of a newly founded SO.")
    new_so_autonomy: float = param(
        0.7, 0.0, 1.0, unit="index", source="assumption (sources §2.5 set up by residents)",
        doc="Autonomy of a newly founded SO.")
    # --- M8 enterprises and property companies
    recognition_base: float = param(
        0.4, 0.0, 1.0, unit="index", source="assumption (sources §4.4.4)",
        doc="Recognition of co-building without any institution for it.")
    recognition_council: float = param(
        0.3, 0.0, 1.0, unit="index", source="assumption (sources §4.4.4)",
        doc="Recognition added by a deliberative council.")
    recognition_matching: float = param(
        0.2, 0.0, 1.0, unit="index", source="assumption (sources §4.4.4 micro-funds)",
        doc="Recognition added by micro-fund matching (at a 1:1 match or more).")
    recognition_two_way: float = param(
        0.1, 0.0, 1.0, unit="index", source="assumption (sources §4.3.2)",
        doc="Recognition added by two-way evaluation.")
    property_conflict_slope: float = param(
        2.0, 0.0, 20.0, unit="index per unit of gap", source="sources §4.4.7, §7.15.2; assumption",
        doc="Owner–property conflict (extra property-dispute arrivals, in units of dispute_rate) per unit of the gap "
            "between the service residents pay for and the service they get.")
    # --- M9 disputes
    detection_awareness_base: float = param(
        0.5, 0.0, 1.0, unit="share", source="assumption (sources §7.11.4 residents' own reports)",
        doc="Detection without grid, as a share of detection_without_grid, where nobody knows the RC; rises to 1 with "
            "awareness.")
    so_units_per_dispute: float = param(
        20.0, 0.1, 1000.0, unit="safety units/dispute", source="assumption (sources §2.5 security-mediation SOs)",
        doc="SO safety service units that resolve one dispute.")
    disputes_per_grid_worker: float = param(
        1.0, 0.0, 50.0, unit="disputes/grid worker/month", source="assumption (sources §4.5.3 dispatch)",
        doc="Disputes the departments resolve per grid worker dispatching them.")
    # --- M10 participatory fund
    fund_cycle_months: int = param(
        3, 1, 24, unit="months", source="sources §4.4.5 (call, review, implementation, evaluation); assumption",
        doc="Length of one micro-project cycle; projects deliver for this many months.")
    # --- the simulated survey (RC staff's main difficulty; satisfaction)
    difficulty_funds_base: float = param(
        0.3, 0.0, 2.0, unit="index", source="sources §5.5.1; assumption",
        doc="Weight staff give to lack of funds when funds follow tasks fully.")
    difficulty_funds_shortfall: float = param(
        0.3, 0.0, 2.0, unit="index", source="sources §5.5.1; assumption",
        doc="Weight of lack of funds added when no funds follow tasks.")
    difficulty_participation: float = param(
        0.6, 0.0, 2.0, unit="index", source="sources §5.2.1; assumption",
        doc="Weight staff give to low participation when nobody voices.")
    difficulty_engagement_scale: float = param(
        5.0, 0.1, 100.0, unit="1/engaged share", source="assumption",
        doc="Engagement (share voicing) times this at which low participation stops being named.")
    difficulty_capacity: float = param(
        0.3, 0.0, 2.0, unit="index", source="sources §5.5.1 (poorly paid workers); assumption",
        doc="Weight staff give to their own capacity.")
    satisfied_threshold: float = param(
        0.6, 0.0, 1.0, unit="satisfaction", source="assumption",
        doc="Satisfaction above which a resident answers 'satisfied with services'.")
    # --- signed force synthesis (sources §2.6–§2.7, §7.1–§7.2)
    society_goal_welfare: float = param(
        1.0, 0.0, 10.0, unit="weight",
        source="assumption (sources §7.2.1: society-wide goals; the sources rank no service domain above another)",
        doc="Society-wide goal weight of welfare in the main line (the six weights are normalised).")
    society_goal_children: float = param(
        1.0, 0.0, 10.0, unit="weight",
        source="assumption (sources §7.2.1: society-wide goals; the sources rank no service domain above another)",
        doc="Society-wide goal weight of children in the main line (the six weights are normalised).")
    society_goal_health: float = param(
        1.0, 0.0, 10.0, unit="weight",
        source="assumption (sources §7.2.1: society-wide goals; the sources rank no service domain above another)",
        doc="Society-wide goal weight of health in the main line (the six weights are normalised).")
    society_goal_environment: float = param(
        1.0, 0.0, 10.0, unit="weight",
        source="assumption (sources §7.2.1: society-wide goals; the sources rank no service domain above another)",
        doc="Society-wide goal weight of environment in the main line (the six weights are normalised).")
    society_goal_safety: float = param(
        1.0, 0.0, 10.0, unit="weight",
        source="assumption (sources §7.2.1: society-wide goals; the sources rank no service domain above another)",
        doc="Society-wide goal weight of safety in the main line (the six weights are normalised).")
    society_goal_culture: float = param(
        1.0, 0.0, 10.0, unit="weight",
        source="assumption (sources §7.2.1: society-wide goals; the sources rank no service domain above another)",
        doc="Society-wide goal weight of culture in the main line (the six weights are normalised).")
    main_line_self_governance: float = param(
        0.14, 0.0, 1.0, unit="share",
        source="assumption (sources §1.4, §7.2.1: co-governance and public participation are society-wide goals; "
               "≈ 1/7, self-governance weighs as much as one of the six service domains)",
        doc="Share of the main line on the self-governance axis; the service domains share the rest.")

    # --- Party organisation, who takes part, three-affairs sorting (sources §7.3, §7.10, §7.12, §7.17)
    party_group_min_members: int = param(
        3, 1, 50, unit="members",
        source="assumption (by analogy with the CPC Constitution: a primary organisation needs three full members)",
        doc="Organised Party members a building needs for a building Party group (楼栋党小组).")
    party_committee_weight: float = param(
        0.5, 0.0, 1.0, unit="share", source="assumption (sources §7.3.1: committee → estate branch → building group)",
        doc="Weight of the community Party committee (present everywhere) in Party strength; building-group coverage "
            "weighs 1 − it.")
    party_coordination_weight: float = param(
        0.5, 0.0, 1.0, unit="share", source="assumption (sources §7.3.1 一核多元: one core binds many actors)",
        doc="Share of the gap to full coordination that full Party strength closes.")
    party_mobilisation_weight: float = param(
        1.0, 0.0, 10.0, unit="logit", source="assumption (sources §7.3.2: working-age members mobilised)",
        doc="Participation log-odds of Party members organised in the community, at full Party strength.")
    party_volunteer_lead_weight: float = param(
        0.8, 0.0, 10.0, unit="logit", source="assumption (sources §7.3.2: members lead volunteering)",
        doc="Volunteering log-odds of residents of a building with a Party group, at full Party building.")
    employment_energy_weight: float = param(
        0.5, 0.0, 10.0, unit="logit", source="assumption (sources §7.17.2, §2.3: jobs give energy to take part)",
        doc="Participation log-odds of employed working-age residents (energy, not hours).")
    unit_tie_discount: float = param(
        0.5, 0.0, 1.0, unit="share", source="assumption (sources §1.1: 单位人, identity and ties with the workplace)",
        doc="Share of the community's pull (belonging, neighbours) lost by residents employed outside the community.")
    school_activity_rate: float = param(
        0.1, 0.0, 1.0, unit="probability/month", source="assumption (students take part through school-organised "
                                                           "activities)",
        doc="Monthly chance a student takes part in a community activity organised by the school.")
    indifferent_pull: float = param(
        0.25, 0.0, 1.0, unit="share", source="assumption (sources §7.10.1: most care little)",
        doc="Share of institutional pull (stakes, outreach, Party mobilisation) felt by residents who care little.")
    council_seats_per_1000: float = param(
        15.0, 0.1, 1000.0, unit="seats/1000 residents",
        source="assumption (sources §4.2.2: a council of deputies; about 37 seats for 2,500 residents)",
        doc="Council seats: only seat holders deliberate in the council (the most engaged residents hold them).")
    sorting_stakes: float = param(
        0.3, 0.0, 1.0, unit="stakes", source="assumption (sources §7.12.1: small affairs are residents' own to decide)",
        doc="Stakes residents gain when three-affairs sorting sends small affairs to their own deliberation.")
    sorting_affair_rate: float = param(
        0.05, 0.0, 1.0, unit="probability/adult/month", source="assumption (sources §7.12.1, §4.4.3)",
        doc="Monthly chance an adult has a small affair sent to residents' consultation under three-affairs sorting.")
    # --- tender market entry (sources §4.5.1, §7.5.3, §6)
    tender_entry_capacity: float = param(
        20.0, 1.0, 400.0, unit="service units/month",
        source="assumption (sources §4.5.1, §6: the smallest professional team that bids for a tendered bundle; "
               "the low end of the initial SOs' capacity)",
        doc="Smallest professional SO that enters the street's tender market from outside to take tendered money no "
            "SO absorbs: an entrant comes where the street's unabsorbed money of a domain is at least so_overhead + "
            "tender_entry_capacity × so_unit_cost, one per domain and month, sized to take all of it (at most "
            "so_max_capacity) and based in the community with the most.")
    tender_entrant_professionalism: float = param(
        0.6, 0.0, 1.0, unit="index",
        source="assumption (sources §7.5.3: professional service firms and NGOs; sources §6: Mianyang's 23 "
               "social-work organisations with about 300 staff serve 531 RCs)",
        doc="Professionalism of an established professional SO entering the street's tender market.")

    @cached_property
    def society_goal(self) -> np.ndarray:
        """Society-wide goal weights over :data:`DOMAINS` (not normalised); read-only, built once per instance."""
        return read_only([getattr(self, f"society_goal_{domain}") for domain in DOMAINS])
    # --- M6 overload as overtime and lost quality; department services' domains (sources §7.6, §5.5)
    rc_protected_core: float = param(
        0.3, 0.0, 1.0, unit="share of contract hours",
        source="assumption (sources §3.1: by law self-governing; sources §7.6.2: load crowds out, not abolishes)",
        doc="Share of contract hours an RC keeps for self-governance at zero load; the core shrinks as c/(1 + load).")
    rc_overtime_hours: float = param(
        36.0, 0.0, 200.0, unit="hours/staff/month", source="Labour Law of the PRC art. 41 (at most 36 h a month)",
        doc="Overtime cap per RC staff member: admin work beyond the contract room is done in overtime up to it.")
    overload_quality_loss: float = param(
        0.5, 0.0, 10.0, unit="1/overload", source="assumption (sources §5.5.2, §7.6.2: overloaded RCs)",
        doc="Units per admin hour fall as 1/(1 + loss·overload) when the admin demand exceeds the contract room.")
    admin_service_welfare: float = param(
        3.0, 0.0, 10.0, unit="department lines",
        source="sources §7.6.1 (civil affairs, disability, labour and social security)",
        doc="Weight of welfare in the department services admin hours deliver (the six weights are normalised).")
    admin_service_children: float = param(
        0.0, 0.0, 10.0, unit="department lines", source="sources §7.6.1 (no department line named)",
        doc="Weight of children in the department services admin hours deliver.")
    admin_service_health: float = param(
        2.0, 0.0, 10.0, unit="department lines", source="sources §7.6.1 (family planning, community health)",
        doc="Weight of health in the department services admin hours deliver.")
    admin_service_environment: float = param(
        0.0, 0.0, 10.0, unit="department lines", source="sources §7.6.1 (no department line named)",
        doc="Weight of environment in the department services admin hours deliver.")
    admin_service_safety: float = param(
        1.0, 0.0, 10.0, unit="department lines", source="sources §7.6.1 (policing)",
        doc="Weight of safety in the department services admin hours deliver.")
    admin_service_culture: float = param(
        0.0, 0.0, 10.0, unit="department lines", source="sources §7.6.1 (no department line named)",
        doc="Weight of culture in the department services admin hours deliver.")

    @cached_property
    def admin_service_mix(self) -> np.ndarray:
        """Department services' weights over :data:`DOMAINS` (not normalised; sources §7.6.1); read-only, built once
        per instance."""
        return read_only([getattr(self, f"admin_service_{domain}") for domain in DOMAINS])
    # --- government-side institutions: satisfaction audits, consent, council supervision (sources §7.13, §7.14)
    audit_period_months: int = param(
        12, 1, 60, unit="months", source="assumption (sources §7.13.1: a yearly audit of departments and units)",
        doc="Months between two satisfaction audits (民意访评) where audits exist.")
    audit_pass_share: float = param(
        0.5, 0.0, 1.0, unit="share of residents", source="assumption (a majority satisfied; sources §7.13.2)",
        doc="A community's units pass the audit when at least this share of its residents are satisfied with services "
            "(satisfaction above satisfied_threshold).")
    audit_rectification: float = param(
        0.3, 0.0, 1.0, unit="sanction level", source="assumption (sources §7.13.2: failing units must put things right)",
        doc="Sanction level after a first failed audit, until the next audit: share of the departments' provision in "
            "the community re-aimed at its unmet needs (and, times audit_pushdown_cut, of the push-down withdrawn).")
    audit_discipline: float = param(
        0.6, 0.0, 1.0, unit="sanction level",
        source="assumption (sources §7.13.2: a second failure goes to the anti-malpractice office, officials disciplined)",
        doc="Sanction level after a second failure in a row; it lasts while audits run (the floor of later sanctions).")
    audit_pushdown_cut: float = param(
        0.5, 0.0, 1.0, unit="share per sanction level", source="assumption (sources §7.13.2, §3.1)",
        doc="Share of the administrative hours pushed down to a sanctioned community's RC withdrawn per unit of "
            "sanction level.")
    consent_council_backing: float = param(
        0.5, 0.0, 1.0, unit="share", source="assumption (sources §4.2.3, §7.14.2: the council deliberates and supervises)",
        doc="Share of an RC's deference to the street that a council's backing removes when the RC decides whether to "
            "consent to an unfunded task.")
    council_supervision: float = param(
        0.3, 0.0, 1.0, unit="share", source="assumption (sources §4.2.3 议行分离, sources §7.14.2)",
        doc="Share of the gap to full accountability a council's supervision closes: the RC's will to act on residents' "
            "voices, and its knowledge of their needs instead of the street's direction.")
    # --- resident-side institutions: property governance, detection channels, grid plus services (sources §7.3, §7.11)
    # (sources §7.15); the within-health mismatch with inverse care (sources §7.16)
    property_effort_unsupervised: float = param(
        0.8, 0.0, 1.0, unit="share of contracted service", source="assumption (sources §7.15.2 the company's interest)",
        doc="Share of the contracted property service a property company delivers for the fees when nobody "
            "supervises it.")
    committee_supervision: float = param(
        0.6, 0.0, 1.0, unit="share of the shortfall", source="assumption (sources §7.15.1 supervisory committees)",
        doc="Share of the property company's service shortfall an owners' committee makes it close.")
    joint_meeting_supervision: float = param(
        0.4, 0.0, 1.0, unit="share of the shortfall", source="assumption (sources §7.15.1 joint meetings)",
        doc="Supervision joint meetings add to an owners' committee's.")
    committee_blocking: float = param(
        0.5, 0.0, 1.0, unit="share", source="assumption (sources §7.3.2: a property company blocked an owners' committee)",
        doc="Share of owners' committees a property company blocks where no Party branch steps in.")
    committee_formation_speed: float = param(
        0.1, 0.0, 1.0, unit="1/month", source="assumption",
        doc="Speed at which the share of estates with an owners' committee approaches its attainable level.")
    settlement_committee: float = param(
        0.3, 0.0, 1.0, unit="probability/month", source="assumption (sources §7.15.1)",
        doc="Chance a pending property dispute is settled between the owners' committee and the company, at full "
            "committee coverage.")
    settlement_joint_meetings: float = param(
        0.2, 0.0, 1.0, unit="probability/month", source="assumption (sources §7.15.1 joint meetings)",
        doc="Chance a pending property dispute is settled at a joint meeting of the parties.")
    settlement_party: float = param(
        0.4, 0.0, 1.0, unit="probability/month", source="assumption (sources §7.3.2 Party branch brokering)",
        doc="Chance a pending property dispute is brokered by the estate's Party branch, at party_strength 1.")
    detection_hotline: float = param(
        0.3, 0.0, 1.0, unit="probability/month", source="assumption (sources §7.11.4 Karamay hotline)",
        doc="Monthly chance residents report an open dispute through a public hotline.")
    grid_service_share: float = param(
        0.3, 0.0, 1.0, unit="share of grid hours", source="assumption (sources §7.11.3 grid plus services)",
        doc="Share of grid workers' hours spent delivering services under grid plus services.")
    grid_services_relief: float = param(
        0.5, 0.0, 1.0, unit="share", source="assumption (sources §7.11.3: services join administrative and "
                                            "self-governing force)",
        doc="Share of the grid's displacement of self-organisation (grid_dependence) that grid plus services undoes.")
    health_preventive_need: float = param(
        0.6, 0.0, 1.0, unit="share of health need", source="assumption (sources §5.4.1, §7.16.1: preventive care "
                                                          "wanted far more)",
        doc="Preventive share (health education, check-ups) of residents' health need; the rest is curative.")
    health_preventive_government: float = param(
        0.26, 0.0, 1.0, unit="share of health supply",
        source="sources §5.4.2 (blood-pressure and glucose checks 24.3% + regular check-ups 2.0%)",
        doc="Preventive share of government's health provision; the rest (injections, infusions) is curative.")
    health_preventive_market: float = param(
        0.2, 0.0, 1.0, unit="share of health supply", source="assumption (clinics and pharmacies sell treatment)",
        doc="Preventive share of market health services.")
    inverse_care_need_income: float = param(
        0.3, 0.0, 2.0, unit="× health need per log unit below median income",
        source="assumption (sources §5.4.3, §7.16.2 lower quality of life, more need)",
        doc="Extra health need per log unit of income below the median (capped at one log unit).")
    inverse_care_quality: float = param(
        0.2, 0.0, 1.0, unit="share per log unit below median income",
        source="assumption (sources §5.4.3, §7.16.2 worse service where quality of life is low)",
        doc="Loss of quality of public health services per log unit of income below the median (capped at one).")
    # --- two tiers of social organisation, agenda control, social workers (sources §7.4, §7.5)
    grassroots_fade_months: int = param(
        6, 1, 60, unit="months", source="assumption (sources §7.5.1: grassroots groups live on members' volunteering)",
        doc="Consecutive months without a volunteering member after which a filed grassroots group fades away.")
    registration_rate: float = param(
        0.02, 0.0, 1.0, unit="1/month", source="assumption (sources §7.5.1: few groups register)",
        doc="Monthly chance that a ready grassroots group registers as a professional SO (at professionalism 1, "
            "without incubation).")
    registration_capacity: float = param(
        30.0, 1.0, 400.0, unit="service units/month", source="assumption",
        doc="Capacity a grassroots group needs before it can register.")
    registration_funds_months: float = param(
        3.0, 0.0, 24.0, unit="months of so_overhead", source="assumption (registration needs start-up funds)",
        doc="Funds a grassroots group must hold, in months of overhead, before it can register.")
    registration_incubation_boost: float = param(
        2.0, 0.0, 20.0, unit="× registration rate", source="assumption (sources §4.4.6 incubation centres)",
        doc="Extra registration rate at full incubation.")
    agenda_rc_shield: float = param(
        0.5, 0.0, 1.0, unit="share",
        source="assumption (sources §3.1: a dependent RC relays the street's tasks; sources §7.5.2)",
        doc="Share of government's directive push on SOs' agendas that a fully autonomous RC keeps off them.")
    linkage_max_gain: float = param(
        1.0, 0.0, 10.0, unit="× volunteer output", source="assumption (sources §3.3, §7.4.1 social workers lead volunteers)",
        doc="Extra volunteer output at full linkage when social workers are plentiful relative to volunteers.")
    linkage_half_ratio: float = param(
        0.036, 0.001, 1.0, unit="social workers (FTE)/volunteer",
        source="sources §3.3 (19,617 volunteers in 703 teams: one team per ≈ 28 volunteers); assumption that one "
               "social worker per team gives half the gain",
        doc="Social workers per volunteer at which the linkage gain is half its maximum.")


def blend_levers(start: Levers, target: Levers, fraction: float) -> Levers:
    """Levers part-way from ``start`` to ``target``: numbers move linearly, switches flip at once."""
    values = {}
    for f in dataclasses.fields(Levers):
        a, b = getattr(start, f.name), getattr(target, f.name)
        values[f.name] = b if isinstance(b, bool) else a + (b - a) * fraction
    return Levers(**values)


GROUPS: dict[str, type] = {"population": Population, "economy": Economy, "levers": Levers, "behaviour": Behaviour}

#: Conditions across parameters of one group that ranges alone cannot express:
#: group -> [(what must hold, test)]. Scenario validation reports the first one violated.
CONSTRAINTS: dict[str, list[tuple[str, Any]]] = {
    "population": [("initial_so_capacity_low <= initial_so_capacity_high",
                    lambda p: p.initial_so_capacity_low <= p.initial_so_capacity_high),
                   ("share_youth + share_retiree <= 1 (the rest are working-age)",
                    lambda p: p.share_youth + p.share_retiree <= 1.0 + 1e-9)],
    "economy": [("enterprise_propensity_low <= enterprise_propensity_high",
                 lambda e: e.enterprise_propensity_low <= e.enterprise_propensity_high),
                ("so_bid_professional_discount < so_bid_price (a bid price stays positive)",
                 lambda e: e.so_bid_professional_discount < e.so_bid_price)],
    "behaviour": [("the free-hour shares rc_<use>_share sum to at most 1",
                   lambda b: sum(getattr(b, f"rc_{use}_share") for use in RC_HOUR_USES) <= 1.0 + 1e-9)],
}


def constraint_violation(group: str, values: Any) -> str | None:
    """The first condition of :data:`CONSTRAINTS` that ``values`` (a parameter group) breaks, or ``None``."""
    return next((what for what, holds in CONSTRAINTS.get(group, []) if not holds(values)), None)


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
