"""The calibration record: the fitted values with their ``[meta]`` (a scenario fragment every
scenario reads) and the data behind docs/validation.md (CSV tables and a JSON summary).

Every function takes the paths it writes or reads; the repository's own locations are the
command line's defaults (:mod:`cogov_sim.calibration.cli`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .procedure import CalibrationResult
from .sampling import FIT_PARAMETERS
from .targets import CALIBRATION_SCENARIO, TOLERANCE_PP

#: The tables :func:`write_artefacts` writes (``<name>.csv``) besides ``calibration.json``.
ARTEFACT_TABLES = ("design", "abc_accepted", "abc_posterior", "nelder_mead", "t5_refinement", "validation_seeds",
                   "targets", "transfer_check", "morris", "profile")


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
        "calibration_wall_seconds": round(result.seconds, 1),
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


def write_calibration(result: CalibrationResult, path: str | os.PathLike[str],
                      keep_from: str | os.PathLike[str] | None = None) -> Path:
    """Write the fitted values and the ``[meta]`` record to ``path``, atomically; check that it loads.

    The other ``[behaviour]`` values of the file (assumptions, not fitted) are kept: read from
    ``path`` if it exists, else from ``keep_from`` (e.g. the calibration file the scenarios use)."""
    path = Path(path)
    behaviour: dict[str, Any] = {}
    source = path if path.exists() else Path(keep_from) if keep_from is not None else None
    if source is not None and source.exists():
        with source.open("rb") as fh:
            behaviour = dict(tomllib.load(fh).get("behaviour", {}))
    behaviour.update(result.fitted)
    text = "\n".join([
        "# Fitted behavioural parameters (ODD §1.2). Every scenario uses these through _base.toml.",
        "# Written by `cogov calibrate` (cogov_sim/calibration/procedure.py): do not edit by hand, re-run it.",
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


def write_artefacts(result: CalibrationResult, folder: str | os.PathLike[str]) -> list[Path]:
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
            "wall_seconds": result.seconds, "date": result.date, "epsilon_pp": result.abc.epsilon}
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


def read_calibration(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, float]]:
    """The ``[meta]`` and ``[behaviour]`` tables of a calibration file."""
    with Path(path).open("rb") as fh:
        data = tomllib.load(fh)
    return data.get("meta", {}), data.get("behaviour", {})


def read_artefacts(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """What :func:`write_artefacts` left in ``folder`` (missing files are left out): ``info``
    (the JSON summary) and one DataFrame per table."""
    folder = Path(folder)
    out: dict[str, Any] = {}
    info = folder / "calibration.json"
    if info.exists():
        out["info"] = json.loads(info.read_text(encoding="utf-8"))
    for name in ARTEFACT_TABLES:
        p = folder / f"{name}.csv"
        if p.exists():
            out[name] = pd.read_csv(p)
    return out
