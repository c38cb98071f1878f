"""Sweeps under faults: killed parents leave no process behind, hung runs time out, lost workers
are retried, results are tied to the code that made them, damaged chunks are re-run."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from cogov_sim import cli
from cogov_sim.experiments import execution, load_experiment, load_manifest, load_results, run_sweep
from cogov_sim.experiments import store as store_module
from cogov_sim.experiments.export import export_ema

COGOV = Path(sys.executable).parent / "cogov"

#: 2 scenarios × 3 budgets × 4 replications = 24 runs of 3,000 residents × 36 months (~0.5 s each).
SLOW = """
name = "slow"
scenarios = ["administrative_led", "co_governance"]
months = 36
residents = 3000
replications = 4
seed = 7

[design]
method = "factorial"

[parameters]
"levers.budget_per_resident" = [20, 40, 60]
"""

SMALL = """
name = "small"
scenarios = ["administrative_led", "co_governance"]
months = 12
residents = 400
seed = 3

[design]
method = "factorial"

[parameters]
"levers.budget_per_resident" = [20, 40]
"""


def write(tmp_path: Path, text: str, name: str = "exp") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def session_processes(sid: int) -> list[int]:
    """Live (not zombie) processes of session ``sid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # fields: state ppid pgrp session ...
            found.append(int(entry.name))
    return found


def start_sweep(path: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(COGOV), "sweep", str(path), "--out", str(out), "--workers", "2", "--quiet", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def wait_for_workers(proc: subprocess.Popen[bytes], out: Path, count: int = 3) -> list[int]:
    """Wait until the sweep runs ``count`` processes (itself and its workers) and has finished a run
    (its workers are past start-up, busy with runs)."""
    deadline = time.monotonic() + 120
    while len(session_processes(proc.pid)) < count or not list((out / "runs").glob("part-*.parquet")):
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, "the sweep finished no run within two minutes"
        time.sleep(0.05)
    return session_processes(proc.pid)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_no_process_of_a_sweep_outlives_its_parent(how: str, tmp_path: Path) -> None:
    proc = start_sweep(write(tmp_path, SLOW), tmp_path / "out", "--chunk-runs", "1")
    try:
        before = wait_for_workers(proc, tmp_path / "out")
        assert len(before) >= 3  # the sweep, two workers (and the resource tracker)
        os.kill(proc.pid, getattr(signal, how))  # the parent only, not its process group
        proc.wait(timeout=30)
        time.sleep(2.0)
        assert session_processes(proc.pid) == [], f"left behind after {how}: {session_processes(proc.pid)}"
    finally:
        if session_processes(proc.pid):  # (only if the test failed) leave nothing running
            os.killpg(proc.pid, signal.SIGKILL)
    if how == "SIGTERM":  # finished runs were flushed and the counts printed
        out = proc.stdout.read().decode() if proc.stdout else ""
        assert proc.returncode == 130 and "done" in out.splitlines()[-1] and "remaining" in out.splitlines()[-1]
        manifest = load_manifest(tmp_path / "out")
        assert manifest["counts"]["done"] == len(load_results(tmp_path / "out")["summary"])


def test_a_hung_run_times_out_and_the_sweep_goes_on(tmp_path: Path, monkeypatch) -> None:
    real = execution.run_scenario

    def hangs_for_one_budget(scenario, seed, overrides=None, **kwargs):
        if overrides and overrides.get("levers.budget_per_resident") == 40:
            time.sleep(3600)  # never returns by itself
        return real(scenario, seed=seed, overrides=overrides, **kwargs)

    monkeypatch.setattr(execution, "run_scenario", hangs_for_one_budget)
    start = time.monotonic()
    report = run_sweep(load_experiment(write(tmp_path, SMALL)), tmp_path / "out", workers=0, quiet=True,
                       run_timeout=0.5)
    assert time.monotonic() - start < 60
    assert report.line() == "done 2 / failed 2 / remaining 0"
    runs = load_results(tmp_path / "out")["runs"]
    failed = runs[runs["status"] == "failed"]
    assert set(failed["error_type"]) == {"RunTimeout"}
    assert failed["error_message"].str.contains("time limit of 0.5 s").all()


def test_run_timeout_in_the_experiment_file_stops_a_long_run_in_a_pool_worker(tmp_path: Path) -> None:
    text = SMALL.replace('"levers.budget_per_resident" = [20, 40]', '"population.residents" = [400, 300000]') \
        .replace("residents = 400\n", "")
    path = write(tmp_path, "run_timeout = 1.5\n" + text)
    start = time.monotonic()
    report = run_sweep(load_experiment(path), tmp_path / "out", workers=2, quiet=True)
    assert time.monotonic() - start < 90
    assert report.line() == "done 2 / failed 2 / remaining 0"
    runs = load_results(tmp_path / "out")["runs"]
    assert (runs.loc[runs["status"] == "failed", "population.residents"] == 300000).all()


def test_a_local_worker_killed_mid_sweep_has_its_runs_retried(tmp_path: Path) -> None:
    import multiprocessing

    killed: list[int] = []

    def kill_one_worker() -> None:
        deadline = time.monotonic() + 60
        while not multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.5)
        workers = [p for p in multiprocessing.active_children() if "resource_tracker" not in str(p.name)]
        if workers:
            killed.append(workers[0].pid)
            os.kill(workers[0].pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    report = run_sweep(load_experiment(write(tmp_path, SLOW)), tmp_path / "out", workers=2, quiet=True, chunk_runs=4)
    killer.join()
    assert killed, "no worker was running"
    assert report.line() == "done 24 / failed 0 / remaining 0"
    runs = load_results(tmp_path / "out")["runs"]
    assert runs["attempts"].max() == 2  # the runs in flight were started again, once
    uninterrupted = run_sweep(load_experiment(write(tmp_path, SLOW)), tmp_path / "ref", workers=2, quiet=True)
    assert uninterrupted.line() == report.line()
    pd.testing.assert_frame_equal(load_results(tmp_path / "out")["summary"], load_results(tmp_path / "ref")["summary"])


def test_a_dask_worker_killed_mid_sweep_loses_no_run(tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                      silence_logs=logging.CRITICAL) as cluster:
        pids = [w.process.process.pid for w in cluster.workers.values()]

        def kill_one_worker() -> None:
            time.sleep(3.0)
            os.kill(pids[0], signal.SIGKILL)

        killer = threading.Thread(target=kill_one_worker)
        killer.start()
        report = run_sweep(load_experiment(write(tmp_path, SLOW)), tmp_path / "out", scheduler=cluster.scheduler_address,
                           quiet=True, chunk_runs=4)
        killer.join()
    assert report.done + report.failed == 24 and report.remaining == 0
    runs = load_results(tmp_path / "out")["runs"]
    assert report.failed == 0, runs.loc[runs["status"] == "failed", "error_message"].tolist()


def test_dask_scheduler_that_cannot_be_reached_is_one_line(tmp_path: Path, capsys) -> None:
    code = cli.main(["sweep", str(write(tmp_path, SMALL)), "--out", str(tmp_path / "out"), "--quiet",
                     "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "cannot reach the Dask scheduler" in err


def test_resume_refuses_results_of_different_code_and_names_the_file(tmp_path: Path, monkeypatch, capsys) -> None:
    package = tmp_path / "pkg"
    shutil.copytree(Path(store_module.__file__).resolve().parent.parent, package / "cogov_sim",
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(store_module, "PACKAGE_DIR", package / "cogov_sim")
    scenarios = tmp_path / "sc"
    scenarios.mkdir()
    (scenarios / "mine.toml").write_text('extends = "co_governance"\n', encoding="utf-8")
    path = write(scenarios, SMALL.replace('["administrative_led", "co_governance"]', '["mine"]'))
    out = tmp_path / "out"
    args = ["sweep", str(path), "--out", str(out), "--in-process", "--quiet"]
    assert cli.main(args) == 0
    first = load_manifest(out)["provenance"]
    assert "cogov_sim/model.py" in first["files"] and any(k.endswith("mine.toml") for k in first["files"])
    capsys.readouterr()
    with (package / "cogov_sim" / "model.py").open("a") as fh:
        fh.write("\n# edited\n")
    assert cli.main([*args, "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "different code" in err and "cogov_sim/model.py" in err and "--force" in err
    (scenarios / "mine.toml").write_text('extends = "co_governance"\n[levers]\ncouncil = true\n', encoding="utf-8")
    assert cli.main([*args, "--resume"]) == 2
    assert "mine.toml" in capsys.readouterr().err
    assert cli.main([*args, "--resume", "--force"]) == 0
    manifest = load_manifest(out)
    assert manifest["provenance"]["sha256"] != first["sha256"]
    assert manifest["earlier_provenance"] == [first["sha256"]]


def test_resume_sets_a_truncated_chunk_aside_and_runs_it_again(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    reference = run_sweep(load_experiment(path), tmp_path / "ref", workers=0, quiet=True)
    out = tmp_path / "out"
    run_sweep(load_experiment(path), out, workers=0, quiet=True, chunk_runs=1)
    part = out / "summary" / "part-000002.parquet"
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])  # a disk that lost the end of a file
    report = run_sweep(load_experiment(path), out, workers=0, resume=True, quiet=True)
    assert report.ran == 1 and report.line() == reference.line() == "done 4 / failed 0 / remaining 0"
    assert (out / "damaged" / "summary" / "part-000002.parquet").exists()
    for table in ("summary", "series"):
        pd.testing.assert_frame_equal(load_results(out)[table], load_results(tmp_path / "ref")[table], obj=table)
    assert all(p.exists() for p in export_ema(out, tmp_path / "ema.tar.gz"))


def test_a_path_traversal_name_writes_nothing_outside(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    path = write(tmp_path / "sub", 'name = "../../../escaped"\n' + SMALL.replace('name = "small"\n', ""))
    assert cli.main(["sweep", str(path), "--in-process", "--quiet"]) == 2
    assert "not a safe name" in capsys.readouterr().err
    scenario = tmp_path / "sub" / "sc.toml"
    scenario.write_text('name = "../../escaped"\nextends = "cooperative"\n', encoding="utf-8")
    assert cli.main(["run", str(scenario), "--months", "1", "--residents", "100", "--quiet", "--no-plot"]) == 2
    assert "not a safe name" in capsys.readouterr().err
    assert not list(tmp_path.rglob("*escaped*")) and not list(tmp_path.parent.glob("*escaped*"))


def test_a_dask_cluster_without_workers_stops_with_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    from distributed import LocalCluster

    monkeypatch.setattr(execution, "NO_WORKERS_TIMEOUT", 2.0)
    out = tmp_path / "out"
    with LocalCluster(n_workers=0, processes=True, dashboard_address=None, silence_logs=logging.CRITICAL) as cluster:
        start = time.monotonic()
        code = cli.main(["sweep", str(write(tmp_path, SMALL)), "--out", str(out), "--quiet",
                         "--scheduler", cluster.scheduler_address])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "has had no workers for 2 s" in err, err
    assert time.monotonic() - start < 30
    assert load_manifest(out)["counts"] == {"done": 0, "failed": 0, "remaining": 4}


def test_a_dask_scheduler_killed_mid_sweep_keeps_finished_runs(tmp_path: Path, capsys) -> None:
    from distributed import LocalCluster

    out = tmp_path / "out"
    with LocalCluster(n_workers=1, processes=True, threads_per_worker=1, dashboard_address=None,
                      silence_logs=logging.CRITICAL) as cluster:

        def kill_scheduler() -> None:
            deadline = time.monotonic() + 60
            while not list((out / "runs").glob("part-*.parquet")) and time.monotonic() < deadline:
                time.sleep(0.05)
            cluster.sync(cluster.scheduler.close)

        killer = threading.Thread(target=kill_scheduler)
        killer.start()
        code = cli.main(["sweep", str(write(tmp_path, SLOW)), "--out", str(out), "--quiet", "--chunk-runs", "1",
                         "--scheduler", cluster.scheduler_address])
        killer.join()
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "lost the Dask scheduler" in err and "--resume" in err, err
    done = load_results(out)["summary"]
    assert 0 < len(done) < 24 and load_manifest(out)["counts"]["done"] == len(done)


def test_a_chunk_appends_its_status_instead_of_rewriting_the_manifest(tmp_path: Path) -> None:
    from cogov_sim.experiments.design import build_design, plan_runs

    exp = load_experiment(write(tmp_path, SMALL))
    rows = build_design(exp)
    runs = plan_runs(exp, rows)
    store = store_module.SweepStore(tmp_path / "out", chunk_runs=2)
    store.open(store_module.manifest_header(exp, rows, len(runs), "test"))
    manifest = (tmp_path / "out" / "manifest.json").read_bytes()
    for run in runs[:3]:
        store.add(execution.failed_outcome(run, ValueError("boom")))
    assert (tmp_path / "out" / "manifest.json").read_bytes() == manifest  # not rewritten per chunk
    assert len((tmp_path / "out" / "manifest.log").read_text().splitlines()) == 1
    assert load_manifest(tmp_path / "out")["counts"] == {"done": 0, "failed": 2, "remaining": 2}
    with (tmp_path / "out" / "manifest.log").open("a") as fh:
        fh.write('{"chunk": 9, "runs": {"3": {"sta')  # a line cut short by a kill is ignored
    assert load_manifest(tmp_path / "out")["counts"]["failed"] == 2
    store.close()  # folds the log into the manifest
    assert not (tmp_path / "out" / "manifest.log").exists()
    assert load_manifest(tmp_path / "out")["counts"] == {"done": 0, "failed": 3, "remaining": 1}
