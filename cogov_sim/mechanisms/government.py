"""M5 government: direction, budget split and administrative tasks (ODD §7.5; sources §2, §4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..parameters import DOMAINS
from .common import normalise, safe_ratio

#: The domains grid patrols report on (sources §4.5.3): environment and safety.
ENV_SAFETY = [DOMAINS.index("environment"), DOMAINS.index("safety")]


def information_quality(strengths: np.ndarray) -> float:
    """How much of residents' needs reaches government: ``q = 1 − Π_ch (1 − s_ch)`` (sources §2)."""
    return float(1.0 - np.prod(1.0 - np.clip(strengths, 0.0, 1.0)))


def government_direction(priority: np.ndarray, signals: np.ndarray, strengths: np.ndarray,
                         responsiveness: float) -> np.ndarray:
    """Direction g over domains (ODD §7.5; sources §2.2 "from the information it sees").

    ``g = normalise((1 − w)·priority + w·perceived)``, ``w = responsiveness · q``, ``priority`` =
    ``Behaviour.top_down_priority`` (``priority_<domain>``),
    ``perceived = normalise(Σ_ch s_ch · normalise(signal_ch))`` over the channels that exist
    (RC reports, suggestions, SO reports, grid reports, satisfaction audits).
    """
    q = information_quality(strengths)
    if q <= 0.0:
        return normalise(priority)
    perceived = normalise((strengths[:, None] * normalise(signals)).sum(axis=0))
    w = responsiveness * q
    return normalise((1.0 - w) * normalise(priority) + w * perceived)


def coordinated(own: np.ndarray, line: np.ndarray, coordination: float) -> np.ndarray:
    """An actor's direction pulled toward the main line's domain mix: ``(1 − κ)·own + κ·d`` (sources §2.7;
    the main line is :func:`cogov_sim.mechanisms.forces.main_line`)."""
    return (1.0 - coordination) * own + coordination * line


@dataclass(frozen=True)
class BudgetSplit:
    """The month's public budget by use, in CNY (ODD §7.5)."""

    fixed: float
    delegated_funded: float
    delegated_unfunded: float
    purchase: float
    direct: float


def split_budget(available: float, fixed_costs: float, task_delegation: float, funds_follow_tasks: float,
                 purchase_share: float) -> BudgetSplit:
    """Split the budget (sources §4.3, §4.5):

    fixed costs (staff, grid, matching, incubation, escalations) first; of the
    service budget ``S``, ``δ·S`` is delegated to RCs, of which the share ``φ`` travels with
    the tasks (funds follow tasks); ``π·S`` is tendered to SOs; the rest (including the
    unfunded delegated part) is direct provision.
    """
    fixed = min(available, fixed_costs)
    service = available - fixed
    delegated = task_delegation * service
    funded = funds_follow_tasks * delegated
    purchase = min(purchase_share * service, service - funded)
    return BudgetSplit(fixed=fixed, delegated_funded=funded, delegated_unfunded=delegated - funded,
                       purchase=purchase, direct=service - funded - purchase)


def administrative_load(hours: np.ndarray, admin_load: float, directive_intensity: float, burden_reduction: float,
                        grid_management: bool, directive_base: float, grid_load: float) -> np.ndarray:
    """Administrative hours pushed down to each RC (sources §3.1 千条线一根针, sources §3.4 减负;
    sources §4.5.5 grid):

    ``L_c = hours_c · [λ·(b + d)·(1 − r) + l_grid·grid]``
    with load λ, directive intensity d, burden reduction r, ``b`` = ``admin_directive_base`` and
    ``l_grid`` = ``grid_admin_load``. A work station takes its part afterwards
    (:func:`work_station_takeover`).
    """
    share = admin_load * (directive_base + directive_intensity) * (1.0 - burden_reduction)
    return hours * (share + grid_load * float(grid_management))


def grid_workers(population: np.ndarray, residents_per_grid: float, grid_staff: float, grid_management: bool) -> np.ndarray:
    """Grid workers per community, full-time equivalents (zero without grid management):
    ``grid_staff`` per ``residents_per_grid`` residents (sources §4.5)."""
    return population / residents_per_grid * grid_staff * float(grid_management)


def grid_running_cost(workers: float, staff_hours: float, wage: float, office_cost: float, grid_staff: float) -> float:
    """Monthly cost of grid management (sources §4.5): ``W · (hours · wage + office / staff per grid)``,
    wages of the ``W`` grid workers plus each grid's office cost shared by its staff."""
    return workers * (staff_hours * wage + office_cost / max(grid_staff, 1e-9))


def information_channels(rc_needs_hours: np.ndarray, population: np.ndarray, demand: np.ndarray, unmet: np.ndarray,
                         suggestions: np.ndarray, n_suggestions: int, so_community: np.ndarray, so_domain: np.ndarray,
                         so_autonomy: np.ndarray, n_residents: int, grid_management: bool,
                         satisfaction_audits: bool, b) -> tuple[np.ndarray, np.ndarray]:
    """Needs signals reaching government and their strengths (sources §2.2: government acts from
    the information it sees), one row per channel; ``b`` is the :class:`~cogov_sim.parameters.Behaviour`:

    * RC reports: demand weighted by each RC's collection quality
      ``q_c = min(1, h_c / (need_collection_hours·n_c))``; strength ``mean(q)``;
    * residents' suggestions (their unmet needs); strength ``min(1, suggestions / (suggestion_saturation·N))``;
    * SO reports: unmet need in the cells SOs serve; strength ``min(1, n_SO/(K·C))·mean(SO autonomy)``
      (one SO per domain and community saturates the channel);
    * grid reports: unmet environment and safety needs; strength ``grid_channel_strength·grid``;
    * satisfaction audits: all unmet need; strength ``audit_channel_strength·audits``.
    """
    pop = np.maximum(population, 1)
    q_rc = np.minimum(1.0, rc_needs_hours / (b.need_collection_hours * pop))
    so_signal = np.bincount(so_domain, weights=unmet[so_community, so_domain], minlength=unmet.shape[1])
    grid_signal = np.zeros(unmet.shape[1])
    grid_signal[ENV_SAFETY] = unmet[:, ENV_SAFETY].sum(axis=0)
    signals = np.vstack([(q_rc[:, None] * demand).sum(axis=0), suggestions, so_signal, grid_signal, unmet.sum(axis=0)])
    n_so, n_c = len(so_community), len(population)
    strengths = np.array([
        q_rc.mean(),
        min(1.0, n_suggestions / (b.suggestion_saturation * n_residents)),
        min(1.0, n_so / (unmet.shape[1] * n_c)) * (float(np.mean(so_autonomy)) if n_so else 0.0),
        b.grid_channel_strength * float(grid_management),
        b.audit_channel_strength * float(satisfaction_audits),
    ])
    return signals, strengths


# --- administrative work as services: work station, wages, pooled departments (sources §7.6, §7.7)
def work_station_hours(n_committees: int, station_staff: float, rcs_per_station: float, staff_hours: float,
                       work_station: bool) -> np.ndarray:
    """Staff hours of the community work station (社区工作站, 居站分设) available to each RC a month
    (sources §3.5, §7.6.3: one station with a head and a deputy per 3–5 RCs):
    ``S_c = staff / RCs per station · staff_hours · station``. A street whose RC count is not a
    multiple of a station's shares stations with its neighbours: each RC gets its fraction."""
    return np.full(n_committees, station_staff / rcs_per_station * staff_hours * float(work_station))


def work_station_takeover(admin_demand: np.ndarray, station_hours: np.ndarray) -> np.ndarray:
    """Administrative hours a work station takes over from each RC (sources §3.5, §7.6.2): all of
    them up to its staff hours, ``T_c = min(L_c, S_c)`` — no free capacity."""
    return np.minimum(admin_demand, station_hours)


def staff_wage_bill(staff: float, staff_hours: float, wage: float, stations: float, office_cost: float) -> float:
    """Monthly cost government pays for community staff (sources §5.5.1 low pay, sources §7.6.2 a station
    has a cost): ``staff · hours · wage + stations · office cost`` (RC staff with ``stations = 0``;
    work-station staff plus their stations' running cost)."""
    return staff * staff_hours * wage + stations * office_cost


def department_services(hours: np.ndarray, quality: np.ndarray, service_share: float, unit_hours: float,
                        mix: np.ndarray) -> np.ndarray:
    """Department services delivered by administrative hours, by community and domain (sources §7.6.1:
    policing, family planning, civil affairs, disability, labour and social security, community health):
    ``U_c,k = h_c · q_c · σ / u · normalise(mix)_k`` with ``σ`` = ``admin_service_share``, ``u`` =
    ``rc_unit_hours`` and ``q`` the quality of the work (1 without overload). The mix follows the
    departments' lines, not residents' needs (mismatch stays honest, sources §5.4)."""
    return np.outer(hours * quality * service_share / unit_hours, normalise(mix))


def pooled_department_funds(residents: int, pooling: float, per_resident: float) -> float:
    """Departments' money the street's management committee pools into community services this month
    (sources §7.7.2 条与块之间的中介, sources §7.7.3 pooled resources): ``p · f · N``, new money from the
    departments' lines (``departments`` account), spent as direct provision along g."""
    return pooling * per_resident * residents


# ---------------------------------------------------------------- satisfaction audits (民意访评, sources §7.13)
@dataclass(frozen=True)
class AuditResult:
    """One satisfaction audit, per community (sources §7.13).

    ``failed``: the community's units failed this audit; ``failures``: failed audits in a row;
    ``disciplined``: referred for discipline at least once; ``sanction``: the sanction level in
    [0, 1] until the next audit.
    """

    failed: np.ndarray
    failures: np.ndarray
    disciplined: np.ndarray
    sanction: np.ndarray


def satisfied_share(satisfaction: np.ndarray, community: np.ndarray, n_communities: int,
                    threshold: float) -> np.ndarray:
    """The audit's survey (sources §7.13.1): share of each community's residents satisfied with services,
    ``#{i in c: satisfaction_i > threshold} / n_c`` (a community without residents counts as satisfied)."""
    residents = np.bincount(community, minlength=n_communities)
    satisfied = np.bincount(community, weights=(satisfaction > threshold).astype(float), minlength=n_communities)
    return safe_ratio(satisfied, residents, default=1.0)


def satisfaction_audit(satisfied: np.ndarray, pass_share: float, failures: np.ndarray, disciplined: np.ndarray,
                       rectification: float, discipline: float) -> AuditResult:
    """Satisfaction audit with teeth (民意访评, sources §7.13.2): failing units must put things right; a
    second failure goes to the anti-malpractice office and officials are disciplined.

    ``failed_c = satisfied_c < pass_share``; ``failures'_c = (failures_c + 1)·failed_c`` (a pass
    clears the record); ``disciplined'_c = disciplined_c ∨ failures'_c > 1``;
    ``sanction_c = max(rectification·failed_c, discipline·disciplined'_c)``: rectification lasts
    until the next audit, discipline for good.
    """
    failed = satisfied < pass_share
    failures = np.where(failed, failures + 1, 0)
    disciplined = disciplined | (failures > 1)
    sanction = np.maximum(rectification * failed, discipline * disciplined)
    return AuditResult(failed=failed, failures=failures, disciplined=disciplined, sanction=sanction)


def rectified_provision(spending: np.ndarray, unmet: np.ndarray, sanction: np.ndarray) -> np.ndarray:
    """Sanctioned departments re-aim their provision in the community at its residents' unmet needs
    (sources §7.13.2 rectification): ``spend'_c,k = (1 − s_c)·spend_c,k + s_c·(Σ_k spend_c,k)·normalise(unmet_c)_k``.
    Each community's total is unchanged (the money is the same, its use follows the audit)."""
    s = sanction[:, None]
    return (1.0 - s) * spending + s * spending.sum(axis=1, keepdims=True) * normalise(unmet)


def audited_pushdown(admin_demand: np.ndarray, sanction: np.ndarray, cut: float) -> np.ndarray:
    """Sanctioned departments withdraw administrative work pushed down to the community's RC (sources
    §7.13.2, §3.1): ``L'_c = L_c · (1 − cut·s_c)``, ``cut`` = ``audit_pushdown_cut``."""
    return admin_demand * (1.0 - cut * sanction)


# ---------------------------------------------------------------- consent to task transfers (sources §7.14.1)
def unfunded_task_money(delegated_unfunded: float, population: np.ndarray, hours_share: float) -> np.ndarray:
    """Value (CNY) of the delegated work without money that would land on each RC's staff (sources §4.3.4,
    §7.6.2): ``U · pop_c/Σpop · h``, ``U`` the unfunded delegated budget, ``h`` = ``unfunded_task_hours_share``."""
    return delegated_unfunded * population / max(population.sum(), 1.0) * hours_share


def kept_tasks(task_money: np.ndarray, refused: np.ndarray, direction: np.ndarray, available: float) -> np.ndarray:
    """Refused unfunded tasks stay with the departments, which deliver them as direct provision (sources
    §7.14.1 "whoever does the work spends the money"): ``kept_c,k = refused_c · task_c · g_k``, scaled down
    pro rata if the departments hold less than that (CNY by community and domain)."""
    kept = np.outer(refused * task_money, direction)
    total = kept.sum()
    return kept * min(1.0, available / total) if total > 0 else kept
