"""Every coefficient is a documented parameter (ODD Appendix A).

* each parameter has a default inside its range, a unit, a source and a description, and is
  read somewhere in the model (no dead parameters);
* the coefficients can be overridden like any parameter (dotted keys, scenario files) and
  the model uses the overridden value;
* docs/ODD.md's generated tables are up to date (``docs/generate_parameter_table.py --check``);
* no numeric literal is left in the equations of the model: the scan below reads every
  mechanism, actor, the schedule, the events and the survey, and allows only 0, 1, indices,
  ``axis=`` and the short list :data:`ALLOWED` of numbers that are not coefficients (unit
  conversions, numerical guards, the survey's questionnaire). ``metrics.py`` (output
  accounting) and ``network.py`` (graph arithmetic; its sizes are parameters) are not scanned.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import cogov_sim
from cogov_sim.errors import ScenarioError
from cogov_sim.parameters import DOMAINS, GROUPS, LIFE_STAGES, RC_HOUR_USES, Behaviour, Population, parameter_rows
from cogov_sim.run import run_scenario
from cogov_sim.scenario import Scenario, load_scenario

PACKAGE = Path(cogov_sim.__file__).parent
ROOT = PACKAGE.parent

# ----------------------------------------------------------------------------- the literal scan
#: Files whose numbers are the model's equations (relative to the package).
SCANNED = sorted([*(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.glob("mechanisms/*.py")),
                  *(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.glob("actors/*.py")),
                  "model.py", "events.py", "survey.py"])
#: Numbers that are not coefficients, by (file, function, value) — "*" matches any file or
#: function, "<module>" the module level — and why they stay.
ALLOWED: dict[tuple[str, str, float], str] = {
    ("*", "*", 1000.0): "rates given per 1,000 residents (unit conversion)",
    ("*", "*", 12): "months per year (unit conversion; the survey year)",
    ("*", "*", 1e-9): "guard against division by zero",
    ("model.py", "step", 11): "the last month of a survey year (12 − 1)",
    ("actors/residents.py", "<module>", 1e-3): "BETA_GUARD: keeps Beta shapes positive at means 0 and 1 (numerical)",
    ("actors/residents.py", "<module>", 0.2): "BOTTOM_QUINTILE: the equity output's bottom income quintile (definition)",
    ("actors/residents.py", "new_residents", 0.5): "−σ²/2 in exp(N(−σ²/2, σ)): a lognormal with mean one",
    ("actors/residents.py", "new_residents", 2): "σ² (the exponent) in the same lognormal",
    ("mechanisms/needs.py", "intensity_draw", 0.5): "−σ²/2 in exp(N(−σ²/2, σ)): a lognormal with mean one",
    ("mechanisms/needs.py", "intensity_draw", 2): "σ² (the exponent) in the same lognormal",
    ("mechanisms/common.py", "total_variation", 0.5): "total-variation distance ½·Σ|p − q| (definition)",
    ("mechanisms/common.py", "<module>", 8): "SEQUENTIAL_SUM_LENGTH: numpy's pairwise-summation block (not a coefficient)",
    ("events.py", "ageing", 2): "life-stage index of retirees",
    ("survey.py", "buckets", 2): "questionnaire bucket 1–2 times a year (sources §6.3)",
    ("survey.py", "buckets", 3): "questionnaire bucket 3–5 times a year (sources §6.3)",
    ("survey.py", "buckets", 5): "questionnaire buckets 3–5 and more than 5 (sources §6.3)",
}
#: Module-level names holding data rather than coefficients: the calibration targets (sources §6).
DATA_CONSTANTS = {"TARGETS"}
#: Calls whose arguments are counts of random streams, not coefficients.
STREAM_CALLS = {"spawn"}


def _is_data_constant(node: ast.AST) -> bool:
    if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
        return False
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return any(isinstance(t, ast.Name) and t.id in DATA_CONSTANTS for t in targets)


def numeric_literals(source: str) -> list[tuple[int, str, float]]:
    """(line, enclosing function, value) of every int/float literal except 0 and 1, subscripts
    (indices), ``axis=``, :data:`DATA_CONSTANTS` and the arguments of :data:`STREAM_CALLS`."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            skip.update(id(n) for n in ast.walk(node.slice))
        elif (isinstance(node, ast.keyword) and node.arg == "axis") or _is_data_constant(node):
            skip.update(id(n) for n in ast.walk(node.value))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in STREAM_CALLS):
            skip.update(id(n) for a in node.args for n in ast.walk(a))
    found: list[tuple[int, str, float]] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if (isinstance(node, ast.Constant) and type(node.value) in (int, float) and id(node) not in skip
                and node.value not in (0, 1)):
            found.append((node.lineno, function, node.value))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "<module>")
    return sorted(found)


def unexplained(relpath: str, source: str) -> list[tuple[int, str, float]]:
    return [(line, fn, v) for line, fn, v in numeric_literals(source)
            if not any(key in ALLOWED for key in ((relpath, fn, v), (relpath, "*", v), ("*", "*", v)))]


def test_literal_scan_catches_coefficients_and_ignores_indices():
    bad = ("def update(s, coverage, job, took, rate, h=5.0):\n"
           "    target = 0.85 * coverage + 0.15 * job\n"
           "    n = took[:, 3].sum(axis=1)\n"
           "    return s + rate * (target - s) * 1.0 + 0 - h / 1000.0\n")
    assert sorted(v for *_, v in numeric_literals(bad)) == [0.15, 0.85, 5.0, 1000.0]
    assert sorted(v for *_, v in unexplained("mechanisms/attitudes.py", bad)) == [0.15, 0.85, 5.0]
    # an allowed number is allowed only where the allow-list says: ½ of the TVD, not a ½ elsewhere
    assert unexplained("mechanisms/supply.py", "def market_access(x):\n    return x / 0.5\n") == [(2, "market_access", 0.5)]
    assert numeric_literals("TARGETS: dict = {'a': 0.25}\nseq.spawn(3)\nx = y[2]\n") == []


@pytest.mark.parametrize("relpath", SCANNED)
def test_no_coefficient_is_written_into_the_equations(relpath):
    found = unexplained(relpath, (PACKAGE / relpath).read_text(encoding="utf-8"))
    assert found == [], (f"{relpath}: numbers in the equations {found}; make each a parameter in "
                         "cogov_sim/parameters.py (or, if it is not a coefficient, add it to ALLOWED with the reason)")


def test_every_allowed_number_is_still_needed():
    used = {(rel, fn, v) for rel in SCANNED for _, fn, v in numeric_literals((PACKAGE / rel).read_text(encoding="utf-8"))}
    stale = [key for key in ALLOWED
             if not any(key[0] in ("*", rel) and key[1] in ("*", fn) and key[2] == v for rel, fn, v in used)]
    assert stale == [], f"ALLOWED lists numbers no scanned file contains: {stale}"


def test_the_scan_covers_every_mechanism_and_actor():
    assert {"mechanisms/attitudes.py", "mechanisms/organisations.py", "actors/residents.py", "actors/committee.py",
            "model.py", "survey.py"} <= set(SCANNED)


# ----------------------------------------------------------------------------- documentation
@pytest.mark.parametrize("row", parameter_rows(), ids=lambda r: f"{r['group']}.{r['name']}")
def test_every_parameter_is_documented_and_its_default_is_allowed(row):
    assert row["source"].strip() and row["doc"].strip()
    if isinstance(row["default"], bool):
        return
    assert row["unit"].strip()
    field = {f.name: f for f in dataclasses.fields(GROUPS[row["group"]])}[row["name"]]
    lo, hi = field.metadata["range"]
    assert lo <= row["default"] <= hi and lo < hi


def _attribute_names() -> set[str]:
    """Attribute names read anywhere in the package except the parameter declarations."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "parameters.py":
            continue
        names |= {n.attr for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Attribute)}
    return names


def test_every_parameter_is_read_by_the_model():
    vectors = ({f"need_{s}_{d}" for s in LIFE_STAGES for d in DOMAINS} | {f"priority_{d}" for d in DOMAINS}
               | {f"society_goal_{d}" for d in DOMAINS}
               | {f"time_cost_{s}" for s in LIFE_STAGES} | {f"rc_{u}_share" for u in RC_HOUR_USES}
               | {f"admin_service_{d}" for d in DOMAINS})
    read = _attribute_names() | vectors
    unused = [f"{g}.{f.name}" for g, cls in GROUPS.items() for f in dataclasses.fields(cls) if f.name not in read]
    assert unused == []


def test_vector_parameters_assemble_in_domain_and_life_stage_order():
    pop, beh = Population(), Behaviour()
    assert pop.base_need.shape == (len(LIFE_STAGES), len(DOMAINS))
    assert pop.base_need[LIFE_STAGES.index("retiree"), DOMAINS.index("health")] == pop.need_retiree_health
    assert beh.top_down_priority[DOMAINS.index("culture")] == beh.priority_culture
    assert list(beh.free_hour_shares) == [*RC_HOUR_USES, "council"]
    assert sum(beh.free_hour_shares.values()) == pytest.approx(1.0)
    np.testing.assert_array_equal(beh.time_cost, [beh.time_cost_youth, beh.time_cost_working, beh.time_cost_retiree])


def test_generated_odd_tables_are_up_to_date():
    spec = importlib.util.spec_from_file_location("generate_parameter_table", ROOT / "docs" / "generate_parameter_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0, "run: python docs/generate_parameter_table.py --write"
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    for row in parameter_rows():
        assert f"`{row['name']}`" in odd


# ----------------------------------------------------------------------------- overrides reach the model
def test_coefficients_can_be_overridden_with_dotted_keys_and_are_validated():
    sc = Scenario(name="t").with_overrides({"behaviour.trust_service_weight": 0.9, "population.need_retiree_health": 1.2,
                                            "economy.so_bid_room": 2.0, "behaviour.so_founders": 3})
    assert (sc.behaviour.trust_service_weight, sc.population.need_retiree_health) == (0.9, 1.2)
    assert (sc.economy.so_bid_room, sc.behaviour.so_founders) == (2.0, 3)
    with pytest.raises(ScenarioError, match=r"behaviour\.trust_service_weight = 1\.5 is out of range; allowed 0–1"):
        Scenario(name="t").with_overrides({"behaviour.trust_service_weight": 1.5})
    with pytest.raises(ScenarioError, match="did you mean 'trust_service_weight'"):
        Scenario(name="t").with_overrides({"behaviour.trust_service_weigth": 0.5})
    with pytest.raises(ScenarioError, match="expected a whole number"):
        Scenario(name="t").with_overrides({"behaviour.fund_cycle_months": 2.5})


@pytest.mark.parametrize("overrides, broken", [
    ({"behaviour.rc_outreach_share": 0.9}, "sum to at most 1"),
    ({"population.initial_so_capacity_low": 60.0}, "initial_so_capacity_low <= initial_so_capacity_high"),
    ({"economy.enterprise_propensity_high": 0.1}, "enterprise_propensity_low <= enterprise_propensity_high"),
    ({"economy.so_bid_professional_discount": 1.3}, "stays positive"),
])
def test_inconsistent_coefficients_get_a_one_line_answer(overrides, broken):
    with pytest.raises(ScenarioError, match=broken) as err:
        Scenario(name="t").with_overrides(overrides)
    assert "\n" not in str(err.value) and next(iter(overrides)) in str(err.value)


def test_scenario_files_set_coefficients(tmp_path):
    path = tmp_path / "needy.toml"
    path.write_text('extends = "cooperative"\n[population]\nneed_retiree_health = 2.0\n'
                    '[behaviour]\nsatisfied_threshold = 0.2\n', encoding="utf-8")
    sc = load_scenario(path)
    assert sc.population.need_retiree_health == 2.0 and sc.behaviour.satisfied_threshold == 0.2


def _share(survey, question: str, answer: str) -> float:
    rows = survey[(survey.question == question) & (survey.answer == answer)]
    return float(rows["share"].mean())


def test_overridden_coefficients_change_what_the_model_computes():
    base = Scenario(name="t")
    runs = {key: run_scenario(base.with_overrides({key: value}) if key else base, seed=4, months=12, residents=400)
            for key, value in [("", None), ("behaviour.satisfied_threshold", 0.1),
                               ("population.need_retiree_health", 2.0), ("behaviour.trust_service_weight", 1.0)]}
    plain = runs[""]
    assert (_share(runs["behaviour.satisfied_threshold"].survey, "satisfied_with_services", "yes")
            > _share(plain.survey, "satisfied_with_services", "yes"))
    assert runs["population.need_retiree_health"].summary["coverage"].iloc[0] < plain.summary["coverage"].iloc[0]
    assert not np.isclose(runs["behaviour.trust_service_weight"].summary["trust_government"].iloc[0],
                          plain.summary["trust_government"].iloc[0])
