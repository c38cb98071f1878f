"""The figures of docs/validation.md, drawn from a :class:`~cogov_sim.calibration.validation.ValidationResult`."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import patterns as P
from .sampling import FIT_PARAMETERS
from .targets import CALIBRATION_SCENARIO, DESCRIPTIONS, SURVEY_YEARS, TARGET_IDS, TARGETS, TOLERANCE_PP
from .validation import ValidationResult

#: Months shown by the short-run grid figure.
SHORT_RUN_PLOT = 36


def draw_figures(result: ValidationResult, folder: str | os.PathLike[str]) -> dict[str, Path]:
    """Draw every figure of the report into ``folder`` (PNG); return their paths by name."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}

    def save(fig, name: str) -> None:
        p = folder / f"{name}.png"
        fig.savefig(p, dpi=100)
        plt.close(fig)
        paths[name] = p

    # targets
    fig, ax = plt.subplots(figsize=(8, 4), constrained_layout=True)
    t = result.targets
    x = np.arange(len(t))
    ax.bar(x, 2 * TOLERANCE_PP / 100, bottom=t["target_value"] - TOLERANCE_PP / 100, width=0.6, color="0.85",
           label=f"target ± {TOLERANCE_PP:g} pp")
    ax.hlines(t["target_value"], x - 0.3, x + 0.3, color="k", label="target")
    runs = result.target_runs
    rng = np.random.default_rng(0)
    for i, tid in enumerate(TARGET_IDS):
        ax.plot(i + rng.uniform(-0.15, 0.15, len(runs)), runs[tid], ".", color="C0", alpha=0.35, ms=4)
    ax.errorbar(x, t["mean"], yerr=[t["mean"] - t["ci_low"], t["ci_high"] - t["mean"]], fmt="o", color="C3",
                capsize=4, label="simulated mean (95% CI)")
    ax.set_xticks(x, [f"{r['target']}\n" + textwrap.fill(DESCRIPTIONS[r["target"]], 24) for r in t.to_dict("records")],
                  fontsize=7)
    ax.set_ylabel("share of respondents")
    ax.set_title(f"Calibration targets vs simulation ({CALIBRATION_SCENARIO}, {len(runs)} seeds; dots = seeds)")
    ax.legend(fontsize=7)
    save(fig, "calibration_targets")

    # targets by survey year (drift)
    sv = result.runs.surveys
    sv = sv[sv["scenario"] == CALIBRATION_SCENARIO]
    if not sv.empty:
        fig, axes = plt.subplots(1, 5, figsize=(14, 3), constrained_layout=True)
        for ax, target in zip(axes, TARGETS, strict=True):
            g = sv[sv["target_id"] == target.id].groupby("year")["share"]
            mean, sd = g.mean(), g.std()
            ax.fill_between(mean.index, mean - sd, mean + sd, color="C0", alpha=0.2)
            ax.plot(mean.index, mean, "o-", color="C0", ms=3)
            ax.axhline(target.value, color="k", lw=1)
            ax.axvspan(SURVEY_YEARS[0] - 0.5, SURVEY_YEARS[-1] + 0.5, color="C2", alpha=0.12)
            ax.set_title(f"{target.id}", fontsize=9)
            ax.set_xlabel("survey year")
        fig.suptitle(f"Simulated survey by year ({CALIBRATION_SCENARIO}, {result.runs.residents:,} residents; "
                     "band ± 1 SD over seeds; green = calibration years; line = target)", fontsize=9)
        save(fig, "calibration_by_year")

    # Morris
    morris = result.artefacts.get("morris")
    if morris is not None:
        fig, axes = plt.subplots(1, 5, figsize=(16, 3.6), constrained_layout=True)
        for ax, tid in zip(axes, TARGET_IDS, strict=True):
            g = morris[morris["target"] == tid]
            ax.scatter(g["mu_star"], g["sigma"], c=["C0" if f else "C1" for f in g["fitted"]])
            for r in g.to_dict("records"):
                if r["mu_star"] > 0.5:
                    ax.annotate(r["parameter"].replace("_", " "), (r["mu_star"], r["sigma"]), fontsize=6)
            ax.set_title(tid)
            ax.set_xlim(-1, 1.45 * max(g["mu_star"].max(), 1.0))
            ax.set_xlabel("μ* (pp per range)")
            ax.grid(alpha=0.3)
        axes[0].set_ylabel("σ (pp per range)")
        fig.suptitle("Morris screening (blue: fitted, orange: screened only)", fontsize=9)
        save(fig, "morris")

    # ABC posterior
    acc = result.artefacts.get("abc_accepted")
    if acc is not None:
        fig, axes = plt.subplots(1, len(FIT_PARAMETERS), figsize=(15, 2.8), constrained_layout=True)
        for ax, p in zip(axes, FIT_PARAMETERS, strict=True):
            col = f"{p.name}_adjusted"
            ax.hist(acc[p.name], bins=12, range=(p.lo, p.hi), alpha=0.5, label="accepted")
            if col in acc:
                ax.hist(acc[col], bins=12, range=(p.lo, p.hi), alpha=0.5, label="regression-adjusted")
            if p.name in result.behaviour:
                ax.axvline(result.behaviour[p.name], color="k", label="fitted")
            ax.set_xlim(p.lo, p.hi)
            ax.set_title(p.name, fontsize=8)
        axes[0].legend(fontsize=6)
        fig.suptitle("Rejection-ABC posterior over the searched ranges", fontsize=9)
        save(fig, "abc_posterior")

    s = result.runs.series
    late = s[s["month"].between(*P.LONG_RUN)]
    per_seed = late.groupby(["scenario", "seed"]).mean(numeric_only=True).reset_index()

    def bars(metrics: Sequence[str], scenarios: Sequence[str], name: str, title: str) -> None:
        fig, axes = plt.subplots(1, len(metrics), figsize=(2.6 * len(metrics), 3.2), constrained_layout=True)
        for ax, metric in zip(np.atleast_1d(axes), metrics, strict=True):
            vals = [per_seed[per_seed["scenario"] == sc][metric].to_numpy() for sc in scenarios]
            means = [v.mean() for v in vals]
            cis = [P.t_interval(v) for v in vals]
            err = [[m - c[1] for m, c in zip(means, cis, strict=True)], [c[2] - m for m, c in zip(means, cis, strict=True)]]
            ax.bar(range(len(scenarios)), means, yerr=err, capsize=3, color=[f"C{i}" for i in range(len(scenarios))])
            ax.set_xticks(range(len(scenarios)), [sc.replace("_", "\n") for sc in scenarios], fontsize=6)
            ax.set_title(metric, fontsize=8)
        fig.suptitle(title, fontsize=9)
        save(fig, name)

    def lines(metrics: Sequence[str], scenarios: Sequence[str], name: str, title: str, until: int | None = None) -> None:
        fig, axes = plt.subplots(1, len(metrics), figsize=(3.6 * len(metrics), 3.0), constrained_layout=True)
        for ax, metric in zip(np.atleast_1d(axes), metrics, strict=True):
            for i, sc in enumerate(scenarios):
                g = s[s["scenario"] == sc].groupby("month")[metric]
                mean, lo, hi = g.mean(), g.quantile(0.025), g.quantile(0.975)
                if until:
                    mean, lo, hi = mean.loc[:until], lo.loc[:until], hi.loc[:until]
                ax.plot(mean.index, mean, color=f"C{i}", label=sc)
                ax.fill_between(mean.index, lo, hi, color=f"C{i}", alpha=0.15)
            ax.set_title(metric, fontsize=8)
            ax.set_xlabel("month")
            ax.grid(alpha=0.3)
        np.atleast_1d(axes)[0].legend(fontsize=6)
        fig.suptitle(title + " (mean and 2.5–97.5% of seeds)", fontsize=9)
        save(fig, name)

    ref = list(P.REFERENCE)
    bars(["rc_admin_share", "rc_overload", "so_count", "mismatch", "cost_per_met_need"], ref, "s1_administrative_led",
         f"S1: the four models, {P._fmt_window(P.LONG_RUN)} (mean, 95% CI over seeds)")
    early = s[s["month"].between(*P.EARLY_12)].groupby(["scenario", "seed"]).mean(numeric_only=True).reset_index()
    fig, ax = plt.subplots(figsize=(4, 3), constrained_layout=True)
    vals = [early[early["scenario"] == sc]["coverage"].to_numpy() for sc in ref]
    ax.boxplot(vals, tick_labels=[sc.replace("_", "\n") for sc in ref])
    ax.set_title(f"S1: coverage in {P._fmt_window(P.EARLY_12)}", fontsize=9)
    ax.tick_params(labelsize=6)
    save(fig, "s1_early_coverage")
    lines(["rc_autonomy"], ["administrative_led", "autonomous", "autonomous_supported"], "s2_autonomy",
          "S2: RC autonomy")
    lines(["rc_admin_share", "so_capacity", "mismatch", "cost_per_met_need"], ["administrative_led", "cooperative"],
          "s3_cooperative", "S3: cooperative vs administrative-led")
    bars(["participation_any", "participation_public_affairs", "efficacy", "synthesis_efficiency", "opposition_share",
          "gini_coverage", "coverage_bottom_quintile"], ref, "s4_co_governance",
         f"S4: the four models, {P._fmt_window(P.LONG_RUN)} (mean, 95% CI over seeds)")
    lines(["detection_delay", "disputes_escalated"], ["administrative_led", "administrative_led_grid"], "s5_grid_short",
          f"S5: first {SHORT_RUN_PLOT} months", until=SHORT_RUN_PLOT)
    lines(["cost_per_met_need", "rc_autonomy", "volunteers", "so_count"], ["administrative_led", "administrative_led_grid"],
          "s5_grid_long", "S5: whole run")

    # S6 transition: normalised progress
    fig, ax = plt.subplots(figsize=(8, 4), constrained_layout=True)
    months = np.arange(1, result.runs.months + 1)
    lever = np.clip((months - P.SWITCH_MONTH) / P.RAMP_MONTHS, 0, 1)
    ax.plot(months, lever, "k--", lw=2, label="levers (linear ramp)")
    for i, metric in enumerate(result.lags["metric"]):
        traj, mo, base, final = P.transition_profile(s, metric)
        if abs(final - base) > 1e-12:
            ax.plot(mo, (traj - base) / (final - base), color=f"C{i}", label=metric)
    ax.axvline(P.SWITCH_MONTH, color="0.5", lw=0.8)
    ax.set_ylim(-0.5, 1.5)
    ax.set_xlabel("month")
    ax.set_ylabel("share of the eventual change")
    ax.set_title(f"S6: transition administrative-led → cooperative (seed means, {P.SMOOTH_MONTHS}-month smoothing)",
                 fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    save(fig, "s6_transition")
    return paths
