"""Calibration targets T1–T5 (ODD §1.2; sources §6) and how a run is scored against them.

The targets are the sources' survey figures, asked of the simulated population by
:mod:`cogov_sim.survey` at the end of every simulated year. The calibration compares the
status quo (``administrative_led``, sources §4.1) with them on a *burnt-in* survey: the mean
of the surveys of years 3, 4 and 5 of a 60-month run. Years 1–2 are left out because the
initial attitudes (belonging, efficacy, awareness) are drawn, not equilibrated, and the RC's
autonomy takes about two years to settle under administrative pressure; a 60-month run keeps
the calibration cheap. (The participation shares keep drifting slowly afterwards — the
never-share of public affairs rises by about 1 pp in years 6–10 — which
``docs/validation.md`` reports.)

A run is scored by the Euclidean distance, in percentage points, between the simulated
shares and the target shares over T1–T5 (equal weights: every target is a share of
respondents from a survey of similar size).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..experiments.spec import Outputs
from ..survey import TARGETS as SURVEY_TARGETS

if TYPE_CHECKING:
    from ..experiments.execution import Executor
    from ..scenario import Scenario

#: The scenario the targets describe: the status quo (sources §4.1, §6).
CALIBRATION_SCENARIO = "administrative_led"
#: Survey years averaged (burn-in: years 1–2 dropped) and the run length they need.
SURVEY_YEARS: tuple[int, ...] = (3, 4, 5)
RUN_MONTHS = 60
#: A target passes when the mean over seeds is within this many percentage points.
TOLERANCE_PP = 3.0


@dataclass(frozen=True)
class Target:
    """One calibration target: a share of survey respondents giving ``answer`` to ``question``."""

    id: str
    question: str
    answer: str
    value: float
    source: str

    @property
    def label(self) -> str:
        """Short readable description, e.g. ``public affairs per year = never``."""
        return f"{self.question.replace('_', ' ')} = {self.answer}"


#: T1–T5 in order, read from :data:`cogov_sim.survey.TARGETS` (the one definition).
TARGETS: tuple[Target, ...] = tuple(sorted(
    (Target(tid, q, a, value, source) for (q, a), (tid, value, source) in SURVEY_TARGETS.items() if tid),
    key=lambda t: t.id))
TARGET_IDS: tuple[str, ...] = tuple(t.id for t in TARGETS)
TARGET_VALUES = np.array([t.value for t in TARGETS])

DESCRIPTIONS = {
    "T1": "willing to take part often",
    "T2": "never take part in public affairs in a year",
    "T3": "take part in public affairs more than 5 times a year",
    "T4": "never attended any community activity",
    "T5": "RC staff naming administrative work as main difficulty",
}


def survey_targets(survey: pd.DataFrame, years: Iterable[int] = SURVEY_YEARS) -> dict[str, float]:
    """T1–T5 of one run's simulated survey, averaged over ``years``."""
    years = list(years)
    rows = survey[(survey["target_id"] != "") & survey["year"].isin(years)]
    if rows.empty:
        raise ValueError(f"the survey has no target rows for years {years}; is the run long enough?")
    shares = rows.groupby("target_id")["share"].mean()
    return {tid: float(shares[tid]) for tid in TARGET_IDS}


#: What a calibration run keeps: the simulated survey only.
SURVEY_ONLY = Outputs(summary=False, series=False, survey=True)


def simulate_seeds(overrides: Mapping[str, Any] | None, seeds: Sequence[int | np.random.SeedSequence],
                   residents: int = 2000, months: int = RUN_MONTHS, years: Iterable[int] = SURVEY_YEARS,
                   scenario: str | Scenario = CALIBRATION_SCENARIO, progress: Callable[[int], None] | None = None,
                   executor: Executor | None = None) -> pd.DataFrame:
    """One row per seed with the T1–T5 shares, run on ``executor`` (default: in this process).

    The scenario is loaded once, so all seeds run the same parameters even if files change;
    the ``seed`` column is the seed (an integer root seed) or its position in ``seeds`` (a SeedSequence)."""
    return simulate_points([overrides or {}], seeds, residents, months, years, scenario, progress, executor)[0]


def simulate_points(points: Sequence[Mapping[str, Any]], seeds: Sequence[int | np.random.SeedSequence],
                    residents: int = 2000, months: int = RUN_MONTHS, years: Iterable[int] = SURVEY_YEARS,
                    scenario: str | Scenario = CALIBRATION_SCENARIO, progress: Callable[[int], None] | None = None,
                    executor: Executor | None = None) -> list[pd.DataFrame]:
    """T1–T5 per seed (one frame per point, as :func:`simulate_seeds`) of every point of overrides,
    each on the same ``seeds`` (common random numbers), as one batch on ``executor``."""
    from ..experiments.execution import BatchRun, InProcessExecutor, run_batch
    from ..scenario import load_scenario

    years = tuple(years)
    sc = load_scenario(scenario)
    batch = [BatchRun(sc, seed, dict(point), months, residents) for point in points for seed in seeds]
    tables = run_batch(batch, executor or InProcessExecutor(), SURVEY_ONLY, progress=progress)
    labels = [seed if isinstance(seed, int | np.integer) else i for i, seed in enumerate(seeds)]
    rows = [{"seed": int(labels[i % len(seeds)]), **survey_targets(t["survey"], years)} for i, t in enumerate(tables)]
    return [pd.DataFrame(rows[k * len(seeds):(k + 1) * len(seeds)], columns=["seed", *TARGET_IDS])
            for k in range(len(points))]


def errors_pp(means: Mapping[str, float] | Sequence[float] | np.ndarray) -> np.ndarray:
    """Simulated minus target share, in percentage points, T1–T5 in order."""
    values = np.array([means[t] for t in TARGET_IDS]) if isinstance(means, Mapping) else np.asarray(means, float)
    return 100.0 * (values - TARGET_VALUES)


def distance_pp(means: Mapping[str, float] | Sequence[float] | np.ndarray) -> float:
    """Euclidean distance to the targets in percentage points over T1–T5 (the calibration distance)."""
    return float(np.sqrt(np.sum(errors_pp(means) ** 2, axis=-1)))


def mean_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and its Student-t confidence interval over seeds."""
    from scipy import stats

    v = np.asarray(values, float)
    m = float(v.mean())
    if len(v) < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)))
    return m, m - half, m + half


def target_table(per_seed: pd.DataFrame, tolerance_pp: float = TOLERANCE_PP) -> pd.DataFrame:
    """Targets against the simulation: mean over seeds, its 95% CI, the seeds' 95% range, pass/fail.

    A target passes when ``|mean − target| ≤ tolerance_pp`` percentage points.
    """
    rows = []
    for t in TARGETS:
        v = per_seed[t.id].to_numpy(float)
        m, lo, hi = mean_interval(v)
        err = 100.0 * (m - t.value)
        rows.append({"target": t.id, "description": DESCRIPTIONS[t.id], "source": t.source, "target_value": t.value,
                     "mean": m, "ci_low": lo, "ci_high": hi, "seed_p2_5": float(np.percentile(v, 2.5)),
                     "seed_p97_5": float(np.percentile(v, 97.5)), "error_pp": err, "seeds": len(v),
                     "pass": bool(abs(err) <= tolerance_pp)})
    return pd.DataFrame(rows)


def format_target_table(table: pd.DataFrame, tolerance_pp: float = TOLERANCE_PP) -> str:
    """Plain-text table for the terminal."""
    lines = [f"{'target':<6} {'description':<55} {'target':>7} {'simulated':>9} {'95% CI of mean':>17} "
             f"{'seeds 2.5–97.5%':>17} {'error':>8}  result (±{tolerance_pp:g} pp)"]
    for r in table.to_dict("records"):
        ci = f"[{r['ci_low']:.1%}, {r['ci_high']:.1%}]"
        spread = f"[{r['seed_p2_5']:.1%}, {r['seed_p97_5']:.1%}]"
        lines.append(f"{r['target']:<6} {r['description']:<55} {r['target_value']:>7.1%} {r['mean']:>9.1%} "
                     f"{ci:>17} {spread:>17} {r['error_pp']:>+6.1f}pp  {'PASS' if r['pass'] else 'FAIL'}")
    return "\n".join(lines)
