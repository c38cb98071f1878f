"""M4 attitudes (ODD §7.4; sources §2, §5.2, §4.5, §7.12)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def update_satisfaction(satisfaction: np.ndarray, coverage: np.ndarray, employed_or_inactive: np.ndarray,
                        rate: float, job_weight: float) -> np.ndarray:
    """Satisfaction tracks met need: ``s += λ((1 − w_job)·coverage + w_job·job − s)``.

    ``job`` is 1 for the employed and those not of working age: employed residents are
    more satisfied (sources §2.3, enterprises' supporting force); ``w_job`` is
    ``satisfaction_job_weight``.
    """
    target = (1.0 - job_weight) * coverage + job_weight * employed_or_inactive
    return satisfaction + rate * (target - satisfaction)


def update_trust(trust: np.ndarray, service: np.ndarray, responded: np.ndarray, rate: float, service_weight: float,
                 shock: np.ndarray | float = 0.0) -> np.ndarray:
    """Trust tracks responsiveness and service: ``τ += λ(w·service + (1 − w)·responded − τ) − shock``
    with ``w`` = ``trust_service_weight``.

    ``responded`` is 1/0 for a resident who spoke up this month (was my suggestion acted on?)
    and the institution's response chance for the others (ODD §7.4);
    ``shock`` is the loss from escalated disputes in the resident's community (sources §4.4, M9).
    """
    return np.clip(trust + rate * (service_weight * service + (1.0 - service_weight) * responded - trust) - shock,
                   0.0, 1.0)


def update_belonging(belonging: np.ndarray, participated: np.ndarray, gain: float, decay: float) -> np.ndarray:
    """Belonging grows with participation and decays without it (sources §5.2 "dormitory"):

    ``b += g·(1 − b)`` if the resident took part this month, else ``b −= d·b``.
    """
    return np.where(participated, belonging + gain * (1.0 - belonging), belonging * (1.0 - decay))


def update_efficacy(efficacy: np.ndarray, voice_succeeded: np.ndarray, gain: float, decay: float) -> np.ndarray:
    """Efficacy grows when one's voice changes something: ``e += g·(1 − e)·success − d·e``."""
    return efficacy + gain * (1.0 - efficacy) * voice_succeeded - decay * efficacy


def update_awareness(awareness: np.ndarray, contact: np.ndarray, attended: np.ndarray,
                     neighbours: sp.csr_matrix, peer_rate: float, decay: float, activity_contact: float) -> np.ndarray:
    """Awareness of the RC spreads by outreach contact and neighbours (sources §4.5.6 五百工作机制):

    ``a += (1 − a)·(1 − (1 − c)(1 − c_act·attended)(1 − ρ·Ā_nbr)) − δ·a``
    with ``c`` the outreach contact chance, ``c_act`` = ``awareness_activity_contact`` and
    ``Ā_nbr`` neighbours' mean awareness.
    """
    peers = neighbours @ awareness                      # computed in place, in the order of the formula
    peers *= peer_rate
    np.subtract(1.0, peers, out=peers)
    reach = np.subtract(1.0, contact, dtype=float)
    reach = reach * np.subtract(1.0, np.multiply(activity_contact, attended, dtype=float))
    reach *= peers
    np.subtract(1.0, reach, out=reach)
    new = np.subtract(1.0, awareness)
    new *= reach
    new += awareness
    new -= np.multiply(decay, awareness, out=peers)
    return np.clip(new, 0.0, 1.0, out=new)


def efficacy_success(acted_on: np.ndarray, deliberated: np.ndarray, affairs_sorting: bool,
                  handled_chance: np.ndarray) -> np.ndarray:
    """Chance one's voice changed something this month, the input of :func:`update_efficacy`:

    ``success = max(acted_on, sorting · deliberated · handled_chance)`` — ``acted_on`` (1/0) is a
    suggestion acted on or a deliberator's need funded; under three-affairs sorting (三事分流) a
    deliberated small affair is handled by the responsible actor with the community's
    ``handled_chance`` (its RC's response chance), which raises efficacy and the sense of gain
    (sources §7.12.1).
    """
    return np.maximum(acted_on.astype(float), float(affairs_sorting) * deliberated * handled_chance)
