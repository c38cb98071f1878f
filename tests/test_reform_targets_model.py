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
    "R1": "about 6.4 against 8.6 ± 1.5 on a street of two communities: professional SOs now bid across the street's "
          "communities, so about one per domain serves the street (3.1 per community here, 1.6 at four communities, "
          "Karamay's 83 registered SOs are 1.4 per community), while residents found only about 3.3 grassroots "
          "groups per community against Karamay's 7.1",
    "R2": "about 0.51 against 0.83 on a street of two communities (0.67 at four): about one professional SO per "
          "domain serves the whole street, so their number does not grow with its communities, while residents "
          "found about 3.3 grassroots groups per community in ten years against Karamay's 7.1 (one group per "
          "community and domain at most, founded only where the cell has none)",
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
