"""M3 participation (ODD §7.3; sources §5.2, §4.4, §4.5)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..parameters import LIFE_STAGES
from .common import sigmoid


@dataclass(frozen=True)
class ParticipationDrivers:
    """Per-resident inputs to :func:`participation_probability` (all in [0, 1] but propensity)."""

    belonging: np.ndarray
    efficacy: np.ndarray
    peer: np.ndarray
    outreach: np.ndarray
    stakes: np.ndarray
    time_cost: np.ndarray
    outside_option: np.ndarray
    propensity: np.ndarray


def time_cost(by_stage: np.ndarray, stage: np.ndarray, employed: np.ndarray, jobless_factor: float) -> np.ndarray:
    """Time cost of taking part (sources §5.2.2): ``by_stage[stage]`` (``Behaviour.time_cost``),
    times ``time_cost_jobless_factor`` for working-age residents without a job."""
    return by_stage[stage] * np.where((stage == LIFE_STAGES.index("working")) & ~employed, jobless_factor, 1.0)


def participation_logit(d: ParticipationDrivers, b) -> np.ndarray:
    """Common part of the participation log-odds (ODD §7.3):

    ``η = β_bel·belonging + β_eff·efficacy + β_peer·peer + β_out·outreach + β_stake·stakes
          − β_time·time_cost − β_opt·outside_option + propensity``
    """
    return (b.belonging_weight * d.belonging + b.efficacy_weight * d.efficacy + b.peer_weight * d.peer
            + b.outreach_weight * d.outreach + b.stakes_weight * d.stakes
            - b.time_cost_weight * d.time_cost - b.outside_option_weight * d.outside_option + d.propensity)


def participation_probability(d: ParticipationDrivers, b, availability: np.ndarray,
                              self_organisation: float) -> np.ndarray:
    """Monthly probability of each participation type, shape (N, 4) (ODD §7.3).

    ``p_t = σ(β0_t + η) · availability_t`` for activity, public affairs, volunteering and
    deliberation. ``availability`` (N, 4) is set by the institutions that exist: activities
    need RC/SO activity supply, deliberation needs a council (sources §4.2, §4.4). Volunteering is
    scaled by ``self_organisation`` (< 1 where an all-purpose grid breeds dependence, sources §4.5).
    """
    eta = participation_logit(d, b)
    intercepts = np.array([b.activity_intercept, b.public_affairs_intercept,
                           b.volunteer_intercept, b.deliberation_intercept])
    p = sigmoid(eta[:, None] + intercepts[None, :]) * availability
    p[:, 2] *= self_organisation
    return p


def willingness(d: ParticipationDrivers, b) -> np.ndarray:
    """Probability of answering "glad/willing to take part often" (target T1, sources §6).

    ``w = σ(β_w + β_bel·belonging + β_eff·efficacy + propensity − β_time·time_cost)``
    """
    return sigmoid(b.willingness_intercept + b.belonging_weight * d.belonging + b.efficacy_weight * d.efficacy
                   + d.propensity - b.time_cost_weight * d.time_cost)


def stakes(fund_per_resident_month: np.ndarray, council: bool, half_saturation: float,
           without_council: float) -> np.ndarray:
    """Stakes institutions give residents (sources §4.4.1 Chengdu: a fund residents decide).

    ``stakes_c = s · f_c / (f_c + h)`` with ``f`` the fund in CNY per resident-month,
    ``h`` = ``stakes_half_saturation`` (5 CNY ≈ Chengdu's 200,000 CNY/year for a 3,300-resident
    community) and ``s = 1`` with a deliberative council, ``stakes_without_council`` where the
    RC decides alone.
    """
    weight = 1.0 if council else without_council
    return weight * fund_per_resident_month / (fund_per_resident_month + half_saturation)
