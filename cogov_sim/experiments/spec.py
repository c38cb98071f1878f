"""Experiment files: which scenarios, what to vary and how, how often, what to keep.

An experiment is a TOML file (see ``scenarios/experiments/example.toml`` and
``docs/sweeps.md``)::

    name = "example"
    scenarios = ["administrative_led", "co_governance"]
    months = 24
    residents = 2000
    replications = 2
    seed = 20240601

    [design]
    method = "factorial"            # factorial | lhs | sobol | morris | table

    [parameters]
    "levers.purchase_share" = [0.05, 0.3]          # factorial: a list of values
    # "levers.purchase_share" = { low = 0.0, high = 0.5 }   # lhs / sobol / morris: a range

    [outputs]
    series_every = 6

It is validated like a scenario file (and with the same helpers): an unknown key names
the closest valid one, a bad value names the key, the value and what is allowed, and
every error is one line raised as :class:`~cogov_sim.errors.ScenarioError`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ScenarioError, closest
from ..metrics import METRIC_NAMES
from ..parameters import GROUPS, Population
from ..scenario import Scenario, check_number, expect_type, load_scenario, read_toml, resolve_path, search_path
from ..validation import name_problem

TOP_LEVEL_KEYS = ("name", "description", "scenario", "scenarios", "months", "residents", "replications", "seed",
                  "run_timeout", "parameters", "fixed", "design", "outputs")
DESIGN_KEYS = ("method", "samples", "levels", "second_order", "seed", "rows")
OUTPUT_KEYS = ("summary", "series", "series_every", "survey", "metrics")
RANGE_KEYS = ("low", "high")
#: Design methods: how the points in parameter space are chosen.
METHODS = ("factorial", "lhs", "sobol", "morris", "table")
#: The design keys each method reads.
METHOD_KEYS = {"factorial": ("method",), "lhs": ("method", "samples", "seed"),
               "sobol": ("method", "samples", "second_order", "seed"), "morris": ("method", "samples", "levels", "seed"),
               "table": ("method", "rows")}
#: Methods that sample ranges (``{low, high}``) rather than take value lists.
SAMPLED_METHODS = ("lhs", "sobol", "morris")
#: Columns of the summary table besides the metrics.
SUMMARY_EXTRA = ("months", "residents_final")
#: Smallest sample sizes the sensitivity methods can estimate anything from.
MIN_SAMPLES = {"sobol": 4, "morris": 2}
MIN_SAMPLES_WHY = {"sobol": "the bootstrap intervals of fewer base samples are degenerate",
                   "morris": "sigma needs at least two trajectories"}
MAX_SEED = 2**63 - 1
#: Longest per-run time limit (seconds): a week.
MAX_RUN_TIMEOUT = 604_800.0
MAX_RUNS = 10_000_000


@dataclass(frozen=True)
class Factor:
    """One varied parameter.

    Attributes:
        key: dotted parameter key, e.g. ``"levers.purchase_share"`` (or ``"months"``).
        kind: the parameter's type: ``bool``, ``int`` or ``float``.
        values: the values to take (factorial), validated and converted to ``kind``.
        bounds: ``(low, high)`` to sample (lhs, sobol, morris); integers are rounded.
    """

    key: str
    kind: type
    values: tuple[Any, ...] = ()
    bounds: tuple[float, float] | None = None


@dataclass(frozen=True)
class Outputs:
    """What each run keeps: the summary row, the monthly series (every k-th month), the survey."""

    summary: bool = True
    series: bool = True
    series_every: int = 1
    survey: bool = False
    metrics: tuple[str, ...] = ()  # empty: every metric

    def tables(self) -> tuple[str, ...]:
        """The result tables this experiment writes besides ``runs``."""
        return tuple(t for t in ("summary", "series", "survey") if getattr(self, t))


@dataclass(frozen=True)
class Experiment:
    """A validated experiment file. Build its design with :func:`cogov_sim.experiments.design.build_design`."""

    name: str
    path: Path
    sha256: str
    scenarios: tuple[Scenario, ...]
    factors: tuple[Factor, ...]
    description: str = ""
    method: str = "factorial"
    replications: int = 1
    seed: int = 0
    fixed: dict[str, Any] = field(default_factory=dict)
    samples: int = 0
    levels: int = 4
    second_order: bool = False
    design_seed: int = 0
    table: tuple[dict[str, Any], ...] = ()
    outputs: Outputs = field(default_factory=Outputs)
    #: Seconds a run may take before it is recorded as failed (0: no limit).
    run_timeout: float = 0.0

    @property
    def where(self) -> str:
        """How error messages name this file."""
        return str(self.path)

    def scenario(self, name: str) -> Scenario:
        """The base scenario called ``name``."""
        return next(sc for sc in self.scenarios if sc.name == name)


def available_experiments() -> dict[str, Path]:
    """Experiment files found in ``experiments/`` under the scenario search path, by name."""
    found: dict[str, Path] = {}
    for folder in reversed(search_path()):
        for path in sorted((folder / "experiments").glob("*.toml")):
            found[path.stem] = path
    return dict(sorted(found.items()))


def find_experiment(spec: str | os.PathLike[str]) -> Path:
    """Resolve an experiment name (``"example"``) or path to an existing file."""
    text = str(spec)
    path = Path(text)
    if path.is_file():
        return path
    names = available_experiments()
    if not (text.endswith(".toml") or os.sep in text or "/" in text) and text in names:
        return names[text]
    raise ScenarioError(f"experiment '{text}' not found (no such file, and no experiments/{path.stem}.toml on the "
                        f"scenario path); available: {', '.join(names) or 'none'}{closest(path.stem, names)}")


def load_experiment(spec: str | os.PathLike[str]) -> Experiment:
    """Load and validate an experiment file by name or path."""
    path = find_experiment(spec)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror}") from None
    data = read_toml(path)
    where = str(path)
    _check_keys(where, "", data, TOP_LEVEL_KEYS)

    scenarios = _scenarios(where, data, path.parent)
    fixed = _flatten(where, "fixed", expect_type(where, "fixed", data.get("fixed", {}), dict))
    if "months" in data:
        fixed["months"] = check_number(where, "months", data["months"], int, 1, 2400)
    if "residents" in data:
        lo, hi = next(f for f in dataclasses.fields(Population) if f.name == "residents").metadata["range"]
        fixed["population.residents"] = check_number(where, "residents", data["residents"], int, lo, hi, "persons")
    fixed = {key: _value(where, "fixed", key, value, scenarios[0]) for key, value in fixed.items()}

    design = expect_type(where, "design", data.get("design", {}), dict)
    _check_keys(where, "design.", design, DESIGN_KEYS)
    method = expect_type(where, "design.method", design.get("method", "factorial"), str)
    if method not in METHODS:
        raise ScenarioError(f"{where}: design.method = {method!r}: unknown method{closest(method, METHODS)} "
                            f"(allowed: {', '.join(METHODS)})")
    seed = check_number(where, "seed", data.get("seed", 0), int, 0, MAX_SEED)
    name = expect_type(where, "name", data.get("name", path.stem), str)
    if "name" in data and (problem := name_problem(name)):  # a file's own stem cannot leave its folder
        raise ScenarioError(f"{where}: {problem}")
    exp = Experiment(
        name=name,
        description=expect_type(where, "description", data.get("description", ""), str).strip(),
        path=path, sha256=hashlib.sha256(raw).hexdigest(), scenarios=scenarios, factors=(), method=method,
        replications=check_number(where, "replications", data.get("replications", 1), int, 1, 100_000),
        seed=seed, fixed=fixed,
        run_timeout=check_number(where, "run_timeout", data.get("run_timeout", 0.0), float, 0.0, MAX_RUN_TIMEOUT,
                                  "seconds; 0 = no limit"),
        design_seed=check_number(where, "design.seed", design.get("seed", seed), int, 0, MAX_SEED),
        outputs=_outputs(where, expect_type(where, "outputs", data.get("outputs", {}), dict)),
    )
    exp = (_table_design if method == "table" else _parameter_design)(exp, design, data)
    overlap = sorted(set(fixed) & {f.key for f in exp.factors})
    if overlap:
        raise ScenarioError(f"{where}: '{overlap[0]}' is both fixed and varied; keep it in one place "
                            f"(top-level months/residents count as fixed)")
    return exp


def design_size(exp: Experiment) -> int:
    """Number of design points per scenario (before replications)."""
    d = len(exp.factors)
    if exp.method == "factorial":
        return math.prod(len(f.values) for f in exp.factors)
    if exp.method == "lhs":
        return exp.samples
    if exp.method == "sobol":
        return exp.samples * (2 * d + 2 if exp.second_order else d + 2)
    if exp.method == "morris":
        return exp.samples * (d + 1)
    return len(exp.table)  # table: rows may be restricted to one scenario, see design.build_design


def run_count(exp: Experiment) -> int:
    """Number of runs of the design (all scenarios and replications), counted without building it."""
    if exp.method == "table":
        points = sum(len(exp.scenarios) if r["scenario"] is None else 1 for r in exp.table)
    else:
        points = design_size(exp) * len(exp.scenarios)
    return points * exp.replications


# --- internals -------------------------------------------------------------------------

def _check_keys(where: str, prefix: str, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in data:
        if key not in allowed:
            raise ScenarioError(f"{where}: unknown key '{prefix}{key}'{closest(key, allowed)} "
                                f"(allowed: {', '.join(allowed)})")


def _scenarios(where: str, data: dict[str, Any], folder: Path) -> tuple[Scenario, ...]:
    if "scenario" in data and "scenarios" in data:
        raise ScenarioError(f"{where}: give either 'scenario' or 'scenarios', not both")
    if "scenario" in data:
        names = [expect_type(where, "scenario", data["scenario"], str)]
    elif "scenarios" in data:
        names = expect_type(where, "scenarios", data["scenarios"], list)
        if not names:
            raise ScenarioError(f"{where}: scenarios = []: expected at least one scenario name")
    else:
        raise ScenarioError(f"{where}: missing 'scenario' (one base scenario) or 'scenarios' (a list)")
    loaded = []
    for i, name in enumerate(names):
        expect_type(where, f"scenarios[{i}]", name, str)
        try:
            loaded.append(load_scenario(resolve_path(name, folder)))
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: scenarios: {exc}") from None
    seen = [sc.name for sc in loaded]
    dupes = sorted({n for n in seen if seen.count(n) > 1})
    if dupes:
        raise ScenarioError(f"{where}: scenarios: '{dupes[0]}' is listed twice")
    return tuple(loaded)


def _flatten(where: str, label: str, table: dict[str, Any]) -> dict[str, Any]:
    """``{"levers": {"council": x}}`` and ``{"levers.council": x}`` both give ``{"levers.council": x}``."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if key in GROUPS and isinstance(value, dict):
            for name, inner in value.items():
                flat[f"{key}.{name}"] = inner
        else:
            flat[key] = value
    return flat


def _kind(where: str, label: str, key: str, base: Scenario) -> type:
    """The type of parameter ``key`` (validating the key itself with the scenario rules)."""
    if key == "months":
        return int
    group, _, name = key.partition(".")
    if group not in GROUPS or not name:
        base.with_overrides({key: None}, where=f"{where}: {label}")  # raises the scenario's one-line error
    specs = {f.name: f for f in dataclasses.fields(GROUPS[group])}
    if name not in specs:
        raise ScenarioError(f"{where}: {label}: unknown key '{key}'{closest(name, specs)}")
    return type(specs[name].default)


def _value(where: str, label: str, key: str, value: Any, base: Scenario) -> Any:
    """Validate one parameter value exactly as a scenario file would; return it as the parameter's type."""
    kind = _kind(where, label, key, base)
    base.with_overrides({key: value}, where=f"{where}: {label}")
    return kind(value)


def _range(where: str, label: str, key: str, spec: dict[str, Any], base: Scenario) -> tuple[float, float]:
    _check_keys(where, f"{label}.{key}.", spec, RANGE_KEYS)
    if set(spec) != set(RANGE_KEYS):
        raise ScenarioError(f"{where}: {label}.{key} = {spec!r}: a range needs both low and high")
    low, high = (_value(where, label, key, spec[k], base) for k in RANGE_KEYS)
    if not low < high:
        raise ScenarioError(f"{where}: {label}.{key}: low = {low!r} must be below high = {high!r}")
    return float(low), float(high)


def _parameter_design(exp: Experiment, design: dict[str, Any], data: dict[str, Any]) -> Experiment:
    where, method, base = exp.where, exp.method, exp.scenarios[0]
    _check_method_keys(where, method, design)
    params = _flatten(where, "parameters", expect_type(where, "parameters", data.get("parameters", {}), dict))
    factors = []
    for key, spec in params.items():
        kind = _kind(where, "parameters", key, base)
        if method == "factorial":
            if not isinstance(spec, list) or not spec:
                raise ScenarioError(f"{where}: parameters.{key} = {spec!r}: factorial designs need a non-empty list "
                                    f"of values, e.g. [0.1, 0.3]")
            values = tuple(_value(where, "parameters", key, v, base) for v in spec)
            if len(set(values)) != len(values):
                raise ScenarioError(f"{where}: parameters.{key} = {spec!r}: a value is listed twice")
            factors.append(Factor(key, kind, values=values))
        else:
            if kind is bool:
                raise ScenarioError(f"{where}: parameters.{key} is a switch (true/false) and cannot be sampled by "
                                    f"{method}; vary it with a factorial or table design, or fix it in [fixed]")
            if not isinstance(spec, dict):
                raise ScenarioError(f"{where}: parameters.{key} = {spec!r}: {method} designs need a range "
                                    f"{{ low = ..., high = ... }}")
            factors.append(Factor(key, kind, bounds=_range(where, "parameters", key, spec, base)))
    if method != "factorial" and not factors:
        raise ScenarioError(f"{where}: parameters: {method} needs at least one parameter with a range")
    if method in ("sobol", "morris") and len(factors) < 2:
        raise ScenarioError(f"{where}: parameters: {method} needs at least two parameters to compare")
    samples = 0
    if method in SAMPLED_METHODS:
        if "samples" not in design:
            what = {"lhs": "points", "sobol": "base samples N", "morris": "trajectories"}[method]
            raise ScenarioError(f"{where}: design: {method} needs 'samples' (number of {what})")
        samples = check_number(where, "design.samples", design["samples"], int, 1, MAX_RUNS)
    if samples and samples < MIN_SAMPLES.get(method, 1):
        raise ScenarioError(f"{where}: design.samples = {samples}: too few for {method}; allowed at least "
                            f"{MIN_SAMPLES[method]} ({MIN_SAMPLES_WHY[method]})")
    if method == "sobol" and samples & (samples - 1):
        raise ScenarioError(f"{where}: design.samples = {samples}: Sobol sampling needs a power of 2 "
                            f"(e.g. {2 ** round(math.log2(samples))})")
    levels = check_number(where, "design.levels", design.get("levels", 4), int, 2, 1000)
    if method == "morris" and levels % 2:
        raise ScenarioError(f"{where}: design.levels = {levels}: Morris needs an even number of levels (e.g. 4)")
    second = check_number(where, "design.second_order", design.get("second_order", False), bool, None, None)
    exp = dataclasses.replace(exp, factors=tuple(factors), samples=samples, levels=levels, second_order=second)
    _check_size(exp)
    return exp


def _table_design(exp: Experiment, design: dict[str, Any], data: dict[str, Any]) -> Experiment:
    where, base = exp.where, exp.scenarios[0]
    if "parameters" in data:
        raise ScenarioError(f"{where}: parameters: a table design takes its values from [[design.rows]]; "
                            f"remove [parameters] or use another method")
    _check_method_keys(where, "table", design)
    rows = expect_type(where, "design.rows", design.get("rows", []), list)
    if not rows:
        raise ScenarioError(f"{where}: design: method = \"table\" needs [[design.rows]] entries")
    names = [sc.name for sc in exp.scenarios]
    table, keys = [], None
    for i, row in enumerate(rows):
        label = f"design.rows[{i}]"
        row = _flatten(where, label, expect_type(where, label, row, dict))
        scenario = row.pop("scenario", None)
        if scenario is not None and scenario not in names:
            raise ScenarioError(f"{where}: {label}.scenario = {scenario!r}: not one of the experiment's scenarios"
                                f"{closest(str(scenario), names)} (allowed: {', '.join(names)})")
        if keys is None:
            keys = list(row)
        missing, extra = [k for k in keys if k not in row], [k for k in row if k not in keys]
        if missing or extra:
            what = f"lacks '{missing[0]}'" if missing else f"sets '{extra[0]}', which design.rows[0] does not"
            raise ScenarioError(f"{where}: {label}: {what} (every row sets the same parameters: "
                                f"{', '.join(keys) or 'none'})")
        values = {k: _value(where, label, k, row[k], base) for k in keys}
        table.append({"scenario": scenario, **values})
    kinds = {k: _kind(where, "design.rows[0]", k, base) for k in keys or []}
    factors = tuple(Factor(k, kinds[k], values=tuple(dict.fromkeys(r[k] for r in table))) for k in kinds)
    exp = dataclasses.replace(exp, factors=factors, table=tuple(table))
    _check_size(exp)
    return exp


def _check_method_keys(where: str, method: str, design: dict[str, Any]) -> None:
    for key in design:
        if key not in METHOD_KEYS[method]:
            users = [m for m in METHODS if key in METHOD_KEYS[m]]
            raise ScenarioError(f"{where}: design.{key} is not used by method = \"{method}\" "
                                f"(only by {', '.join(users)})")


def _check_size(exp: Experiment) -> None:
    runs = run_count(exp)
    if runs > MAX_RUNS:
        raise ScenarioError(f"{exp.where}: the design has {runs:,} runs; allowed at most {MAX_RUNS:,}")


def _outputs(where: str, table: dict[str, Any]) -> Outputs:
    _check_keys(where, "outputs.", table, OUTPUT_KEYS)
    values: dict[str, Any] = {}
    for key in ("summary", "series", "survey"):
        if key in table:
            values[key] = check_number(where, f"outputs.{key}", table[key], bool, None, None)
    if "series_every" in table:
        values["series_every"] = check_number(where, "outputs.series_every", table["series_every"], int, 1, 2400,
                                               "months")
    if "metrics" in table:
        metrics = expect_type(where, "outputs.metrics", table["metrics"], list)
        for i, name in enumerate(metrics):
            if name not in METRIC_NAMES:
                raise ScenarioError(f"{where}: outputs.metrics[{i}] = {name!r}: unknown metric"
                                    f"{closest(str(name), METRIC_NAMES)} (see the columns of a run's series)")
        values["metrics"] = tuple(dict.fromkeys(metrics))
    outputs = Outputs(**values)
    if not outputs.tables():
        raise ScenarioError(f"{where}: outputs: summary, series and survey are all false; keep at least one")
    return outputs
