"""Figures of the key outcomes (ODD §4.13): one panel per outcome group, runs overlaid."""

from __future__ import annotations

import os

import pandas as pd
from matplotlib.figure import Figure  # not pyplot: no global backend, no figure manager to close

#: Panels: title -> [(column, label)].
PANELS: dict[str, list[tuple[str, str]]] = {
    "Participation (share per month)": [("participation_any", "any"), ("participation_public_affairs", "public affairs")],
    "Attitudes": [("satisfaction", "satisfaction"), ("trust_government", "trust in government")],
    "Needs met": [("coverage", "coverage"), ("mismatch", "supply–demand mismatch")],
    "Residents' committee": [("rc_admin_share", "admin share of hours"), ("rc_autonomy", "autonomy")],
    "Social organisations": [("so_count", "number of SOs")],
    "Force synthesis": [("synthesis_efficiency", "efficiency along the main line"),
                        ("opposition_share", "share of effort against it")],
}


def outcome_panel(series: pd.DataFrame, title: str = "") -> Figure:
    """Plot the key monthly outcomes; one line per scenario (and mean over seeds if several)."""
    fig = Figure(figsize=(15, 8), layout="constrained")
    axes = fig.subplots(2, 3)
    styles = ["-", "--", ":"]
    for ax, (panel, columns) in zip(axes.ravel(), PANELS.items(), strict=True):
        for i, (name, frame) in enumerate(series.groupby("scenario", sort=False)):
            mean = frame.groupby("month")[[c for c, _ in columns]].mean()
            for j, (col, label) in enumerate(columns):
                ax.plot(mean.index, mean[col], styles[j % 3], color=f"C{i}",
                        label=f"{name}: {label}" if series["scenario"].nunique() > 1 else label)
        ax.set_title(panel)
        ax.set_xlabel("month")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    return fig


def save_panel(series: pd.DataFrame, path: str | os.PathLike[str], title: str = "") -> None:
    """Write :func:`outcome_panel` to a PNG file."""
    fig = outcome_panel(series, title)
    fig.savefig(path, dpi=110)
