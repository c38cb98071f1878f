"""Chinese figure labels only where a CJK font exists; English otherwise."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib import font_manager

from cogov_sim import fonts
from cogov_sim.discovery import discover


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch):
    """A machine whose only fonts are matplotlib's own (no CJK font anywhere)."""
    fonts.cjk_font.cache_clear()
    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [f for f in font_manager.fontManager.ttflist if "DejaVu" in f.name])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    yield
    fonts.cjk_font.cache_clear()


def test_no_cjk_font_is_reported_as_none(no_fonts) -> None:
    assert fonts.cjk_font() is None


def test_trajectory_plot_keeps_english_labels_without_a_cjk_font(no_fonts) -> None:
    frame = pd.DataFrame({"a": [i / 99 for i in range(100)], "b": [(i * 37 % 100) / 99 for i in range(100)]})
    frame["y"] = (frame["a"] > 0.7).astype(float)
    found = discover(frame, "y", above=0.5, inputs=["a", "b"])
    ax = found.plot_trajectory(lang="zh")
    assert ax.get_xlabel() == "coverage" and ax.get_ylabel() == "density"
    plt.close(ax.figure)
    assert "覆盖率" in found.report("zh")  # the text report is Chinese whatever the fonts
