"""Scenario files: load, resolve ``extends``, validate, apply overrides (ODD §6).

A scenario is a TOML file with a name, a description, the run length, four parameter
tables (``[population]``, ``[economy]``, ``[levers]``, ``[behaviour]``) and a list of
``[[events]]``. ``extends = "other"`` starts from another scenario and overrides a few
values. Files whose name starts with ``_`` are fragments (the shared base and the fitted
calibration) and are not listed as runnable scenarios.

Every user error raises :class:`~cogov_sim.errors.ScenarioError` with one line naming the
file, the key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import numbers
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ScenarioError, closest
from .parameters import DOMAINS, GROUPS, Behaviour, Economy, Levers, Population, constraint_violation, format_number
from .validation import allowed, as_whole_number, name_problem, short_repr

#: The repository's scenario folder (the package is installed in editable mode).
SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"

TOP_LEVEL_KEYS = ("name", "description", "extends", "months", "meta", "events", *GROUPS)

#: Event kinds and their parameters: name -> (type, low, high, default). ``None`` default = required.
EVENT_KINDS: dict[str, dict[str, tuple[type, float | None, float | None, Any]]] = {
    "regime_switch": {"scenario": (str, None, None, ""), "levers": (dict, None, None, {}),
                      "ramp_months": (int, 0, 240, 0)},
    "budget_cut": {"share": (float, 0.0, 1.0, None), "duration": (int, 0, 1200, 0)},
    "emergency": {"intensity": (float, 0.0, 10.0, 1.0), "duration": (int, 1, 120, 3),
                  "domains": (list, None, None, ["health", "safety"])},
    "ageing": {"share": (float, 0.0, 1.0, None)},
    "migrant_inflow": {"share": (float, 0.0, 2.0, None)},
    "enterprise_exit": {"share": (float, 0.0, 1.0, None)},
}
EVENT_DOCS = {
    "regime_switch": "new lever values (from `scenario` and/or a `levers` table), phased in over `ramp_months`",
    "budget_cut": "the public budget falls by `share` for `duration` months (0 = for good)",
    "emergency": "health and safety needs (or `domains`) rise by `intensity` for `duration` months",
    "ageing": "a `share` of working-age residents retire",
    "migrant_inflow": "new residents (`share` of the population) arrive with low belonging and awareness",
    "enterprise_exit": "a `share` of enterprises leave; their employees lose their jobs",
}


@dataclass(frozen=True)
class Event:
    """Something that happens at a given month (ODD §7.12)."""

    month: int
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: parameter groups plus events."""

    name: str
    description: str = ""
    months: int = 120
    population: Population = field(default_factory=Population)
    economy: Economy = field(default_factory=Economy)
    levers: Levers = field(default_factory=Levers)
    behaviour: Behaviour = field(default_factory=Behaviour)
    events: tuple[Event, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = "<defaults>"

    def with_overrides(self, overrides: dict[str, Any], where: str = "override") -> Scenario:
        """Return a copy with dotted keys overridden, e.g. ``{"levers.council": True}``.

        ``months`` may be given without a group. Values are validated like file values.
        """
        changes: dict[str, Any] = {}
        grouped: dict[str, dict[str, Any]] = {}
        for key, value in overrides.items():
            if key == "months":
                changes["months"] = check_number(where, "months", value, int, 1, 2400)
                continue
            group, _, name = key.partition(".")
            if group not in GROUPS or not name:
                raise ScenarioError(
                    f"{where}: '{key}' is not a parameter; write group.name with group one of "
                    f"{', '.join(GROUPS)}{closest(group, GROUPS)}")
            grouped.setdefault(group, {})[name] = value
        for group, values in grouped.items():
            changes[group] = _validate_group(where, group, values, getattr(self, group))
        return dataclasses.replace(self, **changes)


def available_scenarios() -> dict[str, Path]:
    """Runnable scenarios found on the search path, by name (fragments excluded)."""
    found: dict[str, Path] = {}
    for folder in reversed(search_path()):
        for path in sorted(folder.glob("*.toml")):
            if not path.name.startswith("_"):
                found[path.stem] = path
    return dict(sorted(found.items()))


#: Population presets, accepted wherever a number of residents is (``--residents street``,
#: ``run_scenario(..., residents="street")``): name → communities (one RC each). The residents
#: are that many times the scenario's ``residents_per_community``.
POPULATION_PRESETS: dict[str, int] = {
    "street": 23,  # a whole street: a street office has 23 RCs on average (sources §7.18.1)
}


def preset_residents(name: str, scenario: str | os.PathLike[str] | Scenario) -> int:
    """Residents of population preset ``name`` for ``scenario`` (its ``residents_per_community``)."""
    if name not in POPULATION_PRESETS:
        raise ScenarioError(f"residents: {name!r} is neither a whole number nor a population preset; allowed a whole "
                            f"number or {', '.join(POPULATION_PRESETS)}{closest(name, POPULATION_PRESETS)}")
    return POPULATION_PRESETS[name] * load_scenario(scenario).population.residents_per_community


def load_scenario(spec: str | os.PathLike[str] | Scenario) -> Scenario:
    """Load and validate a scenario by name (``"cooperative"``) or path."""
    if isinstance(spec, Scenario):
        return spec
    return _load(resolve_path(str(spec)), chain=())


def scenario_description(path: Path) -> str:
    """The ``description`` of a scenario file (first line), without full validation."""
    try:
        return str(read_toml(path).get("description", "")).strip().splitlines()[0]
    except (ScenarioError, IndexError):
        return ""


# --- internals -------------------------------------------------------------------------

def search_path() -> list[Path]:
    """Folders searched for scenario files, first match wins: ``COGOV_SCENARIO_PATH``, ./scenarios, the shipped ones."""
    extra = [Path(p) for p in os.environ.get("COGOV_SCENARIO_PATH", "").split(os.pathsep) if p]
    dirs = [*extra, Path.cwd() / "scenarios", SCENARIO_DIR]
    unique: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def resolve_path(spec: str, relative_to: Path | None = None) -> Path:
    """The file a scenario name or path means (relative paths from ``relative_to`` first); one-line error if none."""
    candidates = []
    if spec.endswith(".toml") or os.sep in spec or "/" in spec:
        path = Path(spec)
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
        candidates.append(path)
    else:
        if relative_to is not None:
            candidates.append(relative_to / f"{spec}.toml")
        candidates += [d / f"{spec}.toml" for d in search_path()]
    for path in candidates:
        if path.is_file():
            return path
    names = list(available_scenarios())
    raise ScenarioError(
        f"scenario '{spec}' not found (looked for {candidates[0] if candidates else spec}); "
        f"available: {', '.join(names) or 'none'}{closest(Path(spec).stem, names)}")


_TABLE_LINE = re.compile(r"^\s*\[\[?\s*([A-Za-z_]+)")
_VALUE_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([^#]*?)\s*(?:#\s*(.*))?$")


def value_comments(path: Path) -> dict[tuple[str, str], str]:
    """``(table, key) → comment`` for every value a scenario file sets on one line: the text after its
    ``#``, which says where the value comes from (``sources §…`` or an assumption); ``""`` when there is
    none. Top-level keys have table ``""``; a repeated table (``[[events]]``) keeps its last value."""
    comments: dict[tuple[str, str], str] = {}
    table = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        head = _TABLE_LINE.match(line)
        if head:
            table = head.group(1)
            continue
        value = _VALUE_LINE.match(line)
        if value:
            comments[(table, value.group(1))] = (value.group(3) or "").strip()
    return comments


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; unreadable, non-UTF-8 or malformed files raise a one-line :class:`ScenarioError`."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {exc.start} is {exc.object[exc.start]:#04x}); "
                            f"allowed: a TOML file in UTF-8") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror}") from None


def _load(path: Path, chain: tuple[Path, ...]) -> Scenario:
    path = path.resolve()
    if path in chain:
        loop = " -> ".join(p.stem for p in (*chain, path))
        raise ScenarioError(f"{path}: circular chain {loop} (a scenario that extends or switches to itself)")
    data = read_toml(path)
    where = str(path)
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise ScenarioError(f"{where}: unknown key '{key}'{closest(key, TOP_LEVEL_KEYS)} "
                                f"(allowed: {', '.join(TOP_LEVEL_KEYS)})")
    if "extends" in data:
        try:
            parent = resolve_path(expect_type(where, "extends", data["extends"], str), path.parent)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: extends: {exc}") from None
        base = _load(parent, (*chain, path))
    else:
        base = Scenario(name=path.stem)
    changes: dict[str, Any] = {"name": path.stem, "source": where}
    if "name" in data:
        changes["name"] = expect_type(where, "name", data["name"], str)
        if problem := name_problem(changes["name"]):
            raise ScenarioError(f"{where}: {problem}")
    if "description" in data:
        changes["description"] = expect_type(where, "description", data["description"], str).strip()
    if "months" in data:
        changes["months"] = check_number(where, "months", data["months"], int, 1, 2400)
    if "meta" in data:
        changes["meta"] = {**base.meta, **expect_type(where, "meta", data["meta"], dict)}
    for group in GROUPS:
        if group in data:
            values = expect_type(where, group, data[group], dict)
            changes[group] = _validate_group(where, group, values, getattr(base, group))
    if "events" in data:
        events = expect_type(where, "events", data["events"], list)
        own = tuple(_validate_event(where, i, e, path.parent, (*chain, path)) for i, e in enumerate(events))
        changes["events"] = tuple(sorted((*base.events, *own), key=lambda e: e.month))
    return dataclasses.replace(base, **changes)


def expect_type(where: str, key: str, value: Any, kind: type) -> Any:
    """``value`` if it is a ``kind``; otherwise a one-line :class:`ScenarioError` naming ``where``, the key and the value."""
    if not isinstance(value, kind):
        names = {str: "a string", dict: "a table", list: "a list", bool: "true or false"}
        raise ScenarioError(f"{where}: {key} = {value!r}: expected {names.get(kind, kind.__name__)}")
    return value


def check_number(where: str, key: str, value: Any, kind: type, lo: float | None, hi: float | None,
                  unit: str = "") -> Any:
    """``value`` checked as a ``kind`` (bool, whole number or number) within ``lo``–``hi``; one-line error otherwise."""
    if kind is bool:
        if not isinstance(value, bool):
            raise ScenarioError(f"{where}: {key} = {value!r}: expected true or false")
        return value
    if kind is int:  # integral floats (13.0) are whole numbers everywhere, see cogov_sim.validation
        number = as_whole_number(value)
    else:
        number = float(value) if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_) else None
    if number is None:
        what = "a whole number" if kind is int else "a number"
        raise ScenarioError(f"{where}: {key} = {short_repr(value)}: expected {what} in {allowed(lo, hi)}"
                            + (f" ({unit})" if unit else ""))
    value = number
    if (lo is not None and value < lo) or (hi is not None and value > hi) or value != value:
        raise ScenarioError(f"{where}: {key} = {value!r} is out of range; allowed {allowed(lo, hi)}"
                            + (f" ({unit})" if unit else ""))
    return value


def _validate_group(where: str, group: str, values: dict[str, Any], base: Any) -> Any:
    cls = GROUPS[group]
    specs = {f.name: f for f in dataclasses.fields(cls)}
    checked = {}
    for key, value in values.items():
        if key not in specs:
            raise ScenarioError(f"{where}: unknown key '{group}.{key}'{closest(key, specs)}")
        spec = specs[key]
        kind = type(spec.default)
        lo, hi = spec.metadata["range"]
        checked[key] = check_number(where, f"{group}.{key}", value, kind, lo, hi, spec.metadata["unit"])
    result = dataclasses.replace(base, **checked)
    broken = constraint_violation(group, result)
    if broken is not None:
        given = ", ".join(f"{group}.{k} = {format_number(v)}" for k, v in checked.items())
        raise ScenarioError(f"{where}: {given}: not allowed; {broken}")
    return result


def parse_event(raw: dict[str, Any], where: str = "event", folder: str | os.PathLike[str] = ".") -> Event:
    """Validate one event given as a table like a scenario file's ``[[events]]`` entry, e.g.
    ``{"month": 30, "kind": "budget_cut", "share": 0.3, "duration": 12}``; a regime switch's
    ``scenario`` is resolved relative to ``folder``. Raises :class:`ScenarioError` with one line."""
    return _validate_event(where, 0, raw, Path(folder), ())


def _validate_event(where: str, index: int, raw: Any, folder: Path, chain: tuple[Path, ...]) -> Event:
    label = f"events[{index}]"
    raw = dict(expect_type(where, label, raw, dict))
    if "month" not in raw or "kind" not in raw:
        missing = "month" if "month" not in raw else "kind"
        raise ScenarioError(f"{where}: {label}: missing '{missing}' (every event needs month and kind)")
    month = check_number(where, f"{label}.month", raw.pop("month"), int, 0, 2400)
    kind = raw.pop("kind")
    if not isinstance(kind, str) or kind not in EVENT_KINDS:
        raise ScenarioError(f"{where}: {label}.kind = {short_repr(kind)}: unknown event"
                            f"{closest(str(kind), EVENT_KINDS) if isinstance(kind, str) else ''} "
                            f"(allowed: {', '.join(EVENT_KINDS)})")
    spec = EVENT_KINDS[kind]
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in spec:
            raise ScenarioError(f"{where}: unknown key '{label}.{key}' for {kind}{closest(key, spec)} "
                                f"(allowed: {', '.join(spec)})")
        typ, lo, hi, _ = spec[key]
        if typ in (int, float):
            params[key] = check_number(where, f"{label}.{key}", value, typ, lo, hi)
        else:
            params[key] = expect_type(where, f"{label}.{key}", value, typ)
    for key, (_, _, _, default) in spec.items():
        if key not in params:
            if default is None:
                raise ScenarioError(f"{where}: {label}: {kind} needs '{key}'")
            params[key] = default
    if kind == "emergency":
        for d in params["domains"]:
            if d not in DOMAINS:
                raise ScenarioError(f"{where}: {label}.domains: unknown domain {d!r}{closest(str(d), DOMAINS)} "
                                    f"(allowed: {', '.join(DOMAINS)})")
    if kind == "regime_switch":
        target = _load(resolve_path(params["scenario"], folder), chain).levers if params["scenario"] else Levers()
        if not params["scenario"] and not params["levers"]:
            raise ScenarioError(f"{where}: {label}: regime_switch needs 'scenario' or 'levers'")
        params["target"] = target if params["scenario"] else None
        params["levers"] = dict(params["levers"])
        _validate_group(f"{where}: {label}", "levers", params["levers"], Levers())
    return Event(month=month, kind=kind, params=params)
