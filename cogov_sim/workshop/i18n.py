"""One translation table (English / 中文) for everything a workshop sees.

Every outcome, field force, service domain, lever, scenario, event kind, the interface
words of the report and the dashboard, and the words of PRIM's report (``[prim]``) has one
entry in ``labels.toml`` beside this module;
the report, the dashboard, the figure labels and ``cogov compare --lang zh`` all read it
through :func:`label`. The Chinese terms are those of ``docs/glossary.md`` (the sources'
wording, ``docs/sources.md §1``–``sources §6``). A name missing from the table comes back unchanged;
``tests/test_workshop.py`` checks that every outcome, lever, scenario and event kind has both
languages.

Figures use Matplotlib with a CJK font when one is installed (Debian ``fonts-noto-cjk``):
:func:`use_cjk_font` selects it, or warns once, in one line, that figures keep English labels
(rather than drawing boxes); the HTML tables are Chinese all the same.
"""

from __future__ import annotations

import sys
import tomllib
from functools import cache
from pathlib import Path

from ..fonts import cjk_font

#: Languages of the table, in the order of each entry.
LANGUAGES = ("en", "zh")
#: Sections of the table, searched in this order when no section is given.
SECTIONS = ("outcomes", "forces", "domains", "levers", "scenarios", "events", "ui", "prim")
TABLE_FILE = Path(__file__).with_name("labels.toml")


@cache
def table() -> dict[str, dict[str, tuple[str, str]]]:
    """The translation table: section -> key -> (English, 中文)."""
    with TABLE_FILE.open("rb") as fh:
        raw = tomllib.load(fh)
    return {section: {k: (v[0], v[1]) for k, v in raw.get(section, {}).items()} for section in SECTIONS}


def label(key: str, lang: str = "en", section: str | None = None) -> str:
    """The label of ``key`` in ``lang`` (``"en"`` or ``"zh"``), from ``section`` or the first section having it.

    Unknown keys come back unchanged, so a new outcome or lever shows by its code name.
    """
    col = LANGUAGES.index(lang) if lang in LANGUAGES else 0
    sections = (section,) if section else SECTIONS
    for s in sections:
        entry = table()[s].get(key)
        if entry is not None:
            return entry[col]
    return key


def ui(key: str, lang: str = "en") -> str:
    """An interface word of the report or the dashboard."""
    return label(key, lang, "ui")


@cache
def use_cjk_font() -> bool:
    """Put a CJK font first in Matplotlib's sans-serif list; warn once (one line) if there is none."""
    import matplotlib

    font = cjk_font()
    if font is None:
        print("cogov: warning: no CJK font found (install Debian's fonts-noto-cjk); figures keep English labels",
              file=sys.stderr)
        return False
    families = [f for f in matplotlib.rcParams["font.sans-serif"] if f != font]
    matplotlib.rcParams["font.sans-serif"] = [font, *families]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return True
