"""``cogov compare``: governance models side by side, with replications and 95% intervals.

The replications are a sweep (:func:`cogov_sim.experiments.run_sweep`): the comparison writes
an experiment file (the scenarios × ``seeds`` replications) into its output folder and runs
it there, so it has the sweep's progress bar, worker processes, Parquet store and
resumability (run the same command again after an interruption and only the missing runs
are done). From the stored runs it computes, per outcome, each scenario's mean over seeds
of the end-of-run summary (the last 12 months) with a Student-t 95% interval, and the
difference from the baseline scenario with a Welch 95% interval (each run has its own
spawned seed, so scenarios are independent samples); the monthly series with 95% bands;
and the field forces and the platform resolved along the main line (:func:`force_components`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..metrics import ACTORS
from ..scenario import load_scenario
from .outcomes import HEADLINE, OUTCOME_FORMATS

#: Outcomes of the comparison table (summary columns), in the order shown.
OUTCOMES = tuple(OUTCOME_FORMATS)
#: Force columns: each actor's signed force along the main line and its magnitude (CNY/month, ODD §7.13).
FORCE_COLUMNS = (*(f"force_main_{a}" for a in ACTORS), *(f"force_{a}" for a in ACTORS))
#: Root seed of the comparison's replications (child seeds are spawned from it by the sweep).
ROOT_SEED = 20240601
#: Where ``cogov compare`` writes without ``--out``.
DEFAULT_ROOT = Path("runs") / "compare"
LEVEL = 0.95


@dataclass
class Comparison:
    """A finished comparison.

    Attributes:
        scenarios: scenario names, baseline first.
        baseline: the scenario differences are taken from.
        seeds, residents, months: replications per scenario, population, run length.
        summary: one row per run (the sweep's summary table).
        series: one row per run × month.
        table: one row per outcome × scenario: mean, lo, hi, n, diff, diff_lo, diff_hi.
        bands: one row per scenario × month × headline outcome: mean, lo, hi.
        forces: one row per scenario × actor: along, across (see :func:`force_components`).
        caveats: outcome -> validation claims about it that do not hold.
    """

    scenarios: list[str]
    baseline: str
    seeds: int
    residents: int
    months: int
    summary: pd.DataFrame
    series: pd.DataFrame
    table: pd.DataFrame
    bands: pd.DataFrame
    forces: pd.DataFrame
    caveats: dict[str, list[str]]


def default_out(scenarios: list[str]) -> Path:
    """``runs/compare/A-vs-B-...``."""
    return DEFAULT_ROOT / "-vs-".join(scenarios)


def experiment_text(scenarios: list[str], seeds: int, residents: int | None, months: int | None) -> str:
    """The experiment file (TOML) of a comparison: the scenarios, ``seeds`` replications each."""
    paths = [Path(load_scenario(s).source).resolve() for s in scenarios]
    names = ", ".join(f'"{p.as_posix()}"' for p in paths)
    metrics = ", ".join(f'"{m}"' for m in dict.fromkeys((*OUTCOMES, *HEADLINE, *FORCE_COLUMNS, "residents")))
    lines = ['name = "compare"', f'description = "cogov compare: {", ".join(scenarios)}"', f"scenarios = [{names}]",
             f"replications = {seeds}", f"seed = {ROOT_SEED}"]
    if months is not None:
        lines.append(f"months = {months}")
    if residents is not None:
        lines.append(f"residents = {residents}")
    lines += ["", "[design]", 'method = "factorial"', "", "[outputs]", "summary = true", "series = true",
              "series_every = 1", f"metrics = [{metrics}]", ""]
    return "\n".join(lines)


def run_comparison(scenarios: list[str], out: str | os.PathLike[str], *, seeds: int = 20,
                   residents: int | None = None, months: int | None = None, baseline: str | None = None,
                   workers: int | None = None, force: bool = False, quiet: bool = False) -> Comparison:
    """Run (or resume) the replications of ``scenarios`` as a sweep in ``out/runs`` and analyse them."""
    from ..errors import CogovError
    from ..experiments import load_experiment, load_results, run_sweep

    names = [load_scenario(s).name for s in scenarios]
    if len(set(names)) != len(names):
        raise CogovError(f"compare: a scenario is listed twice ({', '.join(names)})")
    base = baseline if baseline is not None else names[0]
    if base not in names:
        raise CogovError(f"compare: --baseline {base!r} is not one of the compared scenarios ({', '.join(names)})")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    spec = out / "compare.toml"
    text = experiment_text(scenarios, seeds, residents, months)
    if not spec.exists() or spec.read_text(encoding="utf-8") != text:
        if (out / "runs").exists() and not force:
            raise CogovError(f"compare: {out}/ holds a comparison with other settings; use another --out, "
                             f"or --force to start over")
        spec.write_text(text, encoding="utf-8")
    exp = load_experiment(spec)
    report = run_sweep(exp, out / "runs", workers=workers, resume=not force, force=force, quiet=quiet)
    if report.failed:
        raise CogovError(f"compare: {report.failed} runs failed (see {out}/runs/); {report.line()}")
    tables = load_results(out / "runs", tables=("summary", "series"))
    ordered = [base, *(n for n in names if n != base)]
    return analyse(tables["summary"], tables["series"], ordered, base)


def analyse(summary: pd.DataFrame, series: pd.DataFrame, scenarios: list[str], baseline: str) -> Comparison:
    """Means, intervals, differences, bands and forces of finished runs (one row per run in ``summary``)."""
    table = outcome_table(summary, scenarios, baseline)
    bands = series_bands(series, scenarios)
    forces = pd.concat([force_components(summary[summary["scenario"] == s][list(FORCE_COLUMNS)].mean())
                        .assign(scenario=s) for s in scenarios], ignore_index=True)
    seeds = int(summary.groupby("scenario").size().min())
    months = int(summary["months"].iloc[0])
    residents = round(float(series[series["month"] == 1]["residents"].mean())) if "residents" in series else 0
    return Comparison(scenarios, baseline, seeds, residents, months, summary, series, table, bands, forces,
                      validation_caveats())


def mean_ci(values: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and Student-t interval of independent replications (the interval is the mean when n < 2)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return np.nan, np.nan, np.nan
    m = float(x.mean())
    if len(x) < 2:
        return m, m, m
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return m, m - half, m + half


def welch_ci(a: np.ndarray, b: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """Difference of means ``mean(a) − mean(b)`` with a Welch 95% interval."""
    a, b = (np.asarray(v, dtype=float) for v in (a, b))
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    d = float(a.mean() - b.mean())
    va, vb = (a.var(ddof=1) / len(a) if len(a) > 1 else 0.0), (b.var(ddof=1) / len(b) if len(b) > 1 else 0.0)
    se = np.sqrt(va + vb)
    if se == 0 or len(a) < 2 or len(b) < 2:
        return d, d, d
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(stats.t.ppf(0.5 + level / 2, dof) * se)
    return d, d - half, d + half


def outcome_table(summary: pd.DataFrame, scenarios: list[str], baseline: str) -> pd.DataFrame:
    """Per outcome × scenario: mean and 95% interval, and the difference from ``baseline`` with its interval."""
    rows = []
    ref = summary[summary["scenario"] == baseline]
    for outcome in OUTCOMES:
        for sc in scenarios:
            values = summary.loc[summary["scenario"] == sc, outcome].to_numpy()
            m, lo, hi = mean_ci(values)
            d, dlo, dhi = welch_ci(values, ref[outcome].to_numpy()) if sc != baseline else (np.nan,) * 3
            rows.append({"outcome": outcome, "scenario": sc, "n": len(values), "mean": m, "lo": lo, "hi": hi,
                         "diff": d, "diff_lo": dlo, "diff_hi": dhi})
    return pd.DataFrame(rows)


def series_bands(series: pd.DataFrame, scenarios: list[str], outcomes: tuple[str, ...] = HEADLINE) -> pd.DataFrame:
    """Per scenario × month × outcome: mean over seeds and its 95% interval (vectorised over months)."""
    frames = []
    for sc in scenarios:
        g = series[series["scenario"] == sc].groupby("month")[list(outcomes)]
        mean, sd, n = g.mean(), g.std(ddof=1).fillna(0.0), g.count()
        half = stats.t.ppf(0.5 + LEVEL / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
        for o in outcomes:
            frames.append(pd.DataFrame({"scenario": sc, "outcome": o, "month": mean.index, "mean": mean[o].to_numpy(),
                                        "lo": (mean[o] - half[o]).to_numpy(), "hi": (mean[o] + half[o]).to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def force_components(row: pd.Series | dict[str, float]) -> pd.DataFrame:
    """Each actor's signed force resolved along the main line: one row per actor with ``along`` and ``across``.

    The only place that reads the force outputs: ``force_main_<actor>`` is ``F_a · m̂``, the force
    along the main line set outside any actor (negative: the actor pulls against it, sources §7.1),
    and ``force_<actor>`` its magnitude ``|F_a|`` (ODD §7.13); ``across = √(|F_a|² − along²)`` is the
    part of the force that points elsewhere.
    """
    along = np.array([float(row.get(f"force_main_{a}", 0.0)) for a in ACTORS])
    magnitude = np.array([float(row.get(f"force_{a}", 0.0)) for a in ACTORS])
    across = np.sqrt(np.maximum(magnitude**2 - along**2, 0.0))
    return pd.DataFrame({"actor": ACTORS, "along": along, "across": across})


# --- validation caveats ---------------------------------------------------------------------

#: The pattern-validation report, whose claim tables say which contrasts hold.
VALIDATION_REPORT = Path(__file__).resolve().parents[2] / "docs" / "validation.md"
_CLAIM = re.compile(r"^\|\s*(?P<claim>[^|]+?)\s*\|\s*`(?P<metric>\w+)`\s*\|[^|]*\|\s*(?P<effect>[^|]+?)\s*\|"
                    r".*\|\s*\**\*?(?P<status>holds|reversed|inconclusive)\**\*?\s*\|\s*$")


def validation_caveats(path: Path = VALIDATION_REPORT) -> dict[str, list[str]]:
    """Outcome -> the validation claims about it that are reversed or inconclusive (docs/validation.md).

    A contrast the pattern validation could not reproduce rests on assumptions (or a missing
    mechanism) rather than on the sources; the report marks those outcomes.
    """
    caveats: dict[str, list[str]] = {}
    if not path.is_file():
        return caveats
    section = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            section = line[4:].split(".")[0]
        m = _CLAIM.match(line.replace("\\|", "¦"))
        if m and m["status"] != "holds":
            claim = m["claim"].replace("¦", "|")
            caveats.setdefault(m["metric"], []).append(f"{section} {claim}: {m['status']}")
    return caveats
