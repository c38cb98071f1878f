"""M2 supply and matching (ODD §7.2; sources §2, §4.5, §5.4)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

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

    Residents who volunteered last month help their network neighbours.
    """
    return np.minimum(1.0, rate * (adjacency @ volunteered.astype(float)))


def match_services(need: np.ndarray, community: np.ndarray, public_units: np.ndarray,
                   rc_units: np.ndarray, demand: np.ndarray, awareness: np.ndarray,
                   market_units: np.ndarray, access: np.ndarray, aid: np.ndarray) -> tuple[np.ndarray, float]:
    """Unmet need per resident and domain, and the units met by public channels.

    With community coverage ratios ``r_pub = public/demand`` (government, SOs, fund
    projects) and ``r_rc = rc/demand`` (reached only by residents aware of the RC, sources §3),
    ``r_mkt = market/demand`` (reached as far as income allows):

    ``public_i,k = min(1, r_pub + r_rc · awareness_i)``
    ``unmet_i,k = need_i,k · (1 − public_i,k)(1 − min(1, r_mkt · access_i))(1 − aid_i)``

    and met = need − unmet. Channels overlap, so over-supply in a domain is wasted rather
    than moved: this is where top-down supply that mismatches demand (sources §5.4) loses value.
    Returns ``(unmet, Σ need·public)``; computed in place on two (N, K) buffers.
    """
    public = safe_ratio(rc_units, demand)[community]
    public *= awareness[:, None]
    public += safe_ratio(public_units, demand)[community]
    np.minimum(public, 1.0, out=public)
    met_public = float(np.vdot(need, public))
    unmet = safe_ratio(market_units, demand)[community]
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
