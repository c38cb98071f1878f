"""The ``cogov`` command line: user errors are one line with exit code 2 and no traceback;
``scenarios`` lists every scenario; ``run`` writes its outputs or compares the four models."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import BAD_SCENARIOS, COGOV_SCRIPT, BadScenario

from cogov_sim.cli import REFERENCE_MODELS, main
from cogov_sim.run import run_scenario
from cogov_sim.scenario import available_scenarios, scenario_description


def assert_one_line_error(proc, *parts: str) -> str:
    """Exit code 2, nothing on stdout, exactly one line on stderr containing ``parts``."""
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert proc.stdout == ""
    for part in parts:
        assert part in lines[0], f"{part!r} missing from: {lines[0]}"
    return lines[0]


class InProcess:
    """The result of ``cli.main`` run in this process, shaped like a CompletedProcess."""

    def __init__(self, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
        try:
            self.returncode = main(argv)
        except SystemExit as exc:                            # argparse errors exit
            self.returncode = exc.code
        captured = capsys.readouterr()
        self.stdout, self.stderr = captured.out, captured.err


# ----------------------------------------------------------------------------- bad scenario files
#: One file of each kind of mistake goes through a real subprocess (exit code, stderr, no
#: traceback); every case also goes through ``cli.main`` in-process, which is much faster.
SUBPROCESS_CASES = ("unknown_lever", "wrong_type_bool", "out_of_range", "missing_file", "malformed_toml",
                    "unknown_event_kind", "circular_extends")


def _expected(case: BadScenario, main_path: Path) -> list[str]:
    return [p.replace("{main}", str(main_path)) for p in case.expect]


@pytest.mark.parametrize("case", [c for c in BAD_SCENARIOS if c.id in SUBPROCESS_CASES], ids=lambda c: c.id)
def test_bad_scenario_file_is_one_line_exit_2(case: BadScenario, cogov, tmp_path: Path):
    path = case.write(tmp_path)
    proc = cogov("run", path, "--months", "2", "--residents", "100", script=case.id == "unknown_lever")
    line = assert_one_line_error(proc, *_expected(case, path))
    assert line.startswith("cogov: error: ")


@pytest.mark.parametrize("case", BAD_SCENARIOS, ids=lambda c: c.id)
def test_bad_scenario_file_through_main_is_one_line_exit_2(case: BadScenario, tmp_path: Path, capsys):
    path = case.write(tmp_path)
    result = InProcess(["run", str(path), "--months", "2", "--residents", "100"], capsys)
    assert_one_line_error(result, *_expected(case, path))


def test_every_kind_of_mistake_goes_through_a_subprocess():
    assert set(SUBPROCESS_CASES) <= {c.id for c in BAD_SCENARIOS}


def test_unknown_scenario_name_is_one_line(capsys):
    assert_one_line_error(InProcess(["run", "cooperatve"], capsys), "cooperatve", "did you mean 'cooperative'")


def test_circular_extends_by_relative_path_is_one_line(tmp_path: Path, monkeypatch, capsys):
    (tmp_path / "a.toml").write_text('extends = "b"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(InProcess(["run", "a.toml", "--months", "1"], capsys), "circular")


# ----------------------------------------------------------------------------- bad arguments
BAD_ARGUMENTS = [
    (["run", "cooperative", "--months", "abc"], ("--months", "'abc'", "whole number")),
    (["run", "cooperative", "--residents", "5"], ("--residents", "5", "out of range", "50")),
    (["run", "--months", "0"], ("--months", "0", "out of range")),
    (["run", "cooperative", "--seed", "-3"], ("--seed",)),
    (["run", "cooperative", "--bogus"], ("--bogus",)),
    (["frobnicate"], ("frobnicate",)),
    ([], ("command",)),
]
BAD_ARGUMENT_IDS = ["months_abc", "residents_5", "months_0", "negative_seed", "unknown_option", "unknown_command",
                    "no_command"]


@pytest.mark.parametrize(("args", "parts"), BAD_ARGUMENTS[:2], ids=BAD_ARGUMENT_IDS[:2])
def test_bad_arguments_are_one_line_exit_2(args, parts, cogov):
    assert_one_line_error(cogov(*args), *parts)


@pytest.mark.parametrize(("args", "parts"), BAD_ARGUMENTS, ids=BAD_ARGUMENT_IDS)
def test_bad_arguments_through_main_are_one_line_exit_2(args, parts, capsys):
    assert_one_line_error(InProcess(args, capsys), *parts)


# ----------------------------------------------------------------------------- commands
def test_scenarios_lists_every_scenario_with_its_description(cogov):
    assert COGOV_SCRIPT.is_file(), "the `cogov` console script is not installed"
    proc = cogov("scenarios", script=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    shipped = available_scenarios()
    assert [line.split()[0] for line in lines] == list(shipped)
    for line, (name, path) in zip(lines, shipped.items(), strict=True):
        description = scenario_description(path)
        assert description and line.endswith(description), name


def test_run_writes_series_summary_survey_and_panel(cogov, tmp_path: Path):
    out = tmp_path / "out"
    proc = cogov("run", "cooperative", "--months", "12", "--residents", "300", "--seed", "4", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    expected = {f"{n}.{f}" for n in ("series", "summary", "survey") for f in ("parquet", "csv")} | {"panel.png"}
    assert {p.name for p in out.iterdir()} == expected
    series = pd.read_parquet(out / "series.parquet")
    assert len(series) == 12 and list(series["month"]) == list(range(1, 13))
    assert (series["residents"] == 300).all() and (series["scenario"] == "cooperative").all()
    pd.testing.assert_frame_equal(pd.read_csv(out / "series.csv"), series, check_dtype=False, atol=1e-9)
    summary = pd.read_parquet(out / "summary.parquet")
    assert len(summary) == 1 and summary["months"].iloc[0] == 12 and summary["seed"].iloc[0] == 4
    survey = pd.read_parquet(out / "survey.parquet")
    assert set(survey["year"]) == {1} and survey["share"].between(0, 1).all()
    assert (out / "panel.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "panel.png").stat().st_size > 10_000
    assert str(out) in proc.stdout and "7 files" in proc.stdout
    # another process (its own hash seed, its own imports) reproduces this process's run exactly
    here = run_scenario("cooperative", seed=4, months=12, residents=300)
    pd.testing.assert_frame_equal(series, here.series, check_dtype=False)
    pd.testing.assert_frame_equal(summary, here.summary, check_dtype=False)
    pd.testing.assert_frame_equal(survey, here.survey, check_dtype=False)


def test_run_without_scenario_compares_the_four_models(cogov, tmp_path: Path):
    proc = cogov("run", "--months", "12", "--residents", "300", "--quiet", "--out", tmp_path / "cmp")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""                                   # --quiet: no progress bar
    lines = proc.stdout.splitlines()
    header = next(line for line in lines if "outcome" in line)
    assert header.split()[-4:] == list(REFERENCE_MODELS)
    assert "300 residents" in proc.stdout and "12 months" in proc.stdout
    for label in ("needs met", "supply–demand mismatch", "RC admin share", "force synthesis efficiency"):
        assert any(line.strip().startswith(label) for line in lines), label
    table = pd.read_csv(tmp_path / "cmp" / "comparison.csv")
    assert list(table["scenario"]) == list(REFERENCE_MODELS)
    assert table["rc_admin_share"].iloc[0] > table["rc_admin_share"].iloc[2]   # the models really differ
