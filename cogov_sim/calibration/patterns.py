"""Pattern-oriented validation (Grimm et al. 2005): do the governance patterns of sources §4–§5 emerge?

Every reference scenario is run on the same seeds (same seed ⇒ same population and network,
so scenarios are compared *paired*, with common random numbers). Each claim S1–S6 is turned
into one or more comparisons of a per-seed statistic (a metric averaged over a window of
months), with an effect size and a 95% interval:

* two scenarios on all seeds: paired Student-t interval of the mean difference;
* a statistic only defined in some months (SOs' income shares and autonomy, where SOs
  exist): paired t over seeds of the per-seed mean difference over the months where both
  scenarios have SOs (time-matched, so that early-dying SOs are not compared with late ones);
* lags of the transition (S6): percentile bootstrap over seeds (2,000 resamples).

A comparison **holds** when its interval lies entirely on the claimed side of zero (or of the
non-inferiority margin), is **reversed** when it lies entirely on the other side, and is
**inconclusive** otherwise. "Highest among the models" means the comparison with every other
reference model holds; the table shows the weakest one (the runner-up). A pattern
**emerges** when all its comparisons hold, **does not emerge** when none does, and emerges
**partly** otherwise. Nothing is tuned to make a pattern appear (ODD §1.1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..experiments.execution import Executor
    from ..run import Results

#: The four reference models (sources §4.1–§4.4).
REFERENCE = ("administrative_led", "autonomous", "cooperative", "co_governance")
#: Everything the patterns need.
PATTERN_SCENARIOS = (*REFERENCE, "autonomous_supported", "administrative_led_grid", "transition")

METRICS = (
    "rc_admin_share", "rc_overload", "rc_autonomy", "so_count", "so_capacity", "so_government_share", "so_autonomy",
    "so_professional", "so_agenda_dependence",
    "mismatch", "cost_per_met_need", "coverage", "participation_any", "participation_public_affairs",
    "participation_deliberation", "efficacy", "synthesis_efficiency", "opposition_share", "gini_coverage",
    "coverage_bottom_quintile", "detection_delay", "disputes_escalated", "public_spending", "volunteers",
    "trust_government", "trust_rc", "satisfaction", "belonging", "so_funds",
)

#: Windows (1-based months of the series, inclusive).
EARLY_12 = (1, 12)
SHORT_RUN = (1, 24)
YEAR_1 = (1, 12)
LONG_RUN = (97, 120)
LAST_YEAR = (109, 120)
PRE_SWITCH = (13, 24)

#: Non-inferiority margin for early coverage (S1): 2 percentage points of needs met.
COVERAGE_MARGIN = 0.02
#: Transition (S6): the switch starts after month 24 and the levers ramp linearly over 24 months.
SWITCH_MONTH, RAMP_MONTHS = 24, 24
BOOTSTRAP = 2000
#: S6: centred rolling mean (months) of the transition trajectories.
SMOOTH_MONTHS = 3
#: S6: an outcome "moves gradually" when going from 10% to 90% of its change takes at least this many months.
GRADUAL_MONTHS = 6


# ---------------------------------------------------------------------------------- running
@dataclass
class PatternRuns:
    """Monthly series of every pattern scenario and seed, plus per-run ledger shares."""

    series: pd.DataFrame
    runs: pd.DataFrame
    surveys: pd.DataFrame
    seeds: tuple[int, ...]
    residents: int
    months: int
    root_seed: int = 0


def run_pattern_suite(seeds: int, residents: int = 1500, months: int = 120,
                      scenarios: Sequence[str] = PATTERN_SCENARIOS, progress: Callable[[int], None] | None = None,
                      executor: Executor | None = None, root_seed: int = 0) -> PatternRuns:
    """Run every scenario on ``seeds`` seeds (one batch on ``executor``, default: in this process); keep
    the metrics the patterns need, the simulated survey's target rows and, per run, the last
    month's share of public spending that went to grid management.

    The seeds are the children of ``numpy.random.SeedSequence(root_seed).spawn(seeds)``; every
    scenario runs on the same children (paired comparisons, common random numbers), and the
    ``seed`` column is the child's index."""
    from ..experiments.execution import BatchRun, InProcessExecutor, run_batch
    from ..experiments.spec import Outputs
    from ..scenario import load_scenario

    loaded = {name: load_scenario(name) for name in scenarios}     # once: all seeds see the same files
    children = np.random.SeedSequence(root_seed).spawn(seeds)
    batch = [BatchRun(loaded[name], child, months=months, residents=residents) for name in scenarios
             for child in children]
    outputs = Outputs(summary=False, series=True, survey=True, metrics=METRICS)
    tables = run_batch(batch, executor or InProcessExecutor(), outputs, extra=grid_share_of_spending,
                       progress=progress)
    frames, runs, surveys = [], [], []
    for k, (item, t) in enumerate(zip(batch, tables, strict=True)):
        ids = {"scenario": item.scenario.name, "seed": k % seeds}
        frames.append(t["series"].assign(**ids)[["scenario", "seed", "month", *METRICS]])
        sv = t["survey"].assign(**ids)
        surveys.append(sv[sv["target_id"] != ""][["scenario", "seed", "year", "target_id", "target", "share"]])
        runs.append({**ids, "grid_share_of_spending": float(t["ledger"]["grid_share_of_spending"].iloc[0])})
    return PatternRuns(series=pd.concat(frames, ignore_index=True), runs=pd.DataFrame(runs),
                       surveys=pd.concat(surveys, ignore_index=True), seeds=tuple(range(seeds)),
                       residents=residents, months=months, root_seed=root_seed)


def grid_share_of_spending(results: Results) -> dict[str, pd.DataFrame]:
    """The ``ledger`` table of a pattern run: the last month's share of public spending that went to
    grid management (computed in the worker, where the model is)."""
    m = results.model
    spent = m.government.public_spending(m.ledger)
    share = m.ledger.flows.get("grid", 0.0) / spent if spent > 0 else 0.0
    return {"ledger": pd.DataFrame({"grid_share_of_spending": [share]})}


# ---------------------------------------------------------------------------------- statistics
@dataclass
class Comparison:
    """One tested comparison (a claim, or one leg of it)."""

    pattern: str
    claim: str
    metric: str
    window: str
    comparison: str
    effect: float
    lo: float
    hi: float
    method: str
    status: str          # holds / reversed / inconclusive
    detail: str = ""

    @property
    def holds(self) -> bool:
        """The interval lies entirely on the claimed side."""
        return self.status == "holds"


def window_means(series: pd.DataFrame, scenario: str, metric: str, window: tuple[int, int],
                 where: str | None = None) -> pd.Series:
    """Per-seed mean of ``metric`` over ``window`` months (optionally only months where ``where`` > 0)."""
    s = series[(series["scenario"] == scenario) & series["month"].between(*window)]
    if where is not None:
        s = s[s[where] > 0]
    return s.groupby("seed")[metric].mean()


def t_interval(d: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t interval of ``d``."""
    from scipy import stats

    d = np.asarray(d, float)
    d = d[np.isfinite(d)]
    m = float(d.mean()) if len(d) else float("nan")
    if len(d) < 2:
        return m, float("nan"), float("nan")
    sd = float(d.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, len(d) - 1) * sd / np.sqrt(len(d))) if sd > 0 else 0.0
    return m, m - half, m + half


def _status(lo: float, hi: float, direction: int, margin: float = 0.0) -> str:
    """Status of an interval for a claim that the effect is positive (``direction`` +1: the
    interval must lie above ``−margin``) or negative (−1: below ``+margin``)."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "inconclusive"
    if direction > 0:
        return "holds" if lo > -margin else ("reversed" if hi < -margin else "inconclusive")
    return "holds" if hi < margin else ("reversed" if lo > margin else "inconclusive")


def _fmt_window(w: tuple[int, int]) -> str:
    return f"months {w[0]}–{w[1]}"


def paired(runs: PatternRuns, pattern: str, claim: str, metric: str, a: str, b: str, window: tuple[int, int],
           direction: int, margin: float = 0.0) -> Comparison:
    """``a − b`` paired over seeds; claim: positive (direction +1) or negative (−1)."""
    sa = window_means(runs.series, a, metric, window)
    sb = window_means(runs.series, b, metric, window)
    d = (sa - sb).dropna().to_numpy()
    m, lo, hi = t_interval(d)
    return Comparison(pattern, claim, metric, _fmt_window(window), f"{a} − {b}", m, lo, hi,
                      f"paired t, {len(d)} seeds", _status(lo, hi, direction, margin),
                      f"{a} {sa.mean():.4g} vs {b} {sb.mean():.4g}")


def extreme(runs: PatternRuns, pattern: str, claim: str, metric: str, focal: str, others: Sequence[str],
            window: tuple[int, int], direction: int, margin: float = 0.0, where: str | None = None) -> Comparison:
    """``focal`` highest (direction +1) or lowest (−1) of ``others`` ∪ {focal}: every comparison
    must hold; the reported effect is the weakest one (against the runner-up). With ``where``,
    the comparison is time-matched: per seed, over the months where both scenarios have that
    metric positive (:func:`matched_differences`)."""
    legs = []
    means = {focal: window_means(runs.series, focal, metric, window, where)}
    for o in others:
        means[o] = window_means(runs.series, o, metric, window, where)
        if where is None:
            d = (means[focal] - means[o]).dropna().to_numpy()
            method = f"paired t, {len(d)} seeds"
        else:
            d, n_months = matched_differences(runs.series, focal, o, metric, window, where)
            method = f"paired t over {len(d)} seeds, {n_months} seed-months where both have {where} > 0"
        m, lo, hi = t_interval(d)
        legs.append((o, m, lo, hi, method, _status(lo, hi, direction, margin)))
    finite = [leg for leg in legs if np.isfinite(leg[1])]
    weakest = min(finite, key=lambda leg: direction * leg[1]) if finite else legs[0]
    statuses = {leg[5] for leg in legs}
    status = "holds" if statuses == {"holds"} else ("reversed" if "reversed" in statuses else "inconclusive")
    o, m, lo, hi, method, _ = weakest
    detail = "; ".join(f"{k} {v.mean():.4g}" + (f" ({len(v)} seeds with {where} > 0)" if where else "")
                       for k, v in means.items())
    failing = [leg[0] for leg in legs if leg[5] != "holds"]
    if failing:
        detail += " — not holding against: " + ", ".join(f"{leg[0]} ({leg[5]})" for leg in legs if leg[5] != "holds")
    return Comparison(pattern, claim, metric, _fmt_window(window), f"{focal} − {o} (runner-up)", m, lo, hi, method,
                      status, detail)


def matched_differences(series: pd.DataFrame, a: str, b: str, metric: str, window: tuple[int, int],
                        where: str) -> tuple[np.ndarray, int]:
    """Per-seed mean of ``a − b`` over the months (same seed, same month) where both scenarios
    have ``where`` > 0: a time-matched comparison, so that a scenario whose SOs exist only in
    the first months is not compared with another's late months."""
    cols = ["seed", "month", metric, where]
    s = series[series["month"].between(*window)]
    both = s[s["scenario"] == a][cols].merge(s[s["scenario"] == b][cols], on=["seed", "month"], suffixes=("_a", "_b"))
    both = both[(both[f"{where}_a"] > 0) & (both[f"{where}_b"] > 0)]
    d = (both[f"{metric}_a"] - both[f"{metric}_b"]).groupby(both["seed"]).mean()
    return d.to_numpy(), len(both)


def change(runs: PatternRuns, pattern: str, claim: str, metric: str, scenario: str, start: tuple[int, int],
           end: tuple[int, int], direction: int) -> Comparison:
    """Within-scenario change ``mean(end) − mean(start)`` paired over seeds."""
    a = window_means(runs.series, scenario, metric, end)
    b = window_means(runs.series, scenario, metric, start)
    d = (a - b).dropna().to_numpy()
    m, lo, hi = t_interval(d)
    return Comparison(pattern, claim, metric, f"{_fmt_window(end)} vs {_fmt_window(start)}", f"{scenario}: change",
                      m, lo, hi, f"paired t, {len(d)} seeds", _status(lo, hi, direction),
                      f"{b.mean():.4g} → {a.mean():.4g}")


# ---------------------------------------------------------------------------------- S6 lags
def crossing_month(trajectory: np.ndarray, months: np.ndarray, baseline: float, final: float, fraction: float,
                   after: int = SWITCH_MONTH) -> float:
    """First month after ``after`` at which the trajectory has covered ``fraction`` of the change
    ``final − baseline`` (NaN if never, or if there is no change)."""
    delta = final - baseline
    if not np.isfinite(delta) or abs(delta) < 1e-12:
        return float("nan")
    progress = (trajectory - baseline) / delta
    hit = np.flatnonzero((months > after) & (progress >= fraction))
    return float(months[hit[0]]) if len(hit) else float("nan")


def lever_month(fraction: float) -> float:
    """Month at which the linearly ramped levers have covered ``fraction`` of their change
    (fraction of the ramp at series month M is (M − 24)/24)."""
    return float(np.ceil(SWITCH_MONTH + fraction * RAMP_MONTHS - 1e-9))


def transition_profile(series: pd.DataFrame, metric: str,
                       smooth: int = SMOOTH_MONTHS) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Seed-mean trajectory of ``metric`` in the transition scenario (centred rolling mean over
    ``smooth`` months), its pre-switch baseline (months 13–24) and eventual level (109–120)."""
    s = series[series["scenario"] == "transition"].pivot(index="month", columns="seed", values=metric)
    return _profile(s.to_numpy(), s.index.to_numpy(), smooth)


def _profile(matrix: np.ndarray, months: np.ndarray, smooth: int = SMOOTH_MONTHS) -> tuple[np.ndarray, np.ndarray, float, float]:
    mean = matrix.mean(axis=1)
    traj = pd.Series(mean).rolling(smooth, center=True, min_periods=1).mean().to_numpy()
    base = float(mean[(months >= PRE_SWITCH[0]) & (months <= PRE_SWITCH[1])].mean())
    final = float(mean[(months >= LAST_YEAR[0]) & (months <= LAST_YEAR[1])].mean())
    return traj, months, base, final


def transition_lags(runs: PatternRuns, metrics: Sequence[str] = ("rc_admin_share", "rc_autonomy", "mismatch",
                                                                  "so_capacity", "trust_government", "participation_any"),
                    seed: int = 0) -> pd.DataFrame:
    """Months from the start of the switch until each outcome covers 10%, 50% and 90% of its
    eventual change, with bootstrap 95% intervals over seeds, against the levers' own 10/50/90%."""
    rng = np.random.default_rng(seed)
    s = runs.series[runs.series["scenario"] == "transition"]
    rows = []
    for metric in metrics:
        wide = s.pivot(index="month", columns="seed", values=metric)
        matrix, months = wide.to_numpy(), wide.index.to_numpy()
        traj, _, base, final = _profile(matrix, months)
        point = {f: crossing_month(traj, months, base, final, f) for f in (0.1, 0.5, 0.9)}
        boot = {f: [] for f in point}
        n = matrix.shape[1]
        for _ in range(BOOTSTRAP):
            idx = rng.integers(0, n, n)
            tr, _, b, fi = _profile(matrix[:, idx], months)
            for f in point:
                boot[f].append(crossing_month(tr, months, b, fi, f))
        row = {"metric": metric, "baseline": base, "final": final, "change": final - base}
        for f in point:
            arr = np.array(boot[f], float)
            ok = arr[np.isfinite(arr)]
            row[f"t{int(f * 100)}"] = point[f] - SWITCH_MONTH
            row[f"t{int(f * 100)}_lo"] = (float(np.percentile(ok, 2.5)) - SWITCH_MONTH) if len(ok) else float("nan")
            row[f"t{int(f * 100)}_hi"] = (float(np.percentile(ok, 97.5)) - SWITCH_MONTH) if len(ok) else float("nan")
            row[f"lever_t{int(f * 100)}"] = lever_month(f) - SWITCH_MONTH
            row[f"t{int(f * 100)}_undefined_share"] = 1.0 - len(ok) / len(arr)
        rows.append(row)
    return pd.DataFrame(rows)


def lag_comparisons(lags: pd.DataFrame) -> list[Comparison]:
    """S6 claims from :func:`transition_lags`."""
    out = []
    for r in lags.to_dict("records"):
        rise, rise_lo = r["t90"] - r["t10"], r["t90_lo"] - r["t10_hi"]
        if r["metric"] in ("trust_government", "participation_any"):
            for f in (50, 90):
                lag, lo, hi = r[f"t{f}"] - r[f"lever_t{f}"], r[f"t{f}_lo"] - r[f"lever_t{f}"], r[f"t{f}_hi"] - r[f"lever_t{f}"]
                out.append(Comparison(
                    "S6", f"{r['metric']} lags the levers ({f}% of its change later than the levers' {f}%)", r["metric"],
                    "transition, from month 24", f"t{f}(outcome) − t{f}(levers) [months]", lag, lo, hi,
                    f"bootstrap over seeds ({BOOTSTRAP})", _status(lo, hi, +1),
                    f"t{f} = {r[f't{f}']:.0f} months after the switch began [{r[f't{f}_lo']:.0f}, {r[f't{f}_hi']:.0f}]; "
                    f"levers {r[f'lever_t{f}']:.0f}; change {r['baseline']:.3g} → {r['final']:.3g}"))
        out.append(Comparison(
            "S6", f"{r['metric']} moves gradually (10%→90% of its change takes ≥ {GRADUAL_MONTHS} months)", r["metric"],
            "transition, from month 24", "t90 − t10 [months]", rise, rise_lo, float("nan"),
            "bootstrap over seeds (conservative bound)", "holds" if np.isfinite(rise_lo) and rise_lo >= GRADUAL_MONTHS else
            ("reversed" if rise < GRADUAL_MONTHS else "inconclusive"),
            f"t10 = {r['t10']:.0f}, t90 = {r['t90']:.0f} months after the switch began; levers 10%→90% in "
            f"{r['lever_t90'] - r['lever_t10']:.0f} months"))
    return out


# ---------------------------------------------------------------------------------- the claims
def evaluate(runs: PatternRuns) -> list[Comparison]:
    """Every comparison of S1–S6 (sources §4–§5)."""
    adm, aut, coop, cog = REFERENCE
    others = [aut, coop, cog]
    out: list[Comparison] = []
    # S1 administrative-led (sources §4.1; sources §3, §5.1, §5.3, §5.4)
    out += [
        extreme(runs, "S1", "RC admin share highest", "rc_admin_share", adm, others, LONG_RUN, +1),
        extreme(runs, "S1", "RC overload highest", "rc_overload", adm, others, LONG_RUN, +1),
        extreme(runs, "S1", "fewest professional SOs (grassroots groups survive, sources §7.5.2)", "so_professional",
                adm, others, LONG_RUN, -1),
        extreme(runs, "S1", "SOs most government-funded (where SOs exist)", "so_government_share", adm, others,
                (1, runs.months), +1, where="so_count"),
        extreme(runs, "S1", "SOs least autonomous, i.e. most dependent (where SOs exist)", "so_autonomy", adm,
                others, (1, runs.months), -1, where="so_count"),
        extreme(runs, "S1", "government sets most of SOs' agenda (以政代社, sources §7.5.2; where SOs exist)",
                "so_agenda_dependence", adm, others, (1, runs.months), +1, where="so_count"),
        extreme(runs, "S1", "largest supply–demand mismatch", "mismatch", adm, others, LONG_RUN, +1),
        extreme(runs, "S1", "highest public cost per met need", "cost_per_met_need", adm, others, LONG_RUN, +1),
        extreme(runs, "S1", "most public money spent (pooled department resources, sources §7.7.3)", "public_spending",
                adm, others, LONG_RUN, +1),
        extreme(runs, "S1", f"early coverage not below the others (margin {COVERAGE_MARGIN:.0%} points)", "coverage",
                adm, others, EARLY_12, +1, margin=COVERAGE_MARGIN),
    ]
    # S2 autonomous: new shoes, old road (sources §4.2)
    out += [
        extreme(runs, "S2", "council works: residents deliberate (autonomous vs administrative-led)",
                "participation_deliberation", aut, [adm], LONG_RUN, +1),
        change(runs, "S2", "autonomous: RC autonomy decays over the years", "rc_autonomy", aut, YEAR_1, LAST_YEAR, -1),
        _gap_closing(runs),
        change(runs, "S2", "autonomous_supported: RC autonomy does not decay", "rc_autonomy", "autonomous_supported",
               YEAR_1, LAST_YEAR, +1),
        paired(runs, "S2", "support keeps autonomy above the unsupported model", "rc_autonomy", "autonomous_supported",
               aut, LAST_YEAR, +1),
    ]
    # S3 cooperative (sources §4.3, §4.5)
    out += [
        paired(runs, "S3", "lower RC admin share than administrative-led", "rc_admin_share", coop, adm, LONG_RUN, -1),
        change(runs, "S3", "SO capacity grows over the years", "so_capacity", coop, YEAR_1, LAST_YEAR, +1),
        paired(runs, "S3", "SO capacity above administrative-led", "so_capacity", coop, adm, LONG_RUN, +1),
        paired(runs, "S3", "lower mismatch than administrative-led", "mismatch", coop, adm, LONG_RUN, -1),
        paired(runs, "S3", "lower cost per met need than administrative-led", "cost_per_met_need", coop, adm,
               LONG_RUN, -1),
    ]
    # S4 co-governance (sources §4.4; sources §2 force synthesis)
    rest = [adm, aut, coop]
    out += [
        extreme(runs, "S4", "participation (any) highest", "participation_any", cog, rest, LONG_RUN, +1),
        extreme(runs, "S4", "participation in public affairs highest", "participation_public_affairs", cog, rest,
                LONG_RUN, +1),
        extreme(runs, "S4", "efficacy highest", "efficacy", cog, rest, LONG_RUN, +1),
        extreme(runs, "S4", "force synthesis efficiency highest", "synthesis_efficiency", cog, rest, LONG_RUN, +1),
        extreme(runs, "S4", "least effort against the main line", "opposition_share", cog, rest, LONG_RUN, -1),
        extreme(runs, "S4", "Gini of coverage lowest", "gini_coverage", cog, rest, LONG_RUN, -1),
        extreme(runs, "S4", "coverage of the poorest fifth highest", "coverage_bottom_quintile", cog, rest,
                LONG_RUN, +1),
    ]
    # S5 grid management (sources §4.5)
    grid = "administrative_led_grid"
    out += [
        paired(runs, "S5", "faster dispute detection in the short run", "detection_delay", grid, adm, SHORT_RUN, -1),
        paired(runs, "S5", "fewer escalations in the short run", "disputes_escalated", grid, adm, SHORT_RUN, -1),
        paired(runs, "S5", "higher running cost: cost per met need", "cost_per_met_need", grid, adm, LONG_RUN, +1),
        _grid_share(runs),
        paired(runs, "S5", "lower RC autonomy in the long run", "rc_autonomy", grid, adm, LONG_RUN, -1),
        paired(runs, "S5", "fewer volunteers in the long run", "volunteers", grid, adm, LONG_RUN, -1),
        paired(runs, "S5", "fewer SOs in the long run", "so_count", grid, adm, LONG_RUN, -1),
    ]
    # S6 transition (sources §4.3 gradual path)
    out += lag_comparisons(transition_lags(runs))
    return out


def _gap_closing(runs: PatternRuns) -> Comparison:
    """S2: autonomous − administrative-led autonomy gap narrows from year 1 to year 10."""
    s = runs.series
    gap_end = window_means(s, "autonomous", "rc_autonomy", LAST_YEAR) - window_means(s, "administrative_led",
                                                                                      "rc_autonomy", LAST_YEAR)
    gap_start = window_means(s, "autonomous", "rc_autonomy", YEAR_1) - window_means(s, "administrative_led",
                                                                                    "rc_autonomy", YEAR_1)
    d = (gap_end - gap_start).dropna().to_numpy()
    m, lo, hi = t_interval(d)
    return Comparison("S2", "autonomous drifts toward the administrative pattern (gap to administrative-led narrows)",
                      "rc_autonomy", f"{_fmt_window(LAST_YEAR)} vs {_fmt_window(YEAR_1)}",
                      "gap(year 10) − gap(year 1)", m, lo, hi, f"paired t, {len(d)} seeds", _status(lo, hi, -1),
                      f"gap {gap_start.mean():.3f} → {gap_end.mean():.3f}")


def _grid_share(runs: PatternRuns) -> Comparison:
    """S5: share of public spending going to grid running costs (deterministic given the levers)."""
    r = runs.runs
    g = r[r["scenario"] == "administrative_led_grid"]["grid_share_of_spending"].to_numpy()
    m, lo, hi = t_interval(g) if len(g) else (float("nan"),) * 3
    if np.isfinite(m) and (not np.isfinite(lo) or lo == hi):
        lo = hi = m
    return Comparison("S5", "higher running cost: grid's share of public spending", "grid_share_of_spending",
                      f"month {runs.months}", "administrative_led_grid (administrative_led: 0)", m, lo, hi,
                      "ledger, per run", _status(lo, hi, +1), "grid wages and offices, paid before services")


# ---------------------------------------------------------------------------------- verdicts
def verdicts(comparisons: Sequence[Comparison]) -> pd.DataFrame:
    """One row per pattern: how many comparisons hold, and the verdict."""
    rows = []
    for pattern in sorted({c.pattern for c in comparisons}):
        cs = [c for c in comparisons if c.pattern == pattern]
        n_hold = sum(c.holds for c in cs)
        verdict = "emerges" if n_hold == len(cs) else ("does not emerge" if n_hold == 0 else "partly")
        missing = "; ".join(f"{c.claim} ({c.status})" for c in cs if not c.holds)
        rows.append({"pattern": pattern, "holds": n_hold, "comparisons": len(cs), "verdict": verdict,
                     "not_holding": missing})
    return pd.DataFrame(rows)


def comparisons_frame(comparisons: Sequence[Comparison]) -> pd.DataFrame:
    """All comparisons as a DataFrame."""
    return pd.DataFrame([asdict(c) for c in comparisons])


def format_comparisons(comparisons: Sequence[Comparison]) -> str:
    """Plain-text listing for the terminal."""
    lines = []
    for pattern in sorted({c.pattern for c in comparisons}):
        lines.append(f"{pattern}")
        for c in comparisons:
            if c.pattern != pattern:
                continue
            ci = f"[{c.lo:.4g}, {c.hi:.4g}]" if np.isfinite(c.hi) else f"[≥ {c.lo:.4g}]"
            lines.append(f"  {c.status.upper():<12} {c.claim}: {c.comparison} = {c.effect:.4g} {ci} ({c.window}; {c.method})")
    return "\n".join(lines)
