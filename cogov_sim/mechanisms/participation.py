"""M3 participation (ODD §7.3; sources §5.2, §4.4, §4.5, §7.3, §7.10, §7.12, §7.17)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..parameters import LIFE_STAGES
from .common import sigmoid


@dataclass(frozen=True)
class ParticipationDrivers:
    """Per-resident inputs to :func:`participation_probability` (all in [0, 1] but propensity).

    ``tie``: the weight of the community's pull (1, or 1 − ``unit_tie_discount`` for residents
    employed outside the community, 单位人); ``pull``: how far institutional pull moves the
    resident (1 if interested in public affairs, else ``indifferent_pull``); ``mobilised``: Party
    strength of the community for members organised there (0 for others); ``employed``: 1 for
    employed working-age residents (energy, sources §7.17.2); ``volunteer_lead``: Party building
    where the resident's building has a Party group (0 elsewhere). Their defaults are neutral.
    """

    belonging: np.ndarray
    efficacy: np.ndarray
    peer: np.ndarray
    outreach: np.ndarray
    stakes: np.ndarray
    time_cost: np.ndarray
    outside_option: np.ndarray
    propensity: np.ndarray
    tie: np.ndarray | float = 1.0
    pull: np.ndarray | float = 1.0
    mobilised: np.ndarray | float = 0.0
    employed: np.ndarray | float = 0.0
    volunteer_lead: np.ndarray | float = 0.0


def time_cost(by_stage: np.ndarray, stage: np.ndarray, employed: np.ndarray, jobless_factor: float) -> np.ndarray:
    """Time cost of taking part (sources §5.2.2): ``by_stage[stage]`` (``Behaviour.time_cost``),
    times ``time_cost_jobless_factor`` for working-age residents without a job."""
    return by_stage[stage] * np.where((stage == LIFE_STAGES.index("working")) & ~employed, jobless_factor, 1.0)


def participation_logit(d: ParticipationDrivers, b) -> np.ndarray:
    """Common part of the participation log-odds (ODD §7.3):

    ``η = tie·(β_bel·belonging + β_peer·peer) + β_eff·efficacy
          + pull·(β_out·outreach + β_stake·stakes + β_party·mobilised) + β_energy·employed
          − β_time·time_cost − β_opt·outside_option + propensity``

    ``tie`` < 1 for residents whose ties are with a workplace outside the community (单位人,
    sources §1.1); ``pull`` < 1 for residents who care little about community affairs (sources
    §7.10.1); ``mobilised`` is the Party strength felt by members organised in the community
    (sources §7.3.2); ``employed`` adds the energy a job gives (sources §7.17.2, §2.3).
    """
    eta = np.multiply(b.belonging_weight, d.belonging, dtype=float)   # computed in place, term by term
    term = np.multiply(b.peer_weight, d.peer, dtype=float)                # in the order of the formula
    eta += term
    eta *= d.tie
    eta += np.multiply(b.efficacy_weight, d.efficacy, out=term)
    pulled = np.multiply(b.outreach_weight, d.outreach, dtype=float)
    pulled += np.multiply(b.stakes_weight, d.stakes, out=term)
    pulled += np.multiply(b.party_mobilisation_weight, d.mobilised, out=term)
    pulled *= d.pull
    eta += pulled
    eta += np.multiply(b.employment_energy_weight, d.employed, out=term)
    eta -= np.multiply(b.time_cost_weight, d.time_cost, out=term)
    eta -= np.multiply(b.outside_option_weight, d.outside_option, out=term)
    eta += d.propensity
    return eta


def participation_probability(d: ParticipationDrivers, b, availability: np.ndarray,
                              self_organisation: float, eta: np.ndarray | None = None) -> np.ndarray:
    """Monthly probability of each participation type, shape (N, 4) (ODD §7.3).

    ``p_t = σ(β0_t + η) · availability_t`` for activity, public affairs, volunteering and
    deliberation. ``availability`` (N, 4) is set by the institutions that exist: activities
    need RC/SO activity supply, deliberation a council seat or a sorted small affair (sources §4.2,
    §4.4, §7.12), public affairs and deliberation adulthood. Volunteering adds
    ``β_lead·volunteer_lead`` to its log-odds (Party members lead volunteering, sources §7.3.2) and is
    scaled by ``self_organisation`` (< 1 where an all-purpose grid breeds dependence, sources §4.5).
    ``eta``: :func:`participation_logit` of ``d`` if the caller has it already.
    """
    eta = participation_logit(d, b) if eta is None else eta
    intercepts = np.array([b.activity_intercept, b.public_affairs_intercept,
                           b.volunteer_intercept, b.deliberation_intercept])
    p = np.empty((len(eta), len(intercepts)))
    for t, intercept in enumerate(intercepts):             # η + β0_t, one column at a time
        np.add(eta, intercept, out=p[:, t])
    p[:, 2] += b.party_volunteer_lead_weight * d.volunteer_lead
    sigmoid(p, out=p)
    p *= availability
    p[:, 2] *= self_organisation
    return p


def with_school_activities(p: np.ndarray, student: np.ndarray, rate: float, out: np.ndarray | None = None) -> np.ndarray:
    """Students also take part through community activities their schools organise (assumption):
    for students the activity probability becomes ``1 − (1 − p)(1 − rate)``. ``student``: a mask or the
    students' rows. Into ``out`` if given (``p`` itself to change it in place), else a copy."""
    out = p.copy() if out is None else out
    out[student, 0] = 1.0 - (1.0 - p[student, 0]) * (1.0 - rate)
    return out


def seat_holders(score: np.ndarray, community: np.ndarray, seats: np.ndarray) -> np.ndarray:
    """Who holds the council's seats (sources §4.2.2: a council of deputies): in each community
    the ``seats_c`` residents with the highest ``score`` (ties broken by row order).

    Selected per community with a partial sort (``np.partition``, linear time) rather than a full
    sort of all residents: the ``k = ⌊seats_c⌋`` best are those above the ``k``-th highest score,
    then those equal to it in row order.
    """
    held = np.zeros(len(score), bool)
    order = np.argsort(community, kind="stable")          # rows grouped by community, row order kept
    bounds = np.searchsorted(community[order], np.arange(len(seats) + 1))
    for c, k in enumerate(np.floor(seats).astype(np.int64).tolist()):
        rows = order[bounds[c]:bounds[c + 1]]
        if k >= len(rows):
            held[rows] = True
        elif k > 0:
            s = score[rows]
            kth = np.partition(s, len(s) - k)[len(s) - k]
            above = s > kth
            held[rows[above]] = True
            held[rows[np.flatnonzero(s == kth)[:k - int(above.sum())]]] = True
    return held


def deliberation_availability(council_support: np.ndarray, seat: np.ndarray, affairs_sorting: bool,
                              affair_rate: float) -> np.ndarray:
    """Chance a resident can deliberate this month (sources §4.2.2, §7.12.1):

    ``a = 1 − (1 − support_c·seat)(1 − sorting·affair_rate)`` — a seat in a council supported by
    the RC, or a small affair of one's own that three-affairs sorting sends to residents'
    consultation.
    """
    return 1.0 - (1.0 - council_support * seat) * (1.0 - float(affairs_sorting) * affair_rate)


def willingness(d: ParticipationDrivers, b) -> np.ndarray:
    """Probability of answering "glad/willing to take part often" (target T1, sources §6).

    ``w = σ(β_w + β_bel·belonging + β_eff·efficacy + propensity − β_time·time_cost)``
    """
    return sigmoid(b.willingness_intercept + b.belonging_weight * d.belonging + b.efficacy_weight * d.efficacy
                   + d.propensity - b.time_cost_weight * d.time_cost)


def stakes(fund_per_resident_month: np.ndarray, council: bool, half_saturation: float,
           without_council: float) -> np.ndarray:
    """Stakes a fund gives a community's residents (sources §4.4.1 Chengdu: a fund residents decide).

    ``stakes_c = s · f_c / (f_c + h)`` with ``f`` the fund in CNY per resident-month,
    ``h`` = ``stakes_half_saturation`` (5 CNY ≈ Chengdu's 200,000 CNY/year for a 3,300-resident
    community) and ``s = 1`` with a deliberative council, ``stakes_without_council`` where the
    RC decides alone.
    """
    weight = 1.0 if council else without_council
    return weight * fund_per_resident_month / (fund_per_resident_month + half_saturation)


def resident_stakes(fund_stakes: np.ndarray, awareness: np.ndarray, affairs_sorting: bool,
                    sorting_stakes: float) -> np.ndarray:
    """Stakes a resident feels (sources §4.4.1, §7.12.1):

    ``stakes_i = 1 − (1 − awareness_i·fund_stakes_c)(1 − sorting·sorting_stakes)`` — a fund moves
    only residents who know of it (awareness of the RC and its council), and three-affairs sorting
    makes small affairs residents' own to decide.
    """
    return 1.0 - (1.0 - awareness * fund_stakes) * (1.0 - float(affairs_sorting) * sorting_stakes)
