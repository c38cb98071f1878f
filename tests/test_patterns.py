"""Pattern-oriented validation: the governance patterns of sources §4–§5 that emerge.

Each test asserts one comparison that emerges in docs/validation.md (20 seeds × 1,500
residents), here on a smaller suite (10 seeds × 1,500 residents × 120 months, one process):
its 95% interval must lie on the claimed side. A change to the model that breaks a pattern
fails here. Claims that do not emerge are listed in docs/validation.md, not asserted.
"""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from cogov_sim.calibration import patterns as P

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("patterns")]

SEEDS, RESIDENTS, MONTHS = 10, 1500, 120

#: (pattern, claim) of every comparison that emerges (docs/validation.md).
EMERGING = [
    ("S1", "RC admin share highest"),
    ("S1", "RC overload highest"),
    ("S1", "SOs least autonomous, i.e. most dependent (where SOs exist)"),
    ("S1", "government sets most of SOs' agenda (以政代社, sources §7.5.2; where SOs exist)"),
    ("S1", "largest supply–demand mismatch"),
    ("S2", "council works: residents deliberate (autonomous vs administrative-led)"),
    ("S2", "autonomous: RC autonomy decays over the years"),
    ("S2", "autonomous drifts toward the administrative pattern (gap to administrative-led narrows)"),
    ("S2", "autonomous_supported: RC autonomy does not decay"),
    ("S2", "support keeps autonomy above the unsupported model"),
    ("S3", "lower RC admin share than administrative-led"),
    ("S3", "SO capacity grows over the years"),
    ("S3", "SO capacity above administrative-led"),
    ("S3", "lower mismatch than administrative-led"),
    ("S4", "participation (any) highest"),
    ("S4", "participation in public affairs highest"),
    ("S4", "efficacy highest"),
    ("S4", "force synthesis efficiency highest"),
    ("S4", "Gini of coverage lowest"),
    ("S4", "coverage of the poorest fifth highest"),
    ("S5", "faster dispute detection in the short run"),
    ("S5", "fewer escalations in the short run"),
    ("S5", "higher running cost: cost per met need"),
    ("S5", "higher running cost: grid's share of public spending"),
    ("S5", "lower RC autonomy in the long run"),
    ("S5", "fewer volunteers in the long run"),
    ("S5", "fewer SOs in the long run"),
    ("S6", "rc_admin_share moves gradually (10%→90% of its change takes ≥ 6 months)"),
    ("S6", "rc_autonomy moves gradually (10%→90% of its change takes ≥ 6 months)"),
    ("S6", "mismatch moves gradually (10%→90% of its change takes ≥ 6 months)"),
    ("S6", "so_capacity moves gradually (10%→90% of its change takes ≥ 6 months)"),
    ("S6", "trust_government lags the levers (50% of its change later than the levers' 50%)"),
    ("S6", "trust_government lags the levers (90% of its change later than the levers' 90%)"),
    ("S6", "trust_government moves gradually (10%→90% of its change takes ≥ 6 months)"),
    ("S6", "participation_any lags the levers (50% of its change later than the levers' 50%)"),
    ("S6", "participation_any lags the levers (90% of its change later than the levers' 90%)"),
    ("S6", "participation_any moves gradually (10%→90% of its change takes ≥ 6 months)"),
]


@pytest.fixture(scope="module")
def comparisons() -> dict[tuple[str, str], P.Comparison]:
    threadpool_limits(limits=1, user_api="blas")   # as the cogov command line runs
    runs = P.run_pattern_suite(SEEDS, RESIDENTS, MONTHS)
    return {(c.pattern, c.claim): c for c in P.evaluate(runs)}


@pytest.mark.parametrize(("pattern", "claim"), EMERGING, ids=[f"{p}: {c}" for p, c in EMERGING])
def test_pattern_emerges(comparisons, pattern, claim):
    c = comparisons[(pattern, claim)]
    assert c.status == "holds", (f"{pattern} {claim}: {c.comparison} = {c.effect:.4g} "
                                 f"[{c.lo:.4g}, {c.hi:.4g}] ({c.window}; {c.method}) — {c.detail}")


def test_every_pattern_is_evaluated(comparisons):
    assert {p for p, _ in comparisons} == {"S1", "S2", "S3", "S4", "S5", "S6"}
    for c in comparisons.values():
        assert c.status in {"holds", "reversed", "inconclusive"}
        assert np.isfinite(c.effect), c


def test_paired_statistics():
    lo_hi = P.t_interval(np.array([1.0, 2.0, 3.0]))
    assert lo_hi[0] == 2.0 and lo_hi[1] < 2.0 < lo_hi[2]
    assert P._status(0.1, 0.5, +1) == "holds"
    assert P._status(-0.5, -0.1, +1) == "reversed"
    assert P._status(-0.1, 0.5, +1) == "inconclusive"
    assert P._status(-0.019, 0.01, +1, margin=0.02) == "holds"      # non-inferiority
    assert P.lever_month(0.5) == 36 and P.lever_month(0.9) == 46
    months = np.arange(1, 61)
    traj = np.clip((months - 24) / 10, 0, 1)                        # reaches 50% at month 29
    assert P.crossing_month(traj, months, 0.0, 1.0, 0.5) == 29
