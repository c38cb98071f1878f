"""M9 disputes: arrival, detection by channel, settlement, mediation, escalation (ODD §7.9; sources §4.4,
§4.5, §7.3, §7.11, §7.15).

Disputes come in two kinds (:data:`KINDS`): general ones (unmet environment and safety need,
unemployment) and property disputes between owners and the property company (sources §4.4.7,
§7.15.2). Arrays of open disputes are (communities, kinds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Kinds of dispute, in the column order of the dispute arrays.
KINDS: tuple[str, ...] = ("general", "property")
PROPERTY = KINDS.index("property")
#: Channels through which an open dispute comes to light (sources §4.5.3, §7.11.4), in column order.
CHANNELS: tuple[str, ...] = ("resident", "rc", "grid", "hotline")
#: Keeps a channel's detection chance below 1 so that its hazard −ln(1 − p) stays finite (numerical guard).
CERTAINTY_GUARD = 1e-9


@dataclass(frozen=True)
class DisputeMonth:
    """One month of dispute handling: (communities, kinds) counts, kinds as in :data:`KINDS`.

    ``settled`` were settled by the parties (owners' committee, joint meetings, Party branch) before
    mediation and are included in ``resolved``; ``detected_by_channel`` is (communities, channels),
    channels as in :data:`CHANNELS`.
    """

    arisen: np.ndarray
    detected: np.ndarray
    settled: np.ndarray
    resolved: np.ndarray
    escalated: np.ndarray
    undetected: np.ndarray
    pending: np.ndarray
    detected_by_channel: np.ndarray

    @property
    def property_disputes(self) -> np.ndarray:
        """Property disputes that arose this month, per community."""
        return self.arisen[:, PROPERTY]

    @property
    def property_open(self) -> np.ndarray:
        """Property disputes still open at the end of the month (undetected or pending), per community."""
        return self.undetected[:, PROPERTY] + self.pending[:, PROPERTY]


def dispute_arrivals(residents: np.ndarray, rate: float, unmet_env_safety: np.ndarray, conflict: np.ndarray,
                     unemployment: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """New disputes per community and kind (sources §4.4.7 owner–property disputes; sources §2:
    unemployment and mass incidents), with ``λ_0 = rate · n_c/1000 · (1 + unemployment)``:

    general ``~ Poisson(λ_0 · (1 + unmet_env/safety))``, property ``~ Poisson(λ_0 · conflict)``.
    """
    base = rate * residents / 1000.0 * (1.0 + unemployment)
    return rng.poisson(np.stack([base * (1.0 + unmet_env_safety), base * conflict], axis=1))


def detection_channels(awareness: np.ndarray, without_grid: float, awareness_base: float, grid: bool,
                       with_grid: float, hotline: bool, hotline_chance: float) -> np.ndarray:
    """Monthly chance that each channel brings an open dispute to light, (communities, :data:`CHANNELS`):

    resident (residents come forward by themselves) ``without · b``; RC (residents who know the RC
    tell it, sources §3) ``without · (1 − b) · awareness_c``; grid patrol (sources §4.5.3)
    ``detection_with_grid`` with grid management; hotline (sources §7.11.4) ``detection_hotline``
    where a hotline exists. ``b`` = ``detection_awareness_base``.
    """
    c = len(awareness)
    return np.column_stack([np.full(c, without_grid * awareness_base),
                            without_grid * (1.0 - awareness_base) * awareness,
                            np.full(c, with_grid if grid else 0.0),
                            np.full(c, hotline_chance if hotline else 0.0)])


def combined_detection(channels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Channels act as competing hazards ``h = −ln(1 − p_ch)``: a dispute is detected with chance
    ``1 − Π_ch (1 − p_ch)``, by channel ``ch`` with probability ``h_ch / Σ h`` (uniform where no channel works).

    Returns ``(detection chance per community, channel probabilities per community)``.
    """
    hazard = -np.log1p(-np.clip(channels, 0.0, 1.0 - CERTAINTY_GUARD))
    total = hazard.sum(axis=1, keepdims=True)
    uniform = np.full_like(hazard, 1.0 / hazard.shape[1])
    return -np.expm1(-total[:, 0]), np.divide(hazard, total, out=uniform, where=total > 0)


def property_settlement(committee_share: np.ndarray, joint_meetings: bool, party_strength: np.ndarray,
                        by_committee: float, by_joint_meetings: float, by_party: float) -> np.ndarray:
    """Monthly chance a pending property dispute is settled by the parties before mediation
    (sources §7.15.1 owners' committee and joint meetings; sources §7.3.2 the estate's Party branch
    steps in):

    ``1 − (1 − q_oc · oc_c)(1 − q_joint · joint)(1 − q_party · party_c)`` (``settlement_committee``,
    ``settlement_joint_meetings``, ``settlement_party``).
    """
    return 1.0 - ((1.0 - by_committee * committee_share) * (1.0 - by_joint_meetings * float(joint_meetings))
                  * (1.0 - by_party * party_strength))


def handle_disputes(undetected: np.ndarray, pending: np.ndarray, arisen: np.ndarray, detect: np.ndarray,
                    channel_shares: np.ndarray, settle: np.ndarray, capacity: np.ndarray, escalation: float,
                    rng: np.random.Generator) -> DisputeMonth:
    """Detect, settle, resolve and escalate (sources §4.5 grid; sources §7.3.2, §7.15.1 settlement), on
    (communities, kinds) arrays, with ``detect`` and ``capacity`` per community:

    detected ~ Bin(U + new, p_detect); settled ~ Bin(P + detected, settle);
    resolved ~ Bin(rest, min(1, capacity / Σ_kinds rest)) (the kinds share the mediators);
    escalated ~ Bin(open, p_esc) from what stays open, detected or not; the community's detected
    cases are assigned to channels ~ Multinomial(Σ_kinds detected, channel_shares).
    """
    open_u = undetected + arisen
    detected = rng.binomial(open_u, detect[:, None])
    open_u = open_u - detected
    queue = pending + detected
    settled = rng.binomial(queue, settle)
    queue = queue - settled
    waiting = queue.sum(axis=1)
    share = np.divide(capacity, waiting, out=np.ones_like(capacity, dtype=float), where=waiting > 0)
    resolved = rng.binomial(queue, np.clip(share, 0.0, 1.0)[:, None])
    queue = queue - resolved
    esc_p = rng.binomial(queue, escalation)
    esc_u = rng.binomial(open_u, escalation)
    return DisputeMonth(arisen=arisen, detected=detected, settled=settled, resolved=settled + resolved,
                        escalated=esc_p + esc_u, undetected=open_u - esc_u, pending=queue - esc_p,
                        detected_by_channel=rng.multinomial(detected.sum(axis=1), channel_shares))


def mediation_capacity(rc_mediation_hours: np.ndarray, hours_per_dispute: float, so_safety_units: np.ndarray,
                       units_per_dispute: float, grid_workers: np.ndarray, per_grid_worker: float,
                       departments: np.ndarray) -> np.ndarray:
    """Disputes resolvable per community per month (sources §4.5.3 grid dispatch):

    ``h_med / mediation_hours + u_safety / so_units_per_dispute + departments
    + disputes_per_grid_worker · grid workers``. (Three-affairs sorting is a deliberation mechanism,
    not a multiplier on this capacity: sources §7.12.)
    """
    return (rc_mediation_hours / hours_per_dispute + so_safety_units / units_per_dispute + departments
            + grid_workers * per_grid_worker)


def channel_shares(detected_by_channel: np.ndarray) -> np.ndarray:
    """Share of this month's detected disputes by channel, over all communities (zeros when none was detected)."""
    counts = detected_by_channel.sum(axis=0).astype(float)
    total = counts.sum()
    return counts / total if total > 0 else np.zeros_like(counts)
