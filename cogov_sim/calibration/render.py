"""docs/validation.md as Markdown, from a :class:`~cogov_sim.calibration.validation.ValidationResult`.

Every number in the text is read from the result (measured values, the calibration record,
the scenarios' parameters) or from the procedure's constants; none is typed into the prose.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import patterns as P
from .identifiability import MIN_EFFECT_PP, RELATIVE_THRESHOLD, constrained_by, parameter_roles
from .procedure import FULL, QUICK
from .render_reform import reform_section, robustness_section
from .sampling import FIT_PARAMETERS, SCREEN_PARAMETERS
from .targets import (
    CALIBRATION_SCENARIO,
    DESCRIPTIONS,
    RUN_MONTHS,
    SURVEY_YEARS,
    TARGET_IDS,
    TARGETS,
    TOLERANCE_PP,
    format_target_table,
)
from .unconstrained import registry
from .validation import ValidationResult


# ---------------------------------------------------------------------------------- markdown helpers
def md_table(rows: Sequence[Sequence[Any]], header: Sequence[str], align: str | None = None) -> str:
    """A GitHub-flavoured Markdown table."""
    align = align or "l" + "r" * (len(header) - 1)
    sep = ["---:" if a == "r" else ":---:" if a == "c" else "---" for a in align]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    for row in rows:
        out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
    return "\n".join(out)


def _num(x: float, digits: int = 3) -> str:
    if x is None or not np.isfinite(x):
        return "—"
    if abs(x) >= 10:
        return f"{x:,.1f}"
    return f"{x:.{digits}g}" if abs(x) < 0.01 and x != 0 else f"{x:.{digits}f}"


STATUS_MARK = {"holds": "holds", "reversed": "**reversed**", "inconclusive": "*inconclusive*"}

#: What the sources claim for each pattern (sources §), shown above its table.
PATTERN_TITLES = {
    "S1": ("Administrative-led (sources §4.1; sources §3, §5.1, §5.3, §5.4)",
           "Strong push, fast visible progress, but tasks flow down to the RC (heavy burden), SOs are crowded out "
           "and treated as subordinates, top-down supply mismatches demand and costs the most."),
    "S2": ("Autonomous without enough support: \"new shoes, old road\" (sources §4.2)",
           "The self-governance institutions exist (council, 议行分离) but without support behaviour drifts back to the "
           "administrative pattern; with support (还权、增能, funds, burden reduction) it does not."),
    "S3": ("Cooperative (sources §4.3, §4.5)",
           "Funds follow tasks and services are purchased from SOs: the RC is relieved, SOs grow, mismatch and "
           "cost fall."),
    "S4": ("Co-construction, co-governance, sharing (sources §4.4; sources §2 force synthesis)",
           "A fund residents decide switches participation on; the four forces align on a main line; sharing "
           "improves equity."),
    "S5": ("Grid management (sources §4.5)",
           "Fast detection and handling in the short run; high running cost; administrative power sinks down and "
           "suppresses self-governance and self-organisation in the long run."),
    "S6": ("Transition administrative-led → cooperative (sources §4.3 gradual path)",
           "Outcomes move gradually; trust and participation lag the lever change."),
}

def mechanism_notes(result: ValidationResult) -> dict[tuple[str, str], str]:
    """Shown under a claim that does not hold: which mechanism would have to differ for it to emerge.
    Keyed by (pattern, metric); the numbers come from the result's facts and the scenarios."""
    f = result.facts
    late, early, prm = f["long"], f["year_1"], f["params"]
    adm, aut, coop, cog = P.REFERENCE
    window = P._fmt_window(P.LONG_RUN)
    cost = (f"Administrative-led meets a unit of need for {late.loc[adm, 'cost_per_met_need']:.1f} CNY and cooperative "
            f"for {late.loc[coop, 'cost_per_met_need']:.1f} in {window}: RC and work-station staff are paid (ODD §7.17), "
            "the reformed models pay for self-governance hours that meet no service need, and administrative-led gets "
            "department services from its admin hours and pooled department money (sources §7.6–§7.7). The sources call "
            "it costly in burden, mismatch and dependence (sources §7.7.3), not per unit; for this claim to emerge, "
            "self-governance hours would have to meet needs, or admin hours deliver fewer services than assumed "
            "(`admin_service_share`).")
    return {
        ("S1", "so_professional"): (
            f"Administrative-led and autonomous have almost no registered professional SOs "
            f"({late.loc[adm, 'so_professional']:.2f} and {late.loc[aut, 'so_professional']:.2f} in {window}): with "
            f"{prm[adm]['purchase_share']:.0%} and {prm[aut]['purchase_share']:.0%} of the service budget tendered, the "
            "street's unabsorbed money in a domain seldom reaches one entry lot (M7 tender market entry, street-wide), and "
            "grassroots groups rarely register; both counts are near zero, so \"fewest\" does not separate them."),
        ("S1", "so_government_share"): (
            f"Administrative-led SOs are grassroots groups living on the street's in-kind activity money (government share "
            f"{late.loc[adm, 'so_government_share']:.2f} of their income), while cooperative's professional SOs live on "
            f"purchase contracts ({late.loc[coop, 'so_government_share']:.2f}). Dependence under administrative-led shows "
            "in who sets the SOs' agenda (以政代社, sources §7.5.2: the agenda comparison above), not in income shares."),
        ("S1", "coverage"): (
            f"In the first year administrative-led covers {early.loc[adm, 'coverage']:.1%} of need, above autonomous "
            f"({early.loc[aut, 'coverage']:.1%}) and cooperative ({early.loc[coop, 'coverage']:.1%}) thanks to pooled "
            "department money and department services (sources §7.6–§7.7), but not distinguishably above co-governance "
            f"({early.loc[cog, 'coverage']:.1%}), whose fund is the city's new money on top of the same street budget "
            "(sources §7.9)."),
        ("S1", "cost_per_met_need"): cost,
        ("S3", "cost_per_met_need"): cost,
        ("S1", "public_spending"): (
            f"Co-governance spends {late.loc[cog, 'public_spending']:,.0f} CNY a month against administrative-led's "
            f"{late.loc[adm, 'public_spending']:,.0f}: the city pays each community's participatory fund on top of the "
            "street budget (sources §7.9), which outweighs the departments' pooled money (sources §7.7.3)."),
        ("S4", "opposition_share"): (
            f"Co-governance RCs still spend {late.loc[cog, 'rc_admin_share']:.0%} of their hours on administrative work "
            f"(cooperative {late.loc[coop, 'rc_admin_share']:.0%}): the Chengdu scenario returns power and adds capacity "
            "but has no work station and no funds following tasks (sources §4.4), so more push-down counts against "
            "self-governance (ODD §7.13); its residents' larger effort along the main line only offsets it, and the "
            "two models' opposition shares tie."),
    }


def _claims_table(cs: Sequence[P.Comparison]) -> str:
    rows = []
    for c in cs:
        hi = _num(c.hi) if np.isfinite(c.hi) else "—"
        rows.append([c.claim, f"`{c.metric}`", c.window, c.comparison, _num(c.effect), f"[{_num(c.lo)}, {hi}]",
                     STATUS_MARK.get(c.status, c.status)])
    return md_table(rows, ["claim", "metric", "window", "effect", "estimate", "95% interval", "result"], "lllllrl")


def _interpretation(result: ValidationResult) -> dict[str, str]:
    """Short data-driven readings per pattern."""
    f = result.facts
    m, y1, y10 = f["long"], f["year_1"], f["last_year"]
    window = P._fmt_window(P.LONG_RUN)
    out = {}
    adm = m.loc["administrative_led"]
    out["S1"] = (f"Administrative-led RCs spend {adm['rc_admin_share']:.0%} of their hours on administrative work "
                 f"and are overloaded by {adm['rc_overload']:.0%} beyond their hours; its social organisations are "
                 f"grassroots groups ({adm['so_count'] - adm['so_professional']:.2f} on average in {window}, "
                 f"{adm['so_professional']:.2f} professional) whose agenda government sets "
                 f"({adm['so_agenda_dependence']:.0%}); supply mismatches need the most ({adm['mismatch']:.3f}); "
                 f"public cost per met unit {adm['cost_per_met_need']:.1f} CNY.")
    out["S2"] = (f"Autonomous RC autonomy: {y1.loc['autonomous', 'rc_autonomy']:.2f} in year 1 → "
                 f"{y10.loc['autonomous', 'rc_autonomy']:.2f} in the last year; with support: "
                 f"{y1.loc['autonomous_supported', 'rc_autonomy']:.2f} → "
                 f"{y10.loc['autonomous_supported', 'rc_autonomy']:.2f}.")
    coop = m.loc["cooperative"]
    out["S3"] = (f"Cooperative vs administrative-led in {window}: RC admin share {coop['rc_admin_share']:.0%} vs "
                 f"{adm['rc_admin_share']:.0%}; SO capacity {coop['so_capacity']:.0f} vs {adm['so_capacity']:.1f} "
                 f"units/month; mismatch {coop['mismatch']:.3f} vs {adm['mismatch']:.3f}; cost per met unit "
                 f"{coop['cost_per_met_need']:.1f} vs {adm['cost_per_met_need']:.1f} CNY.")
    cog = m.loc["co_governance"]
    out["S4"] = (f"Co-governance in {window}: {cog['participation_any']:.0%} take part in a month "
                 f"({cog['participation_public_affairs']:.0%} in public affairs), efficacy {cog['efficacy']:.2f}, "
                 f"force synthesis efficiency {cog['synthesis_efficiency']:.3f} (administrative-led "
                 f"{adm['synthesis_efficiency']:.3f}), share of effort against the main line "
                 f"{cog['opposition_share']:.1%} ({adm['opposition_share']:.1%}), Gini of coverage {cog['gini_coverage']:.3f} "
                 f"(cooperative {coop['gini_coverage']:.3f}).")
    grid = m.loc["administrative_led_grid"]
    out["S5"] = (f"With grid management ({window}): RC autonomy {grid['rc_autonomy']:.3f} vs "
                 f"{adm['rc_autonomy']:.3f}, volunteers {grid['volunteers']:.1f} vs {adm['volunteers']:.1f} per month, "
                 f"cost per met unit {grid['cost_per_met_need']:.1f} vs {adm['cost_per_met_need']:.1f} CNY.")
    lag = result.lags.set_index("metric")
    lever_t50 = lag["lever_t50"].iloc[0]
    text = ("The institutional outcomes follow the levers almost in step (RC admin share reaches 50% of its change "
            f"{lag.loc['rc_admin_share', 't50']:.0f} months after the switch began, the levers "
            f"{lever_t50:.0f}; "
            f"mismatch {lag.loc['mismatch', 't50']:.0f}). Participation reaches half its change "
            f"{lag.loc['participation_any', 't50']:.0f} months after the switch began because RC hours freed for "
            "outreach and activities act at once, but its last part takes years (belonging accumulates slowly, M4): "
            f"90% after {lag.loc['participation_any', 't90']:.0f} months. Trust lags most: 50% after "
            f"{lag.loc['trust_government', 't50']:.0f} months, 90% after {lag.loc['trust_government', 't90']:.0f}. "
            f"SO capacity grows last ({lag.loc['so_capacity', 't50']:.0f}/{lag.loc['so_capacity', 't90']:.0f} months): "
            "SOs must be founded and learn (M7).")
    pre, dip = f.get("trust_pre", float("nan")), f.get("trust_dip", float("nan"))
    if dip < pre - 0.005:
        text += (f" Trust in government first *falls* after the switch (year-2 mean {pre:.3f}, lowest {dip:.3f} in "
                 "the first year of the ramp) before rising; it was also still falling before the switch (the "
                 "status quo is not stationary), so the lag is measured from a moving baseline.")
    out["S6"] = text
    return out


def render(result: ValidationResult, figures: dict[str, Path], document: str | os.PathLike[str]) -> str:
    """The Markdown text of the report, linking ``figures`` relative to ``document`` (where it will be written)."""
    from .. import __version__

    meta, r = result.meta, result.runs
    here = Path(document).resolve().parent

    def fig(name: str, alt: str) -> str:
        if name not in figures:
            return ""
        return f"![{alt}]({Path(os.path.relpath(Path(figures[name]).resolve(), here)).as_posix()})"

    L: list[str] = []
    L += ["# Validation: calibration targets, identifiability and governance patterns", "",
          f"Generated by `cogov validate --report` on {result.date}, cogov-sim {__version__}; do not edit by hand. "
          "The calibration itself is re-run by `cogov calibrate`, which writes `scenarios/_calibration.toml` and "
          "`docs/calibration/`.", "",
          "Contents: [1 Calibration](#1-calibration) · [2 Identifiability](#2-identifiability) · "
          "[3 Governance patterns](#3-governance-patterns-pattern-oriented-validation) · "
          "[4 Targets for the reformed models](#4-targets-for-the-reformed-models-sources-8) · "
          "[5 Robustness of the contrasts](#5-robustness-of-the-contrasts) · "
          "[6 Things in the model that look wrong](#6-things-in-the-model-that-look-wrong) · "
          "[7 Reproducing](#7-reproducing)", ""]
    # 1 calibration
    L += ["## 1. Calibration", "",
          "**Targets** (ODD §1.2, sources §6): the simulated survey of the status quo (`administrative_led`) must "
          f"reproduce the sources' figures as the mean over seeds, each within ±{TOLERANCE_PP:g} percentage points.",
          "", "**Survey used.** The " + str(meta.get("calibration_survey", "")) + ". The first two years are "
          "left out because initial attitudes are drawn, not equilibrated, and RC autonomy settles under "
          "administrative pressure within about two years. The figure below shows the simulated survey year by "
          "year; the participation shares keep drifting slowly after year 5 (belonging and efficacy polarise), "
          "which is why the calibration window is fixed and documented rather than 'the last year of the run'.", "",
          "**Procedure** (`cogov_sim/calibration/procedure.py`). " + str(meta.get("calibration_procedure", "")), "",
          "**Distance**: " + str(meta.get("calibration_distance_definition", "")) + "; at the fitted values: "
          f"{meta.get('calibration_distance_pp', float('nan'))} pp (validation seeds).", ""]
    post = meta.get("calibration_posterior", {})
    abc = meta.get("calibration_abc", {})
    raw = result.artefacts.get("abc_posterior")
    raw = raw.set_index("parameter") if raw is not None else None
    rows = []
    for p in FIT_PARAMETERS:
        q = post.get(p.name, {})
        acc = (f"{_num(raw.loc[p.name, 'accepted_mean'])} ± {_num(raw.loc[p.name, 'accepted_sd'])}"
               if raw is not None and p.name in raw.index else "—")
        rows.append([f"`{p.name}`", p.informs, f"[{p.lo:g}, {p.hi:g}]", _num(result.behaviour.get(p.name, float("nan"))),
                     acc, f"{_num(q.get('mean', float('nan')))} ± {_num(q.get('sd', float('nan')))}",
                     f"[{_num(q.get('q05', float('nan')))}, {_num(q.get('q95', float('nan')))}]",
                     _num(q.get("contraction", float("nan")), 2)])
    L += ["**Fitted parameters** (written to `scenarios/_calibration.toml` [behaviour]; every scenario reads them "
          "through `_base.toml`):", "",
          md_table(rows, ["parameter", "mainly informs", "range searched", "fitted", "ABC accepted mean ± sd",
                          "regression-adjusted posterior mean ± sd", "adjusted 5–95%", "contraction"], "llcrrrrr"), "",
          f"The ABC tolerance is wide (ε = {abc.get('epsilon_pp', float('nan'))} pp: the "
          f"{abc.get('quantile', float('nan')):.0%} closest of the design points over a deliberately wide box), so "
          "the raw accepted sample is broad; the "
          "local-linear regression adjustment projects it onto the targets and gives the posterior spread used "
          "below. *Contraction* = 1 − adjusted posterior variance / prior (uniform) variance: near 1 the targets "
          "pin the parameter down (given the other parameters), near 0 they do not. The optimiser then moves from "
          "the posterior mean to the point that minimises the distance of the seed-averaged survey.", "",
          f"Other behavioural parameters are held at their values in the scenario files (`volunteer_intercept` = "
          f"{result.behaviour.get('volunteer_intercept', '—')}, `deliberation_intercept` = "
          f"{result.behaviour.get('deliberation_intercept', '—')} are assumptions recorded in the same file).", ""]
    t = result.targets
    rows = [[f"{x['target']}", x["description"], x["source"], f"{x['target_value']:.1%}", f"{x['mean']:.1%}",
             f"[{x['ci_low']:.1%}, {x['ci_high']:.1%}]", f"[{x['seed_p2_5']:.1%}, {x['seed_p97_5']:.1%}]",
             f"{x['error_pp']:+.1f}", "**pass**" if x["pass"] else "**FAIL**"] for x in t.to_dict("records")]
    L += [f"**Targets vs simulation** — re-simulated now with the committed values: `{CALIBRATION_SCENARIO}`, "
          f"{result.target_residents:,} residents, {len(result.target_runs)} seeds (0–{len(result.target_runs) - 1}), "
          f"survey years {SURVEY_YEARS[0]}–{SURVEY_YEARS[-1]} of a {RUN_MONTHS}-month run:", "",
          md_table(rows, ["id", "question", "source", "target", "simulated mean", "95% CI of mean",
                          "seeds 2.5–97.5%", "error (pp)", f"±{TOLERANCE_PP:g} pp"], "llllrrrrc"), "",
          fig("calibration_targets", "targets"), ""]
    tc = meta.get("calibration_transfer_check")
    if tc:
        L += [f"**Transfer check** (at the scenarios' default population, {tc.get('residents', 5000):,} residents, "
              f"{tc.get('seeds')} seeds): " + ", ".join(f"{k} {tc[k]:.1%}" for k in TARGET_IDS if k in tc)
              + " — the fit does not depend on the small calibration population.", ""]
    L += [fig("calibration_by_year", "targets by survey year"), "", fig("abc_posterior", "ABC posterior"), "",
          "Calibration record (`[meta]` of `scenarios/_calibration.toml`): "
          f"date {meta.get('calibration_date', '—')}, package {meta.get('package_version', '—')}, "
          f"{meta.get('calibration_runs', '—')} runs, {_record_seconds(meta)}.", ""]
    # 2 identifiability
    morris = result.artefacts.get("morris")
    L += ["## 2. Identifiability", ""]
    if morris is None:
        L += ["No Morris screening found in `docs/calibration/morris.csv`: run `cogov calibrate`.", ""]
    else:
        names = list(dict.fromkeys(morris["parameter"]))
        mm = morris.set_index(["parameter", "target"])
        rows = [[f"`{n}`" + ("" if mm.loc[(n, "T1"), "fitted"] else " (screened)"),
                 *[f"{mm.loc[(n, t), 'mu_star']:.1f} ± {mm.loc[(n, t), 'mu_star_conf']:.1f} (σ {mm.loc[(n, t), 'sigma']:.1f})"
                   for t in TARGET_IDS]] for n in names]
        seeds = meta.get("calibration_seeds", {}).get("morris", [])
        cfg = result.artefacts.get("info", {}).get("config", {})
        L += ["SALib Morris elementary effects (`cogov_sim/calibration/identifiability.py`): "
              f"{cfg.get('morris_trajectories', '')} trajectories, {cfg.get('morris_levels', 4)} levels, "
              "over the searched ranges (plus "
              + ", ".join(f"`{p.name}` in [{p.lo:g}, {p.hi:g}]" for p in SCREEN_PARAMETERS) + "), the other "
              f"parameters at the fitted values; each point is the mean over {len(seeds)} seeds (common random numbers). "
              "Cells: μ* ± 95% CI (σ), in percentage points of the target per move across the whole range.", "",
              md_table(rows, ["parameter", *TARGET_IDS], "lrrrrr"), "", fig("morris", "Morris"), ""]
        roles = parameter_roles(morris, result.artefacts.get("abc_posterior"))
        by_target = constrained_by(morris)
        L += [f"**Which parameters each target constrains** (μ* ≥ {RELATIVE_THRESHOLD:.0%} of the target's largest "
              f"and ≥ {MIN_EFFECT_PP:g} pp):", ""]
        L += [f"- **{t}** ({DESCRIPTIONS[t]}): " + (", ".join(f"`{p}`" for p in by_target.get(t, [])) or "none")
              for t in TARGET_IDS]
        rows = [[f"`{x['parameter']}`", x["moves"], _num(x["max_mu_star"], 1), _num(x["contraction"], 2), x["status"]]
                for x in roles.to_dict("records")]
        L += ["", md_table(rows, ["parameter", "moves", "max μ* (pp)", "ABC contraction", "reading"], "llrrl"), "",
              _identifiability_reading(morris, roles), ""]
        prof = result.artefacts.get("profile")
        if prof is not None and len(prof):
            rows = [[f"`{x['parameter']}`", f"{x['documented']:g}", f"{x['value']:g}", f"{x['distance_before']:.1f}",
                     f"{x['distance_after']:.1f}", *[_num(x[f"refit_{p.name}"]) for p in FIT_PARAMETERS[:4]],
                     f"{_max_error_pp(x):.1f}", "yes" if _max_error_pp(x) <= TOLERANCE_PP else "no"]
                    for x in prof.to_dict("records")]
            L += ["**Profiles of the screened weights.** Each weight is set away from its documented value and the "
                  "four participation parameters are re-fitted (Nelder–Mead, common random numbers, "
                  f"{int(prof['evaluations'].max())} evaluations at most, on the profile seeds; noise held). If every "
                  f"target is again within ±{TOLERANCE_PP:g} pp, T1–T5 cannot tell that value from the documented one "
                  "(a failed re-fit may also mean the optimiser's budget was too small, so 'no' is weaker evidence "
                  "than 'yes').", "",
                  md_table(rows, ["weight", "documented", "set to", "distance before", "after re-fit",
                                  *[f"re-fitted `{p.name}`" for p in FIT_PARAMETERS[:4]], "largest error (pp)",
                                  "targets still met"], "lrrrrrrrrrc"), "", _profile_reading(prof), ""]
    # 3 patterns
    L += ["## 3. Governance patterns (pattern-oriented validation)", "",
          f"Each reference scenario is run on the same {len(r.seeds)} seeds (the children of "
          f"`SeedSequence({r.root_seed}).spawn({len(r.seeds)})`; {r.residents:,} residents, {r.months} "
          "months; the same seed gives the same population and network in every scenario, so comparisons are "
          "paired). Effect sizes are differences of per-seed means over the window shown, with 95% intervals "
          "(paired Student t over seeds; bootstrap over seeds for S6 lags). A comparison *holds* when its interval "
          "lies entirely on the claimed side, is *reversed* when it lies entirely on the other side, and is "
          "*inconclusive* otherwise; 'highest/lowest' must hold against every other reference model and the "
          "weakest comparison (runner-up) is shown. Verdict: **emerges** = all comparisons hold, **partly** = "
          "some, **does not emerge** = none. Nothing was tuned to make a pattern appear.", ""]
    rows = [[v["pattern"], PATTERN_TITLES[v["pattern"]][0], f"{v['holds']}/{v['comparisons']}", f"**{v['verdict']}**"]
            for v in result.verdicts.to_dict("records")]
    L += [md_table(rows, ["", "pattern", "comparisons holding", "verdict"], "llcl"), ""]
    readings = _interpretation(result)
    figs = {"S1": ["s1_administrative_led", "s1_early_coverage"], "S2": ["s2_autonomy"], "S3": ["s3_cooperative"],
            "S4": ["s4_co_governance"], "S5": ["s5_grid_short", "s5_grid_long"], "S6": ["s6_transition"]}
    for v in result.verdicts.to_dict("records"):
        pat = v["pattern"]
        title, claim = PATTERN_TITLES[pat]
        cs = [c for c in result.comparisons if c.pattern == pat]
        L += [f"### {pat}. {title} — {v['verdict']}", "", f"*Claim.* {claim}", "", _claims_table(cs), "",
              readings.get(pat, ""), ""]
        if pat == "S6":
            lag = result.lags
            rows = [[f"`{x['metric']}`", _num(x["baseline"]), _num(x["final"]),
                     *[f"{x[f't{f}']:.0f} [{x[f't{f}_lo']:.0f}, {x[f't{f}_hi']:.0f}]" for f in (10, 50, 90)]]
                    for x in lag.to_dict("records")]
            rows.append(["levers", "", "", *[f"{lag[f'lever_t{f}'].iloc[0]:.0f}" for f in (10, 50, 90)]])
            L += [f"Months after the start of the switch (month {P.SWITCH_MONTH}) until each outcome covers 10/50/90% "
                  f"of its eventual change (months {P.PRE_SWITCH[0]}–{P.PRE_SWITCH[1]} → {P.LAST_YEAR[0]}–"
                  f"{P.LAST_YEAR[1]}; {P.SMOOTH_MONTHS}-month smoothing; bootstrap 95% interval):", "",
                  md_table(rows, ["outcome", "before (year 2)", "after (year 10)", "10%", "50%", "90%"], "lrrrrr"), ""]
        notes = [(c, mechanism_notes(result).get((pat, c.metric))) for c in cs if not c.holds]
        for c, note in notes:
            L += [f"> **Does not hold ({c.status}) — {c.claim}.** {c.detail}.", ">",
                  "> " + (note or "No mechanism note recorded for this comparison."), ""]
        L += [fig(name, name) for name in figs.get(pat, [])] + [""]
    # 4 reformed models' targets, 5 robustness of the contrasts
    L += reform_section(result.reform_targets, md_table)
    L += robustness_section(result.robustness, registry(), md_table)
    # 6 model remarks
    L += ["## 6. Things in the model that look wrong", "", *_model_remarks(result), ""]
    # 7 reproduce
    L += ["## 7. Reproducing", "", "```bash",
          f"cogov calibrate            # full calibration (up to {FULL.planned_runs():,} runs; last time "
          f"{_record_seconds(meta)}): writes scenarios/_calibration.toml",
          "                           #   and docs/calibration/*.csv; exit 0 when T1–T5 all pass",
          f"cogov calibrate --quick    # warm-started (last posterior box), up to {QUICK.planned_runs():,} runs; "
          "writes nothing unless --write",
          f"cogov validate --report    # this document and docs/figures/*.png ({len(r.seeds)} seeds × "
          f"{len(P.PATTERN_SCENARIOS)} scenarios)",
          "cogov validate --robustness   # the contrast-robustness table (scenarios/_robustness.csv), read by "
          "section 5 and `cogov run`",
          "```", "", "Both commands run their simulations on all cores (`--workers N`, `--in-process` or a Dask "
          "`--scheduler`; the results do not depend on it). "
          f"This report took {result.seconds:.0f} s ({result.executor}).", ""]
    return "\n".join(L)


def _identifiability_reading(morris: pd.DataFrame, roles: pd.DataFrame) -> str:
    """A few data-driven sentences on the Morris result."""
    mm = morris.set_index(["parameter", "target"])["mu_star"]
    parts = []
    others_t5 = max((mm.get((p, "T5"), 0.0) for p in dict.fromkeys(morris["parameter"])
                     if p != "staff_difficulty_noise"), default=0.0)
    zero_noise = all(mm.get(("staff_difficulty_noise", t), 0) < 1e-9 for t in ("T1", "T2", "T3", "T4"))
    if zero_noise:
        parts.append("`staff_difficulty_noise` acts on T5 only (the staff answers use the survey's own random "
                     f"stream), with μ* = {mm.get(('staff_difficulty_noise', 'T5'), float('nan')):.1f} pp; the "
                     f"participation parameters move T5 by at most {others_t5:.1f} pp over their whole ranges (through "
                     "the 'low resident participation' difficulty): T5 identifies the noise on its own, which is what "
                     "the 1-D T5 refinement of the procedure uses.")
    w1 = [p for p in dict.fromkeys(morris["parameter"]) if mm.get((p, "T1"), 0) > 0 and mm.get((p, "T2"), 0) < 1e-9
          and mm.get((p, "T3"), 0) < 1e-9 and mm.get((p, "T4"), 0) < 1e-9]
    if w1:
        parts.append(", ".join(f"`{p}`" for p in w1) + " moves T1 only (willingness is an answer, it does not feed "
                     "back into behaviour), so T1 pins it once `propensity_sd` and `belonging_weight` are set.")
    loose = roles[roles["status"] == "loosely constrained"]["parameter"].tolist()
    strong = roles[roles["status"] == "constrained"]["parameter"].tolist()
    parts.append("T2 and T3 together fix the location (`public_affairs_intercept`) and the spread (`propensity_sd`) "
                 "of the yearly participation counts; T4 fixes `activity_intercept` (which also moves T2/T3 a little, "
                 "because attending activities builds belonging); T1 then fixes `willingness_intercept`. Large σ "
                 "relative to μ* for the participation parameters means interactions (the belonging and peer "
                 "feedbacks), so the one-at-a-time effects depend on where the others sit.")
    if strong:
        parts.append("Well constrained by the targets: " + ", ".join(f"`{p}`" for p in strong) + ".")
    if loose:
        parts.append("Loosely constrained (they move targets, but the ABC posterior stays wide because they trade "
                     "off against another parameter on the same targets): " + ", ".join(f"`{p}`" for p in loose) + ".")
    screened = roles[~roles["fitted"] & (roles["moves"] != "—")]["parameter"].tolist()
    if screened:
        parts.append("The screened-only weights " + ", ".join(f"`{p}`" for p in screened) + " move the participation "
                     "targets as much as the intercepts do and in the same direction, so with five targets they are "
                     "at best partly separable from the intercepts; they are held at their documented values (not "
                     "fitted), and the profiles below test whether T1–T5 could tell another value apart.")
    return " ".join(parts)


def _max_error_pp(row: Any) -> float:
    """Largest |simulated − target| in pp over T1–T5 of a profile row."""
    return max(abs(100.0 * (float(row[t.id]) - t.value)) for t in TARGETS)


def _profile_reading(prof: pd.DataFrame) -> str:
    """One sentence per weight from the profiles."""
    parts = []
    for name, g in prof.groupby("parameter", sort=False):
        ok = g[g.apply(_max_error_pp, axis=1) <= TOLERANCE_PP]
        vals = " and ".join(f"{v:g}" for v in g["value"])
        if len(ok) == len(g):
            parts.append(f"`{name}` is **not identified** by T1–T5: at {vals} the intercepts and spread absorb it and "
                         "the targets are met as well, so its value is an assumption and results that depend on it "
                         "are conditional on it.")
        elif len(ok):
            parts.append(f"`{name}` is **loosely constrained**: of the values tried ({vals}) some still meet the "
                         "targets after re-fitting, others do not.")
        else:
            parts.append(f"`{name}` is **constrained** by T1–T5: neither {vals} meets the targets after re-fitting.")
    return " ".join(parts)


def _record_seconds(meta: dict[str, Any]) -> str:
    """How long the recorded calibration took, as recorded."""
    if "calibration_wall_seconds" in meta:
        return f"{float(meta['calibration_wall_seconds']) / 60:.0f} min"
    return f"{float(meta.get('calibration_cpu_seconds', float('nan'))) / 60:.0f} min CPU in one process"


def _model_remarks(result: ValidationResult) -> list[str]:
    """Observations on the model that the lead may want to look at (data-driven where possible)."""
    f = result.facts
    late, prm = f["long"], f["params"][CALIBRATION_SCENARIO]
    window = P._fmt_window(P.LONG_RUN)
    out = []
    adm = late.loc["administrative_led"]
    if adm["rc_admin_share"] > 0.99:
        out.append(f"- **RC hours fully absorbed under administrative-led** (M6, `allocate_rc_hours`, "
                   f"`administrative_load`): with `admin_load` {prm['admin_load']:g}, `directive_intensity` "
                   f"{prm['directive_intensity']:g} and `burden_reduction` {prm['burden_reduction']:g} the admin demand "
                   f"is {f['admin_demand']:.2f} of staff hours plus unfunded delegated tasks, so the RC's admin share "
                   f"is {adm['rc_admin_share']:.0%} and it has "
                   "no hours at all for outreach, activities, mediation or collecting needs. The sources say admin "
                   "work *crowds out* self-governance (sources §3), not that it leaves zero; with zero free hours T5 is decided "
                   "by the perception noise alone and every downstream RC channel (awareness from outreach, RC "
                   "mediation, need knowledge) is switched off in the status quo.")
    if adm["so_count"] < 0.5:
        out.append(f"- **SOs die out under administrative-led** ({adm['so_count']:.2f} on average in {window}, "
                   f"from {prm['initial_sos_per_community']} per community at the start; M7). "
                   "Karamay's figures (sources §6.5) show 497 SOs in 58 communities in a "
                   "district that is not described as cooperative; the status quo having almost no SOs makes "
                   "\"crowded out\" the only possible reading of sources §5.3 and leaves nothing for 以政代社 to act on.")
    gap = late.loc["autonomous", "rc_autonomy"] - late.loc["administrative_led", "rc_autonomy"]
    out.append(f"- **\"New shoes, old road\" is partial**: unsupported autonomous RCs lose autonomy over the run but "
               f"settle well above administrative-led ({gap:+.2f} in {window}), because the council and "
               f"residents' engagement give institutional support (M6 `institutional_support`: "
               f"+{f['council_support']:g} for a council, +{f['engagement_support']:g}·engagement). "
               "Whether that residual should vanish is a modelling choice for the lead.")
    if "t2_drift_pp" in f:
        out.append(f"- **No stationary state in the status quo**: the never-share of public affairs (T2) still moves "
                   f"by {f['t2_drift_pp']:+.1f} pp between the calibration years and year {f['last_survey_year']} "
                   "(belonging grows for participants and decays for the others, M4). The calibration is "
                   "therefore tied to a documented survey window.")
    return out


def write_report(result: ValidationResult, document: str | os.PathLike[str],
                 figures: str | os.PathLike[str]) -> list[Path]:
    """Write the report to ``document`` (atomically) and its figures into the folder ``figures``;
    return the paths (the document first)."""
    from .figures import draw_figures

    path = Path(document)
    drawn = draw_figures(result, figures)
    text = render(result, drawn, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return [path, *drawn.values()]


def terminal_summary(result: ValidationResult) -> str:
    """Terminal summary: the target table and the pattern verdicts."""
    r = result.runs
    lines = [f"Targets with the committed calibration ({CALIBRATION_SCENARIO}, {result.target_residents:,} residents, "
             f"{len(result.target_runs)} seeds, survey years {SURVEY_YEARS[0]}–{SURVEY_YEARS[-1]}):",
             format_target_table(result.targets), "",
             f"Governance patterns ({len(r.seeds)} seeds × {r.residents:,} residents × {r.months} months per scenario):",
             P.format_comparisons(result.comparisons), ""]
    for v in result.verdicts.to_dict("records"):
        lines.append(f"{v['pattern']}: {v['verdict'].upper()} ({v['holds']}/{v['comparisons']} comparisons hold)")
    if result.reform_targets is not None:
        lines.append("\nTargets for the reformed models (sources §8):")
        lines += [f"  {r['target']} {r['description']} [{r['role']}, {r['scenario']}]: {r['status']}"
                  + (f" (mean {r['mean']:.3g})" if np.isfinite(r["mean"]) else "")
                  for r in result.reform_targets.to_dict("records")]
    lines.append(f"\n{result.seconds:.0f} s ({result.executor})")
    return "\n".join(lines)
