"""Sweeps survive kills: chunks are atomic, resume runs exactly what is missing, folders are not mixed up."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from cogov_sim import cli
from cogov_sim.experiments import load_experiment, load_manifest, load_results, run_sweep

COGOV = Path(sys.executable).parent / "cogov"

#: 2 scenarios × 4 budgets × 5 replications = 40 runs of 500 residents × 12 months.
KILLABLE = """
name = "killable"
scenarios = ["administrative_led", "co_governance"]
months = 12
residents = 500
replications = 5
seed = 99

[design]
method = "factorial"

[parameters]
"levers.budget_per_resident" = [20, 30, 40, 50]

[outputs]
series_every = 4
survey = true
"""

SMALL = KILLABLE.replace("replications = 5", "replications = 1").replace("[20, 30, 40, 50]", "[20, 40]")


def write(tmp_path: Path, text: str, name: str = "exp") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def read_every_part(root: Path) -> int:
    """Open every Parquet file of the folder (a damaged one raises); return how many there are."""
    import pyarrow.parquet as pq

    parts = sorted(root.glob("*/part-*.parquet"))
    for part in parts:
        pq.read_table(part)
    return len(parts)


def without_execution_columns(result: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    result["runs"] = result["runs"].drop(columns=["seconds", "worker", "error_traceback"])
    return result


@pytest.mark.xdist_group("sweeps")
def test_sweep_killed_midway_then_resumed_has_every_run_exactly_once(tmp_path: Path) -> None:
    path = write(tmp_path, KILLABLE)
    out = tmp_path / "out"
    proc = subprocess.Popen([str(COGOV), "sweep", str(path), "--out", str(out), "--workers", "2", "--chunk-runs", "1",
                             "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not list((out / "runs").glob("part-*.parquet")):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no chunk written within two minutes"
            time.sleep(0.005)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes, mid-write or not
        proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    read_every_part(out)
    partial = load_results(out)
    assert 0 < len(partial["summary"]) < 40, "the kill should land part-way through the sweep"
    assert partial["summary"]["run_id"].is_unique

    report = run_sweep(load_experiment(path), out, workers=0, resume=True, quiet=True)
    assert report.line() == "done 40 / failed 0 / remaining 0"
    assert report.ran == 40 - len(partial["summary"])
    assert read_every_part(out) > 0 and not list(out.glob("*/.part-*"))
    resumed = without_execution_columns(load_results(out))
    for table, frame in resumed.items():
        per_run = {"series": 12 // 4, "survey": None}.get(table, 1)
        assert sorted(frame["run_id"].unique()) == list(range(40)), table
        if per_run:
            assert (frame.groupby("run_id").size() == per_run).all(), table
    # the interrupted-and-resumed sweep equals one run straight through
    run_sweep(load_experiment(path), tmp_path / "reference", workers=0, quiet=True)
    reference = without_execution_columns(load_results(tmp_path / "reference"))
    for table in reference:
        pd.testing.assert_frame_equal(resumed[table], reference[table], obj=table)


@pytest.mark.xdist_group("sweeps")
def test_sigterm_flushes_finished_runs_before_exiting(tmp_path: Path) -> None:
    path = write(tmp_path, KILLABLE)
    out = tmp_path / "out"
    proc = subprocess.Popen([str(COGOV), "sweep", str(path), "--out", str(out), "--workers", "1", "--chunk-runs",
                             "1000"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = b""
    while not re.search(rb"\b[1-9]\d*/40\b", seen):  # the progress bar shows a finished run
        chunk = os.read(proc.stderr.fileno(), 4096)
        assert chunk, f"the sweep ended early: {seen[-500:]!r}"
        seen += chunk
    assert not list((out / "runs").glob("part-*.parquet"))  # nothing flushed yet (chunks of 1000 runs)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and (seen + err).decode().strip().endswith("cogov: interrupted")
    done = load_results(out)["summary"]
    assert 0 < len(done) < 40 and load_manifest(out)["counts"]["done"] == len(done)


def test_resume_refuses_a_folder_made_by_another_experiment_file(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, SMALL)
    out = tmp_path / "out"
    assert cli.main(["sweep", str(path), "--out", str(out), "--in-process", "--quiet"]) == 0
    path.write_text(SMALL.replace("seed = 99", "seed = 100"), encoding="utf-8")
    assert cli.main(["sweep", str(path), "--out", str(out), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "was created from a different experiment file" in err and "--force" in err
    # a plain (non-resume) sweep into a used folder is refused too
    assert cli.main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    assert "already holds a sweep; add --resume" in capsys.readouterr().err
    # a different design is never mixed in, not even with --force
    assert cli.main(["sweep", str(path), "--out", str(out), "--resume", "--force", "--in-process", "--quiet"]) == 2
    assert "another design" in capsys.readouterr().err
    # the same design in an edited file (a comment): refused, then resumed with --force
    path.write_text(SMALL + "# a comment\n", encoding="utf-8")
    assert cli.main(["sweep", str(path), "--out", str(out), "--resume", "--quiet"]) == 2
    assert "same design" in capsys.readouterr().err
    assert cli.main(["sweep", str(path), "--out", str(out), "--resume", "--force", "--in-process", "--quiet"]) == 0
    assert capsys.readouterr().out.strip().endswith("done 4 / failed 0 / remaining 0")
    path.write_text(SMALL.replace("seed = 99", "seed = 100"), encoding="utf-8")
    # --force without --resume starts over
    assert cli.main(["sweep", str(path), "--out", str(out), "--force", "--in-process", "--quiet"]) == 0
    assert load_manifest(out)["root_seed"] == 100


def test_uncommitted_chunks_are_ignored_and_removed_on_resume(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    out = tmp_path / "out"
    run_sweep(load_experiment(path), out, workers=0, quiet=True, chunk_runs=2)
    before = load_results(out)
    # a kill after a data part was written but before its runs part committed the chunk
    shutil.copy(out / "summary" / "part-000000.parquet", out / "summary" / "part-000007.parquet")
    (out / "series" / ".part-000007.parquet.tmp").write_bytes(b"half a file")
    pd.testing.assert_frame_equal(load_results(out)["summary"], before["summary"])
    report = run_sweep(load_experiment(path), out, workers=0, resume=True, quiet=True)
    assert report.ran == 0 and report.line() == "done 4 / failed 0 / remaining 0"
    assert not (out / "summary" / "part-000007.parquet").exists()
    assert not (out / "series" / ".part-000007.parquet.tmp").exists()


def test_loader_deduplicates_runs_that_appear_in_two_chunks(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    out = tmp_path / "out"
    run_sweep(load_experiment(path), out, workers=0, quiet=True, chunk_runs=2)
    before = load_results(out)
    for table in ("runs", "summary", "series", "survey"):  # a whole committed chunk, twice
        shutil.copy(out / table / "part-000001.parquet", out / table / "part-000005.parquet")
    after = load_results(out)
    for table in before:
        pd.testing.assert_frame_equal(after[table], before[table], obj=table)


def test_two_sweeps_cannot_write_one_folder_at_once(tmp_path: Path) -> None:
    from cogov_sim.errors import CogovError
    from cogov_sim.experiments.store import SweepStore

    out = tmp_path / "out"
    out.mkdir()
    holder = SweepStore(out)
    holder._acquire_lock()
    try:
        with pytest.raises(CogovError, match="in use by another running sweep"):
            run_sweep(load_experiment(write(tmp_path, SMALL)), out, workers=0, quiet=True)
    finally:
        holder.close()
