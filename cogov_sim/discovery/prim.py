"""PRIM scenario discovery (情景发现) on a sweep's summary table (EMA Workbench).

Question: *under which combinations of levers does the outcome I care about happen?* Each
finished run is a case; a case is *of interest* when its outcome is at or above (or at or
below) a threshold. The Patient Rule Induction Method (PRIM, Friedman and Fisher 1999, as
used for scenario discovery by Bryant and Lempert 2010) peels thin slices off the box of all
input values, keeping the slice whose removal raises the share of cases of interest most,
then pastes back what helps. Every step is a box on the *peeling trajectory*, described by

* coverage = cases of interest inside the box / all cases of interest,
* density = cases of interest inside the box / all cases inside the box,
* mass = cases inside the box / all cases,

and, for each restricted input, a quasi-p-value: a one-sided binomial test of whether the
restriction raises density by more than chance (small is good; above 0.05 the restriction
is doubtful).

The algorithm is EMA Workbench's :class:`ema_workbench.analysis.prim.Prim` (the ``analysis``
extra: ``pip install cogov-sim[analysis]``). Its input table needs care with pandas 3, which
:func:`prim_inputs` takes:

* a column named ``scenario`` is silently dropped by EMA: it is renamed ``base_scenario``;
* booleans (on/off levers) become 0/1 and text columns one 0/1 column per value
  (``base_scenario=co_governance``), so every input is numeric;
* whole-number columns (int32, int64, nullable Int64) fail inside EMA's peeling and
  pasting (pasting writes a fractional limit into an integer table; int32 reaches a
  ``numpy.int`` alias removed from numpy), and float32 fails the same way: every input
  becomes float64;
* inputs with a single value are left out (PRIM cannot restrict them).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CogovError, closest
from ..experiments.store import load_manifest, load_results
from ..workshop.i18n import LANGUAGES, table

#: EMA Workbench silently drops an input column with this name.
EMA_RESERVED = "scenario"
#: What the ``scenario`` column (a sweep's base scenario) is called in PRIM's inputs.
BASE_SCENARIO = "base_scenario"
#: Identifier columns of a sweep's tables: never inputs, never outcomes.
ID_COLUMNS = ("run_id", "design_row", "replication", "seed_entropy", "seed_spawn_key")

#: Labels of the report and the plot, in English and Chinese.
@dataclass(frozen=True)
class Encoding:
    """How one PRIM input column was made from a sweep column."""

    column: str          # name in PRIM's input table
    source: str          # column of the sweep's summary table
    kind: str            # "number", "whole" (integers), "switch" (bool as 0/1) or "category" (one 0/1 column per value)
    value: Any = None    # the category this 0/1 column stands for

    def meaning(self, lower: float, upper: float, lang: str = "en") -> str:
        """The box limits ``lower``–``upper`` on this column in words."""
        text = _text(lang)
        if self.kind in ("number", "whole"):
            return text["between"].format(lower=lower, upper=upper)
        if lower <= 0 and upper >= 1:  # a 0/1 column: both values still inside the box
            return text["between"].format(lower=lower, upper=upper)
        on = lower > 0
        if self.kind == "switch":
            return text["only"].format(value=on)
        return text["is" if on else "is_not"].format(source=self.source, value=self.value)


def prim_inputs(frame: pd.DataFrame, inputs: Sequence[str]) -> tuple[pd.DataFrame, list[Encoding]]:
    """PRIM's input table from ``frame``'s ``inputs`` columns: all float64, no ``scenario`` column.

    Booleans become 0/1, text (and categorical) columns one 0/1 column per value named
    ``column=value``, numbers float64; a column named ``scenario`` is renamed
    ``base_scenario``; single-valued inputs are left out. Returns the table and how each of
    its columns was made.
    """
    missing = [c for c in inputs if c not in frame.columns]
    if missing:
        raise CogovError(f"input '{missing[0]}' is not a column of the table{closest(missing[0], frame.columns)}")
    columns: dict[str, np.ndarray] = {}
    encodings: list[Encoding] = []
    for source in inputs:
        values = frame[source]
        name = BASE_SCENARIO if source == EMA_RESERVED else source
        if values.isna().any():
            raise CogovError(f"input '{source}' has missing values in {int(values.isna().sum())} runs; "
                             f"PRIM needs a value for every run")
        if values.nunique() < 2:
            continue
        if pd.api.types.is_bool_dtype(values):
            columns[name] = values.to_numpy(dtype=float)
            encodings.append(Encoding(name, source, "switch"))
        elif pd.api.types.is_numeric_dtype(values):
            columns[name] = values.to_numpy(dtype=np.float64)
            whole = pd.api.types.is_integer_dtype(values)
            encodings.append(Encoding(name, source, "whole" if whole else "number"))
        else:
            for value in sorted(values.unique(), key=str):
                column = f"{name}={value}"
                columns[column] = (values == value).to_numpy(dtype=float)
                encodings.append(Encoding(column, source, "category", value))
    if not columns:
        raise CogovError(f"no input varies across the runs ({', '.join(inputs) or 'none given'}); "
                         f"nothing for PRIM to restrict")
    return pd.DataFrame(columns, index=frame.index), encodings


@dataclass
class Discovery:
    """A PRIM run on a sweep: the peeling trajectory, the chosen box and its limits.

    ``trajectory`` has one row per box (``box``, ``coverage``, ``density``, ``mass``,
    ``res_dim``, ``n`` runs inside, ``k`` of interest inside); ``limits`` one row per
    input restricted by the chosen box (``input``, ``lower``, ``upper``, the sweep's
    ``min``/``max``, ``qp_lower``/``qp_upper``, NaN where that side is not restricted,
    and ``meaning``).
    """

    outcome: str
    direction: str                 # "above" or "below"
    threshold: float
    n: int                         # runs analysed
    n_interest: int                # runs of interest
    trajectory: pd.DataFrame
    chosen: int
    limits: pd.DataFrame
    encodings: list[Encoding] = field(default_factory=list)
    dropped: int = 0               # runs left out (outcome not finite)
    boxes: list[pd.DataFrame] = field(default_factory=list, repr=False)
    qp: list[dict[str, list[float]]] = field(default_factory=list, repr=False)
    x: pd.DataFrame | None = field(default=None, repr=False)

    def rule(self) -> str:
        """``≥ 0.5`` or ``≤ 0.5``: what makes a run a case of interest."""
        return f"{'≥' if self.direction == 'above' else '≤'} {self.threshold:g}"

    @property
    def coverage(self) -> float:
        return float(self.trajectory.at[self.chosen, "coverage"])

    @property
    def density(self) -> float:
        return float(self.trajectory.at[self.chosen, "density"])

    def box(self, i: int, lang: str = "en") -> pd.DataFrame:
        """The limits of box ``i`` of the trajectory (same columns as :attr:`limits`)."""
        return box_limits(self.boxes[i], self.boxes[0], self.qp[i], self.encodings, _lang(lang))

    def report(self, lang: str = "en") -> str:
        """The chosen box as text: the cases of interest, coverage and density, then each limit."""
        text = _text(_lang(lang))
        row = self.trajectory.loc[self.chosen]
        lines = [text["cases"].format(n_interest=self.n_interest, n=self.n, outcome=self.outcome, rule=self.rule())]
        if self.dropped:
            lines.append(text["dropped"].format(n=self.dropped, outcome=self.outcome))
        lines.append(text["header"].format(box=self.chosen, boxes=len(self.trajectory), coverage=row["coverage"],
                                           density=row["density"], mass=row["mass"], k=int(row["k"]),
                                           n_box=int(row["n"])))
        limits = self.box(self.chosen, lang)
        if limits.empty:
            lines.append(text["unrestricted"])
            return "\n".join(lines)
        table = limits.rename(columns={"input": text["input"], "meaning": text["meaning"],
                                            "qp_lower": text["qp_lower"], "qp_upper": text["qp_upper"]})
        table[text["range"]] = [f"{lo:.4g} – {hi:.4g}" for lo, hi in zip(limits["min"], limits["max"], strict=True)]
        shown = [text["input"], text["meaning"], text["range"], text["qp_lower"], text["qp_upper"]]
        lines.append(table[shown].to_string(index=False, na_rep="–", float_format=lambda v: f"{v:.2g}"))
        return "\n".join(lines)

    def plot_trajectory(self, ax: Any = None, lang: str = "en") -> Any:
        """Coverage against density of every box on the trajectory, coloured by the number of
        restricted inputs, the chosen box circled. Chinese labels need a CJK font (else English)."""
        import matplotlib.pyplot as plt

        from ..fonts import cjk_font

        lang = _lang(lang)
        font = cjk_font() if lang == "zh" else None
        text = _text("zh" if font else "en")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4.5), constrained_layout=True)
        t = self.trajectory
        cmap = plt.get_cmap("viridis", int(t["res_dim"].max()) + 1)
        points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap=cmap,
                            vmin=-0.5, vmax=t["res_dim"].max() + 0.5, s=25, zorder=3)
        ax.plot(t["coverage"], t["density"], color="0.7", lw=0.8, zorder=2)
        ax.scatter([self.coverage], [self.density], s=180, facecolors="none", edgecolors="red", lw=1.5, zorder=4,
                   label=text["chosen"].format(box=self.chosen))
        bar = ax.figure.colorbar(points, ax=ax, ticks=range(int(t["res_dim"].max()) + 1))
        bar.set_label(text["res_dim"], fontfamily=font)
        ax.set_xlabel(text["coverage"], fontfamily=font)
        ax.set_ylabel(text["density"], fontfamily=font)
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left", prop={"family": font} if font else None)
        ax.set_title(text["title"].format(outcome=self.outcome, rule=self.rule()), fontfamily=font, fontsize=10)
        return ax

    def save(self, out: str | os.PathLike[str], lang: str = "en") -> list[Path]:
        """Write ``trajectory.csv``, ``box.csv``, ``report.txt`` and ``trajectory.png`` into ``out``."""
        from matplotlib.figure import Figure  # not pyplot: saving leaves a notebook's backend alone

        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / "trajectory.csv", out / "box.csv", out / "report.txt", out / "trajectory.png"]
        self.trajectory.to_csv(paths[0], index=False)
        self.limits.to_csv(paths[1], index=False)
        paths[2].write_text(self.report(lang) + "\n", encoding="utf-8")
        figure = Figure(figsize=(6, 4.5), layout="constrained")
        self.plot_trajectory(ax=figure.add_subplot(), lang=lang)
        figure.savefig(paths[3], dpi=110)
        return paths


def _lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise CogovError(f"language {lang!r} is not available; allowed: {', '.join(LANGUAGES)}")
    return lang


def _text(lang: str) -> dict[str, str]:
    """PRIM's words in ``lang`` (the ``[prim]`` section of the workshop's translation table)."""
    return {key: entry[LANGUAGES.index(lang)] for key, entry in table()["prim"].items()}


def box_limits(box: pd.DataFrame, initial: pd.DataFrame, qp: dict[str, list[float]],
               encodings: list[Encoding], lang: str = "en") -> pd.DataFrame:
    """One row per restricted input of a box (EMA's two-row box limits), with quasi-p-values and meaning."""
    by_column = {e.column: e for e in encodings}
    rows = []
    for column in box.columns:
        lower, upper = float(box.at[0, column]), float(box.at[1, column])
        low0, high0 = float(initial.at[0, column]), float(initial.at[1, column])
        if (lower, upper) == (low0, high0):
            continue
        encoding = by_column[column]
        if encoding.kind == "whole":  # PRIM may cut between two whole numbers: name the values kept
            lower, upper = float(np.ceil(lower)), float(np.floor(upper))
        qp_lower, qp_upper = (qp.get(column) or [-1.0, -1.0])[:2]
        rows.append({"input": column, "lower": lower, "upper": upper, "min": low0, "max": high0,
                     "qp_lower": np.nan if qp_lower < 0 else qp_lower,
                     "qp_upper": np.nan if qp_upper < 0 else qp_upper,
                     "meaning": encoding.meaning(lower, upper, lang)})
    columns = ["input", "lower", "upper", "min", "max", "qp_lower", "qp_upper", "meaning"]
    return pd.DataFrame(rows, columns=columns)


def sweep_inputs(root: str | os.PathLike[str], summary: pd.DataFrame) -> list[str]:
    """A sweep's inputs: its varied parameters (from the manifest) and its base scenario."""
    manifest = load_manifest(root)
    assert manifest is not None
    keys = list(manifest["design"].get("factor_keys", []))
    return [*keys, EMA_RESERVED] if EMA_RESERVED in summary.columns else keys


def outcome_names(summary: pd.DataFrame, inputs: Sequence[str]) -> list[str]:
    """Numeric summary columns that can serve as outcomes (not identifiers or inputs)."""
    return [c for c in summary.select_dtypes(include=["number", "bool"]).columns
            if c not in ID_COLUMNS and c not in inputs]


def discover(data: pd.DataFrame | str | os.PathLike[str], outcome: str, *, above: float | None = None,
             below: float | None = None, inputs: Sequence[str] | None = None, min_density: float = 0.8,
             box: int | None = None, peel_alpha: float = 0.05, mass_min: float = 0.05) -> Discovery:
    """Run PRIM on a sweep's summary table for the runs whose ``outcome`` is ≥ ``above`` (or ≤ ``below``).

    Args:
        data: a sweep's results folder (read with :func:`~cogov_sim.experiments.load_results`;
            the inputs are its varied parameters and base scenario) or a summary table.
        outcome: a summary column, e.g. ``"coverage"``.
        above, below: exactly one: the threshold that makes a run a case of interest.
        inputs: the columns PRIM may restrict (needed when ``data`` is a table).
        min_density: the chosen box is the one with the highest coverage among those with at
            least this density; if no box is that dense, the densest one.
        box: choose this box of the trajectory instead (0 = all runs).
        peel_alpha: share of the runs peeled off at each step; mass_min: the smallest box.
    """
    if (above is None) == (below is None):
        raise CogovError("give exactly one of above or below: the threshold that makes a run a case of interest")
    if isinstance(data, pd.DataFrame):
        if inputs is None:
            raise CogovError("inputs: name the columns PRIM may restrict (the sweep's varied parameters)")
        summary = data
    else:
        summary = load_results(data, tables=("summary",))["summary"]
        if summary.empty:
            raise CogovError(f"{data}: the sweep has no finished runs with a summary table; nothing to analyse")
        if inputs is None:
            inputs = sweep_inputs(data, summary)
    inputs = list(inputs)
    choices = outcome_names(summary, inputs)
    if outcome not in choices:
        raise CogovError(f"outcome '{outcome}' is not a summary outcome of this sweep{closest(outcome, choices)}")
    y_all = summary[outcome].to_numpy(dtype=float)
    finite = np.isfinite(y_all)
    summary, y = summary[finite].reset_index(drop=True), y_all[finite]
    threshold = float(above if above is not None else below)  # type: ignore[arg-type]
    interest = y >= threshold if above is not None else y <= threshold
    rule = f"{outcome} {'≥' if above is not None else '≤'} {threshold:g}"
    span = f"{outcome} ranges {y.min():.4g}–{y.max():.4g} over {y.size} runs" if y.size else "no finite values"
    if not interest.any() or interest.all():
        which = "no run" if not interest.any() else "every run"
        raise CogovError(f"{rule}: {which} is a case of interest ({span}); choose a threshold inside that range")
    if not 0 < min_density <= 1:
        raise CogovError(f"min_density = {min_density}: expected a share in (0, 1]")
    x, encodings = prim_inputs(summary, inputs)
    prim_box, limits0 = _run_prim(x, interest.astype(int), peel_alpha, mass_min)
    trajectory = (prim_box.peeling_trajectory.rename(columns={"id": "box"})
                  [["box", "coverage", "density", "mass", "res_dim", "n", "k"]].astype(
                      {"box": int, "res_dim": int, "n": int, "k": int}))
    chosen = choose_box(trajectory, min_density) if box is None else box
    if not 0 <= chosen < len(trajectory):
        raise CogovError(f"box {chosen} is not on the peeling trajectory; allowed 0–{len(trajectory) - 1}")
    boxes, qp = list(prim_box.box_lims), list(prim_box.qp)
    return Discovery(outcome=outcome, direction="above" if above is not None else "below", threshold=threshold,
                     n=int(y.size), n_interest=int(interest.sum()), trajectory=trajectory, chosen=chosen,
                     limits=box_limits(boxes[chosen], limits0, qp[chosen], encodings), encodings=encodings,
                     dropped=int((~finite).sum()), boxes=boxes, qp=qp, x=x)


def choose_box(trajectory: pd.DataFrame, min_density: float) -> int:
    """The box with the highest coverage among those at least ``min_density`` dense, else the densest
    (ties: the higher density, then the higher coverage, then fewer restricted inputs)."""
    dense = trajectory[trajectory["density"] >= min_density - 1e-12]
    pool = dense if not dense.empty else trajectory[trajectory["density"] == trajectory["density"].max()]
    best = pool.sort_values(["coverage", "density", "res_dim"], ascending=[False, False, True], kind="stable")
    return int(best["box"].iloc[0])


def _run_prim(x: pd.DataFrame, y: np.ndarray, peel_alpha: float, mass_min: float) -> tuple[Any, pd.DataFrame]:
    """EMA's PRIM in binary mode; returns the first box found (with its trajectory) and the initial box."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA warns at import that optional ipyparallel/altair are missing
        try:
            from ema_workbench.analysis import prim
        except ImportError:
            raise CogovError("scenario discovery needs the EMA Workbench: pip install 'cogov-sim[analysis]'") from None
        # Binary mode counts y >= threshold as a case of interest, and find_box discards a box whose
        # density is below the threshold. Any positive threshold up to 1 counts the 1s; the smallest
        # keeps every trajectory, so the box is chosen here from the trajectory (choose_box).
        alg = prim.Prim(x, y, threshold=np.finfo(float).eps, peel_alpha=peel_alpha, mass_min=mass_min)
        found = alg.find_box()
    return found, alg.box_init
