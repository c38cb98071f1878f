"""M4 attitudes (brief §4 M4; digest §2, §5.2, §4.5)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def update_satisfaction(satisfaction: np.ndarray, coverage: np.ndarray, employed_or_inactive: np.ndarray,
                        rate: float) -> np.ndarray:
    """Satisfaction tracks met need: ``s += λ(0.85·coverage + 0.15·job − s)``.

    ``job`` is 1 for the employed and those not of working age: employed residents are
    more satisfied (digest §2, enterprises' supporting force).
    """
    target = 0.85 * coverage + 0.15 * employed_or_inactive
    return satisfaction + rate * (target - satisfaction)


def update_trust(trust: np.ndarray, service: np.ndarray, responded: np.ndarray, rate: float,
                 shock: np.ndarray | float = 0.0) -> np.ndarray:
    """Trust tracks responsiveness and service: ``τ += λ(0.6·service + 0.4·responded − τ) − shock``.

    ``responded`` is 1/0 for a resident who spoke up this month (was my suggestion acted on?)
    and the institution's response chance for the others (brief §4 M4);
    ``shock`` is the loss from escalated disputes in the resident's community (§4.4, M9).
    """
    return np.clip(trust + rate * (0.6 * service + 0.4 * responded - trust) - shock, 0.0, 1.0)


def update_belonging(belonging: np.ndarray, participated: np.ndarray, gain: float, decay: float) -> np.ndarray:
    """Belonging grows with participation and decays without it (digest §5.2 "dormitory"):

    ``b += g·(1 − b)`` if the resident took part this month, else ``b −= d·b``.
    """
    return np.where(participated, belonging + gain * (1.0 - belonging), belonging * (1.0 - decay))


def update_efficacy(efficacy: np.ndarray, voice_succeeded: np.ndarray, gain: float, decay: float) -> np.ndarray:
    """Efficacy grows when one's voice changes something: ``e += g·(1 − e)·success − d·e``."""
    return efficacy + gain * (1.0 - efficacy) * voice_succeeded - decay * efficacy


def update_awareness(awareness: np.ndarray, contact: np.ndarray, attended: np.ndarray,
                     neighbours: sp.csr_matrix, peer_rate: float, decay: float) -> np.ndarray:
    """Awareness of the RC spreads by outreach contact and neighbours (digest §4.5 五百工作机制):

    ``a += (1 − a)·(1 − (1 − c)(1 − 0.3·attended)(1 − ρ·Ā_nbr)) − δ·a``
    with ``c`` the outreach contact chance and ``Ā_nbr`` neighbours' mean awareness.
    """
    from_peers = peer_rate * (neighbours @ awareness)
    reach = 1.0 - (1.0 - contact) * (1.0 - 0.3 * attended) * (1.0 - from_peers)
    return np.clip(awareness + (1.0 - awareness) * reach - decay * awareness, 0.0, 1.0)
