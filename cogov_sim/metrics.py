"""Monthly model-level outputs (ODD §4.13), computed from arrays once per month.

:func:`monthly` returns a flat dict; :func:`reporters` turns every key into a Mesa
``DataCollector`` model reporter that reads it (no per-agent reporters), and
:class:`MetricsCollector` is the DataCollector that records them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial
from itertools import combinations

import mesa
import numpy as np

from .actors.committee import ResidentsCommittee
from .actors.disputes import DisputeDesk
from .actors.government import Government
from .actors.organisations import SocialOrganization, SocialSector
from .actors.residents import MONTHS_PER_YEAR, ResidentPopulation
from .ledger import Ledger
from .mechanisms.common import normalise, safe_ratio
from .mechanisms.disputes import CHANNELS, PROPERTY, channel_shares
from .mechanisms.forces import (
    AXES,
    SELF_GOVERNANCE,
    Synthesis,
    displaced_self_organisation,
    main_line_vector,
    on_axis,
    on_domains,
    signed_synthesis,
    steered_displacement,
)
from .mechanisms.supply import supply_mismatch
from .parameters import DOMAINS, LIFE_STAGES, PARTICIPATION_TYPES, RC_HOUR_USES, Behaviour, Economy
from .state import Month

#: The four field forces (四大域动力, sources §2), in this order in the force outputs.
FORCES = ("government", "residents", "enterprises", "social_organisations")
#: The actors of the signed synthesis: the four forces and the RC as platform (sources §3).
ACTORS = (*FORCES, "platform")
#: Pairs of actors whose forces' angle is reported (``force_angle_<a>_<b>``).
ACTOR_PAIRS = tuple(combinations(ACTORS, 2))
#: RC hours that count as self-governance work (services hours count through the units they deliver).
SELF_GOVERNANCE_HOURS = tuple(use for use in (*RC_HOUR_USES, "council") if use != "services")

#: The domains the grid's running cost serves, half each (environment, safety).
GRID_DOMAINS = [DOMAINS.index("environment"), DOMAINS.index("safety")]
#: Resident attitudes (ODD §7.4), reported as means and by life stage (ODD §4.13).
ATTITUDES = ("satisfaction", "trust_government", "trust_rc", "belonging", "efficacy", "awareness")
#: RC attributes reported as their mean over the committees (``rc_<attribute>``).
RC_MEANS = ("admin_share", "overload", "overtime", "autonomy")


def _names(prefix: str, suffixes: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"{prefix}_{s}" for s in suffixes)


#: Output names of the per-type, per-stage, per-domain and per-channel vectors, in the vectors' order.
PARTICIPATION_NAMES = _names("participation", PARTICIPATION_TYPES)
BY_STAGE_NAMES = {prefix: _names(prefix, LIFE_STAGES) for prefix in (*ATTITUDES, "participation", "active_participation")}
COVERAGE_NAMES = _names("coverage", DOMAINS)
RC_MEAN_NAMES = _names("rc", RC_MEANS)
DETECTION_NAMES = _names("detection", CHANNELS)
#: Output names of the force synthesis: magnitudes, components (actors × axes, row-major), along the
#: main line, and the angles of :data:`ACTOR_PAIRS` (the upper triangle of the angle matrix, row by row).
FORCE_NAMES = _names("force", ACTORS)
FORCE_AXIS_NAMES = tuple(f"force_{a}_{x}" for a in ACTORS for x in AXES)
FORCE_MAIN_NAMES = _names("force_main", ACTORS)
FORCE_ANGLE_NAMES = tuple(f"force_angle_{a}_{b}" for a, b in ACTOR_PAIRS)
_PAIR_ROWS, _PAIR_COLUMNS = np.triu_indices(len(ACTORS), 1)

METRIC_NAMES: tuple[str, ...] = (
    *PARTICIPATION_NAMES, "participation_any",
    "satisfaction", "trust_government", "trust_rc", "belonging", "efficacy", "awareness", "willingness",
    *(name for a in ATTITUDES for name in BY_STAGE_NAMES[a]), *BY_STAGE_NAMES["participation"],
    "active_participation", *BY_STAGE_NAMES["active_participation"], "party_members", "party_strength",
    *COVERAGE_NAMES, "coverage", "mismatch",
    *RC_MEAN_NAMES,
    "so_count", "so_capacity", "so_funds", "so_government_share", "so_autonomy", "so_members", "volunteers",
    "public_spending", "met_public_units", "cost_per_met_need",
    "disputes_arisen", "disputes_resolved", "disputes_escalated", "disputes_open", "detection_delay",
    "property_disputes", "property_disputes_settled", "property_gap", "owners_committees",
    *DETECTION_NAMES, "health_mismatch",
    "gini_coverage", "coverage_bottom_quintile",
    *FORCE_NAMES, *FORCE_AXIS_NAMES, *FORCE_MAIN_NAMES, *FORCE_ANGLE_NAMES,
    "synthesis_efficiency", "opposition_share",
    "residents", "ledger_imbalance",
    "audit_failures", "audit_sanctioned_share", "audit_referrals", "tasks_refused_hours", "rc_admin_demand",
    "rc_response_chance",
    "so_grassroots", "so_professional", "so_agenda_dependence", "social_workers", "social_workers_per_community",
    "purchase_spending_ratio", "volunteers_registered", "retirees",
)


def reporters() -> dict[str, partial]:
    """Mesa DataCollector model reporters, one per metric, reading ``model.metrics``."""
    return {name: partial(_metric, name=name) for name in METRIC_NAMES}


def _metric(model: mesa.Model, name: str) -> float:
    return model.metrics[name]


class MetricsCollector(mesa.DataCollector):
    """Mesa's ``DataCollector`` with one model reporter per metric (:func:`reporters`), recording a
    month's outputs straight from ``model.metrics``: the dict :func:`monthly` filled with Python
    floats. Mesa's generic ``collect`` calls every reporter and deep-copies its value, which for
    ~150 immutable floats costs more than computing them at small populations; the records are the
    same (``get_model_vars_dataframe`` and the rest of the DataCollector API are Mesa's)."""

    def __init__(self) -> None:
        super().__init__(model_reporters=reporters())

    def collect(self, model: mesa.Model) -> None:
        """Append this month's value of every metric to its column."""
        values = model.metrics
        for name, column in self.model_vars.items():
            column.append(values[name])


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative ``values`` (0 = equal, ODD §4.13 equity)."""
    v = np.sort(np.asarray(values, dtype=float))
    n, total = len(v), v.sum()
    if n == 0 or total <= 0:
        return 0.0
    return float((2.0 * np.arange(1, n + 1) - n - 1) @ v / (n * total))


def gini_of_shares(shares: np.ndarray, bins: int = 2000) -> float:
    """Gini of values in [0, 1] in O(N): values are rounded to ``bins`` levels (error ≤ 1/bins)
    and the sorted-order formula is applied to the level counts."""
    counts = np.bincount(np.minimum((shares * bins).astype(np.int64), bins - 1), minlength=bins)
    levels = (np.arange(bins) + 0.5) / bins
    n, total = counts.sum(), counts @ levels
    if n == 0 or total <= 0:
        return 0.0
    rank_end = np.cumsum(counts)
    rank_sum = (rank_end * (rank_end + 1) - (rank_end - counts) * (rank_end - counts + 1)) / 2.0
    return float(((2.0 * rank_sum - (n + 1) * counts) @ levels) / (n * total))


#: Acts a year above which a resident counts as an active participant: the sources' own survey
#: threshold of frequent participation, "more than five times a year" (sources §6, target T3).
ACTIVE_ACTS_PER_YEAR = 5


def active_participants(recent_voice: np.ndarray, month_index: int) -> np.ndarray:
    """Residents who take part actively in public affairs or deliberation (sources §7.10, with the
    frequency threshold of the sources' survey, sources §6): more than :data:`ACTIVE_ACTS_PER_YEAR`
    public-affairs plus deliberation acts in the last 12 months, pro rata while fewer months have
    been simulated: ``acts > 5 · w / 12`` with ``w = min(12, months simulated)`` (an act of each
    type in one month counts twice)."""
    window = min(recent_voice.shape[1], month_index + 1)
    acts = recent_voice[:, 0].astype(np.int64)          # column by column: one pass each, not N short sums
    for month in range(1, recent_voice.shape[1]):
        acts += recent_voice[:, month]
    return acts > ACTIVE_ACTS_PER_YEAR * window / recent_voice.shape[1]


def force_contributions(month: Month, residents: ResidentPopulation, government: Government,
                        committees: Sequence[ResidentsCommittee], disputes: DisputeDesk, ledger: Ledger,
                        economy: Economy, line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each actor's signed contributions this month in CNY-equivalents over the service domains and
    the self-governance axis (ODD §7.13; sources §2, §7.1, §7.2, §7.11). Hours are valued at
    ``staff_wage``, service units at ``so_unit_cost``; ``line`` is the main line's unit vector.

    Government (0): direct provision (+ its domains); grid running cost (+ half environment, half
    safety); department services delivered with administrative hours (+ their domains, sources §7.6.1);
    administrative hours pushed down to the RCs (− self-governance, sources §7.6.2); the
    mutual aid an all-purpose grid displaces (− self-governance, sources §7.11.2).
    Residents (1): mutual aid (+ domains); fund projects their council chose (+ domains); hours in
    public affairs and deliberation (+ self-governance); escalated disputes not due to the
    property company, each valued at ``escalation_cost`` (− along the main line, sources §7.1.1).
    Enterprises (2): market services used and co-building money (+, the latter along the main
    line); escalations due to property conflict (− along the main line, sources §7.15.2).
    Social organisations (3): services delivered (+ domains); steered units that displace residents'
    needs (− self-governance, sources §7.5.2). Platform (4, the RC): services delivered with its
    hours and delegated money (+ domains); fund projects it chose alone where there is no council;
    its outreach, activity, mediation, needs-collection and council hours (+ self-governance).
    Returns ``(contributions (J, K + 1), actor (J,))``.
    """
    cost, wage = economy.so_unit_cost, economy.staff_wage
    escalated = disputes.last.escalated.astype(float) * economy.escalation_cost
    against_property = float(escalated[:, PROPERTY].sum())
    grid = np.zeros(len(DOMAINS))
    grid[GRID_DOMAINS] = ledger.flows.get("grid", 0.0) / 2.0
    aid = (month.aid @ month.need) * cost
    projects = on_domains(month.project_units.sum(axis=0) * cost * economy.project_cost_factor)
    took = residents.table.participated
    taking_part = float(np.count_nonzero(took[:, 1]) + np.count_nonzero(took[:, 3])) * economy.participation_hours * wage
    market_used = np.minimum(month.market_units, month.demand * residents.market_access.mean()).sum(axis=0) * cost
    steered = steered_displacement(month.so_steered, government.direction, month.demand) * cost
    rc_services = (month.rc_units + month.rc_money_units).sum(axis=0) * cost
    rc_hours = sum(rc.free_hours.get(use, 0.0) for rc in committees for use in SELF_GOVERNANCE_HOURS) * wage
    rows = [
        (0, on_domains(government.spending.sum(axis=0))),
        (0, on_domains(grid)),
        (0, on_domains(month.admin_units.sum(axis=0) * cost)),
        (0, on_axis(-float(government.admin_demand.sum()) * wage, SELF_GOVERNANCE)),
        (0, on_axis(-displaced_self_organisation(float(aid.sum()), month.self_organisation), SELF_GOVERNANCE)),
        (1, on_domains(aid)),
        (1 if month.levers.council else 4, projects),
        (1, on_axis(taking_part, SELF_GOVERNANCE)),
        (1, -(float(escalated.sum()) - against_property) * line),
        (2, on_domains(market_used)),
        (2, ledger.flows.get("co_building", 0.0) * line),
        (2, -against_property * line),
        (3, on_domains(month.so_units.sum(axis=0) * cost)),
        (3, on_axis(-steered, SELF_GOVERNANCE)),
        (4, on_domains(rc_services)),
        (4, on_axis(rc_hours, SELF_GOVERNANCE)),
    ]
    return np.array([v for _, v in rows]), np.array([a for a, _ in rows])


def force_synthesis(month: Month, residents: ResidentPopulation, government: Government,
                    committees: Sequence[ResidentsCommittee], disputes: DisputeDesk, ledger: Ledger,
                    economy: Economy, behaviour: Behaviour) -> Synthesis:
    """This month's signed synthesis along the street's main line (ODD §7.13): the communities'
    main-line mixes weighted by their demand, with ``main_line_self_governance`` on self-governance."""
    weights = normalise(month.demand.sum(axis=1))
    line = main_line_vector(weights @ month.main_line, behaviour.main_line_self_governance)
    contributions, actor = force_contributions(month, residents, government, committees, disputes, ledger, economy,
                                               line)
    return signed_synthesis(contributions, actor, len(ACTORS), line)


def institution_outputs(month: Month, government: Government,
                        committees: Sequence[ResidentsCommittee]) -> dict[str, float]:
    """Satisfaction audits (sources §7.13), consent to task transfers (sources §7.14.1) and the RCs'
    responsiveness: communities that failed the last audit, share under a sanction, referrals for
    discipline so far (zero where audits do not exist); unfunded task hours the RCs refused this
    month; administrative hours demanded per RC hour; mean chance an RC acts on a voice."""
    audits = float(month.levers.satisfaction_audits)
    return {
        "audit_failures": audits * float(government.audit_failed.sum()),
        "audit_sanctioned_share": audits * float(np.mean(government.sanction > 0)),
        "audit_referrals": audits * float(government.audit_referrals),
        "tasks_refused_hours": float(government.refused_hours.sum()),
        "rc_admin_demand": float(np.mean([government.admin_demand[rc.community] / rc.hours for rc in committees])),
        "rc_response_chance": float(np.mean([rc.response for rc in committees])),
    }


def _record(out: dict[str, float], names: Sequence[str], values: np.ndarray) -> None:
    """Store the vector ``values`` in ``out`` under ``names``, as Python floats."""
    out.update(zip(names, values.tolist(), strict=True))


def monthly(month: Month, residents: ResidentPopulation, government: Government,
            committees: Sequence[ResidentsCommittee], organisations: Sequence[SocialOrganization],
            disputes: DisputeDesk, ledger: Ledger, economy: Economy, behaviour: Behaviour,
            sector: SocialSector) -> dict[str, float]:
    """All outputs (ODD §7 "Outputs") for the month just simulated."""
    r = residents.table
    took = r.participated
    out: dict[str, float] = {}
    rates = np.array([np.count_nonzero(t) for t in took.T]) / len(took)   # column by column: 6× faster than axis 0
    _record(out, PARTICIPATION_NAMES, rates)
    any_took = residents.participated_any
    out["participation_any"] = float(any_took.mean())
    out["willingness"] = float(month.willingness.mean())
    stage_n = np.maximum(np.bincount(r.stage, minlength=3), 1)

    def by_stage(name: str, values: np.ndarray) -> None:
        _record(out, BY_STAGE_NAMES[name], np.bincount(r.stage, weights=values, minlength=3) / stage_n)

    for name in ATTITUDES:
        values = getattr(r, name)
        out[name] = float(values.mean())
        by_stage(name, values)
    by_stage("participation", any_took)
    active = active_participants(r.recent_voice, month.index)
    out["active_participation"] = float(active.mean())
    by_stage("active_participation", active)
    out["party_members"] = float(np.count_nonzero(r.party_member))
    out["party_strength"] = float(month.party_strength.mean())
    need_k = month.demand.sum(axis=0)
    met_k = need_k - residents.unmet_by_community.sum(axis=0)
    _record(out, COVERAGE_NAMES, safe_ratio(met_k, need_k, 1.0))
    out["coverage"] = float(met_k.sum() / max(need_k.sum(), 1e-12))
    supply = month.public_units + month.rc_units
    out["mismatch"] = supply_mismatch(supply, month.demand)
    _record(out, RC_MEAN_NAMES, np.mean([[getattr(rc, name) for rc in committees] for name in RC_MEANS], axis=1))
    sos = list(organisations)
    out["so_count"] = float(len(sos))
    out["so_capacity"] = float(sum(so.capacity for so in sos))
    out["so_funds"] = float(sum(ledger.balance(so.account) for so in sos))
    shares = np.mean([[so.government_share for so in sos], [so.autonomy for so in sos]], axis=1) if sos else (0.0, 0.0)
    out["so_government_share"], out["so_autonomy"] = float(shares[0]), float(shares[1])
    out["so_members"] = float(np.count_nonzero(r.so_member >= 0))
    out["volunteers"] = float(np.count_nonzero(took[:, 2]))
    spending = government.public_spending(ledger)
    met_public = month.met_public
    out["public_spending"] = float(spending)
    out["met_public_units"] = met_public
    out["cost_per_met_need"] = float(spending / met_public) if met_public > 0 else 0.0
    d = disputes.last
    out["disputes_arisen"] = float(d.arisen.sum())
    out["disputes_resolved"] = float(d.resolved.sum())
    out["disputes_escalated"] = float(d.escalated.sum())
    out["disputes_open"] = float(d.undetected.sum() + d.pending.sum())
    out["detection_delay"] = float(d.undetected.sum() / max(d.detected.sum(), 1))
    out["property_disputes"] = float(d.property_disputes.sum())
    out["property_disputes_settled"] = float(d.settled[:, PROPERTY].sum())
    pop = residents.community_population
    out["property_gap"] = float(month.property_gap @ pop / max(pop.sum(), 1))
    out["owners_committees"] = float(disputes.owners_committees @ pop / max(pop.sum(), 1))
    _record(out, DETECTION_NAMES, channel_shares(d.detected_by_channel))
    out["health_mismatch"] = month.health_mismatch
    out["gini_coverage"] = gini_of_shares(r.coverage)
    out["coverage_bottom_quintile"] = float(r.coverage[residents.bottom_quintile].mean())
    synthesis = force_synthesis(month, residents, government, committees, disputes, ledger, economy, behaviour)
    magnitudes = [math.sqrt(force.dot(force)) for force in synthesis.forces]   # np.linalg.norm of each force
    out.update(zip(FORCE_NAMES, magnitudes, strict=True))
    _record(out, FORCE_AXIS_NAMES, synthesis.forces.ravel())
    _record(out, FORCE_MAIN_NAMES, synthesis.along)
    _record(out, FORCE_ANGLE_NAMES, synthesis.angles[_PAIR_ROWS, _PAIR_COLUMNS])
    out["synthesis_efficiency"] = synthesis.efficiency
    out["opposition_share"] = synthesis.opposition
    out["residents"] = float(len(residents))
    out.update(institution_outputs(month, government, committees))
    out["ledger_imbalance"] = ledger.imbalance()
    out.update(organisation_sector(sos, sector, residents, month.index))
    return out


def organisation_sector(organisations: Sequence[SocialOrganization], sector: SocialSector,
                        residents: ResidentPopulation, month_index: int) -> dict[str, float]:
    """The two tiers, agenda control, social workers, purchase spending, volunteers and retirees
    (sources §7.4, §7.5, §7.13). ``so_agenda_dependence`` weights each SO's agenda share by the
    units it delivered (a plain mean in a month nobody delivered)."""
    r = residents.table
    professional = sum(so.professional for so in organisations)
    delivered = np.array([so.delivered for so in organisations])
    agenda = np.array([so.agenda_share for so in organisations])
    workers = float(sector.social_workers(organisations).sum())
    return {
        "so_grassroots": float(len(organisations) - professional),
        "so_professional": float(professional),
        "so_agenda_dependence": float((agenda * delivered).sum() / delivered.sum() if delivered.sum() > 0   # np.average
                                      else agenda.mean() if len(agenda) else 0.0),
        "social_workers": workers,
        "social_workers_per_community": workers / sector.n_communities,
        "purchase_spending_ratio": sector.purchase_spending_ratio,
        "volunteers_registered": float(np.count_nonzero(month_index - r.last_volunteered < MONTHS_PER_YEAR)),
        "retirees": float(np.count_nonzero(r.stage == LIFE_STAGES.index("retiree"))),
    }
