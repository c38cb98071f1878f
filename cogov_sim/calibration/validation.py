"""Validation as data: the committed calibration re-simulated against T1–T5, the governance
patterns S1–S6, and the figures the report quotes — everything docs/validation.md says.

:func:`validate` computes a :class:`ValidationResult`; :mod:`~cogov_sim.calibration.figures`
draws it and :mod:`~cogov_sim.calibration.render` writes it as Markdown. Nothing here knows
where files go: the calibration file and the calibration's artefact folder are arguments.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..mechanisms.committee import institutional_support
from ..mechanisms.government import administrative_load
from ..parameters import GROUPS
from . import patterns as P
from .procedure import StageCallback, no_progress
from .record import read_artefacts, read_calibration
from .reform_targets import REFORM_TARGETS
from .reform_targets import simulate as simulate_reform
from .reform_targets import target_table as reform_table
from .robustness import read_table as read_robustness
from .targets import CALIBRATION_SCENARIO, RUN_MONTHS, SURVEY_YEARS, simulate_seeds, target_table

if TYPE_CHECKING:
    from ..experiments.execution import Executor
    from ..scenario import Scenario


@dataclass
class ValidationResult:
    """Everything docs/validation.md reports.

    Attributes:
        targets: T1–T5 against the simulation (:func:`~cogov_sim.calibration.targets.target_table`).
        target_runs: T1–T5 per seed of the target check.
        target_residents: population of the target check (the calibration's).
        runs: the pattern suite's runs.
        comparisons, verdicts, lags: the pattern statistics.
        meta, behaviour: the ``[meta]`` and ``[behaviour]`` of the calibration file.
        artefacts: what the last full calibration left (:func:`~cogov_sim.calibration.record.read_artefacts`).
        facts: the measured and scenario numbers the prose quotes (:func:`facts`).
        seconds: wall time of :func:`validate`.
        reform_targets: the targets of the reformed models (sources §8;
            :func:`~cogov_sim.calibration.reform_targets.target_table`).
        robustness: the stored contrast-robustness table (:func:`~cogov_sim.calibration.robustness.read_table`),
            ``None`` if none is stored.
    """

    targets: pd.DataFrame
    target_runs: pd.DataFrame
    target_residents: int
    runs: P.PatternRuns
    comparisons: list[P.Comparison]
    verdicts: pd.DataFrame
    lags: pd.DataFrame
    meta: dict[str, Any]
    behaviour: dict[str, float]
    artefacts: dict[str, Any]
    facts: dict[str, Any]
    seconds: float
    executor: str = "in-process"
    date: str = field(default_factory=lambda: _dt.date.today().isoformat())
    reform_targets: pd.DataFrame | None = None
    robustness: pd.DataFrame | None = None


def validate(calibration_file: str | os.PathLike[str], artefacts: str | os.PathLike[str] | None = None,
             seeds: int = 20, residents: int = 1500, months: int = 120, target_seeds: int = 40,
             on_stage: StageCallback = no_progress, executor: Executor | None = None,
             root_seed: int = 0) -> ValidationResult:
    """Re-simulate the targets with the calibration in ``calibration_file`` (on its population, seeds
    ``0 … target_seeds − 1``, as the calibration validates) and run the pattern suite (``seeds``
    seeds per scenario spawned from ``root_seed``); read the
    last full calibration's tables from ``artefacts`` (if given). Every batch runs on ``executor``
    (default: in this process)."""
    from ..experiments.execution import InProcessExecutor
    from ..scenario import available_scenarios

    ex = executor or InProcessExecutor()
    t0 = time.perf_counter()
    meta, behaviour = read_calibration(calibration_file)
    cal_residents = int(meta.get("calibration_residents", 2000))
    target_runs = simulate_seeds(None, range(target_seeds), cal_residents, RUN_MONTHS, SURVEY_YEARS,
                                 progress=on_stage("targets (committed calibration)", target_seeds), executor=ex)
    runs = P.run_pattern_suite(seeds, residents, months,
                               progress=on_stage("pattern scenarios", seeds * len(P.PATTERN_SCENARIOS)), executor=ex,
                               root_seed=root_seed)
    comparisons = P.evaluate(runs)
    n_reform = len({t.scenario for t in REFORM_TARGETS} & set(available_scenarios()))
    reform_runs = simulate_reform(seeds, None, months, root_seed, executor=ex,
                                  progress=on_stage("reformed models' targets", seeds * n_reform))
    return ValidationResult(reform_targets=reform_table(reform_runs), robustness=read_robustness(),
                            targets=target_table(target_runs), target_runs=target_runs, target_residents=cal_residents,
                            runs=runs, comparisons=comparisons, verdicts=P.verdicts(comparisons),
                            lags=P.transition_lags(runs), meta=meta, behaviour=behaviour,
                            artefacts=read_artefacts(artefacts) if artefacts is not None else {},
                            facts=facts(runs), seconds=time.perf_counter() - t0, executor=ex.description)


def parameter(scenario: Scenario, name: str) -> Any:
    """The value of parameter ``name`` in ``scenario``, whatever its group."""
    for group in GROUPS:
        values = getattr(scenario, group)
        if hasattr(values, name):
            return getattr(values, name)
    raise KeyError(name)


def window_table(series: pd.DataFrame, window: tuple[int, int]) -> pd.DataFrame:
    """Mean of every metric over ``window`` months (seeds pooled), one row per scenario."""
    return series[series["month"].between(*window)].groupby("scenario").mean(numeric_only=True)


def facts(runs: P.PatternRuns) -> dict[str, Any]:
    """The numbers the report's prose quotes, measured on ``runs`` or read from the scenarios
    (never typed into the text):

    * ``long``, ``year_1``, ``last_year``: per-scenario metric means over months
      :data:`~cogov_sim.calibration.patterns.LONG_RUN`, the first and the last year;
    * ``trust_pre``, ``trust_dip``: transition trust in government before the switch, and its lowest
      value in the first ramp year;
    * ``t2_drift_pp``, ``last_survey_year``: change of T2 between the calibration years and the last survey;
    * ``admin_demand``: the status quo's administrative demand as a share of RC hours (M6,
      :func:`~cogov_sim.mechanisms.government.administrative_load`);
    * ``council_support``, ``engagement_support``: what a council and full engagement add to the
      RC's institutional support (:func:`~cogov_sim.mechanisms.committee.institutional_support`);
    * ``params``: parameters and levers the notes cite, per scenario.
    """
    from ..scenario import load_scenario

    s = runs.series
    out: dict[str, Any] = {"long": window_table(s, P.LONG_RUN), "year_1": window_table(s, P.YEAR_1),
                           "last_year": window_table(s, P.LAST_YEAR)}
    tr = s[s["scenario"] == "transition"].groupby("month")["trust_government"].mean()
    if not tr.empty:
        out["trust_pre"] = float(tr.loc[P.PRE_SWITCH[0]:P.PRE_SWITCH[1]].mean())
        out["trust_dip"] = float(tr.loc[P.SWITCH_MONTH + 1:P.SWITCH_MONTH + 12].min())
    sv = runs.surveys[runs.surveys["scenario"] == CALIBRATION_SCENARIO]
    by_year = sv.pivot_table(index="year", columns="target_id", values="share") if not sv.empty else pd.DataFrame()
    if "T2" in by_year and by_year.index.max() > max(SURVEY_YEARS):
        last = int(by_year.index.max())
        out["last_survey_year"] = last
        out["t2_drift_pp"] = float(100 * (by_year.loc[last, "T2"] - by_year.loc[list(SURVEY_YEARS), "T2"].mean()))
    status_quo = load_scenario(CALIBRATION_SCENARIO)
    lev, beh = status_quo.levers, status_quo.behaviour
    out["admin_demand"] = float(administrative_load(np.ones(1), lev.admin_load, lev.directive_intensity,
                                                    lev.burden_reduction, lev.grid_management,
                                                    beh.admin_directive_base, beh.grid_admin_load)[0])
    weights = (beh.support_engagement, beh.support_council, beh.support_two_way)
    out["council_support"] = (institutional_support(0.0, 0.0, True, False, *weights)
                              - institutional_support(0.0, 0.0, False, False, *weights))
    out["engagement_support"] = (institutional_support(0.0, 1.0, False, False, *weights)
                                 - institutional_support(0.0, 0.0, False, False, *weights))
    names = ("purchase_share", "equality_redistribution", "so_death_months", "government_cost_ratio",
             "initial_sos_per_community", "admin_load", "directive_intensity", "burden_reduction")
    out["params"] = {sc: {n: parameter(load_scenario(sc), n) for n in names} for sc in P.REFERENCE}
    return out
