"""Party organisation (党建引领, 一核多元; ODD §7.16; sources §7.3).

The community Party committee (社区党委) leads an estate branch (小区党支部) and building groups
(楼栋党小组) where a building has enough organised members (sources §7.3.1, Mianyang 004). The
organisation holds no state of its own: it is read off the residents' columns every month, so
these are pure functions over arrays.
"""

from __future__ import annotations

import numpy as np

from ..parameters import LIFE_STAGES
from .common import safe_ratio

WORKING = LIFE_STAGES.index("working")


def draw_party_members(stage: np.ndarray, share: float, retiree_ratio: float, shares: tuple[float, float],
                       u: np.ndarray) -> np.ndarray:
    """Party membership (sources §7.3): none among youth; working-age rate ``q_w`` and retiree rate
    ``r·q_w`` chosen so that the expected share of all residents is ``share``:

    ``q_w = share / (s_w + r·s_r)`` with ``(s_w, s_r)`` = ``shares`` the expected working-age and
    retiree shares; a resident is a member if ``u < q_stage`` (``u`` uniform draws).
    """
    s_working, s_retiree = shares
    q_working = min(1.0, share / max(s_working + retiree_ratio * s_retiree, 1e-9))
    rate = np.array([0.0, q_working, min(1.0, retiree_ratio * q_working)])
    return u < rate[stage]


def organised_members(member: np.ndarray, stage: np.ndarray, employed: np.ndarray, report_draw: np.ndarray,
                      reporting: float) -> np.ndarray:
    """Members organised in their residential community (双报到, sources §7.3.1, §4.5.8).

    In-service members (employed and of working age) belong to their workplace's organisation and
    count here only if they report to the community (``report_draw < in_service_reporting``); the
    others (retirees, members without a job) are organised where they live.
    """
    in_service = (stage == WORKING) & employed
    return member & (~in_service | (report_draw < reporting))


def building_groups(organised: np.ndarray, building: np.ndarray, n_buildings: int, min_members: int) -> np.ndarray:
    """Whether each building has a Party group (楼栋党小组): at least ``min_members`` organised members."""
    return np.bincount(building[organised], minlength=n_buildings) >= min_members


def party_strength(party_building: float, group: np.ndarray, building: np.ndarray, community: np.ndarray,
                   n_communities: int, committee_weight: float) -> np.ndarray:
    """Party strength per community in [0, 1] (sources §7.3.1: committee → branch → building group):

    ``strength_c = party_building · (w + (1 − w) · coverage_c)`` with ``coverage_c`` the share of the
    community's residents living in a building with a Party group and ``w`` = ``party_committee_weight``
    (the committee is present everywhere, 000).
    """
    residents = np.bincount(community, minlength=n_communities).astype(float)
    covered = np.bincount(community, weights=group[building].astype(float), minlength=n_communities)
    coverage = safe_ratio(covered, residents, default=0.0)
    return party_building * (committee_weight + (1.0 - committee_weight) * coverage)


def effective_coordination(coordination: float, strength: np.ndarray, weight: float) -> np.ndarray:
    """Coordination among actors bound by the Party core (一核多元, sources §7.3.1), per community:

    ``c_eff = c + (1 − c) · weight · strength`` (``weight`` = ``party_coordination_weight``).
    """
    return coordination + (1.0 - coordination) * weight * strength
