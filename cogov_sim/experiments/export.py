"""Export a sweep the way the EMA Workbench stores results: an experiments table and a dict of outcomes.

* ``experiments``: one row per finished run (in ``run_id`` order) with the varied parameters,
  then EMA's ``scenario`` (the design row: the point in parameter space), ``policy`` (the
  base cogov scenario: a governance model is a bundle of levers) and ``model``
  (``"cogov_sim"``) columns, then ``run_id`` and ``replication`` (identifiers: drop them
  with scenario/policy/model before feature scoring or PRIM).
* ``outcomes``: each summary metric as an array of shape ``(runs,)`` (its mean over the last
  12 months); with the series kept, each metric's monthly values as ``METRIC_series`` of
  shape ``(runs, months)`` and ``TIME`` (the month numbers) of the same shape.

``export_ema`` writes the tar.gz layout of EMA's ``save_results`` (``experiments.csv``,
``metadata.json`` with the column dtypes and each outcome's class and file, and one
header-less CSV per outcome), which ``ema_workbench.load_results`` reads back; the
pre-2.1 metadata files (``experiments metadata.csv``, ``outcomes metadata.csv``) are
included for older EMA versions. ``export_npz`` writes
``experiments.csv`` and ``outcomes.npz`` for tools without EMA.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CogovError, closest
from .store import load_manifest, load_results


def ema_results(root: str | os.PathLike[str], outputs: list[str] | None = None,
                series: bool = True) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A sweep folder as EMA's ``(experiments, outcomes)`` pair (see the module docstring)."""
    manifest = load_manifest(root)
    assert manifest is not None
    design = manifest["design"]
    tables = load_results(root, tables=("runs", "summary", "series"))
    runs = tables["runs"]
    runs = runs[runs["status"] == "done"] if not runs.empty else runs
    if runs.empty:
        raise CogovError(f"{root}: no finished runs to export")
    keys = design["factor_keys"]
    experiments = runs[keys].reset_index(drop=True).copy()
    experiments["scenario"] = runs["design_row"].to_numpy()
    experiments["policy"] = runs["scenario"].to_numpy()
    experiments["model"] = "cogov_sim"
    experiments["run_id"] = runs["run_id"].to_numpy()
    experiments["replication"] = runs["replication"].to_numpy()

    summary, monthly = tables["summary"], tables["series"]
    scalar = [c for c in summary.columns if c not in runs.columns and c != "months"]
    timed = [c for c in monthly.columns if c not in runs.columns and c != "month"] if series else []
    available = list(dict.fromkeys([*scalar, *timed]))
    for name in outputs or []:
        if name not in available:
            raise CogovError(f"output '{name}' is not an outcome of this sweep{closest(name, available)}")
    chosen = list(outputs or available)
    order = runs["run_id"].to_numpy()
    outcomes: dict[str, np.ndarray] = {}
    if scalar:
        by_run = summary.set_index("run_id").loc[order]
        for name in (c for c in chosen if c in scalar):
            outcomes[name] = by_run[name].to_numpy(dtype=float)
    wanted = [c for c in chosen if c in timed]
    if wanted:
        months = np.sort(monthly["month"].unique())
        for name in [*wanted, "month"]:
            wide = monthly.pivot(index="run_id", columns="month", values=name).reindex(index=order, columns=months)
            outcomes["TIME" if name == "month" else f"{name}_series"] = wide.to_numpy(dtype=float)
    return experiments, outcomes


def export_ema(root: str | os.PathLike[str], out: str | os.PathLike[str] | None = None,
               outputs: list[str] | None = None, series: bool = True) -> list[Path]:
    """Write EMA Workbench's ``save_results`` tar.gz (default ``DIR/export/ema_results.tar.gz``)."""
    experiments, outcomes = ema_results(root, outputs, series)
    path = Path(out) if out is not None else Path(root) / "export" / "ema_results.tar.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    dtypes = {c: _ema_dtype(experiments[c]) for c in experiments.columns}
    metadata = {"version": 0.1, "experiments": dtypes,
                "outcomes": [["ScalarOutcome" if v.ndim == 1 else "ArrayOutcome", k, f"{k}.csv"]
                             for k, v in outcomes.items()]}
    with tarfile.open(tmp, "w:gz") as archive:
        _add(archive, "experiments.csv", experiments.to_csv(index=False))
        _add(archive, "metadata.json", json.dumps(metadata))
        # the layout before EMA 2.1 (metadata as CSV), for older versions
        _add(archive, "experiments metadata.csv",
             "".join(f"{c},{'object' if d == 'category' else d}\n" for c, d in dtypes.items()))
        _add(archive, "outcomes metadata.csv", "\n".join(f"{k},{v.shape}" for k, v in outcomes.items()))
        for name, values in outcomes.items():
            _add(archive, f"{name}.csv", pd.DataFrame(values).to_csv(header=False, index=False))
    os.replace(tmp, path)
    return [path]


def export_npz(root: str | os.PathLike[str], out: str | os.PathLike[str] | None = None,
               outputs: list[str] | None = None, series: bool = True) -> list[Path]:
    """Write ``experiments.csv`` and ``outcomes.npz`` into a folder (default ``DIR/export/``)."""
    experiments, outcomes = ema_results(root, outputs, series)
    folder = Path(out) if out is not None else Path(root) / "export"
    folder.mkdir(parents=True, exist_ok=True)
    csv, npz = folder / "experiments.csv", folder / "outcomes.npz"
    experiments.to_csv(csv, index=False)
    np.savez_compressed(npz, **outcomes)
    return [csv, npz]


def _add(archive: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def _ema_dtype(column: pd.Series) -> str:
    """The dtype name EMA's loader casts the column to (text columns are categorical, as in EMA)."""
    if pd.api.types.is_bool_dtype(column):
        return "bool"
    if pd.api.types.is_integer_dtype(column):
        return "int64"
    if pd.api.types.is_float_dtype(column):
        return "float64"
    return "category"
