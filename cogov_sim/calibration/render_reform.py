"""The report's sections on the reformed models' targets (sources §8) and on the robustness of the
contrasts, as Markdown lines (called by :func:`~cogov_sim.calibration.render.render`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .reform_targets import REFORM_TARGETS
from .robustness import DEPENDS, ROBUST, ROBUST_SHARE, UNCLEAR, result_path
from .unconstrained import Registry


def _fmt(x: float) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:.3g}"


def reform_section(table: pd.DataFrame | None, md_table) -> list[str]:
    """§ "Targets for the reformed models": the definitions always, the simulated values when evaluated."""
    L = ["## 4. Targets for the reformed models (sources §8)", "",
         "T1–T5 constrain only the status quo. The figures the sources give for reformed districts are targets on "
         "the scenario standing for each district; each is declared **fit** (the figure is the only evidence on a "
         "parameter, which is set from it; the check confirms the fit) or **validate** (nothing is set from it: it "
         "must emerge). A value target passes when the mean over seeds is within the tolerance; a 'below' target "
         "when the upper end of the 95% interval of the mean lies below the value. Statistics are means over the "
         "last 12 months of each run (`cogov_sim/calibration/reform_targets.py`).", ""]
    by_id = {t.id: t for t in REFORM_TARGETS}
    rows = []
    for t in REFORM_TARGETS:
        r = table.set_index("target").loc[t.id] if table is not None and t.id in set(table["target"]) else None
        stat = f"`{t.numerator}`" + (f" ÷ `{t.denominator}`" if t.denominator else "")
        goal = f"< {t.value:g}" if t.kind == "below" else f"{t.value:.3g} ± {t.tolerance:g}"
        sim = "—" if r is None else f"{_fmt(r['mean'])} [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]"
        status = "not run" if r is None else str(r["status"])
        rows.append([t.id, t.description, f"`{t.scenario}`", stat, goal, t.role, t.source, sim, status])
    L += [md_table(rows, ["", "target", "scenario", "statistic", "target value", "role", "source",
                          "simulated mean [95% CI]", "result"], "lllllllrl"), "",
          "Tolerances and roles:", ""]
    L += [f"- **{i}** tolerance: {by_id[i].why_tolerance}; role *{by_id[i].role}*: {by_id[i].why_role}."
          for i in by_id]
    failed = set() if table is None else set(table.loc[table["status"] == "fail", "target"])
    if any(by_id[i].numerator.startswith("so_") for i in failed & set(by_id)):
        L += ["", "A target that fails is reported, not fitted away: ODD §7.20 (\"What the Karamay targets say "
              "about this submodel\") discusses the social-organisation targets' misses."]
    return [*L, ""]


def robustness_section(table: pd.DataFrame | None, reg: Registry, md_table) -> list[str]:
    """§ "Robustness of the contrasts": method, the registry of unconstrained parameters, the table."""
    L = ["## 5. Robustness of the contrasts", "",
         "For every pair of reference scenarios and every outcome of `cogov run`'s table: the **effect** (difference "
         "of the last-12-month means, paired over seeds: the same seed gives both scenarios the same population, "
         "network and random streams) with its 95% interval at the calibrated point, and the **sign share**: the "
         "share of a Latin-hypercube design over the plausible box of the parameters no target constrains where "
         "the difference keeps that sign (independent points, so the share estimates the share of the box; a "
         "Morris design's one-at-a-time moves from a few base points would weight those few points). "
         "**robust**: the interval excludes zero and the sign holds on at least "
         f"{ROBUST_SHARE:.0%} of the box with 95% confidence (the one-sided lower Clopper–Pearson bound of the sign "
         f"share over the design's points reaches {ROBUST_SHARE:.0%}); **{DEPENDS}**: the interval excludes zero "
         "but that cannot be shown "
         f"(the *driver* is the parameter most rank-correlated with the difference, or with the largest Morris "
         f"μ* / Sobol total index for those designs); **{UNCLEAR}**: the interval "
         f"includes zero. The {ROBUST_SHARE:.0%} threshold allows for the seed noise left at each design point while "
         "refusing a sign that flips in more than a tenth of a deliberately wide box of guesses "
         "(`cogov_sim/calibration/robustness.py`).", ""]
    if table is None:
        L += [f"*Not run yet*: `cogov validate --robustness` writes `scenarios/{result_path().name}`, which this "
              "section and `cogov run` read.", ""]
    else:
        counts = table["label"].value_counts()
        L += [f"{len(table)} contrasts × outcomes ({int(table['points'].max())} design points): "
              + ", ".join(f"{counts.get(k, 0)} {k}" for k in (ROBUST, DEPENDS, UNCLEAR)) + ".", ""]
        rows = [[f"{r['a']} − {r['b']}", f"`{r['outcome']}`", _fmt(r["effect"]),
                 f"[{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]",
                 "—" if not np.isfinite(r["sign_share"]) else f"{r['sign_share']:.0%}",
                 f"**{r['label']}**" if r["label"] == DEPENDS else r["label"],
                 f"`{r['driver']}`" if r["label"] == DEPENDS and r["driver"] else ""]
                for r in table.to_dict("records")]
        L += [md_table(rows, ["contrast", "outcome", "effect", "95% CI", "sign share", "label", "driver"],
                      "llrrrll"), ""]
    L += [f"**Unconstrained parameters** ({len(reg.parameters)} varied; registry "
          "`cogov_sim/calibration/unconstrained.toml`). The fitted ones (" + ", ".join(f"`{n}`" for n in reg.fitted)
          + ") sit at their calibrated values. Listed ranges:", ""]
    listed = [[f"`{p.name}`", _fmt(p.value), f"[{p.lo:g}, {p.hi:g}]", p.why] for p in reg.parameters
              if p.rule == "listed"]
    L += [md_table(listed, ["parameter", "calibrated point", "range", "why"], "lrrl"), ""]
    ruled = [p.name for p in reg.parameters if p.rule == "rule"]
    L += [f"Every other Behaviour parameter ({len(ruled)}: " + ", ".join(f"`{n}`" for n in ruled) + ") varies over "
          f"its value × (1 ± {reg.relative_span:g}), within its allowed range; the RC's free-hour shares are rescaled "
          "to keep their sum. Held (not varied):", ""]
    L += [f"- `{name}`: {why}" for name, why in reg.held.items()]
    return [*L, ""]
