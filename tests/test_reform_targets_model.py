"""The figures for the reformed models (sources §8) as tested targets, on their scenarios: each target of
``cogov_sim.calibration.reform_targets`` evaluated over 10 seeds on a street of two communities, 120 months
(the statistic is the mean of the last 12 months per seed; tolerances and roles are declared there)."""

from __future__ import annotations

import pandas as pd
import pytest

from cogov_sim.calibration.reform_targets import REFORM_TARGETS, simulate, target_table
from cogov_sim.scenario import load_scenario

SEEDS = 10
MONTHS = 120

#: Validation targets the model misses, with the reason (reported in docs/validation.md). Strict: a
#: model change that makes one pass fails here until it is moved back among the holding targets.
KNOWN_MISSES = {
    "R2": "about 0.42 against 0.83: residents found grassroots groups at about 1.6 per community in ten years "
          "(one group per community and domain at most, founded only where the cell has none), while tendered "
          "money in every field brings a professional SO per community and domain (about 4 per community): "
          "Karamay's registered SOs are district-level organisations serving many communities and fields",
}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    communities = 2
    residents = communities * load_scenario("_base").population.residents_per_community
    return target_table(simulate(SEEDS, residents=residents, months=MONTHS, root_seed=2026)).set_index("target")


@pytest.mark.slow
@pytest.mark.parametrize("target", [pytest.param(t, marks=pytest.mark.xfail(reason=KNOWN_MISSES[t.id], strict=True))
                                    if t.id in KNOWN_MISSES else t for t in REFORM_TARGETS],
                         ids=[t.id for t in REFORM_TARGETS])
def test_reform_target_holds_on_its_scenario(table: pd.DataFrame, target) -> None:
    row = table.loc[target.id]
    assert row["seeds"] == SEEDS, row["status"]
    assert row["status"] == "pass", (f"{target.id} {target.description} on {target.scenario}: mean {row['mean']:.3f} "
                                     f"[{row['ci_low']:.3f}, {row['ci_high']:.3f}] against {target.value:.3f} "
                                     f"± {target.tolerance:.3f} ({target.kind}, {target.role})")
