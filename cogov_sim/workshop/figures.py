"""Workshop figures (Matplotlib, labels from the translation table): outcomes over time, field forces.

Both the report (many seeds, 95% bands) and the dashboard (one seed per model, live) draw
with these functions, so a participant sees the same pictures in both.
"""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import pandas as pd
from matplotlib.figure import Figure

from .i18n import label, ui, use_cjk_font

#: Colours of the compared models (colour-blind safe, Okabe–Ito).
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")


def figure_language(lang: str) -> str:
    """The language figures are labelled in: Chinese needs a CJK font; without one, English (and one warning)."""
    return lang if lang != "zh" or use_cjk_font() else "en"


def series_figure(bands: pd.DataFrame, scenarios: list[str], outcomes: tuple[str, ...], lang: str = "en",
                  size: tuple[float, float] = (7.4, 3.3)) -> Figure:
    """Small multiples, one per outcome: each scenario's mean over time with its 95% band.

    ``bands`` has columns scenario, outcome, month, mean, lo, hi (lo = hi = mean for one seed).
    """
    lang = figure_language(lang)
    fig = Figure(figsize=size)
    fig.subplots_adjust(left=0.06, right=0.99, top=0.92, bottom=0.2, wspace=0.25, hspace=0.7)
    axes = fig.subplots(2, (len(outcomes) + 1) // 2, squeeze=False).ravel()
    for ax, outcome in zip(axes, outcomes, strict=False):
        for i, sc in enumerate(scenarios):
            d = bands[(bands["scenario"] == sc) & (bands["outcome"] == outcome)]
            ax.plot(d["month"], d["mean"], color=COLOURS[i % len(COLOURS)], lw=1.2, label=label(sc, lang))
            if (d["hi"] > d["lo"]).any():
                ax.fill_between(d["month"], d["lo"], d["hi"], color=COLOURS[i % len(COLOURS)], alpha=0.25, lw=0)
        ax.set_title(label(outcome, lang), fontsize=7.5)
        ax.tick_params(labelsize=6)
        ax.set_xlabel(ui("month", lang), fontsize=6.5)
        ax.grid(alpha=0.3)
    for ax in axes[len(outcomes):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(scenarios), fontsize=6.5, frameon=False)
    return fig


def forces_figure(forces: pd.DataFrame, scenarios: list[str], lang: str = "en",
                  size: tuple[float, float] = (7.4, 1.7)) -> Figure:
    """Each model's four field forces and the platform along the main line (bars; left of zero = against
    it) and off it.

    ``forces`` has columns scenario, actor, along, across (CNY/month), see
    :func:`cogov_sim.workshop.compare.force_components`.
    """
    lang = figure_language(lang)
    fig = Figure(figsize=size)
    fig.subplots_adjust(left=0.14, right=0.86, top=0.78, bottom=0.24, wspace=0.08)
    axes = fig.subplots(1, len(scenarios), sharex=True, sharey=True, squeeze=False).ravel()
    lim = max(1.0, float(forces[["along", "across"]].abs().to_numpy().max())) / 1000 * 1.05
    left = min(-lim * 0.25, float(forces["along"].min()) / 1000 * 1.05)
    for i, (ax, sc) in enumerate(zip(axes, scenarios, strict=True)):
        d = forces[forces["scenario"] == sc].reset_index(drop=True)
        y = range(len(d))
        colours = [COLOURS[5] if v < 0 else COLOURS[i % len(COLOURS)] for v in d["along"]]
        ax.barh([k + 0.18 for k in y], d["along"] / 1000, height=0.36, color=colours, label=ui("along", lang))
        ax.barh([k - 0.18 for k in y], d["across"] / 1000, height=0.36, color="#bbbbbb", label=ui("across", lang))
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlim(left, lim)
        ax.set_yticks(list(y), [label(a, lang, "forces").split("（")[0].split(" (")[0] for a in d["actor"]], fontsize=6.5)
        ax.invert_yaxis()
        ax.set_title(label(sc, lang).replace(" (", "\n(").replace("（", "\n（"), fontsize=6.5)
        ax.tick_params(axis="x", labelsize=6)
        ax.set_xlabel("k CNY / " + ui("month", lang), fontsize=6)
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center right", fontsize=6, frameon=False)
    return fig


def save_figure(fig: Figure, stem: str | os.PathLike[str]) -> list[Path]:
    """Write ``stem.png`` (150 dpi) and ``stem.svg``; return both paths."""
    stem = Path(stem)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    fig.savefig(paths[0], dpi=150)
    fig.savefig(paths[1])
    return paths


def svg_data_uri(fig: Figure) -> str:
    """The figure as an inline ``data:image/svg+xml;base64,...`` URI (text drawn as paths: no font needed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (for the dashboard)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
