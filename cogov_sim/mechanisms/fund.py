"""M10 participatory fund and micro-projects (ODD §7.10; sources §4.4)."""

from __future__ import annotations

import numpy as np

from .common import normalise


def project_allocation(pool: float, votes: np.ndarray, fallback: np.ndarray, council: bool) -> np.ndarray:
    """Split a community's fund pool over domains (sources §4.4 Chengdu):

    with a deliberative council the deliberating residents' unmet needs decide,
    ``pool · normalise(votes)``; otherwise the RC allocates by what it believes, ``pool · fallback``.
    """
    if council and votes.sum() > 0:
        return pool * normalise(votes)
    return pool * normalise(fallback)


def split_grants(amount: float, room: np.ndarray) -> tuple[np.ndarray, float]:
    """Grant a domain's fund allocation to its SOs in proportion to what each can absorb
    (``room`` = a cycle of its contract-sized budget minus the funds it already holds); the
    remainder is implemented as projects by contractors (sources §4.4: SOs/enterprises implement).
    Returns ``(grants, remainder)`` with ``Σ grants + remainder = amount``."""
    room = np.maximum(room, 0.0)
    total = room.sum()
    if total <= 0 or amount <= 0:
        return np.zeros_like(room), amount
    grants = room * min(1.0, amount / total)
    return grants, max(0.0, amount - float(grants.sum()))


def voice_success(top_domain: np.ndarray, allocation_share: np.ndarray) -> np.ndarray:
    """Evaluation (评估): a deliberator's voice changed something if the domain of their largest
    unmet need received at least an equal share of their community's fund, ``share_i[top_i] ≥ 1/K``.

    ``allocation_share`` is (N, K): each resident's community allocation shares.
    """
    got = np.take_along_axis(allocation_share, top_domain[:, None], axis=1)[:, 0]
    return got >= 1.0 / allocation_share.shape[-1]
