"""M8 enterprises: market services, co-building and property governance (ODD §7.8; sources §2, §4.4, §7.3, §7.15).

An enterprise's market offer is its capacity spread over domains as
``coordinated(e_own, main line, coordination)`` (M5: coordination pulls other actors toward
the main line), see :func:`cogov_sim.mechanisms.government.coordinated`."""

from __future__ import annotations

import numpy as np


def co_building_contribution(giving: float, propensity: float, coordination: float, recognition: float,
                             floor: float) -> float:
    """Monthly contribution of an enterprise to community micro-funds (sources §2.3 supporting force):

    ``giving · propensity · (f + (1 − f)·coordination) · recognition``, ``f`` = ``co_building_floor``.
    """
    return giving * propensity * (floor + (1.0 - floor) * coordination) * recognition


def recognition(council: bool, matching: float, two_way: bool, base: float, council_weight: float,
                matching_weight: float, two_way_weight: float) -> float:
    """How much co-building is recognised (sources §4.4.4): ``r_0 + r_council·council
    + r_match·min(1, match) + r_2way·two-way`` (``recognition_base``, ``recognition_council``,
    ``recognition_matching``, ``recognition_two_way``)."""
    return base + council_weight * float(council) + matching_weight * min(1.0, matching) + two_way_weight * float(two_way)


def property_conflict(gap: np.ndarray, slope: float) -> np.ndarray:
    """Owner–property-company conflict (sources §4.4.7, §7.15.2): ``slope · gap``, the gap being the share
    of the service residents pay for that they do not get (``property_conflict_slope``); zero where no
    property company is left. It raises property-dispute arrivals (M9)."""
    return slope * gap


def property_supervision(committee_share: np.ndarray, joint_meetings: bool, by_committee: float,
                         by_joint_meetings: float) -> np.ndarray:
    """How closely owners supervise the property company (sources §7.15.1: owners' committee, supervisory
    committees, joint meetings): ``s_c = oc_c · min(1, w_oc + w_joint · joint)`` in [0, 1]
    (``committee_supervision``, ``joint_meeting_supervision``; ``oc_c`` the share of estates with a committee)."""
    return committee_share * min(1.0, by_committee + by_joint_meetings * float(joint_meetings))


def property_effort(unsupervised: float, supervision: float) -> float:
    """Share of the contracted service a property company delivers for the fees it collects
    (sources §7.15.2: its interest runs against residents'): ``e = e_0 + (1 − e_0) · s``
    (``property_effort_unsupervised``); the gap residents feel is ``1 − e``."""
    return unsupervised + (1.0 - unsupervised) * supervision


def committee_target(owners_committee: float, blocking: float, party_strength: np.ndarray,
                     managed: np.ndarray) -> np.ndarray:
    """Attainable share of estates with an owners' committee (sources §7.15.1; sources §7.3.2: a property
    company blocked an owners' committee until the estate's Party branch stepped in):
    ``owners_committee · (1 − blocking · (1 − party_c))`` where a property company manages, else
    ``owners_committee`` (``committee_blocking``)."""
    blocked = np.where(managed, blocking * (1.0 - party_strength), 0.0)
    return owners_committee * (1.0 - blocked)


def committee_formation(share: np.ndarray, target: np.ndarray, speed: float) -> np.ndarray:
    """Owners' committees form (or lapse) toward the attainable share: ``oc ← oc + speed · (target − oc)``
    (``committee_formation_speed``)."""
    return share + speed * (target - share)
