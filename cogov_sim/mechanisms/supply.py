"""M2 supply and matching (ODD §7.2; sources §2, §4.5, §5.4, §7.11, §7.16)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..network import neighbour_counts
from .common import normalise, safe_ratio, sigmoid, total_variation


def allocate_direct_provision(budget: float, direction: np.ndarray, population: np.ndarray,
                              unmet: np.ndarray, equality: float) -> np.ndarray:
    """Government direct provision by community and domain, in CNY (sources §2, §5.4).

    ``spend[c,k] = budget · ((1 − e) · g_k · pop_c / Σpop + e · unmet[c,k] / Σunmet)``:
    the top-down share follows the direction ``g`` (so it can mismatch demand, sources §5.4); the
    equality share ``e`` goes to the worst-covered cells (the coordinator of equality, sources §2).
    """
    top_down = np.outer(population / max(population.sum(), 1.0), direction)
    targeted = normalise(unmet.ravel()).reshape(unmet.shape) if unmet.sum() > 0 else top_down
    return budget * ((1.0 - equality) * top_down + equality * targeted)


def market_access(income: np.ndarray, price_index: float, spread: float) -> np.ndarray:
    """Share of market supply a resident can buy: ``σ((ln income − ln price) / s)`` (ODD §7.2),
    ``s`` = ``market_access_spread``."""
    return sigmoid((np.log(income) - np.log(price_index)) / spread)


def mutual_aid(adjacency: sp.csr_matrix, volunteered: np.ndarray, rate: float) -> np.ndarray:
    """Share of need met by neighbours: ``min(1, rate · Σ_j A_ij v_j)`` (sources §2, §3).

    Residents who volunteered last month help their network neighbours. Only the ties (the
    sparsity pattern of ``adjacency``) are read: a row-normalised network gives the same.
    """
    return np.minimum(1.0, rate * neighbour_counts(adjacency, volunteered))


def match_services(need: np.ndarray, community: np.ndarray, public_units: np.ndarray,
                   rc_units: np.ndarray, demand: np.ndarray, awareness: np.ndarray,
                   market_units: np.ndarray, access: np.ndarray, aid: np.ndarray,
                   quality: np.ndarray | None = None, *, quality_domain: int | None = None,
                   out: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Unmet need per resident and domain, and the units met by public channels.

    With community coverage ratios ``r_pub = public/demand`` (government, SOs, fund
    projects) and ``r_rc = rc/demand`` (reached only by residents aware of the RC, sources §3),
    ``r_mkt = market/demand`` (reached as far as income allows), and the quality ``q_i,k`` of the
    public services a resident gets (1 if ``quality`` is ``None``; inverse care, sources §7.16.2):

    ``public_i,k = min(1, (r_pub + r_rc · awareness_i) · q_i,k)``
    ``unmet_i,k = need_i,k · (1 − public_i,k)(1 − min(1, r_mkt · access_i))(1 − aid_i)``

    and met = need − unmet. Channels overlap, so over-supply in a domain is wasted rather
    than moved: this is where top-down supply that mismatches demand (sources §5.4) loses value.
    ``quality`` is (N, K), or (N,) for the one domain ``quality_domain`` (1 in the others).
    Returns ``(unmet, Σ need·public)``; computed in place on two (N, K) buffers, the unmet one
    ``out`` if given.
    """
    public = np.take(safe_ratio(rc_units, demand), community, axis=0, mode="clip")
    public *= awareness[:, None]
    unmet = np.empty_like(public) if out is None else out
    public += np.take(safe_ratio(public_units, demand), community, axis=0, out=unmet, mode="clip")
    if quality is not None:
        if quality_domain is None:
            public *= quality
        else:
            public[:, quality_domain] *= quality
    np.minimum(public, 1.0, out=public)
    met_public = float(np.vdot(need, public))
    np.take(safe_ratio(market_units, demand), community, axis=0, out=unmet, mode="clip")
    unmet *= access[:, None]
    np.minimum(unmet, 1.0, out=unmet)
    np.subtract(1.0, unmet, out=unmet)
    np.subtract(1.0, public, out=public)
    unmet *= public
    unmet *= (1.0 - aid)[:, None]
    unmet *= need
    return unmet, met_public


def supply_mismatch(supply: np.ndarray, demand: np.ndarray) -> float:
    """Demand-weighted total-variation distance between supply and demand mixes (sources §5.4).

    ``mismatch = Σ_c w_c · ½ Σ_k |S_ck/ΣS_c − D_ck/ΣD_c|`` with ``w_c = ΣD_c / ΣD``;
    0 when every community's supply mix matches its needs, 1 when disjoint.
    """
    tvd = total_variation(supply, demand)
    weights = normalise(demand.sum(axis=1))
    return float((weights * tvd).sum())


def health_mix_ratio(ratio: np.ndarray, need_preventive: float, supply_preventive: np.ndarray) -> np.ndarray:
    """Health need met per unit of health demand when supply and need split differently between
    preventive and curative care (sources §5.4, §7.16.1: preventive care wanted, curative supplied):

    ``min(π, σ · r) + min(1 − π, (1 − σ) · r)`` for a supply-to-demand ratio ``r``, need preventive
    share ``π`` (``health_preventive_need``) and supply preventive share ``σ``; equals ``min(1, r)``
    when ``σ = π`` and is less otherwise (curative units cannot meet preventive need).
    """
    return (np.minimum(need_preventive, supply_preventive * ratio)
            + np.minimum(1.0 - need_preventive, (1.0 - supply_preventive) * ratio))


def health_mix_units(units: np.ndarray, demand: np.ndarray, domain: int, need_preventive: float,
                     supply_preventive: np.ndarray | float) -> np.ndarray:
    """Supply (communities × domains) with the health column replaced by the units that count once the
    within-health mix is taken into account (:func:`health_mix_ratio`):
    ``D_health · health_mix_ratio(S_health / D_health, π, σ)``; a copy, the other columns unchanged."""
    out = units.copy()
    ratio = safe_ratio(units[:, domain], demand[:, domain])
    out[:, domain] = demand[:, domain] * health_mix_ratio(ratio, need_preventive, supply_preventive)
    return out


def within_health_mismatch(supply_preventive: np.ndarray, need_preventive: float, weights: np.ndarray) -> float:
    """Within-health mismatch (output, sources §7.16.1): ``Σ_c w_c |σ_c − π| / Σ_c w_c``, the
    weighted distance between the preventive share of health supply and of health need, in [0, 1]
    (``w_c`` health supply; 0 when there is none)."""
    total = weights.sum()
    return float(weights @ np.abs(supply_preventive - need_preventive) / total) if total > 0 else 0.0


def inverse_care_quality(income: np.ndarray, strength: float) -> np.ndarray:
    """Quality of the public health care a resident gets (inverse care, sources §5.4.3, §7.16.2: worse
    service where quality of life is lower): ``1 − κ · min(1, max(0, −ln income))``, ``κ`` =
    ``inverse_care_quality``, income relative to the street median."""
    return 1.0 - strength * np.clip(-np.log(income), 0.0, 1.0)


def grid_service_units(workers: np.ndarray, hours: float, share: float, unit_hours: float,
                       demand: np.ndarray) -> np.ndarray:
    """Services delivered by grid workers under grid plus services (sources §7.11.3), by community and
    domain: ``workers_c · hours · share / unit_hours · D_ck / Σ_k D_ck`` (they visit households and
    serve the needs they find; ``grid_service_share``, ``rc_unit_hours``)."""
    return (workers * hours * share / unit_hours)[:, None] * normalise(demand)
