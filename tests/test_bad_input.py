"""Bad input beyond scenario files (those are in conftest.BAD_SCENARIOS): command-line values,
output folders, unreadable files, huge designs, and the Python API's arguments. Each gets one
line naming the thing, the value and what is allowed — exit code 2 from the CLI, the project's
own error types (with the same message) from the API."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from test_cli import InProcess, assert_one_line_error

from cogov_sim import CommunityModel, run_scenario
from cogov_sim.errors import ArgumentError, CogovError, ScenarioError

BINARY = bytes(range(128, 256)) * 4  # not UTF-8

EXPERIMENT = """
scenarios = ["administrative_led"]
months = 6
residents = 300
[design]
method = "factorial"
[parameters]
"levers.purchase_share" = [0.1, 0.3]
"""

HUGE = EXPERIMENT.replace('"levers.purchase_share" = [0.1, 0.3]',
                          "\n".join(f'"levers.{k}" = [{", ".join(str(i / 20) for i in range(20))}]'
                                    for k in ("purchase_share", "coordination", "directive_intensity", "responsiveness")))


def _read_only_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create things in (root ignores permission bits: use /sys)."""
    if os.geteuid() == 0:
        return Path("/sys/cogov-test")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    return folder / "out"


# (id, argv built from tmp_path, substrings of the one line)
def cli_cases(tmp_path: Path) -> list[tuple[str, list[str], tuple[str, ...]]]:
    afile = tmp_path / "a-file.txt"
    afile.write_text("x", encoding="utf-8")
    locked = _read_only_folder(tmp_path)
    (tmp_path / "binary.toml").write_bytes(BINARY)
    (tmp_path / "exp.toml").write_text(EXPERIMENT, encoding="utf-8")
    (tmp_path / "huge.toml").write_text(HUGE, encoding="utf-8")
    run = ["run", "cooperative", "--months", "2", "--residents", "100", "--quiet", "--no-plot"]
    sweep = ["sweep", str(tmp_path / "exp.toml"), "--quiet", "--in-process"]
    return [
        ("run_out_is_a_file", [*run, "--out", str(afile)], ("--out", "a-file.txt", "existing file", "a folder")),
        ("compare_out_is_a_file", ["run", "--months", "2", "--residents", "100", "--quiet", "--out", str(afile)],
         ("--out", "existing file")),
        ("sweep_out_is_a_file", [*sweep, "--out", str(afile)], ("--out", "existing file")),
        ("run_out_below_a_file", [*run, "--out", str(afile / "sub")], ("--out", "is a file, not a folder")),
        ("run_out_read_only", [*run, "--out", str(locked)], ("--out", "cannot write in", "a folder you can write to")),
        ("sweep_out_read_only", [*sweep, "--out", str(locked)], ("--out", "cannot write in")),
        ("months_nan", [*run, "--months", "nan"], ("--months", "nan", "not a whole number", "1–2400")),
        ("months_inf", [*run, "--months", "inf"], ("--months", "inf", "not a whole number")),
        ("months_fraction", [*run, "--months", "12.5"], ("--months", "12.5", "not a whole number")),
        ("seed_fraction", [*run, "--seed", "1.5"], ("--seed", "1.5", "not a whole number")),
        ("seed_text", [*run, "--seed", "abc"], ("--seed", "'abc'", "not a whole number")),
        ("seed_too_big", [*run, "--seed", str(2**64)], ("--seed", "out of range", "9,223,372,036,854,775,807")),
        ("residents_huge", [*run, "--residents", "1e9"], ("--residents", "1000000000", "out of range")),
        ("conf_level_2", ["sensitivity", str(tmp_path), "--conf-level", "2"], ("--conf-level", "2", "0.5–0.999")),
        ("conf_level_nan", ["sensitivity", str(tmp_path), "--conf-level", "nan"], ("--conf-level", "not a number")),
        ("run_timeout_negative", [*sweep, "--run-timeout", "-1"], ("--run-timeout", "-1", "out of range")),
        ("binary_scenario", ["run", str(tmp_path / "binary.toml"), "--quiet"], ("binary.toml", "not UTF-8", "UTF-8")),
        ("binary_experiment", ["sweep", str(tmp_path / "binary.toml"), "--quiet"], ("binary.toml", "not UTF-8")),
        ("huge_design", ["sweep", str(tmp_path / "huge.toml"), "--quiet", "--out", str(tmp_path / "h")],
         ("huge.toml", "160,000 runs", "about", "allowed without --yes: 100,000", "--yes")),
    ]


CASE_NAMES = ["run_out_is_a_file", "compare_out_is_a_file", "sweep_out_is_a_file", "run_out_below_a_file",
              "run_out_read_only", "sweep_out_read_only", "months_nan", "months_inf", "months_fraction",
              "seed_fraction", "seed_text", "seed_too_big", "residents_huge", "conf_level_2", "conf_level_nan",
              "run_timeout_negative", "binary_scenario", "binary_experiment", "huge_design"]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_bad_command_line_input_is_one_line_exit_2(name: str, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    cases = {c[0]: c for c in cli_cases(tmp_path)}
    assert set(cases) == set(CASE_NAMES)
    _, argv, parts = cases[name]
    start = time.monotonic()
    assert_one_line_error(InProcess(argv, capsys), *parts)
    assert time.monotonic() - start < 30
    assert not (tmp_path / "h").exists() and not (tmp_path / "runs").exists()


@pytest.mark.parametrize("name", ["run_out_is_a_file", "binary_scenario", "huge_design"])
def test_bad_input_through_the_console_script(name: str, cogov, tmp_path: Path) -> None:
    _, argv, parts = {c[0]: c for c in cli_cases(tmp_path)}[name]
    assert_one_line_error(cogov(*argv, script=True), *parts)


def test_a_broken_file_on_the_scenario_path_does_not_stop_the_listing(cogov, tmp_path: Path, monkeypatch,
                                                                      capsys) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "broken.toml").write_bytes(BINARY)
    (extra / "halfway.toml").write_text('description = "x\n', encoding="utf-8")
    monkeypatch.setenv("COGOV_SCENARIO_PATH", str(extra))
    listing = InProcess(["scenarios"], capsys)
    assert listing.returncode == 0 and "Traceback" not in listing.stderr
    assert "broken" in listing.stdout and "cooperative" in listing.stdout
    assert_one_line_error(InProcess(["run", "broken", "--quiet"], capsys), "broken.toml", "not UTF-8")


def test_integral_floats_are_whole_numbers_everywhere(tmp_path: Path, capsys) -> None:
    """13.0 is 13 in a file, on the command line and in the API; 13.5 is refused in all three."""
    path = tmp_path / "f.toml"
    path.write_text('extends = "cooperative"\nmonths = 3.0\n[population]\nresidents = 200.0\n', encoding="utf-8")
    out = tmp_path / "out"
    assert InProcess(["run", str(path), "--months", "2.0", "--seed", "1e0", "--out", str(out), "--quiet", "--no-plot"],
                     capsys).returncode == 0
    cli_summary = __import__("pandas").read_parquet(out / "summary.parquet")
    api = run_scenario(path, seed=np.float64(1.0), months=np.int32(2), residents=200.0)
    assert int(cli_summary["months"].iloc[0]) == int(api.summary["months"].iloc[0]) == 2
    assert cli_summary["coverage"].iloc[0] == api.summary["coverage"].iloc[0]
    assert isinstance(CommunityModel(path, seed=3.0, residents=np.float64(200)).seed, int)


# --------------------------------------------------------------------------- the Python API
NAN, INF = math.nan, math.inf

#: (id, function, keyword arguments, error type, substrings of the message)
API_CASES = [
    ("seed_negative", run_scenario, {"seed": -1}, ArgumentError, ("seed", "-1", "out of range", "0–9,223,372")),
    ("seed_fraction", run_scenario, {"seed": 1.5}, ArgumentError, ("seed", "1.5", "not a whole number")),
    ("seed_string", run_scenario, {"seed": "3"}, ArgumentError, ("seed", "'3'", "not a whole number")),
    ("seed_none", run_scenario, {"seed": None}, ArgumentError, ("seed", "None", "not a whole number")),
    ("seed_bool", run_scenario, {"seed": True}, ArgumentError, ("seed", "True", "not a whole number")),
    ("seed_nan", run_scenario, {"seed": NAN}, ArgumentError, ("seed", "nan", "not a whole number")),
    ("seed_list", run_scenario, {"seed": [1, 2]}, ArgumentError, ("seed", "[1, 2]", "not a whole number")),
    ("months_fraction", run_scenario, {"months": 13.5}, ArgumentError, ("months", "13.5", "1–2400")),
    ("months_nan", run_scenario, {"months": NAN}, ArgumentError, ("months", "nan", "not a whole number")),
    ("months_inf", run_scenario, {"months": INF}, ArgumentError, ("months", "inf", "not a whole number")),
    ("months_zero", run_scenario, {"months": 0}, ScenarioError, ("months", "0", "out of range", "1–2400")),
    ("months_string", run_scenario, {"months": "12"}, ArgumentError, ("months", "'12'", "not a whole number")),
    ("residents_small", run_scenario, {"residents": 10}, ScenarioError,
     ("residents", "population.residents = 10", "50–1,000,000")),
    ("residents_numpy_nan", run_scenario, {"residents": np.float64("nan")}, ArgumentError,
     ("residents", "nan", "not a whole number")),
    ("overrides_list", run_scenario, {"overrides": [("levers.council", True)]}, ArgumentError,
     ("overrides", "list", "not a mapping", "dict")),
    ("overrides_string", run_scenario, {"overrides": "levers.council"}, ArgumentError, ("overrides", "not a mapping")),
    ("overrides_int_key", run_scenario, {"overrides": {3: 1}}, ArgumentError, ("overrides", "key 3", "not a string")),
    ("overrides_tuple_key", run_scenario, {"overrides": {("levers", "council"): True}}, ArgumentError,
     ("overrides", "not a string")),
    ("overrides_nan", run_scenario, {"overrides": {"levers.budget_per_resident": NAN}}, ScenarioError,
     ("levers.budget_per_resident", "nan", "0–500")),
    ("overrides_nan_int", run_scenario, {"overrides": {"population.residents": NAN}}, ScenarioError,
     ("population.residents", "nan", "whole number")),
    ("overrides_bool_nan", run_scenario, {"overrides": {"levers.council": NAN}}, ScenarioError,
     ("levers.council", "nan", "true or false")),
    ("overrides_unknown", run_scenario, {"overrides": {"levers.councl": True}}, ScenarioError,
     ("levers.councl", "did you mean 'council'")),
    ("overrides_no_group", run_scenario, {"overrides": {"council": True}}, ScenarioError,
     ("'council' is not a parameter",)),
    ("overrides_shares", run_scenario, {"overrides": {"population.share_youth": 0.9}}, ScenarioError,
     ("population.share_youth = 0.9", "share_youth + share_retiree <= 1")),
    ("model_seed_negative", CommunityModel, {"seed": -5}, ArgumentError, ("seed", "-5", "out of range")),
    ("model_seed_string", CommunityModel, {"seed": "x"}, ArgumentError, ("seed", "'x'", "not a whole number")),
    ("model_residents", CommunityModel, {"residents": 2_000_000}, ScenarioError,
     ("residents", "2000000", "out of range")),
    ("model_residents_fraction", CommunityModel, {"residents": 100.5}, ArgumentError,
     ("residents", "100.5", "not a whole number")),
]


@pytest.mark.parametrize(("function", "kwargs", "error", "parts"), [c[1:] for c in API_CASES],
                         ids=[c[0] for c in API_CASES])
def test_bad_api_arguments_raise_the_projects_errors_in_one_line(function, kwargs, error, parts) -> None:
    with pytest.raises(error) as caught:
        function("cooperative", **kwargs)
    assert isinstance(caught.value, CogovError)
    message = str(caught.value)
    assert "\n" not in message
    for part in parts:
        assert part in message, f"{part!r} missing from: {message}"


@pytest.mark.parametrize(("option", "value", "name"), [("--seed", "-1", "seed"), ("--months", "12.5", "months"),
                                                       ("--residents", "10.5", "residents")])
def test_api_and_cli_give_the_same_message(option: str, value: str, name: str, capsys) -> None:
    line = assert_one_line_error(InProcess(["run", "cooperative", option, value], capsys), option)
    with pytest.raises(ArgumentError) as caught:
        run_scenario("cooperative", **{name: float(value) if "." in value else int(value)})
    assert line.split(f"argument {option}: ", 1)[1].startswith(str(caught.value).split(f"{name}: ", 1)[1])


def test_api_errors_are_value_errors_too() -> None:
    """Code written against the raw exceptions (``except ValueError``) keeps working."""
    with pytest.raises(ValueError, match="seed"):
        run_scenario("cooperative", seed=-1)


@pytest.mark.parametrize("call", ["CommunityModel('cooperative', residents=100)",
                                  "run_scenario('cooperative', months=1, residents=100)"])
def test_python_api_runs_with_one_blas_thread(call: str) -> None:
    """In a fresh interpreter (as in a notebook), with BLAS allowed several threads beforehand."""
    code = ("from threadpoolctl import threadpool_info, threadpool_limits\n"
            "threadpool_limits(limits=2, user_api='blas')\n"
            "from cogov_sim import CommunityModel, run_scenario\n"
            f"{call}\n"
            "print(sorted({i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[1]", done.stdout + done.stderr
