"""Sensitivity analysis of a sweep's summary outcomes with SALib: Sobol (S1, ST) or Morris (mu*, sigma).

The design rows of each base scenario are SALib's sample matrix in SALib's order (see
:mod:`~cogov_sim.experiments.design`); the outcome of a row is the mean over its
replications of the run's summary value (the last 12 months' mean). Indices are computed
separately for each base scenario.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CogovError, closest
from .store import load_manifest, load_results

#: Index columns per method: (value, confidence interval) pairs and extras.
COLUMNS = {"sobol": ("S1", "S1_conf", "ST", "ST_conf"), "morris": ("mu_star", "mu_star_conf", "sigma", "mu")}


def sensitivity(root: str | os.PathLike[str], outputs: list[str], num_resamples: int = 100,
                conf_level: float = 0.95, seed: int = 0) -> tuple[pd.DataFrame, str]:
    """Sensitivity indices of a sweep folder's summary ``outputs``; returns (table, method)."""
    manifest = load_manifest(root)
    assert manifest is not None
    design = manifest["design"]
    if "summary" not in design["outputs"]["tables"]:
        raise CogovError(f"{root}: the sweep kept no summary table (outputs.summary = false); nothing to analyse")
    summary = load_results(root, tables=("summary",))["summary"]
    return analyse(design, summary, outputs, num_resamples, conf_level, seed), design["method"]


def analyse(design: dict[str, Any], summary: pd.DataFrame, outputs: list[str], num_resamples: int = 100,
            conf_level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Sobol or Morris indices from a design record (the manifest's ``design``) and per-run summary rows.

    ``summary`` needs a ``design_row`` column and one column per output. Returns one row per
    scenario × output × parameter with the indices and their confidence intervals.
    """
    method = design["method"]
    if method not in COLUMNS:
        raise CogovError(f"sensitivity indices need a sobol or morris design; this sweep used {method!r}")
    if not 0 < conf_level < 1:
        raise CogovError(f"--conf-level {conf_level}: expected a number between 0 and 1, e.g. 0.95")
    if summary.empty:
        raise CogovError("no finished runs to analyse; run or resume the sweep first")
    numeric = [c for c in summary.select_dtypes("number").columns if c not in ("run_id", "design_row", "replication")]
    for name in outputs:
        if name not in numeric:
            raise CogovError(f"output '{name}' is not a summary outcome of this sweep{closest(name, numeric)}")
    problem = {k: design["problem"][k] for k in ("num_vars", "names", "bounds")}
    rows = pd.DataFrame(design["rows"])
    means = summary.groupby("design_row")[outputs].mean()
    records = []
    for scenario in design["scenarios"]:
        ids = rows.loc[rows["scenario"] == scenario, "design_row"].to_numpy()
        missing = np.setdiff1d(ids, means.index.to_numpy())
        if missing.size:
            raise CogovError(f"{scenario}: {missing.size} of {ids.size} design rows have no finished run "
                             f"(first: row {missing[0]}); resume the sweep to run them (failed runs are retried; "
                             f"their errors are in the runs table)")
        x = np.array([[rows.at[i, "values"][k] for k in problem["names"]] for i in ids], dtype=float)
        for output in outputs:
            y = means.loc[ids, output].to_numpy(dtype=float)
            if not np.isfinite(y).all():
                raise CogovError(f"{scenario}: output '{output}' has missing or infinite values; cannot analyse it")
            result = _salib(method, design, problem, x, y, num_resamples, conf_level, seed)
            for j, name in enumerate(problem["names"]):
                records.append({"scenario": scenario, "output": output, "parameter": name,
                                **{c: float(np.asarray(result[c])[j]) for c in COLUMNS[method]}})
    return pd.DataFrame(records)


def degenerate_intervals(table: pd.DataFrame, method: str) -> int:
    """Number of confidence intervals of zero width or undefined (too few samples, or a constant outcome)."""
    conf = table[[c for c in COLUMNS[method] if c.endswith("_conf")]].to_numpy(dtype=float)
    return int((~np.isfinite(conf) | (conf <= 0)).sum())


def _salib(method: str, design: dict[str, Any], problem: dict[str, Any], x: np.ndarray, y: np.ndarray,
           num_resamples: int, conf_level: float, seed: int) -> dict[str, Any]:
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # a constant outcome gives NaN indices, not noise
        if method == "sobol":
            from SALib.analyze import sobol

            return sobol.analyze(problem, y, calc_second_order=design.get("second_order", False),
                                 num_resamples=num_resamples, conf_level=conf_level, seed=seed)
        from SALib.analyze import morris

        return morris.analyze(problem, x, y, num_resamples=num_resamples, conf_level=conf_level,
                              num_levels=design.get("levels", 4), seed=seed)


def format_table(table: pd.DataFrame, method: str) -> str:
    """The indices as a text table: one block per scenario and output, parameters by importance."""
    value, extra = COLUMNS[method][0], COLUMNS[method][2]
    blocks = []
    for (scenario, output), frame in table.groupby(["scenario", "output"], sort=False):
        frame = frame.sort_values(extra if method == "sobol" else value, ascending=False)
        lines = [f"{scenario} — {output}"]
        if method == "sobol":
            lines.append(f"  {'parameter':<40} {'S1':>16} {'ST':>16}")
            for r in frame.itertuples():
                lines.append(f"  {r.parameter:<40} {r.S1:>7.3f} ± {r.S1_conf:<6.3f} {r.ST:>7.3f} ± {r.ST_conf:<6.3f}")
        else:
            lines.append(f"  {'parameter':<40} {'mu*':>18} {'sigma':>10} {'mu':>10}")
            for r in frame.itertuples():
                lines.append(f"  {r.parameter:<40} {r.mu_star:>9.4g} ± {r.mu_star_conf:<6.3g} "
                             f"{r.sigma:>10.4g} {r.mu:>10.4g}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def save_plot(table: pd.DataFrame, method: str, path: str | os.PathLike[str]) -> Path:
    """Bar plot of the indices (with confidence intervals): one panel per output × scenario."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outputs, scenarios = list(dict.fromkeys(table["output"])), list(dict.fromkeys(table["scenario"]))
    n_params = table["parameter"].nunique()
    fig, axes = plt.subplots(len(outputs), len(scenarios), squeeze=False, constrained_layout=True,
                             figsize=(5 * len(scenarios) + 2, (0.35 * n_params + 1.2) * len(outputs)))
    bars = [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")] if method == "sobol" else \
        [("mu_star", "mu_star_conf", "mu* (mean |effect|)"), ("sigma", None, "sigma (interactions)")]
    for i, output in enumerate(outputs):
        for j, scenario in enumerate(scenarios):
            ax = axes[i][j]
            frame = table[(table["output"] == output) & (table["scenario"] == scenario)]
            pos = np.arange(len(frame))
            for k, (col, conf, label) in enumerate(bars):
                ax.barh(pos + (k - 0.5) * 0.4, frame[col], height=0.4, label=label,
                        xerr=frame[conf] if conf else None, capsize=2, color=f"C{k}")
            ax.set_yticks(pos, frame["parameter"], fontsize=8)
            ax.invert_yaxis()
            ax.set_title(f"{output} — {scenario}", fontsize=9)
            ax.grid(axis="x", alpha=0.3)
            if i == 0 and j == 0:
                ax.legend(fontsize=7)
    fig.suptitle(f"{'Sobol' if method == 'sobol' else 'Morris'} sensitivity of end-of-run outcomes")
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
