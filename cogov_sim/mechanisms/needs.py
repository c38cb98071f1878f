"""M1 needs (brief §4 M1; digest §1, §5.4)."""

from __future__ import annotations

import numpy as np

#: Monthly need in service units by life stage (rows: youth, working, retiree) and domain
#: (welfare, children, health, environment, safety, culture). Assumption shaped by digest
#: §2 (diverse age groups, diverse needs) and §5.4 (elderly: health and care needs high).
BASE_NEED = np.array([
    [0.05, 0.60, 0.15, 0.20, 0.15, 0.40],
    [0.10, 0.25, 0.15, 0.30, 0.20, 0.20],
    [0.60, 0.05, 0.60, 0.25, 0.20, 0.35],
])


def need_profile(stage: np.ndarray, intensity: np.ndarray) -> np.ndarray:
    """Persistent monthly need per resident and domain: ``BASE_NEED[stage] · intensity``.

    ``intensity`` (N, K) is each resident's lognormal multiplier (mean 1), drawn once.
    """
    return BASE_NEED[stage] * intensity


def monthly_needs(profile: np.ndarray, community: np.ndarray, shock: np.ndarray | None) -> np.ndarray:
    """Needs this month: ``need[i,k] = profile[i,k] · (1 + shock[c(i),k])``.

    ``shock`` (C, K) carries emergencies (digest §4.5: need spikes in health and safety);
    ``None`` means no shock this month and returns ``profile`` itself (no copy).
    """
    if shock is None:
        return profile
    return profile * (1.0 + shock[community])


def intensity_draw(rng: np.random.Generator, n: int, k: int, sigma: float = 0.5) -> np.ndarray:
    """Lognormal need multipliers with mean 1: ``exp(N(−σ²/2, σ))``."""
    return np.exp(rng.normal(-0.5 * sigma**2, sigma, size=(n, k)))
