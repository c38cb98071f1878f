"""Python API: run a scenario and get tidy pandas DataFrames (ODD §4.13)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from .model import CommunityModel
from .scenario import Scenario, load_scenario, preset_residents
from .validation import check_run_arguments

#: Months averaged for the end-of-run summary (one survey year, ODD §2.4).
SUMMARY_MONTHS = 12


@dataclass
class Results:
    """Outputs of one run.

    Attributes:
        series: one row per month, one column per metric (ODD §4.13), plus identifiers.
        summary: one row: each metric averaged over the last 12 months, plus identifiers.
        survey: the simulated survey, one row per year × question × answer.
        model: the finished model (only if ``keep_model=True``).
    """

    scenario: str
    seed: int
    series: pd.DataFrame
    summary: pd.DataFrame
    survey: pd.DataFrame
    model: CommunityModel | None = field(default=None, repr=False)

    def save(self, out_dir: str | os.PathLike[str], formats: tuple[str, ...] = ("parquet", "csv")) -> list[Path]:
        """Write series, summary and survey as Parquet and/or CSV (atomically); return the paths."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name in ("series", "summary", "survey"):
            frame: pd.DataFrame = getattr(self, name)
            for fmt in formats:
                path = out / f"{name}.{fmt}"
                tmp = path.with_suffix(f".{fmt}.tmp")
                frame.to_parquet(tmp, index=False) if fmt == "parquet" else frame.to_csv(tmp, index=False)
                os.replace(tmp, path)
                written.append(path)
        return written


def run_scenario(scenario: str | os.PathLike[str] | Scenario, seed: int | np.random.SeedSequence = 0,
                 months: int | None = None, residents: int | str | None = None, overrides: dict[str, Any] | None = None,
                 progress: Callable[[int], None] | None = None, keep_model: bool = False) -> Results:
    """Run one scenario and return its series, summary and survey as DataFrames.

    Args:
        scenario: scenario name (see ``cogov scenarios``), path, or a loaded Scenario.
        seed: root seed; the same scenario and seed give identical frames.
        months: run length (default: the scenario's ``months``).
        residents: population size (default: the scenario's), or a population preset
            (``"street"``: 23 communities, see :data:`~cogov_sim.scenario.POPULATION_PRESETS`).
        overrides: dotted parameter overrides, e.g. ``{"levers.council": True}``.
        progress: called with the month number after every month (e.g. a tqdm update).
        keep_model: keep the finished model on the result (for inspection); call
            :func:`release_model` on it when done if you run many models in one process.

    Whole-number arguments (``seed``, ``months``, ``residents``) accept an ``int``, a numpy
    integer or an integral float (``24.0``); BLAS is limited to one thread in this process
    (see :mod:`cogov_sim.threads`).

    Raises:
        ArgumentError: a bad argument, with one line naming it, its value and what is allowed,
            e.g. ``seed: -1 is out of range; allowed 0–9,223,372,036,854,775,807`` or
            ``overrides: key 3 is not a string; allowed dotted keys such as 'levers.council'``.
        ScenarioError: an unknown scenario, a bad override value or ``months``/``residents``
            outside the scenario parameter's range, e.g. ``override: levers.council = 'yes':
            expected true or false`` or ``residents: population.residents = 10 is out of range;
            allowed 50–1,000,000 (persons)``.
    """
    if isinstance(residents, str):
        residents = preset_residents(residents, scenario)
    seed, months, residents, overrides = check_run_arguments(seed, months, residents, overrides)
    sc = load_scenario(scenario)
    if overrides:
        sc = sc.with_overrides(overrides)
    if months is not None:
        sc = sc.with_overrides({"months": months}, where="months")
    model = CommunityModel(sc, seed=seed, residents=residents)
    for month in range(sc.months):
        model.step()
        if progress is not None:
            progress(month + 1)
    return collect_results(model, keep_model=keep_model)


def release_model(model: CommunityModel) -> None:
    """Let a finished model be garbage-collected.

    Mesa 3.3 keeps every model ever created alive: ``mesa.Agent._ids`` is a class-level
    ``defaultdict`` of unique-id counters keyed by the model (about 2.3 MB per 2,000-resident
    run). Thousands of runs in one process (a sweep worker, a calibration) would hold gigabytes;
    dropping the finished model's counter releases it.
    """
    getattr(mesa.Agent, "_ids", {}).pop(model, None)


def collect_results(model: CommunityModel, keep_model: bool = False) -> Results:
    """Turn a finished model into :class:`Results` (releasing the model unless it is kept)."""
    sc = model.spec
    seed = model.seed if isinstance(model.seed, int) else int(model.seed.entropy % (2**63))
    ids = {"scenario": sc.name, "seed": seed}
    series = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    series.insert(0, "month", np.arange(1, len(series) + 1))
    for i, (k, v) in enumerate(ids.items()):
        series.insert(i, k, v)
    tail = series.iloc[-SUMMARY_MONTHS:].drop(columns=["scenario", "seed", "month"]).mean()
    summary = pd.DataFrame([{**ids, "months": len(series), "residents_final": model.n_residents, **tail.to_dict()}])
    survey = pd.DataFrame(model.survey_rows)
    if not survey.empty:
        survey.insert(0, "seed", seed)
        survey.insert(0, "scenario", sc.name)
    if not keep_model:
        release_model(model)
    return Results(scenario=sc.name, seed=seed, series=series, summary=summary, survey=survey,
                   model=model if keep_model else None)
