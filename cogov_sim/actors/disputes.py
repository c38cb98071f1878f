"""The dispute desk: disputes arise, are detected, settled, mediated or escalate (mechanism M9,
docs/sources.md §2, §4.4, §4.5, §7.3, §7.11, §7.15). Holds the open-dispute queues of every community
and the owners' committees that supervise property companies and settle property disputes."""

from __future__ import annotations

import numpy as np

from ..mechanisms.common import safe_ratio
from ..mechanisms.disputes import (
    KINDS,
    DisputeMonth,
    combined_detection,
    detection_channels,
    dispute_arrivals,
    handle_disputes,
    mediation_capacity,
    property_settlement,
)
from ..mechanisms.enterprises import committee_formation, committee_target, property_conflict, property_supervision
from ..parameters import DOMAINS, Behaviour, Levers

ENV, SAFETY = DOMAINS.index("environment"), DOMAINS.index("safety")


class DisputeDesk:
    """Open disputes per community and kind (general, property), undetected and detected-but-pending (M9),
    and the owners' committees (业委会, sources §7.15).

    Attributes:
        undetected, pending: open disputes, (communities, kinds) with kinds
            :data:`~cogov_sim.mechanisms.disputes.KINDS`.
        owners_committees: share of each community's estates with an owners' committee.
        escalations_last_month: disputes escalated in the month just simulated (they cost
            government next month).
        last: the month's :class:`~cogov_sim.mechanisms.disputes.DisputeMonth` (``last.property_disputes``:
            property disputes arisen per community).
    """

    def __init__(self, n_communities: int) -> None:
        self.undetected = np.zeros((n_communities, len(KINDS)), np.int64)
        self.pending = np.zeros((n_communities, len(KINDS)), np.int64)
        self.owners_committees = np.zeros(n_communities)
        self.escalations_last_month = 0
        self.last: DisputeMonth | None = None

    def supervision(self, levers: Levers, behaviour: Behaviour) -> np.ndarray:
        """How closely owners supervise each community's property company this month (M8)."""
        return property_supervision(self.owners_committees, levers.joint_meetings, behaviour.committee_supervision,
                                    behaviour.joint_meeting_supervision)

    def step(self, levers: Levers, behaviour: Behaviour, rng: np.random.Generator, *, population: np.ndarray,
             unmet: np.ndarray, demand: np.ndarray, managed: np.ndarray, property_gap: np.ndarray,
             unemployment: np.ndarray, awareness: np.ndarray, mediation_hours: np.ndarray,
             so_safety_units: np.ndarray, grid_workers: np.ndarray,
             party_strength: np.ndarray | None = None) -> np.ndarray:
        """Disputes arise (general: unmet environment/safety need and unemployment; property: the
        ``property_gap`` between the service residents pay for and get where a property company
        ``managed`` the community), are detected by channel, settled by the parties, mediated or
        escalate; owners' committees then form toward the share the property companies and the
        estates' Party branches (``party_strength`` in [0, 1] per community, zeros if ``None``) allow.

        Returns the trust lost per resident of each community from this month's escalations.
        """
        lev, beh = levers, behaviour
        party = np.zeros(len(population)) if party_strength is None else np.asarray(party_strength, float)
        pop = np.maximum(population, 1)
        env_safety = safe_ratio(unmet[:, [ENV, SAFETY]].sum(1), demand[:, [ENV, SAFETY]].sum(1))
        conflict = property_conflict(property_gap, beh.property_conflict_slope) * managed
        arisen = dispute_arrivals(pop, beh.dispute_rate, env_safety, conflict, unemployment, rng)
        detect, shares = combined_detection(detection_channels(
            awareness, beh.detection_without_grid, beh.detection_awareness_base, lev.grid_management,
            beh.detection_with_grid, lev.hotline, beh.detection_hotline))
        settle = np.zeros(arisen.shape)
        settle[:, KINDS.index("property")] = property_settlement(
            self.owners_committees, lev.joint_meetings, party, beh.settlement_committee,
            beh.settlement_joint_meetings, beh.settlement_party)
        capacity = mediation_capacity(mediation_hours, beh.mediation_hours, so_safety_units, beh.so_units_per_dispute,
                                      grid_workers, beh.disputes_per_grid_worker,
                                      beh.department_capacity * pop / 1000.0)
        self.last = handle_disputes(self.undetected, self.pending, arisen, detect, shares, settle, capacity,
                                    beh.escalation_probability, rng)
        self.undetected, self.pending = self.last.undetected, self.last.pending
        self.owners_committees = committee_formation(
            self.owners_committees, committee_target(lev.owners_committee, beh.committee_blocking, party, managed),
            beh.committee_formation_speed)
        escalated = self.last.escalated.sum(axis=1)
        self.escalations_last_month = int(escalated.sum())
        return beh.escalation_trust_hit * escalated * 1000.0 / pop
