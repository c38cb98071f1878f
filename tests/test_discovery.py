"""Scenario discovery: PRIM (EMA Workbench) on a sweep's summary table, and ``cogov discover``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cogov_sim.discovery.prim import BASE_SCENARIO, choose_box, discover, prim_inputs
from cogov_sim.errors import CogovError
from cogov_sim.experiments import load_results, run_sweep

#: The planted box: these runs (and only these) reach the outcome.
PLANTED = {"levers.budget_per_resident": (30.0, 70.0), "levers.admin_load": (None, 0.9),
           "levers.grid_staff": (3, None)}
SCENARIOS = ["administrative_led", "co_governance", "cooperative"]


def synthetic_sweep(n: int = 2000, seed: int = 3) -> pd.DataFrame:
    """A sweep-like summary table (one row per run) with an outcome planted in a box.

    Inputs of every kind a sweep produces: floats, an int32 whole number, an on/off switch
    (bool), the base scenario (text, in a column named ``scenario``) and a float32 input
    that does not matter. ``coverage`` is high inside the box, low outside (plus noise).
    """
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "run_id": np.arange(n), "scenario": rng.choice(SCENARIOS, n),
        "levers.budget_per_resident": rng.uniform(10, 80, n), "levers.admin_load": rng.uniform(0.2, 1.2, n),
        "levers.grid_staff": rng.integers(0, 11, n).astype("int32"), "levers.council": rng.random(n) < 0.5,
        "levers.purchase_share": rng.uniform(0, 0.6, n).astype("float32"),
    })
    inside = ((frame["levers.budget_per_resident"] >= 30) & (frame["levers.budget_per_resident"] <= 70)
              & (frame["levers.admin_load"] <= 0.9) & (frame["levers.grid_staff"] >= 3)
              & frame["levers.council"] & (frame["scenario"] != "cooperative"))
    frame["coverage"] = np.where(inside, 0.6, 0.3) + rng.normal(0, 0.03, n)
    return frame


INPUTS = ["scenario", "levers.budget_per_resident", "levers.admin_load", "levers.grid_staff", "levers.council",
          "levers.purchase_share"]


@pytest.fixture(scope="module")
def found():
    return discover(synthetic_sweep(), "coverage", above=0.45, inputs=INPUTS)


def test_prim_recovers_a_planted_box(found) -> None:
    limits = found.limits.set_index("input")
    for name, (low, high) in PLANTED.items():
        assert name in limits.index, f"{name} not restricted: {limits}"
        for side, planted in (("lower", low), ("upper", high)):
            value = limits.at[name, side]
            if planted is None:  # that side is open: the box keeps the sweep's own limit
                assert value == limits.at[name, "min" if side == "lower" else "max"]
            else:
                assert abs(value - planted) <= 0.1 * abs(planted), f"{name} {side}: {value} vs planted {planted}"
    assert limits.at["levers.council", "lower"] > 0, "the box must keep only runs with a council"
    assert limits.at[f"{BASE_SCENARIO}=cooperative", "upper"] < 1, "the box must exclude the cooperative runs"
    assert "levers.purchase_share" not in limits.index, "an input that does not matter was restricted"
    assert found.coverage >= 0.9 and found.density >= 0.9
    significant = limits[["qp_lower", "qp_upper"]].min(axis=1)
    assert (significant < 0.01).all(), "every planted restriction is significant"


def test_peeling_trajectory_trades_coverage_for_density(found) -> None:
    t = found.trajectory
    assert t["box"].tolist() == list(range(len(t)))
    assert t.at[0, "coverage"] == 1.0 and t.at[0, "mass"] == 1.0
    assert t.at[0, "density"] == pytest.approx(found.n_interest / found.n)
    assert t["density"].iloc[-1] > t.at[0, "density"] and t["mass"].iloc[-1] < 1
    assert ((t["k"] / t["n"]) == t["density"]).all()


def test_choose_box_takes_the_widest_dense_enough_box() -> None:
    t = pd.DataFrame({"box": [0, 1, 2, 3], "coverage": [1.0, 0.95, 0.9, 0.5], "density": [0.2, 0.7, 0.85, 1.0],
                      "res_dim": [0, 1, 2, 3]})
    assert choose_box(t, 0.8) == 2
    assert choose_box(t, 0.5) == 1
    assert choose_box(t.iloc[:3], 0.9) == 2  # none dense enough: the densest


def test_a_column_named_scenario_is_kept_under_another_name() -> None:
    frame = synthetic_sweep(200)
    x, encodings = prim_inputs(frame, ["scenario", "levers.admin_load"])
    assert "scenario" not in x.columns  # EMA would drop it silently
    assert {f"{BASE_SCENARIO}={s}" for s in SCENARIOS} <= set(x.columns)
    assert {e.source for e in encodings} == {"scenario", "levers.admin_load"}


@pytest.mark.parametrize("dtype", ["int32", "int64", "Int64", "float32", "bool", "str", "category"])
def test_every_input_kind_is_encoded_as_float_and_prim_can_restrict_it(dtype: str) -> None:
    rng = np.random.default_rng(1)
    n = 800
    codes = rng.integers(0, 2, n) if dtype in ("bool", "str", "category") else rng.integers(0, 10, n)
    if dtype == "bool":
        column, good = pd.Series(codes == 1), pd.Series(codes == 1)
    elif dtype in ("str", "category"):
        column = pd.Series(np.where(codes == 1, "yes", "no")).astype("category" if dtype == "category" else "str")
        good = pd.Series(codes == 1)
    else:
        column, good = pd.Series(codes).astype(dtype), pd.Series(codes >= 5)
    frame = pd.DataFrame({"lever": column, "other": rng.uniform(0, 1, n)})
    frame["outcome"] = (good & (frame["other"] > 0.5)).astype(float)
    x, _ = prim_inputs(frame, ["lever", "other"])
    assert all(x.dtypes == np.float64)
    result = discover(frame, "outcome", above=0.5, inputs=["lever", "other"])
    limits = result.limits.set_index("input")
    restricted = [c for c in limits.index if c.startswith("lever")]
    assert restricted, f"the planted restriction on a {dtype} input was not found: {limits}"
    assert result.density >= 0.9 and result.coverage >= 0.9


def test_bad_requests_are_refused_with_one_line() -> None:
    frame = synthetic_sweep(300)
    with pytest.raises(CogovError, match="did you mean 'coverage'"):
        discover(frame, "coverag", above=0.4, inputs=INPUTS)
    with pytest.raises(CogovError, match="exactly one of above or below"):
        discover(frame, "coverage", above=0.4, below=0.3, inputs=INPUTS)
    with pytest.raises(CogovError, match="no run is a case of interest"):
        discover(frame, "coverage", above=5, inputs=INPUTS)
    with pytest.raises(CogovError, match="every run is a case of interest"):
        discover(frame, "coverage", below=5, inputs=INPUTS)
    with pytest.raises(CogovError, match="not a column"):
        discover(frame, "coverage", above=0.4, inputs=["levers.admin_lod"])


#: 2 scenarios × 2 purchase shares × council on/off, 2 replications = 16 small runs.
SWEEP = """
name = "disc"
scenarios = ["administrative_led", "co_governance"]
months = 12
residents = 300
replications = 2
seed = 11

[design]
method = "factorial"

[parameters]
"levers.purchase_share" = [0.05, 0.3]
"levers.council" = [false, true]

[outputs]
series = false
"""


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("discover")
    (root / "disc.toml").write_text(SWEEP, encoding="utf-8")
    run_sweep(root / "disc.toml", root / "results", workers=0, quiet=True)
    return root / "results"


def test_cogov_discover_writes_the_box_and_the_trajectory(cogov, sweep_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "found"
    threshold = float(load_results(sweep_folder)["summary"]["participation_any"].median())   # half the runs are cases
    done = cogov("discover", sweep_folder, "--outcome", "participation_any", "--below", f"{threshold:.6f}", "--out", out)
    assert done.returncode == 0, done.stderr
    assert "coverage" in done.stdout and "density" in done.stdout and "quasi-p" in done.stdout
    assert {p.name for p in out.iterdir()} == {"trajectory.csv", "box.csv", "report.txt", "trajectory.png"}
    box = pd.read_csv(out / "box.csv")
    assert set(box.columns) >= {"input", "lower", "upper", "qp_lower", "qp_upper"}
    zh = cogov("discover", sweep_folder, "--outcome", "participation_any", "--below", f"{threshold:.6f}", "--lang", "zh",
               "--out", tmp_path / "zh")
    assert zh.returncode == 0, zh.stderr
    assert "覆盖率" in zh.stdout and "密度" in zh.stdout


@pytest.mark.parametrize(("args", "expect"), [
    (["--outcome", "coverage", "--above", "0.3"], "no such results folder"),
    (["--outcome", "coverag", "--above", "0.3"], "did you mean 'coverage'"),
    (["--outcome", "coverage", "--above", "0.3", "--below", "0.5"], "not allowed with argument --above"),
    (["--outcome", "coverage"], "one of the arguments --above --below is required"),
    (["--outcome", "coverage", "--above", "7"], "no run is a case of interest"),
    (["--outcome", "coverage", "--below", "-1"], "no run is a case of interest"),
    (["--outcome", "coverage", "--above", "0.3", "--min-density", "2"], "--min-density"),
    (["--outcome", "coverage", "--above", "0.3", "--lang", "fr"], "invalid choice"),
])
def test_cogov_discover_bad_arguments_get_one_line(cogov, sweep_folder: Path, tmp_path: Path, args: list[str],
                                                   expect: str) -> None:
    folder = tmp_path / "missing" if expect == "no such results folder" else sweep_folder
    done = cogov("discover", folder, *args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0], done.stderr
    assert "Traceback" not in done.stderr
