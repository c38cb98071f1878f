"""Designs: the points in parameter space an experiment runs, and the runs with their seeds.

Design rows are ordered scenario-major (all points of the first scenario, then the next);
for the sampled methods the points of each scenario are the same sample matrix, in
SALib's order, so that :mod:`~cogov_sim.experiments.analysis` can hand them straight back
to SALib. Each row is run ``replications`` times; run ``run_id = row * replications +
replication`` gets child ``run_id`` of ``numpy.random.SeedSequence(seed).spawn(n_runs)``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .spec import Experiment, Factor


@dataclass(frozen=True)
class DesignRow:
    """One point of the design: a base scenario and a value for every varied parameter."""

    index: int
    scenario: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Run:
    """One run: a design row, a replication and the seed spawned for it."""

    run_id: int
    design_row: int
    replication: int
    scenario: str
    values: dict[str, Any]
    seed_entropy: int
    seed_spawn_key: tuple[int, ...]

    def seed_sequence(self) -> np.random.SeedSequence:
        """A fresh copy of the run's spawned :class:`numpy.random.SeedSequence`."""
        return np.random.SeedSequence(self.seed_entropy, spawn_key=self.seed_spawn_key)


def problem(exp: Experiment) -> dict[str, Any]:
    """The SALib problem of a sampled design: names and bounds of the varied parameters."""
    return {"num_vars": len(exp.factors), "names": [f.key for f in exp.factors],
            "bounds": [list(f.bounds or (0.0, 1.0)) for f in exp.factors]}


def sample_points(exp: Experiment) -> list[dict[str, Any]]:
    """The points of the design for one scenario (table rows keep their own ``scenario``)."""
    if exp.method == "factorial":
        keys = [f.key for f in exp.factors]
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(f.values for f in exp.factors))]
    if exp.method == "table":
        return [dict(row) for row in exp.table]
    return [_typed(exp.factors, x) for x in _sample_matrix(exp)]


def build_design(exp: Experiment) -> list[DesignRow]:
    """All design rows, scenario-major."""
    points = sample_points(exp)
    rows: list[DesignRow] = []
    for sc in exp.scenarios:
        for point in points:
            only = point.get("scenario") if exp.method == "table" else None
            if only is None or only == sc.name:
                rows.append(DesignRow(len(rows), sc.name, {f.key: point[f.key] for f in exp.factors}))
    return rows


def plan_runs(exp: Experiment, rows: list[DesignRow]) -> list[Run]:
    """Every run of the design, in design-row × replication order, with seeds spawned from the root seed."""
    return list(iter_runs(exp, rows))


def iter_runs(exp: Experiment, rows: Iterable[DesignRow]) -> Iterator[Run]:
    """The runs of :func:`plan_runs` one at a time (a design of millions of runs is never held at once).

    Run ``i`` gets child ``i`` of ``SeedSequence(seed).spawn(n)``, i.e. ``SeedSequence(seed, spawn_key=(i,))``,
    built directly rather than spawning all ``n`` children first.
    """
    root = np.random.SeedSequence(exp.seed)
    for row in rows:
        for rep in range(exp.replications):
            run_id = row.index * exp.replications + rep
            yield Run(run_id, row.index, rep, row.scenario, row.values, int(root.entropy),
                      (*root.spawn_key, run_id))


def format_spawn_key(key: tuple[int, ...]) -> str:
    """A spawn key as stored in the results tables: ``"4"`` or ``"4,1"``."""
    return ",".join(str(k) for k in key)


def _sample_matrix(exp: Experiment) -> np.ndarray:
    """Sample the ranges: scipy's Latin hypercube or SALib's Saltelli/Sobol and Morris samplers."""
    prob = problem(exp)
    if exp.method == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=prob["num_vars"], rng=np.random.default_rng(exp.design_seed)).random(exp.samples)
        bounds = np.array(prob["bounds"])
        return qmc.scale(unit, bounds[:, 0], bounds[:, 1])
    if exp.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(prob, exp.samples, calc_second_order=exp.second_order, seed=exp.design_seed)
    from SALib.sample import morris

    return morris.sample(prob, exp.samples, num_levels=exp.levels, seed=exp.design_seed)


def _typed(factors: tuple[Factor, ...], x: np.ndarray) -> dict[str, Any]:
    """One sampled point as parameter values: integers rounded to the nearest whole number."""
    return {f.key: round(float(v)) if f.kind is int else float(v) for f, v in zip(factors, x, strict=True)}
