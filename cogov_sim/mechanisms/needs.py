"""M1 needs (ODD §7.1; sources §1, §5.4, §7.16)."""

from __future__ import annotations

import numpy as np


def need_profile(base_need: np.ndarray, stage: np.ndarray, intensity: np.ndarray) -> np.ndarray:
    """Persistent monthly need per resident and domain: ``base_need[stage] · intensity``.

    ``base_need`` (life stage × domain) is ``Population.base_need`` (``need_<stage>_<domain>``,
    sources §2.4, §5.4); ``intensity`` (N, K) is each resident's lognormal multiplier (mean 1), drawn once.
    """
    return base_need[stage] * intensity


def monthly_needs(profile: np.ndarray, community: np.ndarray, shock: np.ndarray | None) -> np.ndarray:
    """Needs this month: ``need[i,k] = profile[i,k] · (1 + shock[c(i),k])``.

    ``shock`` (C, K) carries emergencies (sources §4.5: need spikes in health and safety);
    ``None`` means no shock this month and returns ``profile`` itself (no copy).
    """
    if shock is None:
        return profile
    return profile * (1.0 + shock[community])


def intensity_draw(rng: np.random.Generator, n: int, k: int, sigma: float) -> np.ndarray:
    """Lognormal need multipliers with mean 1: ``exp(N(−σ²/2, σ))``, ``σ`` = ``need_intensity_sd``."""
    return np.exp(rng.normal(-0.5 * sigma**2, sigma, size=(n, k)))


def inverse_care_need(income: np.ndarray, income_weight: float) -> np.ndarray:
    """Health-need multiplier per resident (inverse care, sources §5.4.3, §7.16.2: lower quality of life
    goes with more need): ``m_i = 1 + a · min(1, max(0, −ln income_i))``, divided by its mean over
    residents so that the street's health need keeps the level ``base_need`` gives it and only its
    spread follows quality of life; ``a`` = ``inverse_care_need_income``, income relative to the street
    median."""
    m = 1.0 + income_weight * np.clip(-np.log(income), 0.0, 1.0)
    return m / m.mean()
