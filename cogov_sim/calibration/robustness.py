"""Robustness of the contrasts between reference scenarios (docs/validation.md, "Robustness of the contrasts").

For every pair ``(a, b)`` of reference scenarios and every outcome of ``cogov run``'s table:

1. **Effect at the calibrated point.** Both scenarios run on the same ``point_seeds`` seeds (the
   children of ``SeedSequence(root_seed)``; same seed ⇒ same population and network, and each
   mechanism draws from its own spawned stream, so the runs share common random numbers); the
   effect is the mean of the per-seed differences ``a − b`` of the outcome (mean of the last 12
   months), with a paired Student-t 95% interval.
2. **Sign share.** The parameters no target constrains (:mod:`~cogov_sim.calibration.unconstrained`)
   are sampled over their plausible box with SALib (Morris trajectories by default, or Saltelli's
   Sobol sample); at every design point both scenarios run on the same ``design_seeds`` seeds
   and the difference of their means is taken. The sign share is the fraction of design points
   where that difference has the sign of the effect at the calibrated point. (Morris points are
   spread evenly over a grid of ``levels`` values per parameter, corners included, so the share
   is if anything pessimistic compared with a uniform box.) With a Morris design the elementary
   effects of the difference also name the parameter that moves it most (``driver``).
3. **Label.** ``robust`` when the 95% interval excludes zero and the sign holds on at least
   :data:`ROBUST_SHARE` of the box with 95% confidence (the one-sided lower Clopper–Pearson bound
   of the sign share over the design's points, :func:`share_lower_bound`, is at least
   :data:`ROBUST_SHARE`: with 64 points, at least 62 must keep the sign); ``depends on
   assumptions`` when the interval excludes zero but that cannot be shown; ``no clear effect``
   when the interval includes zero at the calibrated point (nothing to be robust about).

The threshold 0.9: a contrast whose sign flips in more than one tenth of a deliberately wide box
of guesses cannot be stated without naming the guess, while a share of 0.9 or more allows for
the seed noise left at each design point (a small true effect measured on a few seeds flips sign
now and then even where the parameters do not reverse it), so "robust" is not reserved for
effects far larger than the seed noise. The share is estimated from a finite design, so a label
needs the share's lower confidence bound, not its estimate, to reach the threshold: an estimate of
0.92 from 64 points is compatible with a box where the sign flips in a sixth of it.

The result is stored as a table (:func:`write_table`, by default ``scenarios/_robustness.csv``)
that ``cogov run`` and the report read without recomputing (:func:`read_labels`). The design
runs go through :func:`~cogov_sim.experiments.execution.run_batch` on any executor, in chunks of
design points written to a folder as they finish, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..workshop.outcomes import OUTCOME_FORMATS
from .patterns import REFERENCE, t_interval
from .unconstrained import Registry, overrides

if TYPE_CHECKING:
    from ..experiments.execution import Executor

#: A contrast is robust when its sign holds on at least this share of the design (see the module docstring).
ROBUST_SHARE = 0.9
ROBUST, DEPENDS, UNCLEAR = "robust", "depends on assumptions", "no clear effect"
#: Stored result, beside the calibration file the scenarios read.
RESULT_NAME = "_robustness.csv"
COLUMNS = ["a", "b", "outcome", "effect", "ci_low", "ci_high", "mean_a", "mean_b", "sign_share", "points", "label",
           "driver", "driver_index"]
#: One reference scenario per source model (sources §4.1–§4.5, §7.11–§7.13, §8.2): the four models, then the
#: separate cities' institutions (Nan'an three-affairs sorting, Suyu, Mianyang's proposals, Karamay).
SOURCE_MODELS = (*REFERENCE, "nanan", "suyu", "mianyang", "karamay")
#: Design points per chunk written to the run folder (a resumed run repeats at most one chunk).
CHUNK_POINTS = 20


@dataclass(frozen=True)
class RobustnessConfig:
    """Sizes of one robustness run.

    Attributes:
        scenarios: the reference scenarios (default: one per source model); every pair is a contrast.
        outcomes: summary columns compared (default: the rows of ``cogov run``'s table).
        method: ``lhs`` (the default: ``size`` Latin-hypercube points, each an independent draw from the
            box, so the sign share estimates the share of the space; the driver is the parameter with
            the largest Spearman rank correlation with the difference), ``morris`` (``size``
            trajectories, ``levels`` grid levels: one-at-a-time moves from a few base points, good for
            the driver, not for the share) or ``sobol`` (Saltelli's sample, ``size`` base points, first
            order only).
        point_seeds: seeds at the calibrated point; design_seeds: seeds at every design point.
    """

    scenarios: tuple[str, ...] = SOURCE_MODELS
    outcomes: tuple[str, ...] = tuple(OUTCOME_FORMATS)
    method: str = "lhs"
    size: int = 64
    levels: int = 4
    point_seeds: int = 20
    design_seeds: int = 2
    residents: int = 1500
    months: int = 120
    root_seed: int = 0
    design_seed: int = 0

    def points(self, k: int) -> int:
        """Design points for ``k`` parameters."""
        return {"lhs": self.size, "morris": self.size * (k + 1)}.get(self.method, self.size * (k + 2))

    def runs(self, k: int) -> int:
        """Simulation runs of the whole analysis for ``k`` parameters."""
        return len(self.scenarios) * (self.point_seeds + self.points(k) * self.design_seeds)

    def seeds(self) -> tuple[list[np.random.SeedSequence], list[np.random.SeedSequence]]:
        """Seeds of the calibrated point and of the design: disjoint children of ``SeedSequence(root_seed)``."""
        children = np.random.SeedSequence(self.root_seed).spawn(self.point_seeds + self.design_seeds)
        return children[:self.point_seeds], children[self.point_seeds:]


def contrasts(scenarios: Sequence[str]) -> list[tuple[str, str]]:
    """Every pair ``(a, b)``, ``a`` before ``b`` in ``scenarios``."""
    return list(itertools.combinations(scenarios, 2))


def design_matrix(reg: Registry, cfg: RobustnessConfig) -> np.ndarray:
    """The SALib sample over the registry's box (rows: points, columns: :meth:`Registry.names`)."""
    problem = reg.problem()
    if cfg.method == "lhs":
        from scipy.stats import qmc

        lo, hi = np.array(problem["bounds"], float).T
        return qmc.scale(qmc.LatinHypercube(d=len(lo), seed=cfg.design_seed).random(cfg.size), lo, hi)
    if cfg.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, cfg.size, num_levels=cfg.levels, seed=cfg.design_seed)
    if cfg.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, cfg.size, calc_second_order=False, seed=cfg.design_seed)
    raise ValueError(f"robustness design method {cfg.method!r}: allowed lhs, morris, sobol")


def _simulate(points: Sequence[Mapping[str, float]], seeds: Sequence[np.random.SeedSequence], cfg: RobustnessConfig,
              executor: Executor, progress: Callable[[int], None] | None) -> pd.DataFrame:
    """One row per (point, scenario, seed): the outcomes (summary, last 12 months)."""
    from ..experiments.execution import BatchRun, run_batch
    from ..experiments.spec import Outputs
    from ..scenario import load_scenario

    loaded = {name: load_scenario(name) for name in cfg.scenarios}
    keys = [(p, name, s) for p in range(len(points)) for name in cfg.scenarios for s in range(len(seeds))]
    batch = [BatchRun(loaded[name], seeds[s], dict(points[p]), cfg.months, cfg.residents) for p, name, s in keys]
    outputs = Outputs(summary=True, series=False, survey=False, metrics=tuple(cfg.outcomes))
    tables = run_batch(batch, executor, outputs, progress=progress)
    rows = [{"point": p, "scenario": name, "seed": s, **t["summary"].iloc[0][list(cfg.outcomes)].to_dict()}
            for (p, name, s), t in zip(keys, tables, strict=True)]
    return pd.DataFrame(rows)


def run_point(cfg: RobustnessConfig, executor: Executor, progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """The calibrated point: one row per (scenario, seed)."""
    point_seeds, _ = cfg.seeds()
    return _simulate([{}], point_seeds, cfg, executor, progress).drop(columns="point")


def run_design(reg: Registry, X: np.ndarray, cfg: RobustnessConfig, executor: Executor,
               folder: str | os.PathLike[str] | None = None, progress: Callable[[int], None] | None = None,
               chunk_points: int = CHUNK_POINTS) -> pd.DataFrame:
    """Every design point: one row per (point, scenario) with the outcomes' means over the design seeds.

    With ``folder``, each chunk of design points is written there as it finishes
    (``chunk-NNNNN.parquet``) and chunks already there are read instead of run, so a run that
    was interrupted resumes; a folder made by another design (other registry, sizes or seeds) is
    refused rather than mixed in."""
    from ..errors import CogovError

    _, design_seeds = cfg.seeds()
    points = [overrides(reg, x) for x in X]
    root = Path(folder) if folder is not None else None
    if root is not None:
        root.mkdir(parents=True, exist_ok=True)
        fingerprint = _fingerprint(reg, X, cfg)
        manifest = root / "manifest.json"
        if manifest.exists() and json.loads(manifest.read_text())["fingerprint"] != fingerprint:
            raise CogovError(f"{root}: holds the runs of a different robustness design (registry, sizes or seeds "
                             f"changed); remove the folder or choose another --robustness-out")
        manifest.write_text(json.dumps({"fingerprint": fingerprint, "config": asdict(cfg), "points": len(points)},
                                       indent=1))
    frames = []
    for start in range(0, len(points), chunk_points):
        chunk = points[start:start + chunk_points]
        path = root / f"chunk-{start:05d}.parquet" if root is not None else None
        if path is not None and path.exists():
            frame = pd.read_parquet(path)
            if progress is not None:
                progress(len(chunk) * len(cfg.scenarios) * len(design_seeds))
        else:
            frame = _simulate(chunk, design_seeds, cfg, executor, progress)
            frame["point"] += start
            frame = frame.groupby(["point", "scenario"], as_index=False)[list(cfg.outcomes)].mean()
            if path is not None:
                tmp = path.with_suffix(".tmp")
                frame.to_parquet(tmp, index=False)
                tmp.replace(path)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _fingerprint(reg: Registry, X: np.ndarray, cfg: RobustnessConfig) -> str:
    h = hashlib.sha256(np.ascontiguousarray(X, float).tobytes())
    h.update(json.dumps({"cfg": asdict(cfg), "names": reg.names()}, sort_keys=True, default=str).encode())
    return h.hexdigest()


def sign_share(differences: np.ndarray, effect: float) -> float:
    """Share of design points whose difference has the sign of ``effect`` (NaN if the effect is 0)."""
    d = np.asarray(differences, float)
    if not np.isfinite(effect) or effect == 0 or not len(d):
        return float("nan")
    return float(np.mean(np.sign(d) == np.sign(effect)))


def share_lower_bound(share: float, points: int, confidence: float = 0.95) -> float:
    """One-sided lower Clopper–Pearson bound of a sign share measured on ``points`` design points
    (``scipy.stats.binomtest``); NaN when there is no share."""
    if not np.isfinite(share) or points <= 0:
        return float("nan")
    from scipy.stats import binomtest

    kept = round(float(share) * points)
    return float(binomtest(kept, points).proportion_ci(confidence_level=2 * confidence - 1, method="exact").low)


def label(ci_low: float, ci_high: float, share: float, points: int, threshold: float = ROBUST_SHARE) -> str:
    """``robust`` / ``depends on assumptions`` / ``no clear effect`` (see the module docstring)."""
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)) or ci_low <= 0 <= ci_high:
        return UNCLEAR
    bound = share_lower_bound(share, points)
    return ROBUST if np.isfinite(bound) and bound >= threshold else DEPENDS


def _driver(reg: Registry, X: np.ndarray, differences: np.ndarray, method: str, levels: int) -> tuple[str, float]:
    """The parameter that moves the difference most: largest |Spearman rank correlation| (LHS), Morris
    mu* or Sobol total index."""
    problem = reg.problem()
    if len(differences) < 2 or np.allclose(differences, differences[0]):
        return "", 0.0
    if method == "lhs":
        from scipy.stats import spearmanr

        rho = np.array([abs(spearmanr(X[:, j], differences).statistic) if np.ptp(X[:, j]) > 0 else 0.0
                        for j in range(X.shape[1])])
        k = int(np.nanargmax(rho))
        return problem["names"][k], float(rho[k])
    if method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, X, differences, num_levels=levels, num_resamples=100, seed=0)
        k = int(np.argmax(res["mu_star"]))
        return problem["names"][k], float(res["mu_star"][k])
    from SALib.analyze import sobol

    res = sobol.analyze(problem, differences, calc_second_order=False, num_resamples=100, seed=0)
    k = int(np.nanargmax(res["ST"]))
    return problem["names"][k], float(res["ST"][k])


def contrast_table(point: pd.DataFrame, design: pd.DataFrame | None, cfg: RobustnessConfig,
                   reg: Registry | None = None, X: np.ndarray | None = None,
                   threshold: float = ROBUST_SHARE) -> pd.DataFrame:
    """One row per (contrast, outcome): effect, 95% interval, sign share over the design, label, driver.

    ``point``: rows (scenario, seed, outcomes…) at the calibrated point; ``design``: rows
    (point, scenario, outcomes…) over the design (``None``: no sign share, every clear effect
    is labelled as depending on assumptions, since nothing shows otherwise)."""
    rows = []
    for a, b in contrasts(cfg.scenarios):
        pa = point[point["scenario"] == a].set_index("seed")
        pb = point[point["scenario"] == b].set_index("seed")
        da = db = None
        if design is not None:
            da = design[design["scenario"] == a].set_index("point").sort_index()
            db = design[design["scenario"] == b].set_index("point").sort_index()
        for outcome in cfg.outcomes:
            effect, lo, hi = t_interval((pa[outcome] - pb[outcome]).dropna().to_numpy())
            share, driver, mu = float("nan"), "", float("nan")
            n_points = 0
            if da is not None and db is not None:
                diff = (da[outcome] - db[outcome]).to_numpy(float)
                n_points = len(diff)
                share = sign_share(diff, effect)
                if reg is not None and X is not None and len(diff) == len(X):
                    driver, mu = _driver(reg, X, diff, cfg.method, cfg.levels)
            rows.append({"a": a, "b": b, "outcome": outcome, "effect": effect, "ci_low": lo, "ci_high": hi,
                         "mean_a": float(pa[outcome].mean()), "mean_b": float(pb[outcome].mean()),
                         "sign_share": share, "points": n_points, "label": label(lo, hi, share, n_points, threshold),
                         "driver": driver, "driver_index": mu})
    return pd.DataFrame(rows, columns=COLUMNS)


def analyse(reg: Registry, cfg: RobustnessConfig, executor: Executor, folder: str | os.PathLike[str] | None = None,
            on_stage: Callable[[str, int], Callable[[int], None]] | None = None) -> pd.DataFrame:
    """The whole analysis: calibrated point, design, table."""
    from .procedure import no_progress

    stage = on_stage or no_progress
    point = run_point(cfg, executor, stage("robustness: calibrated point", len(cfg.scenarios) * cfg.point_seeds))
    X = design_matrix(reg, cfg)
    design = run_design(reg, X, cfg, executor, folder,
                        stage("robustness: design", len(X) * len(cfg.scenarios) * cfg.design_seeds))
    return contrast_table(point, design, cfg, reg, X)


# ---------------------------------------------------------------------------------- stored result
def result_path() -> Path:
    """Where the stored result lives: ``_robustness.csv`` beside the scenarios' calibration file."""
    from ..scenario import SCENARIO_DIR

    return SCENARIO_DIR / RESULT_NAME


def write_table(table: pd.DataFrame, path: str | os.PathLike[str] | None = None) -> Path:
    """Write the table (CSV, atomically); return the path."""
    out = Path(path) if path is not None else result_path()
    tmp = out.with_suffix(".tmp")
    table.to_csv(tmp, index=False, float_format="%.6g")
    tmp.replace(out)
    return out


def read_table(path: str | os.PathLike[str] | None = None) -> pd.DataFrame | None:
    """The stored table, or ``None`` if there is none."""
    p = Path(path) if path is not None else result_path()
    if not p.is_file():
        return None
    table = pd.read_csv(p, keep_default_na=False, na_values=[""])
    table["driver"] = table["driver"].fillna("")
    return table


def read_labels(path: str | os.PathLike[str] | None = None) -> dict[tuple[str, str, str], str]:
    """``(a, b, outcome) → label`` from the stored table, both orders of each pair (empty if none stored)."""
    table = read_table(path)
    if table is None:
        return {}
    out = {}
    for r in table.to_dict("records"):
        out[(r["a"], r["b"], r["outcome"])] = out[(r["b"], r["a"], r["outcome"])] = str(r["label"])
    return out


def assumption_notes(labels: Mapping[tuple[str, str, str], str], scenarios: Sequence[str],
                     outcomes: Sequence[str]) -> dict[str, list[str]]:
    """Per outcome, the contrasts among ``scenarios`` that depend on assumptions (``"a vs b"``)."""
    notes: dict[str, list[str]] = {}
    for outcome in outcomes:
        pairs = [f"{a} vs {b}" for a, b in contrasts(scenarios) if labels.get((a, b, outcome)) == DEPENDS]
        if pairs:
            notes[outcome] = pairs
    return notes


def format_table(table: pd.DataFrame) -> str:
    """Plain-text table for the terminal."""
    lines = [f"{'contrast':<46} {'outcome':<28} {'effect':>10} {'95% CI':>24} {'sign share':>10}  label (driver)"]
    for r in table.to_dict("records"):
        ci = f"[{r['ci_low']:.4g}, {r['ci_high']:.4g}]"
        share = f"{r['sign_share']:.0%}" if np.isfinite(r["sign_share"]) else "—"
        driver = f" ({r['driver']})" if r["label"] == DEPENDS and r["driver"] else ""
        lines.append(f"{r['a'] + ' − ' + r['b']:<46} {r['outcome']:<28} {r['effect']:>10.4g} {ci:>24} {share:>10}  "
                     f"{r['label']}{driver}")
    return "\n".join(lines)
