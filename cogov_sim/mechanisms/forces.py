"""Signed four-force synthesis (动力合成) along a main line (主线) set outside any actor
(sources §2.6–§2.7, §7.1–§7.2; ODD §7.13).

Force space: the ``K`` service domains plus a self-governance axis (``K + 1`` dimensions,
:data:`AXES`). Every actor's force is the sum of signed contributions in CNY-equivalents per
month: what it does for a service domain or for residents' self-governance counts positive,
what works against the main line or against self-governance counts negative (sources §7.1:
actors resist what harms them, so forces can oppose one another).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..parameters import DOMAINS, K
from .common import normalise, total_variation

#: The axes of the force space: the service domains and self-governance (自治).
AXES: tuple[str, ...] = (*DOMAINS, "self_governance")
#: Index of the self-governance axis.
SELF_GOVERNANCE = K


def main_line(goal: np.ndarray, need: np.ndarray, need_weight: float) -> np.ndarray:
    """Domain mix of the development main line (主线, sources §2.7, §7.2.1), set outside any actor:

    ``d = (1 − w)·normalise(goal) + w·normalise(need)`` with ``goal`` the society-wide goal weights
    (``society_goal_<domain>``), ``need`` residents' needs by domain (one row per community, or a
    street total) and ``w`` = ``main_line_need_weight``. No actor's own direction enters it; rows
    sum to 1. Coordination pulls SOs' and enterprises' services toward it (sources §2.7).
    """
    return (1.0 - need_weight) * normalise(goal) + need_weight * normalise(need)


def main_line_vector(domain_mix: np.ndarray, self_governance: float) -> np.ndarray:
    """Unit vector of the main line in the force space (sources §7.2.1):
    ``m̂ = [(1 − σ)·d, σ] / |[(1 − σ)·d, σ]|``, ``σ`` = ``main_line_self_governance``."""
    m = np.append((1.0 - self_governance) * np.asarray(domain_mix, dtype=float), self_governance)
    norm = float(np.linalg.norm(m))
    return m / norm if norm > 0 else m


def on_axis(value: float, axis: int) -> np.ndarray:
    """A contribution of ``value`` CNY on one axis of the force space (negative: against it)."""
    v = np.zeros(K + 1)
    v[axis] = value
    return v


def on_domains(values: np.ndarray) -> np.ndarray:
    """A contribution over the service domains (CNY by domain), nothing on self-governance."""
    v = np.zeros(K + 1)
    v[:K] = values
    return v


def displaced_self_organisation(self_organised: float, self_organisation: float) -> float:
    """Residents' self-organised effort an all-purpose grid displaces (管理依赖症, sources §7.11.2), CNY:

    residents' self-organised effort ``E`` is what is left at self-organisation ``s`` (``1 −
    grid_dependence`` under grid management); without the grid it would be ``E/s``, so the grid
    displaces ``E·(1 − s)/s``. Zero at ``s = 1``; with ``s = 0`` nothing is left to measure (0).
    """
    if self_organisation <= 0.0:
        return 0.0
    return self_organised * (1.0 - self_organisation) / self_organisation


def steered_displacement(steered_units: np.ndarray, steer: np.ndarray, need_mix: np.ndarray) -> float:
    """SO service units whose agenda government set and that displace residents' needs (以政代社,
    sources §7.5.2, §7.1), in units:

    ``Σ_c S_c · ½ Σ_k |g_k − n_ck|`` with ``S_c`` the units SOs of community c delivered along
    government's steer ``g`` (the steered share ``(1 − α)(1 − κ)`` of their output) and ``n_c``
    the community's need mix: the steered units that land in domains beyond residents' share of
    need — those were taken from a need residents have.
    """
    return float(np.sum(steered_units * total_variation(need_mix, steer)))


@dataclass(frozen=True)
class Synthesis:
    """The signed synthesis of one month (see :func:`signed_synthesis`).

    Attributes:
        forces: (actors, K + 1) each actor's force, the sum of its contributions (CNY/month).
        along: (actors,) each force resolved along the main line, ``F_a · m̂`` (CNY/month).
        efficiency: ``R · m̂ / Σ_a |F_a|`` in [−1, 1].
        opposition: share of the effort resolved along the main line that points against it, in [0, 1].
        angles: (actors, actors) angles between the actors' forces in degrees (90 where one is zero).
    """

    forces: np.ndarray
    along: np.ndarray
    efficiency: float
    opposition: float
    angles: np.ndarray


def signed_synthesis(contributions: np.ndarray, actor: np.ndarray, n_actors: int, line: np.ndarray) -> Synthesis:
    """Resultant of signed forces along the main line (动力合成, sources §2.6–§2.7, §7.1–§7.2).

    ``contributions`` (J, K + 1) are signed contributions in CNY-equivalents, ``actor`` (J,) the
    actor each belongs to, ``line`` the main line's unit vector ``m̂`` (:func:`main_line_vector`).
    With ``F_a = Σ_{j∈a} c_j`` and ``R = Σ_a F_a``:

    * along the main line: ``F_a · m̂``;
    * synthesis efficiency ``η = R·m̂ / Σ_a |F_a|`` — 1 when every force points along the main
      line, smaller as directions diverge (sources §2.6), negative when the forces on balance
      pull against it (sources §7.1.2); 0 when there is no effort. ``|R·m̂| ≤ |R| ≤ Σ|F_a|``
      keeps it in [−1, 1];
    * opposition share ``ω = Σ_j max(0, −c_j·m̂) / Σ_j |c_j·m̂|`` — 0 when no contribution points
      against the main line, 1 when all do (0 without effort);
    * angles ``θ_ab = arccos(F_a·F_b / (|F_a||F_b|))`` in degrees (90 where a force is zero).
    """
    contributions = np.asarray(contributions, dtype=float).reshape(-1, K + 1)
    forces = np.zeros((n_actors, K + 1))
    np.add.at(forces, np.asarray(actor, dtype=np.int64), contributions)
    along = forces @ line
    magnitude = np.linalg.norm(forces, axis=1)
    total = float(magnitude.sum())
    projected = contributions @ line
    moved = float(np.abs(projected).sum())
    unit = np.divide(forces, magnitude[:, None], out=np.zeros_like(forces), where=magnitude[:, None] > 0)
    cosines = np.clip(unit @ unit.T, -1.0, 1.0)
    return Synthesis(
        forces=forces, along=along,
        efficiency=float(along.sum() / total) if total > 0 else 0.0,
        opposition=float(np.maximum(-projected, 0.0).sum() / moved) if moved > 0 else 0.0,
        angles=np.degrees(np.arccos(cosines)))
