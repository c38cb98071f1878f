"""Policy workshops: the translation table, ``cogov compare`` (replications, intervals, report),
and the dashboard's :class:`Workshop` (models stepping together, shocks, lever changes)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_cli import InProcess, assert_one_line_error

from cogov_sim.cli import COMPARISON_ROWS, REFERENCE_MODELS
from cogov_sim.metrics import ACTORS, METRIC_NAMES
from cogov_sim.parameters import DOMAINS, Levers
from cogov_sim.scenario import EVENT_KINDS, available_scenarios, load_scenario
from cogov_sim.workshop import i18n
from cogov_sim.workshop.compare import (
    FORCE_COLUMNS,
    HEADLINE,
    OUTCOMES,
    analyse,
    force_components,
    mean_ci,
    run_comparison,
    validation_caveats,
    welch_ci,
)
from cogov_sim.workshop.dashboard import SHOCKS, Workshop
from cogov_sim.workshop.report import render_html, write_report

CJK = re.compile(r"[\u3400-\u9fff]")
GLOSSARY = Path(__file__).resolve().parents[1] / "docs" / "glossary.md"


# ----------------------------------------------------------------------------- translation table
def _names() -> list[tuple[str, str]]:
    return ([(o, "outcomes") for o in (*OUTCOMES, *HEADLINE, *(c for c, _, _ in COMPARISON_ROWS))]
            + [(f.name, "levers") for f in dataclasses.fields(Levers)]
            + [(s, "scenarios") for s in available_scenarios()] + [(k, "events") for k in EVENT_KINDS]
            + [(a, "forces") for a in ACTORS] + [(d, "domains") for d in DOMAINS])


@pytest.mark.parametrize(("key", "section"), _names(), ids=lambda v: str(v))
def test_every_name_a_workshop_sees_has_english_and_chinese(key: str, section: str):
    en, zh = i18n.label(key, "en", section), i18n.label(key, "zh", section)
    assert key in i18n.table()[section], f"{key} missing from [{section}] of labels.toml"
    assert CJK.search(zh), f"{key}: no Chinese in {zh!r}"
    assert not CJK.search(en), f"{key}: Chinese in the English label {en!r}"


def test_table_keys_are_real_names():
    known = {*METRIC_NAMES, *(f.name for f in dataclasses.fields(Levers)), *available_scenarios(), *EVENT_KINDS,
             *ACTORS, *DOMAINS, "main_line"}
    for section, entries in i18n.table().items():
        if section not in ("ui", "prim"):  # interface words, not code names
            assert set(entries) <= known, f"{section}: {sorted(set(entries) - known)}"


def test_chinese_labels_use_the_glossary_terms():
    """Where the glossary names a code item in Chinese, the item's label uses one of its terms.

    A name may stand in several rows (a lever and the rule it implements); the section listing
    the problems the model must show maps names to problems, not to their Chinese names.
    """
    terms: dict[str, set[str]] = {}
    section = ""
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or "Problems" in section:
            continue
        chinese = {t for t in re.split(r"[;/()（）,，\s†]+", cells[1]) if CJK.search(t)}
        for code in re.findall(r"`(\w+)`", cells[0]):
            terms.setdefault(code, set()).update(chinese)
    checked = [code for code, t in terms.items() if t and i18n.label(code, "zh") != code]
    for code in checked:
        zh = i18n.label(code, "zh")
        assert any(t in zh for t in terms[code]), f"{code}: {zh!r} has none of the glossary's {sorted(terms[code])}"
    assert len(checked) >= 20


def test_unknown_names_come_back_unchanged():
    assert i18n.label("a_new_outcome", "zh") == "a_new_outcome"


def test_matplotlib_gets_a_cjk_font_or_one_warning(capsys):
    if i18n.cjk_font() is None:
        assert i18n.use_cjk_font() is False
        assert len(capsys.readouterr().err.strip().splitlines()) == 1
    else:
        import matplotlib

        assert i18n.use_cjk_font() is True
        assert matplotlib.rcParams["font.sans-serif"][0] == i18n.cjk_font()


def test_without_a_cjk_font_figures_keep_english_labels_and_warn_once(monkeypatch, capsys):
    from cogov_sim.workshop import figures

    bands = pd.DataFrame({"scenario": "cooperative", "outcome": "coverage", "month": [1, 2], "mean": 0.3, "lo": 0.3,
                          "hi": 0.3})
    monkeypatch.setattr(i18n, "cjk_font", lambda: None)
    i18n.use_cjk_font.cache_clear()
    try:
        titles = [figures.series_figure(bands, ["cooperative"], ("coverage",), "zh").axes[0].get_title()
                  for _ in range(2)]
    finally:
        i18n.use_cjk_font.cache_clear()
    assert titles == [i18n.label("coverage", "en")] * 2                     # no boxes: English labels
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "fonts-noto-cjk" in err[0]


# ----------------------------------------------------------------------------- statistics
def test_intervals_match_scipy():
    rng = np.random.default_rng(1)
    a, b = rng.normal(1.0, 1.0, 12), rng.normal(0.2, 3.0, 9)
    m, lo, hi = mean_ci(a)
    ci = stats.ttest_1samp(a, 0).confidence_interval(0.95)
    assert (m, lo, hi) == pytest.approx((a.mean(), ci.low, ci.high))
    d, dlo, dhi = welch_ci(a, b)
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert (d, dlo, dhi) == pytest.approx((a.mean() - b.mean(), ci.low, ci.high))


def test_one_replication_has_no_interval():
    assert mean_ci(np.array([2.0])) == (2.0, 2.0, 2.0)


def test_forces_resolve_along_the_main_line():
    rng = np.random.default_rng(2)
    forces = rng.normal(0.0, 100.0, (len(ACTORS), 7))
    line = np.abs(rng.normal(size=7))
    line /= np.linalg.norm(line)
    row = {f"force_main_{a}": float(f @ line) for a, f in zip(ACTORS, forces, strict=True)}
    row |= {f"force_{a}": float(np.linalg.norm(f)) for a, f in zip(ACTORS, forces, strict=True)}
    f = force_components(row).set_index("actor")
    np.testing.assert_allclose(f["along"], forces @ line)
    np.testing.assert_allclose(f["across"], np.linalg.norm(forces - np.outer(forces @ line, line), axis=1))
    # an actor pulling against the main line shows as opposition (negative along)
    row[f"force_main_{ACTORS[1]}"] = -abs(row[f"force_main_{ACTORS[1]}"])
    assert force_components(row).set_index("actor").loc[ACTORS[1], "along"] < 0


def test_validation_caveats_name_outcomes_whose_contrast_does_not_hold(tmp_path: Path):
    report = tmp_path / "v.md"
    report.write_text("### S9. Test pattern — partly\n\n| claim | metric | window | effect | estimate | 95% | result |\n"
                      "| x highest | `coverage` | m | a − b | 0.1 | [0, 1] | holds |\n"
                      "| y lowest | `mismatch` | m | a − b | 0.1 | [-1, 1] | *inconclusive* |\n"
                      "| z \\| w | `so_count` | m | a − b | -0.1 | [-1, -0.5] | **reversed** |\n", encoding="utf-8")
    assert validation_caveats(report) == {"mismatch": ["S9 y lowest: inconclusive"],
                                          "so_count": ["S9 z | w: reversed"]}
    real = validation_caveats()
    assert real and set(real) <= set(METRIC_NAMES)


# ----------------------------------------------------------------------------- cogov compare
@pytest.fixture(scope="module")
def small_comparison(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    cmp = run_comparison(["co_governance", "administrative_led"], out, seeds=4, residents=300, months=24,
                         baseline="administrative_led", workers=0, quiet=True)
    return cmp, out


@pytest.mark.xdist_group("workshop")
def test_compare_gives_means_intervals_and_differences(small_comparison):
    cmp, _ = small_comparison
    assert cmp.scenarios == ["administrative_led", "co_governance"] and cmp.seeds == 4
    assert len(cmp.summary) == 8 and cmp.months == 24 and cmp.residents == 300
    t = cmp.table.set_index(["outcome", "scenario"])
    assert (t["lo"] <= t["mean"]).all() and (t["mean"] <= t["hi"]).all()
    admin = t.loc[("rc_admin_share", "co_governance")]
    assert admin["diff_hi"] < 0                       # the co-governance RC does far less administration
    assert t.loc[("participation_any", "co_governance"), "diff_lo"] > 0
    assert np.isnan(t.loc[("coverage", "administrative_led"), "diff"])       # no difference from itself
    bands = cmp.bands[cmp.bands["outcome"] == "coverage"]
    assert set(bands["month"]) == set(range(1, 25)) and (bands["lo"] <= bands["hi"]).all()
    assert set(cmp.forces["actor"]) == set(ACTORS)


@pytest.mark.xdist_group("workshop")
def test_compare_resumes_without_rerunning(small_comparison):
    cmp, out = small_comparison
    chunks = sorted((out / "runs" / "summary").glob("*.parquet"))
    again = run_comparison(["co_governance", "administrative_led"], out, seeds=4, residents=300, months=24,
                           baseline="administrative_led", workers=0, quiet=True)
    assert sorted((out / "runs" / "summary").glob("*.parquet")) == chunks
    pd.testing.assert_frame_equal(again.table, cmp.table)


@pytest.mark.xdist_group("workshop")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_is_self_contained_and_bilingual(small_comparison, tmp_path: Path, lang: str):
    cmp, _ = small_comparison
    paths = write_report(cmp, tmp_path, lang)
    names = {p.name for p in paths}
    assert {"report.html", "comparison.csv", "bands.csv", "forces.csv", "outcomes.png", "outcomes.svg",
            "forces.png", "forces.svg"} <= names
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import""", page)
    assert page.count("<img") == 2 and page.count("data:image/svg+xml;base64,") == 2
    assert i18n.label("co_governance", lang) in page and i18n.label("rc_admin_share", lang) in page
    assert bool(CJK.search(re.sub(r"data:[^\"]+", "", page))) == (lang == "zh")
    if "coverage" in cmp.caveats:
        assert "⚠" in page


def test_report_of_one_seed_says_so():
    summary = pd.DataFrame({"scenario": ["a", "b"], "months": 12, **{o: [0.1, 0.2] for o in OUTCOMES},
                            **{c: [1.0, 2.0] for c in FORCE_COLUMNS}})
    series = pd.DataFrame({"scenario": ["a", "b"], "month": 1, **{o: [0.1, 0.2] for o in HEADLINE}})
    page = render_html(analyse(summary, series, ["a", "b"], "a"), "en")
    assert i18n.ui("one_seed", "en") in page and "cogov compare" in page


@pytest.mark.xdist_group("workshop")
def test_compare_command_prints_table_and_writes_report(cogov, tmp_path: Path):
    proc = cogov("compare", "administrative_led", "cooperative", "--seeds", "2", "--residents", "200", "--months",
                 "13", "--workers", "0", "--lang", "zh", "--quiet", "--out", tmp_path / "c")
    assert proc.returncode == 0, proc.stderr
    assert "合作型" in proc.stdout and "需求满足率" in proc.stdout
    assert (tmp_path / "c" / "report.html").is_file()


@pytest.mark.parametrize(("args", "parts"), [
    (["compare", "cooperative"], ["2–4 scenarios", "got 1"]),
    (["compare", "cooperative", "autonomous", "--baseline", "chengdu"], ["--baseline", "chengdu"]),
    (["compare", "cooperative", "cooperative"], ["listed twice"]),
    (["compare", "cooperative", "autonomous", "--seeds", "1"], ["--seeds", "allowed 2"]),
    (["compare", "cooperative", "autonomous", "--lang", "fr"], ["--lang", "fr"]),
    (["compare", "cooperatve", "autonomous"], ["did you mean 'cooperative'"]),
    (["dashboard", "cooperative"], ["2–4 scenarios", "got 1"]),
    (["dashboard", "cooperative", "autonomus"], ["did you mean 'autonomous'"]),
    (["dashboard", "--port", "80"], ["--port", "allowed 1024"]),
])
def test_bad_workshop_arguments_are_one_line(args: list[str], parts: list[str], tmp_path: Path, capsys):
    out = ["--out", str(tmp_path / "x")] if args[0] == "compare" else []
    assert_one_line_error(InProcess([*args, *out], capsys), *parts)


def test_run_without_scenario_says_it_is_one_seed(capsys):
    result = InProcess(["run", "--months", "2", "--residents", "100", "--quiet"], capsys)
    assert result.returncode == 0
    assert "ONE seed" in result.stdout and f"cogov compare {' '.join(REFERENCE_MODELS)}" in result.stdout


# ----------------------------------------------------------------------------- the dashboard's models
def _twins(scenario: str = "cooperative") -> tuple[Workshop, Workshop]:
    return Workshop([scenario, "administrative_led"], seed=3, residents=400), Workshop(
        [scenario, "administrative_led"], seed=3, residents=400)


def test_models_step_together_on_the_same_population():
    w = Workshop(["cooperative", "administrative_led"], seed=5, residents=300)
    for _ in range(3):
        w.step()
    assert w.month == 3 and [m.month for m in w.models] == [2, 2]
    assert w.rows[0][0]["residents"] == w.rows[1][0]["residents"] == 300
    assert w.rows[0][-1]["rc_admin_share"] < w.rows[1][-1]["rc_admin_share"]
    old = list(w.models)
    w.reset()
    assert w.month == 0 and w.series().empty and not set(map(id, w.models)) & set(map(id, old))


@pytest.mark.parametrize("kind", list(SHOCKS))
def test_every_shock_changes_the_running_models(kind: str):
    shocked, twin = _twins()
    for w in (shocked, twin):
        for _ in range(3):
            w.step()
    shocked.fire(kind)
    for w in (shocked, twin):
        for _ in range(4):
            w.step()
    before = pd.DataFrame(shocked.rows[0][:3]).equals(pd.DataFrame(twin.rows[0][:3]))
    after = pd.DataFrame(shocked.rows[0][3:]).equals(pd.DataFrame(twin.rows[0][3:]))
    assert before and not after


def test_emergency_lowers_needs_met_and_budget_cut_lowers_spending():
    shocked, twin = _twins()
    for w in (shocked, twin):
        for _ in range(2):
            w.step()
    shocked.fire("emergency")
    shocked.fire("budget_cut")
    for w in (shocked, twin):
        for _ in range(4):
            w.step()
    s, t = pd.DataFrame(shocked.rows[0][2:]), pd.DataFrame(twin.rows[0][2:])
    assert s["coverage"].mean() < t["coverage"].mean()
    assert s["public_spending"].mean() < t["public_spending"].mean()


def test_a_lever_change_switches_the_running_model():
    switched, twin = _twins("administrative_led_grid")
    for w in (switched, twin):
        w.step()
    switched.set_lever(0, "council", True)
    switched.set_lever(0, "admin_load", 0.2)          # a second change in the same month keeps the first
    for w in (switched, twin):
        for _ in range(6):
            w.step()
    assert switched.levers(0)["council"] is True and switched.models[0].levers.council is True
    assert switched.models[0].levers.admin_load == pytest.approx(0.2)
    s, t = pd.DataFrame(switched.rows[0][1:]), pd.DataFrame(twin.rows[0][1:])
    assert s["participation_deliberation"].mean() > t["participation_deliberation"].mean()
    assert s["rc_admin_share"].iloc[-1] < t["rc_admin_share"].iloc[-1]
    assert pd.DataFrame(switched.rows[1]).equals(pd.DataFrame(twin.rows[1]))          # the other model untouched


def test_a_lever_change_keeps_a_scheduled_switch():
    """After the scenario's own regime switch, changing one lever keeps the others where the switch put them."""
    w = Workshop(["transition"], seed=2, residents=200)
    before, after = load_scenario("administrative_led").levers, load_scenario("cooperative").levers
    assert before.admin_load != after.admin_load
    for _ in range(30):                                # the switch starts at month 24, ramped over 24 months
        w.step()
    assert w.levers(0)["admin_load"] == pytest.approx(after.admin_load)   # the sliders show where it is going
    w.set_lever(0, "grassroots_support", 500.0)
    w.step()
    assert w.models[0].levers.admin_load == pytest.approx(after.admin_load)
    assert w.models[0].levers.grassroots_support == pytest.approx(500.0)


def test_what_is_on_screen_makes_a_one_seed_report(tmp_path: Path):
    w = Workshop(["cooperative", "autonomous"], seed=1, residents=200)
    for _ in range(14):
        w.step()
    cmp = w.comparison()
    assert cmp.seeds == 1 and cmp.months == 14
    write_report(cmp, tmp_path, "zh")
    assert "单一随机种子" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_differences_are_signed_in_the_outcomes_units():
    from cogov_sim.workshop.report import format_diff, format_value

    assert format_diff("coverage", 0.0512) == "+5.1"                     # percentage points (the cell adds "pp")
    assert format_diff("public_spending", -1e-9) == "+0"                  # no "-0"
    assert format_diff("mismatch", -0.0123) == "-0.012"
    assert format_value("coverage", 0.4567) == "45.7%" and format_value("coverage", float("nan")) == "–"
