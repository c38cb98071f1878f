"""The calibrated parameters, their search ranges, and the Latin-hypercube design.

The sources give no figure for these behavioural parameters (parameters.py marks them
"calibrated (Tn)"); the search ranges below lie inside the ranges the Behaviour group allows
and wide enough that the status-quo survey can fall on either side of every target.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..parameters import Behaviour
from ..scenario import Scenario
from .targets import CALIBRATION_SCENARIO, RUN_MONTHS, SURVEY_YEARS, TARGET_IDS, distance_pp, simulate_points

if TYPE_CHECKING:
    from ..experiments.execution import Executor


@dataclass(frozen=True)
class FitParameter:
    """A behavioural parameter searched by the calibration (``behaviour.<name>``)."""

    name: str
    lo: float
    hi: float
    informs: str
    doc: str

    @property
    def key(self) -> str:
        """The dotted override key, e.g. ``behaviour.propensity_sd``."""
        return f"behaviour.{self.name}"


#: The five fitted parameters (ODD §1.2) with the ranges searched.
FIT_PARAMETERS: tuple[FitParameter, ...] = (
    FitParameter("public_affairs_intercept", -4.0, -0.5, "T2, T3",
                 "baseline log-odds of taking part in public affairs in a month"),
    FitParameter("activity_intercept", -3.5, 0.0, "T4", "baseline log-odds of attending a community activity in a month"),
    FitParameter("propensity_sd", 0.3, 2.5, "T2, T3 (spread), T1, T4",
                 "SD of residents' persistent individual propensity to take part"),
    FitParameter("willingness_intercept", -3.0, 0.5, "T1", "baseline log-odds of being willing to take part often"),
    FitParameter("staff_difficulty_noise", 0.05, 1.0, "T5", "spread of RC staff's perception of their main difficulty"),
)

#: Extra parameters screened by Morris (held at their values in the scenario, not fitted).
SCREEN_PARAMETERS: tuple[FitParameter, ...] = (
    FitParameter("belonging_weight", 0.0, 3.0, "(screened)", "participation log-odds per unit of belonging"),
    FitParameter("peer_weight", 0.0, 3.0, "(screened)", "participation log-odds per unit of neighbours' participation"),
)


def check_ranges(params: Sequence[FitParameter]) -> None:
    """Every search range must lie inside the range the Behaviour group allows."""
    allowed = {f.name: f.metadata["range"] for f in dataclasses.fields(Behaviour)}
    for p in params:
        lo, hi = allowed[p.name]
        if not (lo <= p.lo < p.hi <= hi):
            raise ValueError(f"search range of {p.name} [{p.lo}, {p.hi}] is outside its allowed range [{lo}, {hi}]")


check_ranges(FIT_PARAMETERS + SCREEN_PARAMETERS)


def posterior_box(posterior: dict[str, dict[str, float]], widen: float = 1.0,
                  params: Sequence[FitParameter] = FIT_PARAMETERS) -> tuple[FitParameter, ...]:
    """The search box of a warm-started (``--quick``) calibration: each parameter's 5–95%
    posterior interval from the last full calibration, widened by ``widen`` × its width on
    each side and clipped to the full search range. Parameters without a recorded posterior
    keep their full range."""
    box = []
    for p in params:
        post = posterior.get(p.name)
        if not post:
            box.append(p)
            continue
        width = post["q95"] - post["q05"]
        lo, hi = max(p.lo, post["q05"] - widen * width), min(p.hi, post["q95"] + widen * width)
        box.append(dataclasses.replace(p, lo=lo, hi=hi))
    return tuple(box)


def names(params: Sequence[FitParameter] = FIT_PARAMETERS) -> list[str]:
    """Parameter names in order."""
    return [p.name for p in params]


def bounds(params: Sequence[FitParameter] = FIT_PARAMETERS) -> np.ndarray:
    """Array (d, 2) of the search bounds."""
    return np.array([(p.lo, p.hi) for p in params], float)


def from_unit(u: np.ndarray, params: Sequence[FitParameter] = FIT_PARAMETERS) -> np.ndarray:
    """Map unit-cube coordinates to parameter values."""
    b = bounds(params)
    return b[:, 0] + np.clip(np.asarray(u, float), 0.0, 1.0) * (b[:, 1] - b[:, 0])


def to_unit(x: np.ndarray, params: Sequence[FitParameter] = FIT_PARAMETERS) -> np.ndarray:
    """Map parameter values to unit-cube coordinates."""
    b = bounds(params)
    return (np.asarray(x, float) - b[:, 0]) / (b[:, 1] - b[:, 0])


def overrides(values: Sequence[float] | np.ndarray | dict[str, float],
              params: Sequence[FitParameter] = FIT_PARAMETERS) -> dict[str, float]:
    """Scenario overrides ``{"behaviour.name": value}`` for a parameter vector (or name→value dict)."""
    if isinstance(values, dict):
        return {f"behaviour.{k}": float(v) for k, v in values.items()}
    return {p.key: float(v) for p, v in zip(params, values, strict=True)}


def latin_hypercube(n: int, seed: int, params: Sequence[FitParameter] = FIT_PARAMETERS) -> pd.DataFrame:
    """An ``n``-point Latin-hypercube design over the search box (scipy.stats.qmc, optimised
    for low discrepancy with random-CD), one column per parameter."""
    from scipy.stats import qmc

    sampler = qmc.LatinHypercube(d=len(params), rng=np.random.default_rng(seed), optimization="random-cd")
    return pd.DataFrame(from_unit(sampler.random(n), params) if n else np.empty((0, len(params))),
                        columns=names(params))


def evaluate_design(design: pd.DataFrame, seeds: Sequence[int], residents: int, months: int = RUN_MONTHS,
                    years: Sequence[int] = SURVEY_YEARS, params: Sequence[FitParameter] = FIT_PARAMETERS,
                    progress: Callable[[int], None] | None = None,
                    scenario: str | Scenario = CALIBRATION_SCENARIO, executor: Executor | None = None) -> pd.DataFrame:
    """Simulate every design point on the same seeds (common random numbers, one batch on
    ``executor``); return the design with the mean T1–T5 over seeds and the distance to the targets (pp)."""
    points = design[names(params)].to_numpy()
    per_point = simulate_points([overrides(values, params) for values in points], seeds, residents, months, years,
                                scenario, progress, executor)
    out = []
    for values, per_seed in zip(points, per_point, strict=True):
        means = per_seed[list(TARGET_IDS)].mean()
        out.append({**dict(zip(names(params), values, strict=True)), **means.to_dict(),
                    "distance": distance_pp(means.to_dict())})
    return pd.DataFrame(out, columns=[*names(params), *TARGET_IDS, "distance"])
