"""Generate the tables of docs/ODD.md from the code, so that they cannot drift from it.

Usage (from the repository root, with the project's virtual environment)::

    python docs/generate_parameter_table.py            # print the parameter table (markdown)
    python docs/generate_parameter_table.py --all      # print every generated block
    python docs/generate_parameter_table.py --write    # replace the generated blocks in docs/ODD.md
    python docs/generate_parameter_table.py --check    # exit 1 if docs/ODD.md is out of date

Each block sits in ODD.md between ``<!-- BEGIN <NAME> -->`` and ``<!-- END <NAME> -->``:

* ``PARAMETER TABLE``: every parameter of :func:`cogov_sim.parameters.parameter_rows`
  (group, name, default, value in the reference scenarios' shared base, range, unit, source,
  description);
* ``VECTOR PARAMETERS``: the parameters that form vectors and matrices (need by life stage and
  domain, government's priority, time cost, the RC's free-hour split), shown as tables;
* ``CALIBRATION TABLE``: the behavioural values in ``scenarios/_calibration.toml``;
* ``SCENARIO LEVERS``: the levers of each reference scenario (read with
  :func:`cogov_sim.load_scenario`) and the source passage each comes from (the comment
  written beside the value in the scenario file, or the parameter's own source when the
  scenario keeps the default).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from cogov_sim import load_scenario
from cogov_sim.metrics import METRIC_NAMES
from cogov_sim.parameters import DOMAINS, GROUPS, LIFE_STAGES, Behaviour, Levers, Population, parameter_rows
from cogov_sim.scenario import SCENARIO_DIR, value_comments

ODD = Path(__file__).resolve().parent / "ODD.md"

#: The reference scenarios (one per source model) and the single-lever variants, in table order.
REFERENCE_SCENARIOS = ("administrative_led", "administrative_led_grid", "autonomous", "autonomous_supported",
                       "cooperative", "co_governance", "nanan", "suyu", "mianyang", "administrative_led_grid_services",
                       "karamay")

BEGIN, END = "<!-- BEGIN {} -->", "<!-- END {} -->"


def fmt(x: object) -> str:
    """A value as it reads best in a table cell."""
    if isinstance(x, bool):
        return "on" if x else "off"
    if isinstance(x, int):
        return f"{x:,}" if abs(x) >= 10_000 else str(x)
    if isinstance(x, float):
        if x.is_integer() and abs(x) >= 10_000:
            return f"{x:,.0f}"
        return f"{x:g}"
    if isinstance(x, np.ndarray):
        return "[" + ", ".join(fmt(float(v)) for v in x.ravel()) + "]"
    if isinstance(x, dict):
        return ", ".join(f"{k} {fmt(v)}" for k, v in x.items())
    return str(x)


def cell(text: object) -> str:
    """Escape a table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# --- blocks ------------------------------------------------------------------------------

def parameter_table() -> str:
    """Every parameter, from :func:`parameter_rows`, with the value the shared base sets."""
    base = load_scenario("_base")
    rows = []
    for r in parameter_rows():
        used = getattr(getattr(base, r["group"]), r["name"])
        rows.append([r["group"], f"`{r['name']}`", fmt(r["default"]),
                     "" if used == r["default"] else fmt(used), r["range"], r["unit"], r["source"], r["doc"]])
    note = (f"{len(rows)} parameters. *default*: the value in `cogov_sim/parameters.py`; *base*: the value set "
            "by `scenarios/_base.toml` (which extends `_calibration.toml`) for every reference scenario, shown "
            "only where it differs from the default. Levers are set per scenario (see the scenario lever table).")
    return note + "\n\n" + table(["group", "name", "default", "base", "range", "unit", "source", "description"], rows)


def vector_parameters() -> str:
    """The parameters that form vectors and matrices, shown as such (values from ``parameters.py``)."""
    pop, beh = Population(), Behaviour()
    stage_rows = [[s, *(fmt(float(v)) for v in row)] for s, row in zip(LIFE_STAGES, pop.base_need, strict=True)]
    out = ["Monthly need in service units per resident (`population.need_<stage>_<domain>`, `Population.base_need`):",
           "", table(["life stage", *DOMAINS], stage_rows), "",
           "Government's own priority (`behaviour.priority_<domain>`, `Behaviour.top_down_priority`, normalised "
           "when used):", "", table(list(DOMAINS), [[fmt(float(v)) for v in beh.top_down_priority]]), "",
           "Time cost of taking part (`behaviour.time_cost_<stage>`, `Behaviour.time_cost`) and the split of an "
           "RC's free hours (`behaviour.rc_<use>_share`, `Behaviour.free_hour_shares`; `council_hours_share` "
           "where a council exists):", "",
           table(list(LIFE_STAGES), [[fmt(float(v)) for v in beh.time_cost]]), "",
           table(list(beh.free_hour_shares), [[fmt(v) for v in beh.free_hour_shares.values()]])]
    return "\n".join(out)


def calibration_table() -> str:
    """The behavioural values of scenarios/_calibration.toml against the code defaults."""
    path = SCENARIO_DIR / "_calibration.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    specs = {r["name"]: r for r in parameter_rows() if r["group"] == "behaviour"}
    meta = data.get("meta", {})
    searched = meta.get("calibration_parameters", {})
    posterior = meta.get("calibration_posterior", {})
    date, distance = meta.get("calibration_date", "?"), meta.get("calibration_distance_pp", float("nan"))
    rows = []
    for k, v in data.get("behaviour", {}).items():
        targets = re.search(r"\((T[^)]*)\)", specs[k]["source"])
        if k in searched:
            lo, hi = searched[k]
            post = posterior.get(k, {})
            interval = f"[{fmt(post['q05'])}, {fmt(post['q95'])}]" if post else "—"
            source = (f"calibrated against {targets.group(1) if targets else 'T1–T5'} "
                      f"(`cogov calibrate`, {date}; distance {distance} pp; docs/validation.md)")
            rows.append([f"`{k}`", fmt(v), f"[{fmt(lo)}, {fmt(hi)}]", interval, fmt(specs[k]["default"]),
                         specs[k]["unit"], source])
        else:
            rows.append([f"`{k}`", fmt(v), "—", "—", fmt(specs[k]["default"]), specs[k]["unit"],
                         f"{specs[k]['source']} (not fitted)"])
    procedure = meta.get("calibration_procedure", "(not recorded)")
    return (f"`[meta] calibration_procedure`: *{procedure}*\n\n"
            + table(["parameter", "value used", "range searched", "ABC 5–95%", "prior in `parameters.py`", "unit",
                     "source"], rows))




def _chain(name: str) -> list[Path]:
    """The scenario file ``name`` and the files it extends, child first."""
    chain, current = [], name
    while current:
        path = SCENARIO_DIR / f"{current}.toml"
        chain.append(path)
        current = tomllib.loads(path.read_text(encoding="utf-8")).get("extends", "")
    return chain


def _commented_values(chain: list[Path]) -> dict[tuple[str, str], tuple[str, str]]:
    """``(group, key) -> (comment, file name)`` for every value set along ``chain`` (child wins)."""
    comments: dict[tuple[str, str], tuple[str, str]] = {}
    for path in reversed(chain):
        for (group, key), comment in value_comments(path).items():
            if group in GROUPS:
                comments[(group, key)] = (comment, path.name)
    return comments


def scenario_levers() -> str:
    """Lever values per reference scenario, then where each value comes from."""
    scenarios = {name: load_scenario(name) for name in REFERENCE_SCENARIOS}
    defaults = Levers()
    names = [f.name for f in dataclasses.fields(Levers)]
    specs = {r["name"]: r for r in parameter_rows() if r["group"] == "levers"}
    matrix = [[f"`{lever}`", *(fmt(getattr(sc.levers, lever)) for sc in scenarios.values()),
               fmt(getattr(defaults, lever))] for lever in names]
    out = [table(["lever", *scenarios, "default"], matrix), ""]
    for name, sc in scenarios.items():
        chain = _chain(name)
        comments = _commented_values(chain)
        parent = next((p.stem for p in chain[1:] if p.stem in REFERENCE_SCENARIOS), None)
        own = _commented_values(chain[:1])
        keys = [("levers", lever) for lever in names]
        if parent is not None:  # a variant: only what it changes
            keys = [k for k in keys if k in own]
        rows = []
        for group, key in keys:
            value = getattr(getattr(sc, group), key)
            label = f"`{key}`" if group == "levers" else f"`{group}.{key}`"
            if (group, key) in comments:
                text, file = comments[(group, key)]
                why = f"{text} — `{file}`" if text else f"set without comment in `{file}`"
            else:
                why = f"default; parameter source: {specs[key]['source']}"
            rows.append([label, fmt(value), why])
        heading = f"**{name}** — {sc.description}"
        if parent is not None:
            heading += f" Changes to `{parent}`:"
        out += [heading, "", table(["lever", "value", "source passage (scenario-file comment) — file"], rows), ""]
    return "\n".join(out).rstrip()


BLOCKS: dict[str, Callable[[], str]] = {
    "PARAMETER TABLE": parameter_table,
    "VECTOR PARAMETERS": vector_parameters,
    "CALIBRATION TABLE": calibration_table,
    "SCENARIO LEVERS": scenario_levers,
}


def render(text: str) -> str:
    """``text`` with every generated block that has markers replaced by fresh output."""
    if BEGIN.format("PARAMETER TABLE") not in text:
        raise SystemExit(f"{ODD}: marker {BEGIN.format('PARAMETER TABLE')} not found")
    for name, make in BLOCKS.items():
        begin, end = BEGIN.format(name), END.format(name)
        if begin not in text:
            continue
        if end not in text:
            raise SystemExit(f"{ODD}: {begin} without {end}")
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{begin}\n{make()}\n{end}{tail}"
    return text


def undocumented_metrics(text: str) -> list[str]:
    """Metric names that docs/ODD.md does not mention."""
    return [m for m in METRIC_NAMES if f"`{m}`" not in text and m not in text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="print every generated block, not only the parameter table")
    parser.add_argument("--write", action="store_true", help="replace the generated blocks in docs/ODD.md")
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/ODD.md is out of date")
    args = parser.parse_args(argv)
    if args.write or args.check:
        old = ODD.read_text(encoding="utf-8")
        new = render(old)
        missing = undocumented_metrics(new)
        if args.write:
            if new != old:
                ODD.write_text(new, encoding="utf-8")
            print(f"{ODD}: {'updated' if new != old else 'already up to date'}")
        elif new != old:
            print(f"{ODD}: generated blocks are out of date; run python docs/generate_parameter_table.py --write")
            return 1
        if missing:
            print(f"{ODD}: metrics not described in the output glossary: {', '.join(missing)}")
            return 1
        return 0
    if args.all:
        for name, make in BLOCKS.items():
            print(f"## {name}\n\n{make()}\n")
    else:
        print(parameter_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
