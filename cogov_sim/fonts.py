"""Fonts for figure labels in Chinese (中文标签).

Matplotlib's default font has no Chinese glyphs. A figure is labelled in Chinese only when
a CJK font is installed (e.g. Debian's ``fonts-noto-cjk``); otherwise callers keep English
labels, so figures never show empty boxes. Nothing is downloaded.
"""

from __future__ import annotations

from contextlib import suppress
from functools import cache
from typing import Any

#: Font families known to cover simplified Chinese, in order of preference.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "Source Han Sans CN",
                "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
                "Heiti SC", "AR PL UMing CN", "Droid Sans Fallback",
                # the first face of Noto's .ttc collections; it holds every Chinese glyph too
                "Noto Sans CJK JP", "Noto Serif CJK JP")


@cache
def cjk_font() -> str | None:
    """The family name of an installed font with Chinese glyphs, or ``None`` if there is none."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    found = _first_cjk(manager)
    if found is None:
        # Matplotlib's font cache is built once; fonts installed later are not in it.
        known = {f.fname for f in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                with suppress(Exception):  # a font file matplotlib cannot read is simply skipped
                    manager.addfont(path)
        found = _first_cjk(manager)
    return found


def _first_cjk(manager: Any) -> str | None:
    installed = {f.name for f in manager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)
