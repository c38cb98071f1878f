"""Professional social workers (社工) and the three-social linkage (三社联动) (ODD §7.20; sources §3.2,
§3.3, §7.4)."""

from __future__ import annotations

import numpy as np

from .common import safe_ratio


def social_worker_wages(service_spending: float, staff_share: float, professionalism: float) -> float:
    """The part of a professional SO's service spending that pays its social workers (sources §7.4, §5.3.2):
    ``wages = spending · w · professionalism`` with ``w`` = ``so_staff_share`` (staff share of service
    costs) and professionalism read as the professionally trained share of its staff. Full-time
    equivalents are ``wages / social_worker_wage``."""
    return service_spending * staff_share * professionalism


def linkage_multiplier(social_workers: np.ndarray, volunteers: np.ndarray, linkage: float, max_gain: float,
                       half_ratio: float) -> np.ndarray:
    """Multiplier on volunteers' effort where social workers lead them (sources §3.3, §7.4.1):

    ``m = 1 + L · G · r / (r + r_½)``, ``r = social workers / volunteers``

    with ``L`` = ``three_social_linkage`` (the community, its organisations and its social workers
    joined), ``G`` = ``linkage_max_gain`` and ``r_½`` = ``linkage_half_ratio``. Without linkage
    social workers and volunteers stay "two skins" (两张皮, sources §7.4.3): ``m = 1``. Where
    nobody volunteers ``r = 0`` and ``m = 1``.
    """
    ratio = safe_ratio(np.asarray(social_workers, float), np.asarray(volunteers, float))
    return 1.0 + linkage * max_gain * ratio / (ratio + half_ratio)
