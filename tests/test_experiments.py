"""Scenario sweeps: experiment files, designs and seeds, executors, store, analysis, export.

Runs are small (500 residents, 12 months: a tenth of a second each).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cogov_sim import cli
from cogov_sim.experiments import execution, load_experiment, load_manifest, load_results, run_sweep
from cogov_sim.experiments.analysis import analyse
from cogov_sim.experiments.design import build_design, plan_runs
from cogov_sim.experiments.store import design_record

COGOV = Path(sys.executable).parent / "cogov"

#: 2 scenarios × 2 purchase shares × 2 replications = 8 runs.
SMALL = """
name = "small"
scenarios = ["administrative_led", "co_governance"]
months = 12
residents = 500
replications = 2
seed = 4242

[design]
method = "factorial"

[parameters]
"levers.purchase_share" = [0.05, 0.3]

[outputs]
series_every = 1
survey = true
"""

#: Columns that describe how a run was executed rather than what it computed.
EXECUTION_COLUMNS = ["seconds", "worker", "error_traceback"]


@pytest.fixture
def experiment(tmp_path: Path):
    """Write an experiment file: ``experiment(text, name="x")`` -> its path."""

    def write(text: str, name: str = "exp") -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def tables(root: Path) -> dict[str, pd.DataFrame]:
    """The result tables, without the columns that depend on where the runs executed."""
    out = load_results(root)
    out["runs"] = out["runs"].drop(columns=EXECUTION_COLUMNS)
    return out


def assert_same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert set(a) == set(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


# --- designs and seeds ---------------------------------------------------------------------

def test_runs_get_seeds_spawned_from_the_root_in_row_by_replication_order(experiment) -> None:
    exp = load_experiment(experiment(SMALL))
    rows = build_design(exp)
    runs = plan_runs(exp, rows)
    assert [r.scenario for r in rows] == ["administrative_led"] * 2 + ["co_governance"] * 2
    assert [(r.design_row, r.replication) for r in runs] == [(i, k) for i in range(4) for k in range(2)]
    children = np.random.SeedSequence(4242).spawn(len(runs))
    for run, child in zip(runs, children, strict=True):
        assert (run.seed_entropy, run.seed_spawn_key) == (4242, child.spawn_key)
        assert np.array_equal(run.seed_sequence().generate_state(4), child.generate_state(4))


def test_latin_hypercube_stratifies_each_range_and_rounds_whole_numbers(experiment) -> None:
    exp = load_experiment(experiment("""
        scenario = "administrative_led"
        [design]
        method = "lhs"
        samples = 10
        [parameters]
        "levers.purchase_share" = { low = 0.0, high = 0.5 }
        "population.enterprises_per_community" = { low = 2, high = 12 }
    """))
    values = pd.DataFrame([r.values for r in build_design(exp)])
    strata = np.floor(values["levers.purchase_share"] / 0.05).astype(int)
    assert sorted(strata) == list(range(10))  # one point per tenth of the range
    assert values["population.enterprises_per_community"].map(type).eq(int).all()
    assert values["population.enterprises_per_community"].between(2, 12).all()


def test_table_design_rows_may_name_their_scenario(experiment) -> None:
    exp = load_experiment(experiment("""
        scenarios = ["administrative_led", "co_governance"]
        [design]
        method = "table"
        [[design.rows]]
        "levers.council" = true
        "levers.budget_per_resident" = 40
        [[design.rows]]
        scenario = "co_governance"
        "levers.council" = false
        "levers.budget_per_resident" = 60
    """))
    rows = build_design(exp)
    assert [(r.scenario, r.values["levers.council"], r.values["levers.budget_per_resident"]) for r in rows] == [
        ("administrative_led", True, 40.0), ("co_governance", True, 40.0), ("co_governance", False, 60.0)]


# --- execution backends --------------------------------------------------------------------

@pytest.mark.xdist_group("sweeps")
def test_one_two_workers_and_dask_give_identical_tables(experiment, tmp_path: Path) -> None:
    from distributed import LocalCluster

    exp = load_experiment(experiment(SMALL))
    run_sweep(exp, tmp_path / "w1", workers=1, quiet=True, chunk_runs=3)
    run_sweep(exp, tmp_path / "w2", workers=2, quiet=True, chunk_runs=2)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster:
        report = run_sweep(exp, tmp_path / "dask", scheduler=cluster.scheduler_address, quiet=True, chunk_runs=5)
    assert report.executor.startswith("Dask") and report.line() == "done 8 / failed 0 / remaining 0"
    one = tables(tmp_path / "w1")
    assert len(one["summary"]) == 8 and len(one["series"]) == 8 * 12 and not one["survey"].empty
    assert one["summary"]["run_id"].tolist() == list(range(8))
    assert_same_tables(one, tables(tmp_path / "w2"))
    assert_same_tables(one, tables(tmp_path / "dask"))


def test_a_run_that_raises_is_recorded_as_failed_and_the_others_finish(experiment, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    real = execution.run_scenario

    def flaky(scenario, seed, overrides=None, **kwargs):
        if scenario.name == "co_governance" and overrides["levers.purchase_share"] == 0.3:
            raise ValueError("boom: negative budget")
        return real(scenario, seed=seed, overrides=overrides, **kwargs)

    monkeypatch.setattr(execution, "run_scenario", flaky)
    exp = load_experiment(experiment(SMALL))
    report = run_sweep(exp, tmp_path / "out", workers=0, quiet=True)
    assert report.line() == "done 6 / failed 2 / remaining 0"
    runs = load_results(tmp_path / "out")["runs"]
    failed = runs[runs["status"] == "failed"]
    assert failed["run_id"].tolist() == [6, 7]
    assert set(failed["error_type"]) == {"ValueError"}
    assert set(failed["error_message"]) == {"boom: negative budget"}
    assert "flaky" in failed["error_traceback"].iloc[0]
    manifest = load_manifest(tmp_path / "out")
    assert manifest["counts"] == {"done": 6, "failed": 2, "remaining": 0}
    assert manifest["runs"]["failed"]["6"] == {"error_type": "ValueError", "error_message": "boom: negative budget"}
    assert sorted(load_results(tmp_path / "out")["summary"]["run_id"]) == [0, 1, 2, 3, 4, 5]

    monkeypatch.setattr(execution, "run_scenario", real)  # fixed: --resume re-runs the failed runs
    report = run_sweep(exp, tmp_path / "out", workers=0, quiet=True, resume=True)
    assert (report.ran, report.line()) == (2, "done 8 / failed 0 / remaining 0")
    after = load_results(tmp_path / "out")
    assert after["runs"]["run_id"].tolist() == list(range(8)) and set(after["runs"]["status"]) == {"done"}
    assert after["summary"]["run_id"].tolist() == list(range(8))


def test_cli_sweep_reports_failures_in_the_closing_line(experiment, tmp_path: Path, capsys,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(execution, "run_scenario", broken)
    path = experiment(SMALL)
    code = cli.main(["sweep", str(path), "--out", str(tmp_path / "out"), "--in-process", "--quiet"])
    assert code == 1
    assert capsys.readouterr().out.strip().splitlines()[-1] == "done 0 / failed 8 / remaining 0"


# --- outputs -------------------------------------------------------------------------------

def test_outputs_keep_every_kth_month_and_a_subset_of_metrics(experiment, tmp_path: Path) -> None:
    path = experiment(SMALL.replace("series_every = 1\nsurvey = true",
                                    'series_every = 5\nsurvey = false\nmetrics = ["coverage", "satisfaction"]'))
    run_sweep(load_experiment(path), tmp_path / "out", workers=0, quiet=True)
    result = load_results(tmp_path / "out")
    series, summary = result["series"], result["summary"]
    ids = ["run_id", "design_row", "replication", "scenario", "levers.purchase_share", "seed_entropy",
           "seed_spawn_key"]
    assert list(series.columns) == [*ids, "month", "coverage", "satisfaction"]
    assert list(summary.columns) == [*ids, "months", "residents_final", "coverage", "satisfaction"]
    assert series.groupby("run_id")["month"].apply(list).tolist() == [[5, 10, 12]] * 8
    assert result["survey"].empty and not (tmp_path / "out" / "survey").exists()


def test_parquet_tables_read_directly_with_plain_pandas(experiment, tmp_path: Path) -> None:
    run_sweep(load_experiment(experiment(SMALL)), tmp_path / "out", workers=0, quiet=True, chunk_runs=3)
    assert len(list((tmp_path / "out" / "series").glob("part-*.parquet"))) == 3
    for table in ("summary", "series", "survey"):
        plain = pd.read_parquet(tmp_path / "out" / table)
        order = ["run_id", "month"] if table == "series" else ["run_id"]
        plain = plain.sort_values(order, kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(plain, load_results(tmp_path / "out")[table], check_dtype=False)


def test_parquet_tables_read_directly_with_polars(experiment, tmp_path: Path) -> None:
    pl = pytest.importorskip("polars")
    run_sweep(load_experiment(experiment(SMALL)), tmp_path / "out", workers=0, quiet=True, chunk_runs=3)
    frame = pl.read_parquet(str(tmp_path / "out" / "summary" / "*.parquet"))
    assert sorted(frame["run_id"].to_list()) == list(range(8))


# --- bad experiment files ------------------------------------------------------------------

BASE = """
scenarios = ["administrative_led"]
months = 12
residents = 500
[design]
method = "factorial"
[parameters]
"levers.purchase_share" = [0.1, 0.3]
"""

BAD_FILES = {
    "unknown top-level key": (BASE + "\n", "replicatons = 2\n", "unknown key 'replicatons'; did you mean 'replications'?"),
    "unknown parameter": (BASE.replace('"levers.purchase_share"', '"levers.purchase_shar"'), "",
                          "unknown key 'levers.purchase_shar'; did you mean 'purchase_share'?"),
    "unknown group": (BASE.replace('"levers.purchase_share"', '"lever.purchase_share"'), "",
                      "'lever.purchase_share' is not a parameter"),
    "wrong type": (BASE, 'replications = "two"\n', "replications = 'two': expected a whole number"),
    "out of range": (BASE.replace("[0.1, 0.3]", "[0.1, 1.5]"), "", "levers.purchase_share = 1.5 is out of range; "
                                                                    "allowed 0–1"),
    "unknown method": (BASE.replace('"factorial"', '"sobel"'), "", "unknown method; did you mean 'sobol'?"),
    "unknown design key": (BASE.replace('method = "factorial"', 'method = "lhs"\nsample = 8'), "",
                           "unknown key 'design.sample'; did you mean 'samples'?"),
    "sobol needs a power of two": (BASE.replace('"factorial"', '"sobol"\nsamples = 100')
                                   .replace("[0.1, 0.3]", "{ low = 0.0, high = 0.5 }\n"
                                                          '"levers.coordination" = { low = 0.0, high = 1.0 }'),
                                   "", "design.samples = 100: Sobol sampling needs a power of 2"),
    "factorial needs values": (BASE.replace("[0.1, 0.3]", "{ low = 0.1, high = 0.3 }"), "",
                               "factorial designs need a non-empty list of values"),
    "switch cannot be sampled": (BASE.replace('"factorial"', '"lhs"\nsamples = 8')
                                 .replace('"levers.purchase_share" = [0.1, 0.3]', '"levers.council" = { low = 0, '
                                                                                  'high = 1 }'),
                                 "", "is a switch (true/false) and cannot be sampled by lhs"),
    "empty range": (BASE.replace('"factorial"', '"lhs"\nsamples = 8')
                    .replace("[0.1, 0.3]", "{ low = 0.3, high = 0.3 }"), "", "low = 0.3 must be below high = 0.3"),
    "unknown metric": (BASE, '[outputs]\nmetrics = ["coverag"]\n',
                       "outputs.metrics[0] = 'coverag': unknown metric; did you mean 'coverage'?"),
    "unknown scenario": (BASE.replace('"administrative_led"', '"co_governanse"'), "", "did you mean 'co_governance'?"),
    "fixed and varied": (BASE, '[fixed]\n"levers.purchase_share" = 0.2\n',
                         "'levers.purchase_share' is both fixed and varied"),
    "no scenario": ("[design]\nmethod = \"factorial\"\n", "", "missing 'scenario'"),
    "malformed TOML": ("scenarios = [\"administrative_led\"\nmonths = 12\n", "", "not valid TOML"),
    "path traversal name": (BASE, 'name = "../../escaped"\n', "name = '../../escaped': not a safe name"),
    "months nan": (BASE.replace("months = 12", "months = nan"), "", "months = nan: expected a whole number in 1–2400"),
    "residents inf": (BASE.replace("residents = 500", "residents = inf"), "",
                      "residents = inf: expected a whole number in 50–1,000,000"),
    "sobol with one sample": (BASE.replace('"factorial"', '"sobol"\nsamples = 1')
                              .replace("[0.1, 0.3]", "{ low = 0.0, high = 0.5 }\n"
                                                     '"levers.coordination" = { low = 0.0, high = 1.0 }'),
                              "", "design.samples = 1: too few for sobol; allowed at least 4"),
    "morris with one trajectory": (BASE.replace('"factorial"', '"morris"\nsamples = 1')
                                   .replace("[0.1, 0.3]", "{ low = 0.0, high = 0.5 }\n"
                                                          '"levers.coordination" = { low = 0.0, high = 1.0 }'),
                                   "", "design.samples = 1: too few for morris; allowed at least 2"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_experiment_files_give_one_line_errors_and_exit_2(case: str, experiment, tmp_path: Path,
                                                              capsys) -> None:
    head, extra, expected = BAD_FILES[case]
    # top-level keys must come before the first table: put the extra lines first unless they open a table
    text = head + extra if extra.startswith("[") else extra + head
    path = experiment(text)
    code = cli.main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"cogov: error: {path}"), err
    assert expected in err
    assert not (tmp_path / "out").exists()


def test_missing_experiment_file_is_one_line(tmp_path: Path, capsys) -> None:
    code = cli.main(["sweep", str(tmp_path / "nope.toml"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"experiment '{tmp_path / 'nope.toml'}' not found" in err


def test_console_script_prints_no_traceback_for_a_bad_file(experiment, tmp_path: Path) -> None:
    path = experiment(BASE.replace("[0.1, 0.3]", "[0.1, 1.5]"))
    done = subprocess.run([str(COGOV), "sweep", str(path), "--out", str(tmp_path / "out")], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "levers.purchase_share = 1.5 is out of range; allowed 0–1 (share)" in done.stderr


def test_bad_command_line_values_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["sweep", "example", "--workers", "-1"])
    assert exc.value.code == 2 and capsys.readouterr().err.count("\n") == 1


# --- sensitivity ---------------------------------------------------------------------------

def _toy_design(experiment, method: str, samples: int, extra: str = "") -> tuple[dict, np.ndarray]:
    """A design over three [0, 1] levers; returns (design record, the points as a matrix)."""
    exp = load_experiment(experiment(f"""
        scenario = "administrative_led"
        [design]
        method = "{method}"
        samples = {samples}
        seed = 3
        {extra}
        [parameters]
        "levers.coordination" = {{ low = 0.0, high = 1.0 }}
        "levers.responsiveness" = {{ low = 0.0, high = 1.0 }}
        "levers.purchase_share" = {{ low = 0.0, high = 1.0 }}
    """))
    rows = build_design(exp)
    x = np.array([[r.values[f.key] for f in exp.factors] for r in rows])
    return design_record(exp, rows), x


def _summary(x: np.ndarray, y: np.ndarray, replications: int = 1) -> pd.DataFrame:
    """Per-run summary rows for outcome ``y`` of each design point (replications share the value ± noise)."""
    rows = [{"run_id": i * replications + k, "design_row": i, "replication": k, "toy": v + 1e-9 * k}
            for i, v in enumerate(y) for k in range(replications)]
    return pd.DataFrame(rows)


def test_sobol_indices_of_the_ishigami_function_come_out_right(experiment) -> None:
    design, x = _toy_design(experiment, "sobol", 2048)
    assert x.shape == (2048 * 5, 3)
    z = -np.pi + 2 * np.pi * x  # the levers' [0, 1] mapped onto Ishigami's [-pi, pi]
    y = np.sin(z[:, 0]) + 7 * np.sin(z[:, 1]) ** 2 + 0.1 * z[:, 2] ** 4 * np.sin(z[:, 0])
    table = analyse(design, _summary(x, y, replications=2), ["toy"]).set_index("parameter")
    expected_s1, expected_st = [0.3139, 0.4424, 0.0], [0.5576, 0.4424, 0.2437]
    np.testing.assert_allclose(table["S1"], expected_s1, atol=0.05)
    np.testing.assert_allclose(table["ST"], expected_st, atol=0.05)
    assert (table["S1_conf"] > 0).all() and (table["S1_conf"] < 0.1).all()


def test_sobol_indices_of_a_linear_function_match_the_analytic_shares(experiment) -> None:
    design, x = _toy_design(experiment, "sobol", 1024)
    a = np.array([3.0, 2.0, 1.0])
    table = analyse(design, _summary(x, x @ a), ["toy"])
    np.testing.assert_allclose(table["S1"], a**2 / (a**2).sum(), atol=0.03)
    np.testing.assert_allclose(table["ST"], a**2 / (a**2).sum(), atol=0.03)


def test_morris_ranks_parameters_by_their_effect(experiment) -> None:
    design, x = _toy_design(experiment, "morris", 20, "levels = 4")
    table = analyse(design, _summary(x, x @ np.array([3.0, 0.5, 0.0])), ["toy"]).set_index("parameter")
    np.testing.assert_allclose(table["mu_star"], [3.0, 0.5, 0.0], atol=1e-6)
    np.testing.assert_allclose(table["sigma"], 0.0, atol=1e-6)


def test_sensitivity_command_runs_a_sobol_experiment_and_writes_csv_and_png(experiment, tmp_path: Path, capsys,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = experiment("""
        name = "tiny_sobol"
        scenario = "administrative_led"
        months = 12
        residents = 500
        [design]
        method = "sobol"
        samples = 4
        [parameters]
        "levers.purchase_share" = { low = 0.0, high = 0.5 }
        "behaviour.peer_weight" = { low = 0.0, high = 2.0 }
        [outputs]
        series = false
    """)
    monkeypatch.chdir(tmp_path)
    code = cli.main(["sensitivity", str(path), "--output", "coverage", "--output", "participation_any",
                     "--in-process", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    root = tmp_path / "runs" / "sweeps" / "tiny_sobol"
    table = pd.read_csv(root / "sensitivity" / "sobol.csv")
    assert list(table.columns) == ["scenario", "output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert len(table) == 4 and (root / "sensitivity" / "sobol.png").stat().st_size > 1000
    assert "administrative_led — coverage" in out and "behaviour.peer_weight" in out
    # asking for an outcome the sweep does not have is a one-line error
    assert cli.main(["sensitivity", str(root), "--output", "coverag"]) == 2
    assert "did you mean 'coverage'?" in capsys.readouterr().err


def test_sensitivity_refuses_a_factorial_sweep(experiment, tmp_path: Path, capsys) -> None:
    run_sweep(load_experiment(experiment(SMALL)), tmp_path / "out", workers=0, quiet=True)
    assert cli.main(["sensitivity", str(tmp_path / "out"), "--output", "coverage"]) == 2
    assert "need a sobol or morris design" in capsys.readouterr().err


# --- export --------------------------------------------------------------------------------

def test_export_writes_ema_workbench_layout(experiment, tmp_path: Path) -> None:
    run_sweep(load_experiment(experiment(SMALL)), tmp_path / "out", workers=0, quiet=True)
    assert cli.main(["export", str(tmp_path / "out"), "--format", "ema", "--output", "coverage"]) == 0
    with tarfile.open(tmp_path / "out" / "export" / "ema_results.tar.gz", "r:gz") as archive:
        names = set(archive.getnames())
        read = lambda name: archive.extractfile(name).read().decode()  # noqa: E731
        experiments = pd.read_csv(archive.extractfile("experiments.csv"))
        meta = dict(line.split(",", 1) for line in read("experiments metadata.csv").splitlines())
        outcome_meta = dict(line.split(",", 1) for line in read("outcomes metadata.csv").splitlines())
        metadata = json.loads(read("metadata.json"))
        coverage = pd.read_csv(archive.extractfile("coverage.csv"), header=None).to_numpy()
        series = pd.read_csv(archive.extractfile("coverage_series.csv"), header=None).to_numpy()
    assert names == {"experiments.csv", "metadata.json", "experiments metadata.csv", "outcomes metadata.csv",
                     "coverage.csv", "coverage_series.csv", "TIME.csv"}
    assert list(experiments.columns) == ["levers.purchase_share", "scenario", "policy", "model", "run_id",
                                         "replication"]
    assert meta["policy"] == "object" and meta["levers.purchase_share"] == "float64"
    assert metadata["experiments"]["policy"] == "category" and metadata["experiments"]["scenario"] == "int64"
    assert metadata["outcomes"] == [["ScalarOutcome", "coverage", "coverage.csv"],
                                    ["ArrayOutcome", "coverage_series", "coverage_series.csv"],
                                    ["ArrayOutcome", "TIME", "TIME.csv"]]
    assert outcome_meta == {"coverage": "(8,)", "coverage_series": "(8, 12)", "TIME": "(8, 12)"}
    summary = load_results(tmp_path / "out")["summary"]
    np.testing.assert_allclose(coverage[:, 0], summary["coverage"])
    assert series.shape == (8, 12)
    assert experiments["policy"].tolist() == summary["scenario"].tolist()

    assert cli.main(["export", str(tmp_path / "out"), "--format", "npz", "--no-series"]) == 0
    with np.load(tmp_path / "out" / "export" / "outcomes.npz") as npz:
        assert npz["coverage"].shape == (8,) and "coverage_series" not in npz


def test_manifest_records_hash_version_seed_design_and_status(experiment, tmp_path: Path) -> None:
    import hashlib

    from cogov_sim import __version__

    path = experiment(SMALL)
    run_sweep(load_experiment(path), tmp_path / "out", workers=0, quiet=True)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["experiment"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["package_version"] == __version__ and manifest["root_seed"] == 4242
    assert manifest["design"]["rows"][3] == {"design_row": 3, "scenario": "co_governance",
                                             "values": {"levers.purchase_share": 0.3}}
    assert manifest["runs"] == {"done": ["0-7"], "failed": {}}
    assert (tmp_path / "out" / "experiment.toml").read_bytes() == path.read_bytes()


def test_ema_workbench_reads_the_export(experiment, tmp_path: Path) -> None:
    ema = pytest.importorskip("ema_workbench")
    run_sweep(load_experiment(experiment(SMALL)), tmp_path / "out", workers=0, quiet=True)
    assert cli.main(["export", str(tmp_path / "out"), "--output", "coverage"]) == 0
    experiments, outcomes = ema.load_results(str(tmp_path / "out" / "export" / "ema_results.tar.gz"))
    assert len(experiments) == 8 and set(experiments["policy"]) == {"administrative_led", "co_governance"}
    assert outcomes["coverage"].shape == (8,) and outcomes["coverage_series"].shape == (8, 12)
