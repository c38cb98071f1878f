"""M9 disputes: arrival, detection, mediation, escalation (ODD §7.9; sources §4.4, §4.5)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DisputeMonth:
    """One month of dispute handling, per community."""

    arisen: np.ndarray
    detected: np.ndarray
    resolved: np.ndarray
    escalated: np.ndarray
    undetected: np.ndarray
    pending: np.ndarray


def dispute_arrivals(residents: np.ndarray, rate: float, unmet_env_safety: np.ndarray, conflict: np.ndarray,
                     unemployment: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """New disputes per community (sources §4.4: owner–property disputes; sources §2: unemployment and
    mass incidents): ``Poisson(rate · n_c/1000 · (1 + unmet_env/safety + conflict) · (1 + unemployment))``."""
    lam = rate * residents / 1000.0 * (1.0 + unmet_env_safety + conflict) * (1.0 + unemployment)
    return rng.poisson(lam)


def detection_probability(grid: bool, with_grid: float, without_grid: float, awareness: np.ndarray,
                          awareness_base: float) -> np.ndarray:
    """Monthly detection chance: grid workers patrol (sources §4.5.3); otherwise residents report
    to an RC they know (sources §7.11.4): ``without · (b + (1 − b)·awareness_c)``, ``b`` =
    ``detection_awareness_base``."""
    if grid:
        return np.full_like(awareness, with_grid)
    return without_grid * (awareness_base + (1.0 - awareness_base) * awareness)


def handle_disputes(undetected: np.ndarray, pending: np.ndarray, arisen: np.ndarray, detect: np.ndarray,
                    capacity: np.ndarray, escalation: float, rng: np.random.Generator) -> DisputeMonth:
    """Detect, resolve and escalate (sources §4.4 三事分流, sources §4.5 grid):

    detected ~ Bin(U + new, p_detect); resolved ~ Bin(P + detected, min(1, capacity/(P + detected)));
    escalated ~ Bin(open, p_esc) from what stays open, detected or not.
    """
    open_u = undetected + arisen
    detected = rng.binomial(open_u, detect)
    open_u = open_u - detected
    queue = pending + detected
    share = np.divide(capacity, queue, out=np.ones_like(capacity, dtype=float), where=queue > 0)
    resolved = rng.binomial(queue, np.clip(share, 0.0, 1.0))
    queue = queue - resolved
    esc_p = rng.binomial(queue, escalation)
    esc_u = rng.binomial(open_u, escalation)
    return DisputeMonth(arisen=arisen, detected=detected, resolved=resolved, escalated=esc_p + esc_u,
                        undetected=open_u - esc_u, pending=queue - esc_p)


def mediation_capacity(rc_mediation_hours: np.ndarray, hours_per_dispute: float, so_safety_units: np.ndarray,
                       units_per_dispute: float, grid_workers: np.ndarray, per_grid_worker: float,
                       departments: np.ndarray, affairs_sorting: bool, sorting_factor: float) -> np.ndarray:
    """Disputes resolvable per community per month (sources §4.4.3 三事分流, sources §4.5.3 grid dispatch):

    ``(h_med / mediation_hours + u_safety / so_units_per_dispute + departments
    + disputes_per_grid_worker · grid workers) · (affairs_sorting_factor if affairs are sorted)``.
    """
    cap = (rc_mediation_hours / hours_per_dispute + so_safety_units / units_per_dispute + departments
           + grid_workers * per_grid_worker)
    return cap * (sorting_factor if affairs_sorting else 1.0)
