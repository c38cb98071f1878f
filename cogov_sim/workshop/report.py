"""The one-page report of a comparison: a self-contained HTML page that prints on one A4 sheet.

Inline CSS, figures as inline SVG data URIs (text drawn as paths, so Chinese shows without
fonts on the reader's machine), no external address. Written with the figures (PNG, SVG)
and the tables (CSV) by :func:`write_report`.
"""

from __future__ import annotations

import html
import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from .compare import OUTCOMES, Comparison
from .figures import forces_figure, save_figure, series_figure, svg_data_uri
from .i18n import label, ui
from .outcomes import HEADLINE, OUTCOME_FORMATS

CSS = """
@page { size: A4; margin: 9mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans", "DejaVu Sans", sans-serif; font-size: 7pt; line-height: 1.2;
       color: #111; margin: 0 auto; max-width: 192mm; }
h1 { font-size: 11pt; margin: 0 0 0.5mm 0; }
p.meta { margin: 0 0 1.5mm 0; color: #444; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 0.25mm 1mm; border-bottom: 0.2mm solid #ddd; text-align: right; vertical-align: top;
         white-space: nowrap; }
th { white-space: normal; }
th:first-child, td:first-child { text-align: left; white-space: normal; }
th { background: #f0f0f0; font-weight: 600; }
td .d { display: block; color: #555; font-size: 6.3pt; }
td .d.sig { color: #000; font-weight: 600; }
.caveat { color: #b35900; font-weight: 600; }
img { width: 100%; display: block; margin-top: 1mm; }
h2 { font-size: 8pt; margin: 1.5mm 0 0 0; }
p.note { margin: 0.6mm 0 0 0; color: #444; font-size: 6.2pt; }
"""


def _fmt(outcome: str) -> str:
    return OUTCOME_FORMATS.get(outcome, "{:.3f}")


def format_value(outcome: str, value: float) -> str:
    """A value formatted as in ``cogov run``'s table."""
    return "–" if not np.isfinite(value) else _fmt(outcome).format(value)


def format_diff(outcome: str, value: float) -> str:
    """A difference: percentage points for shares, otherwise the outcome's own format with a sign."""
    if not np.isfinite(value):
        return "–"
    fmt = _fmt(outcome)
    text = f"{value * 100:+.1f}" if "%" in fmt else fmt.replace("{:", "{:+").format(value)
    return "+" + text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text  # not "-0"


def cell_text(cmp: Comparison, row: pd.Series, with_ci: bool) -> tuple[str, str, bool]:
    """(value text, difference text, difference interval excludes zero) for one outcome × scenario row."""
    o = row["outcome"]
    value = format_value(o, row["mean"])
    if with_ci:
        value += f" [{format_value(o, row['lo'])}, {format_value(o, row['hi'])}]"
    if row["scenario"] == cmp.baseline:
        return value, "", False
    diff = "Δ " + format_diff(o, row["diff"])
    if with_ci:
        diff += f" [{format_diff(o, row['diff_lo'])}, {format_diff(o, row['diff_hi'])}]"
    if "%" in _fmt(o):
        diff += " pp"
    sig = with_ci and (row["diff_lo"] > 0 or row["diff_hi"] < 0)
    return value, diff, bool(sig)


def render_html(cmp: Comparison, lang: str = "en", generated: str | None = None) -> str:
    """The one-page report as an HTML string."""
    e = html.escape
    with_ci = cmp.seeds > 1
    names = [label(s, lang, "scenarios") for s in cmp.scenarios]
    head = "".join(f"<th>{e(n)}</th>" for n in names)
    rows = []
    for outcome in OUTCOMES:
        by = {r["scenario"]: r for _, r in cmp.table[cmp.table["outcome"] == outcome].iterrows()}
        mark = ""
        if outcome in cmp.caveats:
            mark = f' <span class="caveat" title="{e("; ".join(cmp.caveats[outcome]))}">⚠</span>'
        cells = []
        for sc in cmp.scenarios:
            value, diff, sig = cell_text(cmp, by[sc], with_ci)
            d = f'<span class="d{" sig" if sig else ""}">{e(diff)}</span>' if diff else ""
            cells.append(f"<td>{e(value)}{d}</td>")
        rows.append(f"<tr><td>{e(label(outcome, lang, 'outcomes'))}{mark}</td>{''.join(cells)}</tr>")
    series = series_figure(cmp.bands, cmp.scenarios, HEADLINE, lang, size=(7.4, 2.6))
    forces = forces_figure(cmp.forces, cmp.scenarios, lang, size=(7.4, 1.55))
    seeds = f"{cmp.seeds} {ui('seeds', lang)}" if with_ci else ui("one_seed", lang)
    meta = (f"{seeds} · {cmp.residents:,} {ui('residents_n', lang)} · {cmp.months} {ui('months_n', lang)} · "
            f"{ui('baseline', lang)}: {label(cmp.baseline, lang, 'scenarios')}")
    notes = [ui("ci_note", lang) if with_ci else ui("one_seed_note", lang)]
    if any(o in cmp.caveats for o in OUTCOMES):
        notes.append(ui("caveat_note", lang))
    notes.append(ui("sources_note", lang))
    stamp = generated or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<title>{e(ui('title', lang))}</title><style>{CSS}</style></head>
<body>
<h1>{e(ui('title', lang))}: {e(' · '.join(names))}</h1>
<p class="meta">{e(meta)} · cogov_sim · {e(stamp)}</p>
<table><thead><tr><th>{e(ui('outcome', lang))} — {e(ui('mean_ci', lang))}</th>{head}</tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<h2>{e(ui('over_time', lang))} ({e(ui('bands', lang) if with_ci else ui('one_seed', lang))})</h2>
<img alt="{e(ui('over_time', lang))}" src="{svg_data_uri(series)}">
<h2>{e(ui('forces', lang))}</h2>
<img alt="{e(ui('forces', lang))}" src="{svg_data_uri(forces)}">
{''.join(f'<p class="note">{e(n)}</p>' for n in notes)}
</body></html>
"""


def write_report(cmp: Comparison, out: str | os.PathLike[str], lang: str = "en") -> list[Path]:
    """Write ``report.html``, the figures (PNG and SVG) and the tables (CSV) into ``out``; return the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    table = cmp.table.assign(outcome_label=[label(o, lang, "outcomes") for o in cmp.table["outcome"]],
                             scenario_label=[label(s, lang, "scenarios") for s in cmp.table["scenario"]])
    for name, frame in (("comparison", table), ("bands", cmp.bands), ("forces", cmp.forces)):
        path = out / f"{name}.csv"
        frame.to_csv(path, index=False)
        paths.append(path)
    paths += save_figure(series_figure(cmp.bands, cmp.scenarios, HEADLINE, lang), out / "outcomes")
    paths += save_figure(forces_figure(cmp.forces, cmp.scenarios, lang), out / "forces")
    page = out / "report.html"
    page.write_text(render_html(cmp, lang), encoding="utf-8")
    paths.append(page)
    return paths


def text_table(cmp: Comparison, lang: str = "en") -> str:
    """The comparison as a plain-text table for the terminal (mean [95% CI], Δ from the baseline)."""
    with_ci = cmp.seeds > 1
    rows = []
    for outcome in OUTCOMES:
        t = cmp.table[cmp.table["outcome"] == outcome]
        cells = []
        for _, row in t.iterrows():
            value, diff, sig = cell_text(cmp, row, with_ci)
            cells.append(value + (f"  {diff}{' *' if sig else ''}" if diff else ""))
        mark = " ⚠" if outcome in cmp.caveats else ""
        rows.append([label(outcome, lang, "outcomes") + mark, *cells])
    order = list(cmp.table[cmp.table["outcome"] == OUTCOMES[0]]["scenario"])
    frame = pd.DataFrame(rows, columns=[ui("outcome", lang), *(label(s, lang, "scenarios") for s in order)])
    return frame.to_string(index=False)
