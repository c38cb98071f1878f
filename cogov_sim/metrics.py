"""Monthly model-level outputs (ODD §4.13), computed from arrays once per month.

:func:`monthly` returns a flat dict; :func:`reporters` turns every key into a Mesa
``DataCollector`` model reporter that reads it (no per-agent reporters).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import mesa
import numpy as np

from .actors.committee import ResidentsCommittee
from .actors.disputes import DisputeDesk
from .actors.government import Government
from .actors.organisations import SocialOrganization, SocialSector
from .actors.residents import MONTHS_PER_YEAR, ResidentPopulation
from .ledger import Ledger
from .mechanisms.common import normalise, safe_ratio
from .mechanisms.forces import force_synthesis
from .mechanisms.supply import supply_mismatch
from .parameters import DOMAINS, LIFE_STAGES, PARTICIPATION_TYPES, Economy
from .state import Month

#: The four field forces (四大域动力, sources §2), in this order in the force outputs.
FORCES = ("government", "residents", "enterprises", "social_organisations")

#: Resident attitudes (ODD §7.4), reported as means and by life stage (ODD §4.13).
ATTITUDES = ("satisfaction", "trust_government", "trust_rc", "belonging", "efficacy", "awareness")

METRIC_NAMES: tuple[str, ...] = (
    *(f"participation_{t}" for t in PARTICIPATION_TYPES), "participation_any",
    "satisfaction", "trust_government", "trust_rc", "belonging", "efficacy", "awareness", "willingness",
    *(f"{a}_{s}" for a in ATTITUDES for s in LIFE_STAGES), *(f"participation_{s}" for s in LIFE_STAGES),
    *(f"coverage_{d}" for d in DOMAINS), "coverage", "mismatch",
    "rc_admin_share", "rc_overload", "rc_autonomy",
    "so_count", "so_capacity", "so_funds", "so_government_share", "so_autonomy", "so_members", "volunteers",
    "public_spending", "met_public_units", "cost_per_met_need",
    "disputes_arisen", "disputes_resolved", "disputes_escalated", "disputes_open", "detection_delay",
    "gini_coverage", "coverage_bottom_quintile",
    *(f"force_{a}" for a in FORCES), *(f"force_{a}_{d}" for a in FORCES for d in DOMAINS),
    "force_platform", "resultant_magnitude", "force_alignment", "need_alignment",
    "residents", "ledger_imbalance",
    "so_grassroots", "so_professional", "so_agenda_dependence", "social_workers", "social_workers_per_community",
    "purchase_spending_ratio", "volunteers_registered", "retirees",
)


def reporters() -> dict[str, partial]:
    """Mesa DataCollector model reporters, one per metric, reading ``model.metrics``."""
    return {name: partial(_metric, name=name) for name in METRIC_NAMES}


def _metric(model: mesa.Model, name: str) -> float:
    return model.metrics[name]


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


def force_vectors(month: Month, residents: ResidentPopulation, government: Government, ledger: Ledger,
                  economy: Economy) -> np.ndarray:
    """Each field force's resources deployed this month by domain, in CNY (docs/sources.md §2).

    Government: direct provision plus grid running costs (on environment and safety).
    Residents: mutual aid valued at the SO unit cost, plus fund projects their council chose.
    Enterprises: market services used plus co-building money (toward the main line).
    Social organisations: services delivered (whoever paid), valued at the SO unit cost.
    """
    cost = economy.so_unit_cost
    gov = government.spending.sum(axis=0)
    grid = ledger.flows.get("grid", 0.0)
    gov[[DOMAINS.index("environment"), DOMAINS.index("safety")]] += grid / 2.0
    projects = month.project_units.sum(axis=0) * cost * economy.project_cost_factor
    aid = (month.aid @ month.need) * cost
    if month.levers.council:
        aid += projects
    else:
        gov += projects
    market_used = np.minimum(month.market_units, month.demand * residents.market_access.mean()).sum(axis=0) * cost
    giving = ledger.flows.get("co_building", 0.0) * normalise(month.main_line.sum(axis=0))
    enterprises = market_used + giving
    sos = month.so_units.sum(axis=0) * cost
    return np.vstack([gov, aid, enterprises, sos])


def monthly(month: Month, residents: ResidentPopulation, government: Government,
            committees: Sequence[ResidentsCommittee], organisations: Sequence[SocialOrganization],
            disputes: DisputeDesk, ledger: Ledger, economy: Economy, sector: SocialSector) -> dict[str, float]:
    """All outputs (ODD §7 "Outputs") for the month just simulated."""
    r = residents.table
    took = r.participated
    out: dict[str, float] = {}
    rates = took.mean(axis=0)
    for t, rate in zip(PARTICIPATION_TYPES, rates, strict=True):
        out[f"participation_{t}"] = float(rate)
    any_took = residents.participated_any
    out["participation_any"] = float(any_took.mean())
    out["willingness"] = float(month.willingness.mean())
    stage_n = np.maximum(np.bincount(r.stage, minlength=3), 1)
    for name in ATTITUDES:
        values = getattr(r, name)
        out[name] = float(values.mean())
        by_stage = np.bincount(r.stage, weights=values, minlength=3) / stage_n
        for s, v in zip(LIFE_STAGES, by_stage, strict=True):
            out[f"{name}_{s}"] = float(v)
    part_stage = np.bincount(r.stage, weights=any_took, minlength=3) / stage_n
    for s, v in zip(LIFE_STAGES, part_stage, strict=True):
        out[f"participation_{s}"] = float(v)
    need_k = month.demand.sum(axis=0)
    met_k = need_k - residents.unmet_by_community.sum(axis=0)
    cov_k = safe_ratio(met_k, need_k, 1.0)
    for d, v in zip(DOMAINS, cov_k, strict=True):
        out[f"coverage_{d}"] = float(v)
    out["coverage"] = float(met_k.sum() / max(need_k.sum(), 1e-12))
    supply = month.public_units + month.rc_units
    out["mismatch"] = supply_mismatch(supply, month.demand)
    out["rc_admin_share"] = float(np.mean([rc.admin_share for rc in committees]))
    out["rc_overload"] = float(np.mean([rc.overload for rc in committees]))
    out["rc_autonomy"] = float(np.mean([rc.autonomy for rc in committees]))
    sos = list(organisations)
    out["so_count"] = float(len(sos))
    out["so_capacity"] = float(sum(so.capacity for so in sos))
    out["so_funds"] = float(sum(ledger.balance(so.account) for so in sos))
    out["so_government_share"] = float(np.mean([so.government_share for so in sos])) if sos else 0.0
    out["so_autonomy"] = float(np.mean([so.autonomy for so in sos])) if sos else 0.0
    out["so_members"] = float((r.so_member >= 0).sum())
    out["volunteers"] = float(took[:, 2].sum())
    spending = ledger.outflow.get(government.account, 0.0)
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
    out["gini_coverage"] = gini_of_shares(r.coverage)
    out["coverage_bottom_quintile"] = float(r.coverage[residents.bottom_quintile].mean())
    forces = force_vectors(month, residents, government, ledger, economy)
    for a, vec in zip(FORCES, forces, strict=True):
        out[f"force_{a}"] = float(np.linalg.norm(vec))
        for dname, v in zip(DOMAINS, vec, strict=True):
            out[f"force_{a}_{dname}"] = float(v)
    out["force_platform"] = float(np.linalg.norm((month.rc_units + month.rc_money_units).sum(axis=0))
                                  * economy.so_unit_cost)
    out.update(force_synthesis(forces, need_k))
    out["residents"] = float(len(residents))
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
        "so_agenda_dependence": float(np.average(agenda, weights=delivered) if delivered.sum() > 0
                                      else agenda.mean() if len(agenda) else 0.0),
        "social_workers": workers,
        "social_workers_per_community": workers / sector.n_communities,
        "purchase_spending_ratio": sector.purchase_spending_ratio,
        "volunteers_registered": float((month_index - r.last_volunteered < MONTHS_PER_YEAR).sum()),
        "retirees": float((r.stage == LIFE_STAGES.index("retiree")).sum()),
    }
