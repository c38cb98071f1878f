"""Property-based fuzzing (hypothesis) over the documented ranges of every lever and economy
parameter: whatever the combination, a run has no NaN or infinite value, no negative money
(no internal account overdrawn, no negative spending) and every share within [0, 1]."""

from __future__ import annotations

import dataclasses

import numpy as np
from conftest import assert_finite, share_columns
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cogov_sim.ledger import EXTERNAL
from cogov_sim.model import CommunityModel
from cogov_sim.parameters import GROUPS, constraint_violation
from cogov_sim.run import collect_results
from cogov_sim.scenario import load_scenario

#: Money columns of the monthly series: never negative.
MONEY_COLUMNS = ("public_spending", "cost_per_met_need")


def _values(group: str) -> st.SearchStrategy[dict[str, object]]:
    """Any combination of values of ``group`` within each parameter's documented range."""
    fields = {}
    for f in dataclasses.fields(GROUPS[group]):
        lo, hi = f.metadata["range"]
        kind = type(f.default)
        if kind is bool:
            fields[f.name] = st.booleans()
        elif kind is int:
            fields[f.name] = st.integers(int(lo), int(hi))
        else:
            # no subnormal floats (1e-311): dividing by one overflows to inf whatever the model does
            fields[f.name] = st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    # combinations the parameters' cross-checks refuse (e.g. a bid discount above the bid price) are not runs
    return st.fixed_dictionaries(fields).filter(lambda v: constraint_violation(group, GROUPS[group](**v)) is None)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(levers=_values("levers"), economy=_values("economy"), base=st.sampled_from(["administrative_led",
                                                                                     "co_governance", "transition"]),
       seed=st.integers(0, 2**32))
def test_any_lever_combination_keeps_money_and_shares_sane(levers, economy, base, seed) -> None:
    overrides = {f"levers.{k}": v for k, v in levers.items()} | {f"economy.{k}": v for k, v in economy.items()}
    sc = load_scenario(base).with_overrides({**overrides, "population.residents_per_community": 150}, where="fuzz")
    model = CommunityModel(sc, seed=seed, residents=300)
    for _ in range(30):  # past the transition's switch at month 24
        model.step()
        lowest = min((v for k, v in model.ledger.balances.items() if k not in EXTERNAL), default=0.0)
        assert lowest >= -model.ledger.slack(), f"an internal account is overdrawn: {lowest}"
    series = collect_results(model).series
    assert_finite(series)
    assert (series[list(MONEY_COLUMNS)].to_numpy() >= 0).all()
    shares = series[share_columns(series)].to_numpy(dtype=float)
    assert ((shares >= 0) & (shares <= 1 + 1e-12)).all(), np.argwhere((shares < 0) | (shares > 1 + 1e-12))
