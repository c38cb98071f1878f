"""The fitting algorithms of the calibration: rejection ABC, bounded Nelder–Mead, T5 refinement.

The procedure that chains them is :mod:`~cogov_sim.calibration.procedure`. Every simulation
runs through the sweep executors (:func:`~cogov_sim.experiments.execution.run_batch`), on the
``executor`` given (default: in this process).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..scenario import Scenario
from . import sampling
from .sampling import FIT_PARAMETERS, FitParameter
from .targets import CALIBRATION_SCENARIO, RUN_MONTHS, SURVEY_YEARS, TARGET_IDS, TARGET_VALUES, distance_pp, simulate_seeds

if TYPE_CHECKING:
    from ..experiments.execution import Executor


# ---------------------------------------------------------------------------------- ABC
@dataclass
class AbcResult:
    """Rejection-ABC output: accepted sample, tolerance, per-parameter posterior summary."""

    accepted: pd.DataFrame
    epsilon: float
    quantile: float
    summary: pd.DataFrame


def rejection_abc(evaluated: pd.DataFrame, quantile: float,
                  params: Sequence[FitParameter] = FIT_PARAMETERS) -> AbcResult:
    """Accept the design points within the ``quantile`` of the distance; regression-adjust them.

    Adjustment (Beaumont et al. 2002), in unit-cube coordinates u:
    ``u_adj = u − B·(s − s_obs)`` with ``B`` from the weighted least-squares fit of u on the
    simulated-minus-target shares ``s − s_obs`` (pp), weights ``1 − (d/ε)²``; clipped to [0, 1].
    """
    names = sampling.names(params)
    eps = float(np.quantile(evaluated["distance"], quantile))
    acc = evaluated[evaluated["distance"] <= eps].copy()
    u = sampling.to_unit(acc[names].to_numpy(), params)
    s = 100.0 * (acc[list(TARGET_IDS)].to_numpy() - TARGET_VALUES)
    w = np.clip(1.0 - (acc["distance"].to_numpy() / max(eps, 1e-12)) ** 2, 1e-6, None)
    u_adj = u.copy()
    if len(acc) > s.shape[1] + 2:
        design = np.column_stack([np.ones(len(acc)), s])
        sw = np.sqrt(w)[:, None]
        coef, *_ = np.linalg.lstsq(design * sw, u * sw, rcond=None)
        u_adj = np.clip(u - s @ coef[1:], 0.0, 1.0)
    adj = sampling.from_unit(u_adj, params)
    for i, n in enumerate(names):
        acc[f"{n}_adjusted"] = adj[:, i]
    acc["weight"] = w
    rows = []
    for i, p in enumerate(params):
        prior_sd = (p.hi - p.lo) / np.sqrt(12.0)
        x, xa = acc[p.name].to_numpy(), adj[:, i]
        mean_a = float(np.average(xa, weights=w))
        sd_a = float(np.sqrt(np.average((xa - mean_a) ** 2, weights=w)))
        rows.append({"parameter": p.name, "lo": p.lo, "hi": p.hi, "prior_sd": prior_sd,
                     "accepted_mean": float(x.mean()), "accepted_sd": float(x.std(ddof=1)) if len(x) > 1 else 0.0,
                     "accepted_q05": float(np.quantile(x, 0.05)), "accepted_q95": float(np.quantile(x, 0.95)),
                     "adjusted_mean": mean_a, "adjusted_sd": sd_a,
                     "adjusted_q05": float(np.quantile(xa, 0.05)), "adjusted_q95": float(np.quantile(xa, 0.95)),
                     "contraction": 1.0 - (sd_a / prior_sd) ** 2})
    return AbcResult(accepted=acc, epsilon=eps, quantile=quantile, summary=pd.DataFrame(rows))


# ---------------------------------------------------------------------------------- optimiser
def nelder_mead(start: np.ndarray, seeds: Sequence[int], residents: int, maxfev: int, step: np.ndarray | float = 0.08,
                months: int = RUN_MONTHS, years: Sequence[int] = SURVEY_YEARS,
                params: Sequence[FitParameter] = FIT_PARAMETERS,
                progress: Callable[[int], None] | None = None,
                scenario: str | Scenario = CALIBRATION_SCENARIO,
                executor: Executor | None = None) -> tuple[np.ndarray, pd.DataFrame]:
    """Minimise the distance of the mean over ``seeds`` (common random numbers) with bounded
    Nelder–Mead in the unit cube from ``start`` (parameter values). Returns the best parameter
    vector and the trace of every evaluation."""
    from scipy.optimize import minimize

    names = sampling.names(params)
    trace: list[dict[str, Any]] = []
    cache: dict[tuple[float, ...], float] = {}

    def objective(u: np.ndarray) -> float:
        u = np.clip(u, 0.0, 1.0)
        key = tuple(np.round(u, 10))
        if key in cache:
            return cache[key]
        x = sampling.from_unit(u, params)
        means = simulate_seeds(sampling.overrides(x, params), seeds, residents, months, years, scenario,
                               progress, executor)[list(TARGET_IDS)].mean()
        d = distance_pp(means.to_dict())
        trace.append({"evaluation": len(trace) + 1, **dict(zip(names, x, strict=True)), **means.to_dict(), "distance": d})
        cache[key] = d
        return d

    u0 = np.clip(sampling.to_unit(start, params), 0.0, 1.0)
    steps = np.broadcast_to(np.asarray(step, float), u0.shape)
    simplex = [u0]
    for i in range(len(u0)):
        v = u0.copy()
        v[i] = v[i] + steps[i] if v[i] + steps[i] <= 1.0 else v[i] - steps[i]
        simplex.append(v)
    minimize(objective, u0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * len(u0),
             options={"maxfev": maxfev, "xatol": 2e-3, "fatol": 0.02, "initial_simplex": np.array(simplex)})
    frame = pd.DataFrame(trace)
    best = frame.loc[frame["distance"].idxmin(), names].to_numpy(float)
    return best, frame


def refine_staff_noise(fitted: dict[str, float], seeds: Sequence[int], residents: int, maxiter: int,
                       months: int = RUN_MONTHS, years: Sequence[int] = SURVEY_YEARS,
                       scenario: str | Scenario = CALIBRATION_SCENARIO,
                       progress: Callable[[int], None] | None = None,
                       executor: Executor | None = None) -> tuple[float, pd.DataFrame]:
    """Solve T5(``staff_difficulty_noise``) = 88% with the other parameters fixed (Brent's method,
    common random numbers over ``seeds``).

    T5 is the noisiest target (a street of 2,000 residents has one RC with 6 staff), so the
    5-parameter optimiser's few seeds leave it imprecise. The 1-D refinement is exact in its
    assumptions: ``staff_difficulty_noise`` acts on T5 only (the staff answers use the survey's
    own random stream, so T1–T4 do not change with it; the Morris screening shows it), and T5
    falls monotonically as the perception noise rises.
    """
    from scipy.optimize import brentq

    p = next(q for q in FIT_PARAMETERS if q.name == "staff_difficulty_noise")
    target = dict(zip(TARGET_IDS, TARGET_VALUES, strict=True))["T5"]
    trace: list[dict[str, float]] = []
    cache: dict[float, float] = {}

    def f(x: float) -> float:
        x = float(np.clip(x, p.lo, p.hi))
        if x not in cache:
            per_seed = simulate_seeds(sampling.overrides({**fitted, p.name: x}), seeds, residents, months, years,
                                      scenario, progress, executor)
            cache[x] = float(per_seed["T5"].mean()) - target
            trace.append({"evaluation": len(trace) + 1, p.name: x, "T5": cache[x] + target})
        return cache[x]

    x0 = fitted[p.name]
    a, b = max(p.lo, x0 - 0.05), min(p.hi, x0 + 0.05)
    fa, fb = f(a), f(b)
    while fa * fb > 0 and (a > p.lo or b < p.hi):       # widen the bracket until T5 − 88% changes sign
        if fa < 0:                                      # too little noise needed: move down
            a = max(p.lo, a - 2 * (b - a))
            fa = f(a)
        else:
            b = min(p.hi, b + 2 * (b - a))
            fb = f(b)
    if fa * fb < 0:
        f(brentq(f, a, b, xtol=1e-3, maxiter=maxiter, disp=False))
    best = min(cache, key=lambda k: abs(cache[k]))       # the evaluated value closest to 88%
    return best, pd.DataFrame(trace)
