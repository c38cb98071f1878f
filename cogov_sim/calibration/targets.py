"""Calibration targets T1–T5 (brief §7; digest §6) and how a run is scored against them.

The targets are the sources' survey figures, asked of the simulated population by
:mod:`cogov_sim.survey` at the end of every simulated year. The calibration compares the
status quo (``administrative_led``, digest §4.1) with them on a *burnt-in* survey: the mean
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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..survey import TARGETS as SURVEY_TARGETS

if TYPE_CHECKING:
    from ..scenario import Scenario

#: The scenario the targets describe: the status quo (digest §4.1, §6).
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


def simulate(overrides: Mapping[str, Any] | None = None, seed: int = 0, residents: int = 2000,
             months: int = RUN_MONTHS, years: Iterable[int] = SURVEY_YEARS,
             scenario: str | Scenario = CALIBRATION_SCENARIO) -> dict[str, float]:
    """Run ``scenario`` (a name, or a Scenario loaded once) with behaviour ``overrides``; return T1–T5."""
    from ..run import run_scenario

    res = run_scenario(scenario, seed=seed, months=months, residents=residents, overrides=dict(overrides or {}))
    return survey_targets(res.survey, years)


def simulate_seeds(overrides: Mapping[str, Any] | None, seeds: Sequence[int], residents: int = 2000,
                   months: int = RUN_MONTHS, years: Iterable[int] = SURVEY_YEARS,
                   scenario: str | Scenario = CALIBRATION_SCENARIO, progress=None) -> pd.DataFrame:
    """One row per seed with the T1–T5 shares (in-process loop, one worker). The scenario is
    loaded and overridden once, so all seeds run the same parameters even if files change."""
    from ..scenario import load_scenario

    years = tuple(years)
    sc = load_scenario(scenario)
    if overrides:
        sc = sc.with_overrides(dict(overrides))
    rows = []
    for seed in seeds:
        rows.append({"seed": int(seed), **simulate(None, seed, residents, months, years, sc)})
        if progress is not None:
            progress(1)
    return pd.DataFrame(rows, columns=["seed", *TARGET_IDS])


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
