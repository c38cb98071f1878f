"""Golden baseline: outputs of a fixed set of runs, committed in ``tests/golden/``.

Any change to what the model computes changes these numbers and fails this test. A
restructure must leave them identical; a deliberate change of behaviour regenerates them
on purpose, in the commit that makes the change, with::

    make golden        # = COGOV_REGENERATE_GOLDEN=1 pytest tests/test_golden.py

The runs cover the reference regimes, a transition, a shock and a scenario with every
event kind, at two population sizes and two seeds, 48 months each (four survey years).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from cogov_sim.run import run_scenario

GOLDEN = Path(__file__).parent / "golden"
SCENARIOS = ("administrative_led", "administrative_led_grid", "autonomous", "cooperative", "co_governance",
             "transition", "shock", str(GOLDEN / "all_events.toml"))
SIZES = (800, 5000)
SEEDS = (1, 2)
MONTHS = 48
#: Series columns kept month by month (the summary keeps every metric).
SERIES_COLUMNS = ("coverage", "participation_any", "trust_government", "rc_admin_share", "rc_autonomy", "so_count",
                  "public_spending", "disputes_escalated", "residents")
#: Relative tolerance: far below any behavioural change, above last-bit differences between CPUs.
RTOL = 1e-9


def compute() -> dict[str, pd.DataFrame]:
    """Run every case and return the three golden tables."""
    summaries, series, surveys = [], [], []
    for scenario in SCENARIOS:
        for residents in SIZES:
            for seed in SEEDS:
                res = run_scenario(scenario, seed=seed, months=MONTHS, residents=residents)
                ids = {"case": f"{Path(scenario).stem}/{residents}/{seed}"}
                summaries.append(res.summary.drop(columns=["scenario"]).assign(**ids))
                series.append(res.series[["month", *SERIES_COLUMNS]].assign(**ids))
                surveys.append(res.survey.drop(columns=["scenario", "source"]).assign(**ids))
    return {"summary": pd.concat(summaries, ignore_index=True), "series": pd.concat(series, ignore_index=True),
            "survey": pd.concat(surveys, ignore_index=True)}


@pytest.fixture(scope="module")
def current() -> dict[str, pd.DataFrame]:
    tables = compute()
    if os.environ.get("COGOV_REGENERATE_GOLDEN"):
        for name, frame in tables.items():
            frame.to_csv(GOLDEN / f"{name}.csv", index=False, float_format="%.17g")
    return tables


@pytest.mark.parametrize("table", ["summary", "series", "survey"])
def test_outputs_match_golden_baseline(current: dict[str, pd.DataFrame], table: str) -> None:
    expected = pd.read_csv(GOLDEN / f"{table}.csv")
    got = pd.read_csv(pd.io.common.StringIO(current[table].to_csv(index=False, float_format="%.17g")))
    assert list(got.columns) == list(expected.columns), "metric columns changed: regenerate on purpose (make golden)"
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=RTOL, atol=1e-12)
