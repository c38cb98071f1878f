"""Identifiability: Morris elementary-effects screening of T1–T5 (SALib), plus a reading of it.

Each target is screened on the five fitted parameters and on ``belonging_weight`` and
``peer_weight`` (held at their scenario values in the fit) over the calibration's search
box; the other parameters sit at the fitted values. Each Morris point is the mean over the
same few seeds (common random numbers), so the elementary effects measure the parameters,
not seed noise. ``mu*`` and ``sigma`` are in percentage points of the target per move across
the whole searched range (SALib's unscaled elementary effects on the unit cube).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..scenario import Scenario
from . import sampling
from .fit import nelder_mead
from .sampling import FitParameter
from .targets import CALIBRATION_SCENARIO, RUN_MONTHS, SURVEY_YEARS, TARGET_IDS, simulate_points

if TYPE_CHECKING:
    from ..experiments.execution import Executor

#: A parameter "constrains" a target when its mu* is at least this share of the target's
#: largest mu* and at least :data:`MIN_EFFECT_PP`.
RELATIVE_THRESHOLD = 0.2
MIN_EFFECT_PP = 2.0


def morris_screening(base: Mapping[str, float], params: Sequence[FitParameter], trajectories: int,
                     seeds: Sequence[int], residents: int, levels: int = 4, seed: int = 0,
                     months: int = RUN_MONTHS, years: Sequence[int] = SURVEY_YEARS,
                     progress: Callable[[int], None] | None = None,
                     scenario: str | Scenario = CALIBRATION_SCENARIO, executor: Executor | None = None) -> pd.DataFrame:
    """Morris screening; one row per (target, parameter): mu, mu*, its 95% CI half-width, sigma.
    All Morris points run as one batch on ``executor``."""
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    problem = {"num_vars": len(params), "names": sampling.names(params), "bounds": sampling.bounds(params).tolist()}
    X = morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    points = [sampling.overrides({**base, **dict(zip(problem["names"], row, strict=True))}) for row in X]
    per_point = simulate_points(points, seeds, residents, months, years, scenario, progress, executor)
    Y = np.array([100.0 * per_seed[list(TARGET_IDS)].mean().to_numpy() for per_seed in per_point])
    rows = []
    for j, tid in enumerate(TARGET_IDS):
        res = morris_analyze.analyze(problem, X, Y[:, j], num_levels=levels, conf_level=0.95, num_resamples=1000,
                                     seed=seed)
        for k, name in enumerate(problem["names"]):
            rows.append({"target": tid, "parameter": name, "fitted": name in sampling.names(),
                         "mu": float(res["mu"][k]), "mu_star": float(res["mu_star"][k]),
                         "mu_star_conf": float(res["mu_star_conf"][k]), "sigma": float(res["sigma"][k])})
    return pd.DataFrame(rows)


def constrained_by(morris: pd.DataFrame) -> dict[str, list[str]]:
    """For each target, the parameters that move it (mu* ≥ 20% of the target's largest and ≥ 2 pp),
    largest first."""
    out = {}
    for tid, g in morris.groupby("target"):
        top = g["mu_star"].max()
        strong = g[(g["mu_star"] >= RELATIVE_THRESHOLD * top) & (g["mu_star"] >= MIN_EFFECT_PP)]
        out[str(tid)] = strong.sort_values("mu_star", ascending=False)["parameter"].tolist()
    return out


def parameter_roles(morris: pd.DataFrame, posterior: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per screened parameter: the targets it moves, its largest mu*, and (fitted ones)
    the ABC posterior contraction; ``status`` reads them together:

    * ``constrained`` — moves at least one target and the ABC posterior contracted by ≥ 0.5;
    * ``loosely constrained`` — moves a target but the posterior stays wide (< 0.5), i.e. it
      trades off with another parameter on the same targets;
    * ``not constrained`` — moves no target beyond the threshold.
    """
    by_target = constrained_by(morris)
    rows = []
    for name, g in morris.groupby("parameter", sort=False):
        moves = [t for t, ps in by_target.items() if name in ps]
        contraction = float("nan")
        if posterior is not None and name in set(posterior["parameter"]):
            contraction = float(posterior.set_index("parameter").loc[name, "contraction"])
        if not moves:
            status = "not constrained"
        elif contraction == contraction and contraction < 0.5:
            status = "loosely constrained"
        elif contraction != contraction:
            status = "moves targets (not fitted)"
        else:
            status = "constrained"
        rows.append({"parameter": name, "fitted": bool(g["fitted"].iloc[0]), "moves": ", ".join(moves) or "—",
                     "max_mu_star": float(g["mu_star"].max()), "contraction": contraction, "status": status})
    return pd.DataFrame(rows)


def format_morris(morris: pd.DataFrame) -> str:
    """mu* (± CI) and sigma per target and parameter, as a plain-text matrix."""
    names = list(dict.fromkeys(morris["parameter"]))
    lines = [f"{'parameter':<26} " + " ".join(f"{t:>17}" for t in TARGET_IDS)]
    m = morris.set_index(["parameter", "target"])
    for n in names:
        cells = []
        for t in TARGET_IDS:
            r = m.loc[(n, t)]
            cells.append(f"{r['mu_star']:>6.1f}±{r['mu_star_conf']:<4.1f} σ{r['sigma']:<5.1f}")
        lines.append(f"{n:<26} " + " ".join(f"{c:>17}" for c in cells))
    lines.append("(mu* ± 95% CI and sigma, in pp of the target per move across the searched range)")
    return "\n".join(lines)


def profile_screened(fitted: Mapping[str, float], profiles: Sequence[tuple[str, float]], seeds: Sequence[int],
                     residents: int, maxfev: int, scenario: Scenario, months: int = RUN_MONTHS,
                     years: Sequence[int] = SURVEY_YEARS, progress: Callable[[int], None] | None = None,
                     executor: Executor | None = None) -> pd.DataFrame:
    """Can a screened-only weight take another value if the fitted parameters are re-fitted?

    For each ``(name, value)``: set ``behaviour.name = value``, re-fit the four participation
    parameters (Nelder–Mead from the fitted values, common random numbers over ``seeds``,
    ``staff_difficulty_noise`` held) and report the distance before and after. A distance
    after re-fitting within the tolerance means T1–T5 cannot tell that value from the
    documented one: the weight is not identified by the targets.
    """
    refit = [p for p in sampling.FIT_PARAMETERS if p.name != "staff_difficulty_noise"]
    rows = []
    for name, value in profiles:
        sc = scenario.with_overrides({**sampling.overrides(dict(fitted)), f"behaviour.{name}": float(value)})
        start = np.array([fitted[p.name] for p in refit])
        best, trace = nelder_mead(start, seeds, residents, maxfev, 0.05, months, years, refit, progress, sc,
                                  executor)
        row = {"parameter": name, "value": float(value), "documented": float(getattr(scenario.behaviour, name)),
               "distance_before": float(trace["distance"].iloc[0]), "distance_after": float(trace["distance"].min()),
               "evaluations": len(trace)}
        row.update({f"refit_{p.name}": float(v) for p, v in zip(refit, best, strict=True)})
        row.update({t: float(trace.loc[trace["distance"].idxmin(), t]) for t in TARGET_IDS})
        rows.append(row)
    return pd.DataFrame(rows)
