"""The calibration procedure, end to end (brief §7): design → rejection ABC → Nelder–Mead → validation.

1. **Design.** A Latin hypercube of ``lhs_samples`` points over the search box of
   :data:`~cogov_sim.calibration.sampling.FIT_PARAMETERS`; each point is simulated on the same
   ``lhs_seeds`` seeds (common random numbers) and scored by the distance to the targets
   (Euclidean, percentage points, over T1–T5; :func:`~cogov_sim.calibration.targets.distance_pp`).
2. **Rejection ABC.** The points whose distance is within the ``accept_quantile`` quantile
   are accepted (tolerance ε = that quantile); the accepted sample is regression-adjusted
   (Beaumont, Zhang & Balding 2002: local-linear regression of the parameters on the
   simulated-minus-target shares, Epanechnikov weights) and summarised per parameter (mean,
   SD, 5–95% range, contraction = 1 − posterior variance / prior variance).
3. **Local optimiser.** Nelder–Mead in the unit cube, started at the adjusted posterior mean,
   minimises the distance of the *mean over ``nm_seeds`` seeds* with the same seeds at every
   evaluation (common random numbers make the objective deterministic in θ).
4. **T5 refinement.** ``staff_difficulty_noise`` acts on T5 only, and T5 is the noisiest
   target; with the other four values fixed, Brent's method solves T5 = 88% on ``t5_seeds``
   seeds (common random numbers).
5. **Rounding and validation.** The optimum is rounded to 3 decimals (the values written to
   ``scenarios/_calibration.toml``) and re-simulated on ``validation_seeds`` fresh seeds
   (never used in fitting); each target passes when the mean over seeds is within ±3 pp.
6. **Transfer check** (full run only): the same values at the scenarios' default population
   (5,000 residents in two communities) on a few seeds, to show the fit does not depend on
   the small calibration population.
7. **Identifiability**: Morris screening (:mod:`~cogov_sim.calibration.identifiability`), and
   profiles of the two screened-only weights (re-fit the participation parameters with the
   weight set elsewhere: if the targets are still met, the weight is not identified).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..scenario import Scenario
from . import sampling
from .sampling import FIT_PARAMETERS, SCREEN_PARAMETERS, FitParameter
from .targets import (
    CALIBRATION_SCENARIO,
    RUN_MONTHS,
    SURVEY_YEARS,
    TARGET_IDS,
    TARGET_VALUES,
    TARGETS,
    TOLERANCE_PP,
    distance_pp,
    simulate_seeds,
    target_table,
)

#: Where the fitted values live; every scenario reads them through ``_base.toml``.
CALIBRATION_FILE = Path(__file__).resolve().parents[2] / "scenarios" / "_calibration.toml"
#: Where the full calibration leaves the data behind docs/validation.md.
ARTEFACT_DIR = Path(__file__).resolve().parents[2] / "docs" / "calibration"

#: A stage callback: called with (stage name, number of runs); returns a per-run update function.
StageCallback = Callable[[str, int], Callable[[int], None]]


def _no_progress(stage: str, total: int) -> Callable[[int], None]:
    return lambda n: None


@dataclass(frozen=True)
class CalibrationConfig:
    """Sizes of one calibration run (see the module docstring for the procedure)."""

    name: str = "full"
    residents: int = 2000
    months: int = RUN_MONTHS
    years: tuple[int, ...] = SURVEY_YEARS
    lhs_samples: int = 500
    lhs_seeds: tuple[int, ...] = (10_000, 10_001)
    accept_quantile: float = 0.1
    nm_seeds: tuple[int, ...] = tuple(range(20_000, 20_012))
    nm_maxfev: int = 70
    t5_seeds: tuple[int, ...] = tuple(range(40_000, 40_040))
    t5_maxiter: int = 12
    validation_seeds: tuple[int, ...] = tuple(range(40))
    #: Search box: "prior" (the full ranges) or "posterior" (warm start: the last full
    #: calibration's 5–95% posterior box, widened; used by --quick).
    search_box: str = "prior"
    transfer_seeds: tuple[int, ...] = tuple(range(10))
    transfer_residents: int = 5000
    morris_trajectories: int = 12
    morris_seeds: tuple[int, ...] = (30_000, 30_001, 30_002)
    morris_levels: int = 4
    profiles: tuple[tuple[str, float], ...] = (("belonging_weight", 0.4), ("belonging_weight", 2.0),
                                               ("peer_weight", 0.2), ("peer_weight", 2.0))
    profile_seeds: tuple[int, ...] = tuple(range(50_000, 50_006))
    profile_maxfev: int = 30
    design_seed: int = 20_240_601
    decimals: int = 3

    def planned_runs(self) -> int:
        """Upper bound of the number of simulation runs."""
        d_morris = len(FIT_PARAMETERS) + len(SCREEN_PARAMETERS)
        return (self.lhs_samples * len(self.lhs_seeds) + (self.nm_maxfev + 1) * len(self.nm_seeds)
                + (self.t5_maxiter + 4) * len(self.t5_seeds) + len(self.validation_seeds) + len(self.transfer_seeds)
                + self.morris_trajectories * (d_morris + 1) * len(self.morris_seeds)
                + len(self.profiles) * (self.profile_maxfev + 1) * len(self.profile_seeds))


FULL = CalibrationConfig()
QUICK = CalibrationConfig(name="quick", lhs_samples=20, lhs_seeds=(10_000,), accept_quantile=0.25,
                          nm_seeds=(20_000, 20_001, 20_002), nm_maxfev=16, t5_seeds=tuple(range(40_000, 40_008)),
                          t5_maxiter=4, validation_seeds=tuple(range(16)),
                          transfer_seeds=(), morris_trajectories=2, morris_seeds=(30_000,), search_box="posterior",
                          profiles=())


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
                scenario: str | Scenario = CALIBRATION_SCENARIO) -> tuple[np.ndarray, pd.DataFrame]:
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
                               progress)[list(TARGET_IDS)].mean()
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
                       progress: Callable[[int], None] | None = None) -> tuple[float, pd.DataFrame]:
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
                                      scenario, progress)
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


# ---------------------------------------------------------------------------------- the procedure
@dataclass
class CalibrationResult:
    """Everything the procedure produced."""

    config: CalibrationConfig
    design: pd.DataFrame
    abc: AbcResult
    nm_trace: pd.DataFrame
    t5_trace: pd.DataFrame
    fitted: dict[str, float]
    validation: pd.DataFrame
    table: pd.DataFrame
    transfer: pd.DataFrame | None
    morris: pd.DataFrame | None
    profile: pd.DataFrame | None
    runs: int
    seconds: float
    date: str = field(default_factory=lambda: _dt.date.today().isoformat())

    @property
    def passed(self) -> bool:
        """All five targets within tolerance."""
        return bool(self.table["pass"].all())

    @property
    def distance(self) -> float:
        """Distance (pp) of the validation means to the targets."""
        return distance_pp(self.table.set_index("target")["mean"].to_dict())


def calibrate(config: CalibrationConfig = FULL, on_stage: StageCallback = _no_progress,
              morris: bool = True) -> CalibrationResult:
    """Run the whole procedure with ``config`` (one process, in-process loops)."""
    from ..scenario import load_scenario

    t0 = time.process_time()
    runs = 0
    c = config
    base = load_scenario(CALIBRATION_SCENARIO)      # loaded once: every run uses the same files
    params = (sampling.posterior_box(base.meta.get("calibration_posterior", {}))
              if c.search_box == "posterior" else FIT_PARAMETERS)
    design = sampling.latin_hypercube(c.lhs_samples, c.design_seed, params)
    evaluated = sampling.evaluate_design(design, c.lhs_seeds, c.residents, c.months, c.years, params,
                                         progress=on_stage("Latin-hypercube design", c.lhs_samples * len(c.lhs_seeds)),
                                         scenario=base)
    runs += c.lhs_samples * len(c.lhs_seeds)
    abc = rejection_abc(evaluated, c.accept_quantile, params)
    start = abc.summary["adjusted_mean"].to_numpy()
    box = sampling.bounds(params)
    step = np.clip(2.0 * abc.summary["adjusted_sd"].to_numpy() / (box[:, 1] - box[:, 0]), 0.03, 0.15)
    best, trace = nelder_mead(start, c.nm_seeds, c.residents, c.nm_maxfev, step, c.months, c.years, params,
                              progress=on_stage("Nelder–Mead (common random numbers)", c.nm_maxfev * len(c.nm_seeds)),
                              scenario=base)
    runs += len(trace) * len(c.nm_seeds)
    fitted = {p.name: round(float(v), c.decimals) for p, v in zip(FIT_PARAMETERS, best, strict=True)}
    noise, t5_trace = refine_staff_noise(fitted, c.t5_seeds, c.residents, c.t5_maxiter, c.months, c.years, base,
                                         progress=on_stage("T5 refinement (staff_difficulty_noise)",
                                                           (c.t5_maxiter + 4) * len(c.t5_seeds)))
    runs += len(t5_trace) * len(c.t5_seeds)
    fitted["staff_difficulty_noise"] = round(noise, c.decimals)
    validation = simulate_seeds(sampling.overrides(fitted), c.validation_seeds, c.residents, c.months, c.years, base,
                                progress=on_stage("validation on fresh seeds", len(c.validation_seeds)))
    runs += len(c.validation_seeds)
    table = target_table(validation)
    transfer = None
    if c.transfer_seeds:
        transfer_runs = simulate_seeds(sampling.overrides(fitted), c.transfer_seeds, c.transfer_residents, c.months,
                                       c.years, base, progress=on_stage(f"transfer check ({c.transfer_residents:,} residents)",
                                                                  len(c.transfer_seeds)))
        transfer = target_table(transfer_runs)
        runs += len(c.transfer_seeds)
    screening = None
    if morris and c.morris_trajectories > 0:
        from .identifiability import morris_screening

        params = FIT_PARAMETERS + SCREEN_PARAMETERS
        n = c.morris_trajectories * (len(params) + 1) * len(c.morris_seeds)
        screening = morris_screening(fitted, params, c.morris_trajectories, c.morris_seeds, c.residents,
                                     levels=c.morris_levels, seed=c.design_seed, months=c.months, years=c.years,
                                     progress=on_stage("Morris screening", n), scenario=base)
        runs += n
    profile = None
    if morris and c.profiles:
        from .identifiability import profile_screened

        profile = profile_screened(fitted, c.profiles, c.profile_seeds, c.residents, c.profile_maxfev, base, c.months,
                                   c.years, progress=on_stage("profiles of the screened weights",
                                                              len(c.profiles) * c.profile_maxfev * len(c.profile_seeds)))
        runs += int(profile["evaluations"].sum()) * len(c.profile_seeds)
    return CalibrationResult(config=c, design=evaluated, abc=abc, nm_trace=trace, t5_trace=t5_trace, fitted=fitted,
                             validation=validation,
                             table=table, transfer=transfer, morris=screening, profile=profile, runs=runs,
                             seconds=time.process_time() - t0)


# ---------------------------------------------------------------------------------- writing
def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, float | np.floating):
        v = float(v)
        return "nan" if v != v else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _toml_table(prefix: str, table: dict[str, Any]) -> list[str]:
    scalars = [(k, v) for k, v in table.items() if not isinstance(v, dict)]
    nested = [(k, v) for k, v in table.items() if isinstance(v, dict)]
    lines = [f"[{prefix}]", *(f"{k} = {_toml_value(v)}" for k, v in scalars)] if scalars or not nested else []
    for k, v in nested:
        lines += ["", *_toml_table(f"{prefix}.{k}", v)] if lines else _toml_table(f"{prefix}.{k}", v)
    return lines


def calibration_meta(result: CalibrationResult) -> dict[str, Any]:
    """The ``[meta]`` table recording how the values were obtained."""
    from .. import __version__

    c = result.config

    def seeds(s: Sequence[int]) -> str:
        return f"{len(s)} seeds ({s[0]}–{s[-1]})" if len(s) > 1 else f"1 seed ({s[0]})" if s else "none"

    meta: dict[str, Any] = {
        "calibration_procedure": (
            f"`cogov calibrate` ({c.name}): Latin-hypercube design of {c.lhs_samples} points over the ranges below, "
            f"each simulated on {seeds(c.lhs_seeds)} (common random numbers); rejection ABC accepting the "
            f"{c.accept_quantile:.0%} closest points, regression-adjusted (Beaumont et al. 2002); Nelder–Mead from the "
            f"adjusted posterior mean minimising the distance of the mean over {seeds(c.nm_seeds)} (common random "
            f"numbers); staff_difficulty_noise then refined by Brent's method on T5 alone over {seeds(c.t5_seeds)}; "
            f"values rounded to {c.decimals} decimals and validated on {seeds(c.validation_seeds)} never "
            "used in fitting. See docs/validation.md."),
        "calibration_date": result.date,
        "package_version": __version__,
        "calibration_scenario": CALIBRATION_SCENARIO,
        "calibration_survey": (f"mean of the simulated surveys of years {c.years[0]}–{c.years[-1]} of a "
                               f"{c.months}-month run (years 1–2 are burn-in)"),
        "calibration_residents": c.residents,
        "calibration_distance_definition": "Euclidean distance over T1–T5 in percentage points (equal weights)",
        "calibration_distance_pp": round(result.distance, 3),
        "calibration_tolerance_pp": TOLERANCE_PP,
        "calibration_passed": result.passed,
        "calibration_runs": int(result.runs),
        "calibration_cpu_seconds": round(result.seconds, 1),
        "calibration_seeds": {"design": list(c.lhs_seeds), "nelder_mead": list(c.nm_seeds),
                              "t5_refinement": [c.t5_seeds[0], c.t5_seeds[-1]] if c.t5_seeds else [],
                              "validation": [c.validation_seeds[0], c.validation_seeds[-1]],
                              "morris": list(c.morris_seeds)},
        "calibration_abc": {"design_points": c.lhs_samples, "accepted": len(result.abc.accepted),
                            "quantile": c.accept_quantile, "epsilon_pp": round(result.abc.epsilon, 3),
                            "nelder_mead_evaluations": len(result.nm_trace)},
        "calibration_parameters": {p.name: [p.lo, p.hi] for p in FIT_PARAMETERS},
        "calibration_posterior": {
            r["parameter"]: {"mean": round(r["adjusted_mean"], 3), "sd": round(r["adjusted_sd"], 3),
                             "q05": round(r["adjusted_q05"], 3), "q95": round(r["adjusted_q95"], 3),
                             "contraction": round(r["contraction"], 3)}
            for r in result.abc.summary.to_dict("records")},
        "calibration_targets": {
            r["target"]: {"target": r["target_value"], "simulated": round(r["mean"], 4),
                          "ci95": [round(r["ci_low"], 4), round(r["ci_high"], 4)],
                          "error_pp": round(r["error_pp"], 2), "pass": bool(r["pass"])}
            for r in result.table.to_dict("records")},
    }
    if result.transfer is not None:
        meta["calibration_transfer_check"] = {
            "residents": c.transfer_residents, "seeds": len(c.transfer_seeds),
            **{r["target"]: round(r["mean"], 4) for r in result.transfer.to_dict("records")}}
    return meta


def write_calibration(result: CalibrationResult, path: Path = CALIBRATION_FILE) -> Path:
    """Write the fitted values and the ``[meta]`` record to ``path`` (keeping the file's other
    behaviour values, which are assumptions, not fitted), atomically; check that it loads."""
    path = Path(path)
    behaviour: dict[str, Any] = {}
    source = path if path.exists() else CALIBRATION_FILE
    if source.exists():
        with source.open("rb") as fh:
            behaviour = dict(tomllib.load(fh).get("behaviour", {}))
    behaviour.update(result.fitted)
    text = "\n".join([
        "# Fitted behavioural parameters (brief §7). Every scenario uses these through _base.toml.",
        "# Written by `cogov calibrate` (cogov_sim/calibration/fit.py): do not edit by hand, re-run it.",
        "# [behaviour]: the five fitted values (see [meta].calibration_parameters) plus the",
        "# volunteering and deliberation intercepts, which are assumptions (not fitted).",
        "",
        *_toml_table("meta", calibration_meta(result)),
        "",
        *_toml_table("behaviour", behaviour),
        "",
    ])
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(text, encoding="utf-8")
    with tmp.open("rb") as fh:
        tomllib.load(fh)
    tmp.replace(path)
    from ..scenario import load_scenario

    loaded = load_scenario(path).behaviour
    for name, value in result.fitted.items():
        if getattr(loaded, name) != value:
            raise RuntimeError(f"{path}: {name} did not round-trip ({getattr(loaded, name)} != {value})")
    return path


def write_artefacts(result: CalibrationResult, folder: Path = ARTEFACT_DIR) -> list[Path]:
    """Save the data behind docs/validation.md (design, ABC, optimiser trace, validation, Morris)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames = {"design": result.design, "abc_accepted": result.abc.accepted, "abc_posterior": result.abc.summary,
              "nelder_mead": result.nm_trace, "t5_refinement": result.t5_trace, "validation_seeds": result.validation,
              "targets": result.table}
    if result.transfer is not None:
        frames["transfer_check"] = result.transfer
    if result.morris is not None:
        frames["morris"] = result.morris
    if result.profile is not None:
        frames["profile"] = result.profile
    paths = []
    for name, frame in frames.items():
        p = folder / f"{name}.csv"
        frame.to_csv(p, index=False, float_format="%.6g")
        paths.append(p)
    info = {"config": {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(result.config).items()},
            "fitted": result.fitted, "distance_pp": result.distance, "passed": result.passed, "runs": result.runs,
            "cpu_seconds": result.seconds, "date": result.date, "epsilon_pp": result.abc.epsilon}
    p = folder / "calibration.json"
    p.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths.append(p)
    return paths


def fitted_table(result: CalibrationResult) -> str:
    """Fitted values with the ranges searched and the ABC posterior spread, for the terminal."""
    lines = [f"{'parameter':<26} {'range searched':>16} {'fitted':>8} {'ABC posterior mean ± sd':>24} "
             f"{'5–95%':>16} {'contraction':>11}"]
    summary = result.abc.summary.set_index("parameter")
    for p in FIT_PARAMETERS:
        s = summary.loc[p.name]
        rng = f"[{p.lo:g}, {p.hi:g}]"
        post = f"{s['adjusted_mean']:.3f} ± {s['adjusted_sd']:.3f}"
        q = f"[{s['adjusted_q05']:.2f}, {s['adjusted_q95']:.2f}]"
        lines.append(f"{p.name:<26} {rng:>16} {result.fitted[p.name]:>8.3f} {post:>24} {q:>16} {s['contraction']:>11.2f}")
    return "\n".join(lines)


__all__ = ["FULL", "QUICK", "TARGETS", "CalibrationConfig", "CalibrationResult", "calibrate", "rejection_abc",
           "write_artefacts", "write_calibration"]
