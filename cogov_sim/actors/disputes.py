"""The dispute desk: disputes arise, are detected, mediated or escalate (mechanism M9,
docs/sources.md §2, §4.4, §4.5). Holds the open-dispute queues of every community."""

from __future__ import annotations

import numpy as np

from ..mechanisms.common import safe_ratio
from ..mechanisms.disputes import (
    DisputeMonth,
    detection_probability,
    dispute_arrivals,
    handle_disputes,
    mediation_capacity,
)
from ..mechanisms.enterprises import property_conflict
from ..parameters import DOMAINS, Behaviour, Levers

ENV, SAFETY = DOMAINS.index("environment"), DOMAINS.index("safety")


class DisputeDesk:
    """Open disputes per community, undetected and detected-but-pending (M9).

    Attributes:
        undetected, pending: open disputes per community.
        escalations_last_month: disputes escalated in the month just simulated (they cost
            government next month).
        last: the month's :class:`~cogov_sim.mechanisms.disputes.DisputeMonth`.
        property_share: share of each community's dispute arrivals this month due to conflict
            with the property company (``conflict / (1 + unmet env/safety + conflict)``, M9's
            arrival rate); the force synthesis books that share of escalations against enterprises.
    """

    def __init__(self, n_communities: int) -> None:
        self.undetected = np.zeros(n_communities, np.int64)
        self.pending = np.zeros(n_communities, np.int64)
        self.escalations_last_month = 0
        self.property_share = np.zeros(n_communities)
        self.last: DisputeMonth | None = None

    def step(self, levers: Levers, behaviour: Behaviour, rng: np.random.Generator, *, population: np.ndarray,
             unmet: np.ndarray, demand: np.ndarray, managed: np.ndarray, unemployment: np.ndarray,
             awareness: np.ndarray, mediation_hours: np.ndarray, so_safety_units: np.ndarray,
             grid_workers: np.ndarray) -> np.ndarray:
        """Disputes arise (from unmet environment/safety need, property conflict where a property
        company ``managed`` the community, unemployment), are detected, resolved or escalate.

        Returns the trust lost per resident of each community from this month's escalations.
        """
        lev, beh = levers, behaviour
        pop = np.maximum(population, 1)
        env_safety = safe_ratio(unmet[:, [ENV, SAFETY]].sum(1), demand[:, [ENV, SAFETY]].sum(1))
        env_coverage = 1.0 - safe_ratio(unmet[:, ENV], demand[:, ENV])
        conflict = np.array([property_conflict(x, beh.property_conflict_threshold, beh.property_conflict_slope)
                             for x in env_coverage]) * managed
        self.property_share = safe_ratio(conflict, 1.0 + env_safety + conflict)
        arisen = dispute_arrivals(pop, beh.dispute_rate, env_safety, conflict, unemployment, rng)
        detect = detection_probability(lev.grid_management, beh.detection_with_grid, beh.detection_without_grid,
                                       awareness, beh.detection_awareness_base)
        capacity = mediation_capacity(mediation_hours, beh.mediation_hours, so_safety_units, beh.so_units_per_dispute,
                                      grid_workers, beh.disputes_per_grid_worker,
                                      beh.department_capacity * pop / 1000.0, lev.affairs_sorting,
                                      beh.affairs_sorting_factor)
        self.last = handle_disputes(self.undetected, self.pending, arisen, detect, capacity,
                                    beh.escalation_probability, rng)
        self.undetected, self.pending = self.last.undetected, self.last.pending
        self.escalations_last_month = int(self.last.escalated.sum())
        return beh.escalation_trust_hit * self.last.escalated * 1000.0 / pop
