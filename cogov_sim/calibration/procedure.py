"""The calibration procedure, end to end (ODD §1.2): design → rejection ABC → Nelder–Mead → validation.

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

import datetime as _dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import sampling
from .fit import AbcResult, nelder_mead, refine_staff_noise, rejection_abc
from .identifiability import morris_screening, profile_screened
from .sampling import FIT_PARAMETERS, SCREEN_PARAMETERS
from .targets import CALIBRATION_SCENARIO, RUN_MONTHS, SURVEY_YEARS, distance_pp, simulate_seeds, target_table

if TYPE_CHECKING:
    from ..experiments.execution import Executor

#: A stage callback: called with (stage name, number of runs); returns a per-run update function.
StageCallback = Callable[[str, int], Callable[[int], None]]


def no_progress(stage: str, total: int) -> Callable[[int], None]:
    """The silent stage callback."""
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
QUICK = CalibrationConfig(name="quick", lhs_samples=40, lhs_seeds=(10_000,), accept_quantile=0.25,
                          nm_seeds=(20_000, 20_001, 20_002), nm_maxfev=16, t5_seeds=tuple(range(40_000, 40_008)),
                          t5_maxiter=4, validation_seeds=tuple(range(16)),
                          transfer_seeds=(), morris_trajectories=2, morris_seeds=(30_000,), search_box="posterior",
                          profiles=())


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


def calibrate(config: CalibrationConfig = FULL, on_stage: StageCallback = no_progress,
              morris: bool = True, executor: Executor | None = None) -> CalibrationResult:
    """Run the whole procedure with ``config``; every batch of runs goes to ``executor``
    (default: in this process; results do not depend on it)."""
    from ..experiments.execution import InProcessExecutor
    from ..scenario import load_scenario

    ex = executor or InProcessExecutor()
    t0 = time.perf_counter()
    runs = 0
    c = config
    base = load_scenario(CALIBRATION_SCENARIO)      # loaded once: every run uses the same files
    params = (sampling.posterior_box(base.meta.get("calibration_posterior", {}))
              if c.search_box == "posterior" else FIT_PARAMETERS)
    design = sampling.latin_hypercube(c.lhs_samples, c.design_seed, params)
    evaluated = sampling.evaluate_design(design, c.lhs_seeds, c.residents, c.months, c.years, params,
                                         progress=on_stage("Latin-hypercube design", c.lhs_samples * len(c.lhs_seeds)),
                                         scenario=base, executor=ex)
    runs += c.lhs_samples * len(c.lhs_seeds)
    abc = rejection_abc(evaluated, c.accept_quantile, params)
    start = abc.summary["adjusted_mean"].to_numpy()
    box = sampling.bounds(params)
    step = np.clip(2.0 * abc.summary["adjusted_sd"].to_numpy() / (box[:, 1] - box[:, 0]), 0.03, 0.15)
    best, trace = nelder_mead(start, c.nm_seeds, c.residents, c.nm_maxfev, step, c.months, c.years, params,
                              progress=on_stage("Nelder–Mead (common random numbers)", c.nm_maxfev * len(c.nm_seeds)),
                              scenario=base, executor=ex)
    runs += len(trace) * len(c.nm_seeds)
    fitted = {p.name: round(float(v), c.decimals) for p, v in zip(FIT_PARAMETERS, best, strict=True)}
    noise, t5_trace = refine_staff_noise(fitted, c.t5_seeds, c.residents, c.t5_maxiter, c.months, c.years, base,
                                         progress=on_stage("T5 refinement (staff_difficulty_noise)",
                                                           (c.t5_maxiter + 4) * len(c.t5_seeds)), executor=ex)
    runs += len(t5_trace) * len(c.t5_seeds)
    fitted["staff_difficulty_noise"] = round(noise, c.decimals)
    validation = simulate_seeds(sampling.overrides(fitted), c.validation_seeds, c.residents, c.months, c.years, base,
                                progress=on_stage("validation on fresh seeds", len(c.validation_seeds)), executor=ex)
    runs += len(c.validation_seeds)
    table = target_table(validation)
    transfer = None
    if c.transfer_seeds:
        transfer_runs = simulate_seeds(sampling.overrides(fitted), c.transfer_seeds, c.transfer_residents, c.months,
                                       c.years, base, progress=on_stage(f"transfer check ({c.transfer_residents:,} residents)",
                                                                  len(c.transfer_seeds)), executor=ex)
        transfer = target_table(transfer_runs)
        runs += len(c.transfer_seeds)
    screening = None
    if morris and c.morris_trajectories > 0:
        params = FIT_PARAMETERS + SCREEN_PARAMETERS
        n = c.morris_trajectories * (len(params) + 1) * len(c.morris_seeds)
        screening = morris_screening(fitted, params, c.morris_trajectories, c.morris_seeds, c.residents,
                                     levels=c.morris_levels, seed=c.design_seed, months=c.months, years=c.years,
                                     progress=on_stage("Morris screening", n), scenario=base, executor=ex)
        runs += n
    profile = None
    if morris and c.profiles:
        profile = profile_screened(fitted, c.profiles, c.profile_seeds, c.residents, c.profile_maxfev, base, c.months,
                                   c.years, progress=on_stage("profiles of the screened weights",
                                                              len(c.profiles) * c.profile_maxfev * len(c.profile_seeds)),
                                   executor=ex)
        runs += int(profile["evaluations"].sum()) * len(c.profile_seeds)
    return CalibrationResult(config=c, design=evaluated, abc=abc, nm_trace=trace, t5_trace=t5_trace, fitted=fitted,
                             validation=validation,
                             table=table, transfer=transfer, morris=screening, profile=profile, runs=runs,
                             seconds=time.perf_counter() - t0)


__all__ = ["FULL", "QUICK", "CalibrationConfig", "CalibrationResult", "StageCallback", "calibrate", "no_progress"]
