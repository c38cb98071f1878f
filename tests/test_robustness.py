"""Robustness of the contrasts: the registry of unconstrained parameters, the sign share, the
labels, the resumable design runs, and the labels in ``cogov run``'s table."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from cogov_sim import cli
from cogov_sim.calibration import robustness as R
from cogov_sim.calibration.sampling import FIT_PARAMETERS
from cogov_sim.calibration.unconstrained import overrides, read_registry_file, registry
from cogov_sim.errors import CogovError
from cogov_sim.experiments.execution import InProcessExecutor
from cogov_sim.parameters import Behaviour
from cogov_sim.scenario import load_scenario


@pytest.fixture(scope="module")
def reg():
    return registry()


# ---------------------------------------------------------------------------------- registry
def test_registry_varies_every_behaviour_parameter_not_fitted_nor_held(reg) -> None:
    names = {f.name for f in dataclasses.fields(Behaviour) if not isinstance(f.default, bool)}
    fitted = {p.name for p in FIT_PARAMETERS}
    assert set(reg.names()) == names - fitted - set(reg.held)
    assert not fitted & set(reg.names())
    assert {"stakes_weight", "outreach_weight", "peer_weight"} <= set(reg.names())


def test_registry_ranges_lie_inside_the_allowed_ranges_and_contain_the_calibrated_point(reg) -> None:
    allowed = {f.name: f.metadata["range"] for f in dataclasses.fields(Behaviour)}
    for p in reg.parameters:
        lo, hi = allowed[p.name]
        assert lo <= p.lo < p.hi <= hi, p.name
        assert p.lo <= p.value <= p.hi, p.name
        assert p.why


def test_registry_rejects_unknown_and_fitted_names() -> None:
    data = read_registry_file()
    with pytest.raises(ValueError, match="not a Behaviour parameter"):
        registry(Behaviour(), {**data, "held": {"no_such_weight": "x"}})
    with pytest.raises(ValueError, match="fitted"):
        registry(Behaviour(), {**data, "ranges": {"propensity_sd": {"low": 0.1, "high": 1.0, "why": "x"}}})
    with pytest.raises(ValueError, match="outside its allowed range"):
        registry(Behaviour(), {**data, "ranges": {"peer_weight": {"low": -1.0, "high": 1.0, "why": "x"}}})


def test_overrides_keep_compositions_and_round_whole_numbers(reg) -> None:
    X = R.design_matrix(reg, R.RobustnessConfig(size=3))
    members = reg.compositions["rc_free_hours"]
    for x in X:
        o = overrides(reg, x)
        assert sum(o[f"behaviour.{m}"] for m in members) == pytest.approx(1.0)
        assert isinstance(o["behaviour.so_death_months"], int)
        sc = load_scenario("administrative_led").with_overrides(o)   # validated like a scenario file
        assert sc.behaviour.peer_weight == pytest.approx(o["behaviour.peer_weight"])


# ---------------------------------------------------------------------------------- sign share and labels
def test_sign_share_counts_the_points_that_keep_the_sign() -> None:
    d = np.array([1.0, 2.0, -0.5, 3.0, 0.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    assert R.sign_share(d, +0.7) == pytest.approx(0.8)        # −0.5 and 0 do not keep a positive sign
    assert R.sign_share(d, -0.7) == pytest.approx(0.1)
    assert np.isnan(R.sign_share(d, 0.0))


def test_labels_follow_the_interval_and_the_share_lower_bound() -> None:
    assert R.label(0.1, 0.3, 62 / 64, 64) == R.ROBUST                # lower bound 0.905
    assert R.label(-0.3, -0.1, 1.0, 64) == R.ROBUST
    assert R.label(0.1, 0.3, 61 / 64, 64) == R.DEPENDS               # estimate 0.95, bound 0.88
    assert R.label(0.1, 0.3, 0.92, 1000) == R.ROBUST                  # the same estimate, more points
    assert R.label(0.1, 0.3, 1.0, 20) == R.DEPENDS                   # too few points to show 0.9
    assert R.label(-0.1, 0.3, 1.0, 64) == R.UNCLEAR
    assert R.label(0.1, 0.3, float("nan"), 0) == R.DEPENDS


def test_share_lower_bound_is_below_the_estimate_and_tightens_with_points() -> None:
    bounds = [R.share_lower_bound(0.95, n) for n in (20, 64, 200, 2000)]
    assert all(b < 0.95 for b in bounds) and bounds == sorted(bounds)
    assert np.isnan(R.share_lower_bound(float("nan"), 64))


def synthetic(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, R.RobustnessConfig]:
    """A, B, C at a calibrated point (20 seeds) and over a 100-point design: A − B is positive
    everywhere but in 2 points, A − C positive in 60 points only, B − C is zero on average."""
    rng = np.random.default_rng(seed)
    cfg = R.RobustnessConfig(scenarios=("A", "B", "C"), outcomes=("y",))
    base = rng.normal(0, 0.01, 20)
    point = pd.concat([pd.DataFrame({"scenario": s, "seed": range(20), "y": base + m + rng.normal(0, 0.01, 20)})
                       for s, m in (("A", 1.0), ("B", 0.5), ("C", 0.5))])
    n = 100
    a = np.ones(n)
    b = np.where(np.arange(n) < 2, 1.5, 0.5)
    c = np.where(np.arange(n) < 60, 0.5, 1.5)
    design = pd.concat([pd.DataFrame({"point": range(n), "scenario": s, "y": v}) for s, v in (("A", a), ("B", b),
                                                                                               ("C", c))])
    return point, design, cfg


def test_contrast_table_on_a_synthetic_design() -> None:
    point, design, cfg = synthetic()
    t = R.contrast_table(point, design, cfg).set_index(["a", "b"])
    assert t.loc[("A", "B"), "effect"] == pytest.approx(0.5, abs=0.02)
    assert t.loc[("A", "B"), "sign_share"] == pytest.approx(0.98)
    assert t.loc[("A", "B"), "label"] == R.ROBUST
    assert t.loc[("A", "C"), "sign_share"] == pytest.approx(0.60)
    assert t.loc[("A", "C"), "label"] == R.DEPENDS
    assert t.loc[("B", "C"), "label"] == R.UNCLEAR
    assert (t["ci_low"] <= t["effect"]).all() and (t["effect"] <= t["ci_high"]).all()


def test_morris_names_the_parameter_that_moves_the_difference(reg) -> None:
    small = dataclasses.replace(reg, parameters=tuple(p for p in reg.parameters
                                                      if p.name in ("peer_weight", "stakes_weight", "so_learning")))
    cfg = R.RobustnessConfig(size=10)
    X = R.design_matrix(small, cfg)
    names = small.names()
    diff = 0.2 - 0.3 * X[:, names.index("stakes_weight")] + 0.01 * X[:, names.index("so_learning")]
    name, mu = R._driver(small, X, diff, "morris", cfg.levels)
    assert name == "stakes_weight" and mu > 0


# ---------------------------------------------------------------------------------- runs, resuming, storing
@pytest.fixture(scope="module")
def tiny(reg, tmp_path_factory):
    small = dataclasses.replace(reg, parameters=tuple(p for p in reg.parameters
                                                      if p.name in ("peer_weight", "stakes_weight")))
    cfg = R.RobustnessConfig(scenarios=("administrative_led", "co_governance"), outcomes=("participation_any", "coverage"),
                             size=2, point_seeds=3, design_seeds=1, residents=300, months=12)
    folder = tmp_path_factory.mktemp("robustness")
    return small, cfg, folder, R.analyse(small, cfg, InProcessExecutor(), folder)


def test_analysis_runs_through_the_batch_engine_and_resumes(tiny) -> None:
    small, cfg, folder, table = tiny
    assert len(table) == 2 and set(table["label"]) <= {R.ROBUST, R.DEPENDS, R.UNCLEAR}
    assert (table["points"] == cfg.points(2)).all()
    assert sorted(p.name for p in folder.glob("chunk-*.parquet"))
    ticks = []
    X = R.design_matrix(small, cfg)
    again = R.run_design(small, X, cfg, _NoRuns(), folder, progress=ticks.append)   # read back, nothing run
    assert sum(ticks) == len(X) * 2
    assert len(again) == len(X) * 2
    with pytest.raises(CogovError, match="different robustness design"):
        R.run_design(small, X, dataclasses.replace(cfg, design_seeds=2), _NoRuns(), folder)


class _NoRuns(InProcessExecutor):
    def map_unordered(self, tasks, tick=1.0):
        raise AssertionError("a resumed design must not run anything")


def test_stored_table_round_trips(tiny, tmp_path) -> None:
    table = tiny[3]
    path = R.write_table(table, tmp_path / "_robustness.csv")
    back = R.read_table(path)
    pd.testing.assert_frame_equal(back[["a", "b", "outcome", "label"]], table[["a", "b", "outcome", "label"]])
    labels = R.read_labels(path)
    r = table.iloc[0]
    assert labels[(r["a"], r["b"], r["outcome"])] == labels[(r["b"], r["a"], r["outcome"])] == r["label"]
    assert R.read_labels(tmp_path / "missing.csv") == {}


# ---------------------------------------------------------------------------------- cogov run's table
def stored(tmp_path, label: str):
    rows = [{"a": "administrative_led", "b": "co_governance", "outcome": "participation_any", "effect": -0.3,
             "ci_low": -0.4, "ci_high": -0.2, "mean_a": 0.1, "mean_b": 0.4, "sign_share": 0.7, "points": 10,
             "label": label, "driver": "stakes_weight", "driver_index": 0.1}]
    return R.write_table(pd.DataFrame(rows, columns=R.COLUMNS), tmp_path / "_robustness.csv")


def test_comparison_table_marks_contrasts_that_depend_on_assumptions(tmp_path) -> None:
    summaries = pd.DataFrame([{"scenario": s, **{c: 0.5 for c, _, _ in cli.COMPARISON_ROWS}}
                              for s in cli.REFERENCE_MODELS])
    marked = cli.comparison_table(summaries, R.read_labels(stored(tmp_path, R.DEPENDS)))
    label = next(lab for col, lab, _ in cli.COMPARISON_ROWS if col == "participation_any")
    assert f"{label} {cli.ASSUMPTION_MARK}" in marked
    assert sum(line.endswith(cli.ASSUMPTION_MARK) or f" {cli.ASSUMPTION_MARK} " in line
               for line in marked.splitlines()) == 1        # only that outcome's row is marked
    assert "depends on assumptions" in marked and "administrative_led vs co_governance" in marked
    plain = cli.comparison_table(summaries, R.read_labels(stored(tmp_path, R.ROBUST)))
    assert cli.ASSUMPTION_MARK not in plain and "depends on assumptions" not in plain


def test_cogov_run_reads_the_stored_labels(tmp_path, monkeypatch, capsys) -> None:
    path = stored(tmp_path, R.DEPENDS)
    monkeypatch.setattr(R, "result_path", lambda: path)
    assert cli.main(["run", "--residents", "200", "--months", "12", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert cli.ASSUMPTION_MARK in out and "administrative_led vs co_governance" in out


# ---------------------------------------------------------------------------------- the stored result
@pytest.mark.slow
def test_contrasts_labelled_robust_keep_their_sign_in_a_small_design(reg) -> None:
    """Against the committed result: every robust contrast keeps its sign (mean over a few fresh design points)."""
    table = R.read_table()
    if table is None:
        pytest.skip("no stored robustness result (cogov validate --robustness)")
    robust = table[table["label"] == R.ROBUST]
    stored_cfg = R.RobustnessConfig(scenarios=tuple(dict.fromkeys([*table["a"], *table["b"]])),
                                    outcomes=tuple(dict.fromkeys(robust["outcome"])))
    cfg = dataclasses.replace(stored_cfg, design_seeds=2, design_seed=12345)
    X = np.random.default_rng(7).uniform([p.lo for p in reg.parameters], [p.hi for p in reg.parameters],
                                         (3, len(reg.parameters)))
    design = R.run_design(reg, X, cfg, InProcessExecutor()).groupby("scenario").mean(numeric_only=True)
    for r in robust.to_dict("records"):
        diff = design.loc[r["a"], r["outcome"]] - design.loc[r["b"], r["outcome"]]
        assert np.sign(diff) == np.sign(r["effect"]), r
