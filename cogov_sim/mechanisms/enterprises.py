"""M8 enterprises: market services and co-building (brief §4 M8; digest §2, §4.4).

An enterprise's market offer is its capacity spread over domains as
``coordinated(e_own, main line, coordination)`` (M5: coordination pulls other actors toward
the main line), see :func:`cogov_sim.mechanisms.government.coordinated`."""

from __future__ import annotations


def co_building_contribution(giving: float, propensity: float, coordination: float, recognition: float) -> float:
    """Monthly contribution of an enterprise to community micro-funds (digest §2 supporting force):

    ``giving · propensity · (0.2 + 0.8·coordination) · recognition``.
    """
    return giving * propensity * (0.2 + 0.8 * coordination) * recognition


def recognition(council: bool, matching: float, two_way: bool) -> float:
    """How much co-building is recognised: ``0.4 + 0.3·council + 0.2·min(1, match) + 0.1·two-way`` (§4.4)."""
    return 0.4 + 0.3 * float(council) + 0.2 * min(1.0, matching) + 0.1 * float(two_way)


def property_conflict(environment_coverage: float) -> float:
    """Owner–property-company conflict (digest §4.4): ``2·max(0, 0.6 − env coverage)`` in a
    community with a property company (the caller zeroes it where none is left)."""
    return 2.0 * max(0.0, 0.6 - environment_coverage)
