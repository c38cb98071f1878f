"""Typed model state shared between the actors: resident columns and the month's flows.

Two kinds of state are passed between the actors by :class:`~cogov_sim.model.CommunityModel`
(nothing reaches back into the model for them):

* :class:`ResidentTable` — one row per resident; every column is registered here, so all of
  them grow together when migrants arrive (:meth:`ResidentTable.append`).
* :class:`Month` — the quantities of one month: needs, the main line, each provider's supply
  by community and domain, donations, and what the resident phases produce. A fresh
  ``Month`` is created at the start of every step, so every flow is reset in one place.

Persistent per-community state lives with its owner: project cycles and votes on the
residents' committees, dispute queues on :class:`~cogov_sim.actors.disputes.DisputeDesk`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from .parameters import K, Levers

#: ``ResidentTable.last_volunteered`` of a resident who has not volunteered yet (far in the past).
NEVER = -1_000_000


@dataclass(frozen=True)
class RandomStreams:
    """One random generator per mechanism, all spawned from the run's seed.

    Two runs with the same seed draw the same numbers in every mechanism they share (common
    random numbers): a scenario that changes one lever changes the draws of no other
    mechanism. Streams are spawned in field order; new streams are added at the end so
    that the existing ones keep their numbers.
    """

    network: np.random.Generator          # the resident network (buildings, ties)
    residents: np.random.Generator        # residents' characteristics and communities' types
    institutions: np.random.Generator     # enterprises, local jobs, initial social organisations
    activation: np.random.Generator       # Mesa's generator: the order in which SOs act
    events: np.random.Generator           # who retires, migrates in, which firms leave
    disputes: np.random.Generator         # M9 arrivals, detection, resolution, escalation
    participation: np.random.Generator    # M3 who takes part
    responses: np.random.Generator        # M4 whether a voice is acted on
    founding: np.random.Generator         # M7 births of social organisations
    survey: np.random.Generator           # the simulated survey's staff answers
    civic: np.random.Generator            # Party membership, in-service reporting, interest in public affairs
    registration: np.random.Generator     # M7 grassroots groups registering as professional SOs
    founders: np.random.Generator         # M7 which unserved volunteers found which new group

    @classmethod
    def spawn(cls, seed: np.random.SeedSequence) -> RandomStreams:
        """A generator per stream from ``seed`` (``SeedSequence.spawn``, never added integers)."""
        return cls(*(np.random.default_rng(child) for child in seed.spawn(len(fields(cls)))))


@dataclass
class ResidentTable:
    """Column arrays holding every resident's state (one row per resident).

    Attributes:
        community, building: where the resident lives (indices).
        stage: life stage, 0 youth/student, 1 working-age, 2 retiree.
        income, education: outside options (income relative to the street median; education in [0, 1]).
        employed, employer: employment, and the enterprise's ``unique_id`` for local jobs (−1 otherwise).
        intensity: (N, K) persistent lognormal need multipliers.
        propensity: persistent individual log-odds of taking part.
        satisfaction, trust_government, trust_rc, belonging, efficacy, awareness: attitudes in [0, 1].
        participated: (N, 4) participation types taken this month.
        year_counts: (N, 4) participation counts in the current survey year.
        so_member: the social organisation the resident belongs to (``unique_id``, −1 none).
        coverage: share of this month's need that was met.
        party_member: Party member (sources §7.3).
        report_draw: uniform draw; an in-service member reports to the community (双报到) if it is
            below the lever ``in_service_reporting``.
        interested: cares about community public affairs (sources §7.10.1: most care little).
        recent_voice: (N, 12) public-affairs plus deliberation acts in each of the last 12 months
            (a ring indexed by month mod 12; read by the ``active_participation`` output).
        last_volunteered: the month the resident last volunteered (``NEVER`` if not yet).
    """

    community: np.ndarray
    building: np.ndarray
    stage: np.ndarray
    income: np.ndarray
    education: np.ndarray
    employed: np.ndarray
    employer: np.ndarray
    intensity: np.ndarray
    propensity: np.ndarray
    satisfaction: np.ndarray
    trust_government: np.ndarray
    trust_rc: np.ndarray
    belonging: np.ndarray
    efficacy: np.ndarray
    awareness: np.ndarray
    participated: np.ndarray
    year_counts: np.ndarray
    so_member: np.ndarray
    coverage: np.ndarray
    party_member: np.ndarray
    report_draw: np.ndarray
    interested: np.ndarray
    recent_voice: np.ndarray
    last_volunteered: np.ndarray

    def __len__(self) -> int:
        return len(self.community)

    def append(self, other: ResidentTable) -> None:
        """Add the rows of ``other`` (migrant inflow): every registered column grows together."""
        for f in fields(self):
            setattr(self, f.name, np.concatenate([getattr(self, f.name), getattr(other, f.name)]))


@dataclass
class Month:
    """The quantities of one month, created fresh at the start of every step.

    Supply arrays are (communities, K) in service units; ``main_line`` is the main line's domain
    mix per community; ``so_steered`` the SO units per community delivered along government's
    steer (M7, read by the force synthesis); ``donations`` is CNY per community given to the
    micro-funds this month. The resident phases fill the remaining fields.
    """

    index: int
    levers: Levers
    need: np.ndarray
    need_total: np.ndarray
    demand: np.ndarray
    main_line: np.ndarray
    government_units: np.ndarray = field(init=False)
    so_units: np.ndarray = field(init=False)
    market_units: np.ndarray = field(init=False)
    rc_units: np.ndarray = field(init=False)
    rc_money_units: np.ndarray = field(init=False)
    project_units: np.ndarray = field(init=False)
    so_steered: np.ndarray = field(init=False)
    admin_units: np.ndarray = field(init=False)   # department services from admin hours (sources §7.6)
    donations: np.ndarray = field(init=False)
    # set by the model from the Party organisation (sources §7.3): Party strength per community
    # in [0, 1], and the coordination among actors it binds (the lever raised by that strength)
    party_strength: np.ndarray = field(init=False)
    coordination: np.ndarray = field(init=False)
    property_gap: np.ndarray = field(init=False)   # share of paid-for property service not delivered (M8)
    # filled by the resident phases (M2–M4)
    public_units: np.ndarray | None = None
    aid: np.ndarray | None = None
    self_organisation: float = 1.0
    unmet: np.ndarray | None = None
    met_public: float = 0.0
    top_unmet: np.ndarray | None = None
    willingness: np.ndarray | None = None
    health_mismatch: float = 0.0

    def __post_init__(self) -> None:
        shape = (self.demand.shape[0], K)
        self.government_units = np.zeros(shape)
        self.so_units, self.market_units = np.zeros(shape), np.zeros(shape)
        self.rc_units, self.rc_money_units = np.zeros(shape), np.zeros(shape)
        self.project_units = np.zeros(shape)
        self.so_steered = np.zeros(shape[0])
        self.admin_units = np.zeros(shape)
        self.donations = np.zeros(shape[0])
        self.party_strength = np.zeros(shape[0])
        self.coordination = np.full(shape[0], self.levers.coordination)
        self.property_gap = np.zeros(shape[0])
