"""M8 enterprises: market services and co-building (ODD §7.8; sources §2, §4.4).

An enterprise's market offer is its capacity spread over domains as
``coordinated(e_own, main line, coordination)`` (M5: coordination pulls other actors toward
the main line), see :func:`cogov_sim.mechanisms.government.coordinated`."""

from __future__ import annotations


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


def property_conflict(environment_coverage: float, threshold: float, slope: float) -> float:
    """Owner–property-company conflict (sources §4.4.7, §7.15.2): ``slope·max(0, threshold − env coverage)``
    (``property_conflict_slope``, ``property_conflict_threshold``) in a community with a property
    company (the caller zeroes it where none is left)."""
    return slope * max(0.0, threshold - environment_coverage)
