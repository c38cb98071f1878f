"""Shared fixtures for the core-simulation test suite.

The finished models are session-scoped and small (about 1,000 residents, 24 months) so
the suite stays fast; tests that change a model build their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cogov_sim.ledger import EXTERNAL
from cogov_sim.model import CommunityModel
from cogov_sim.run import Results, collect_results
from cogov_sim.scenario import Scenario, load_scenario

#: Metrics that are shares or indices: all must lie in [0, 1].
SHARE_PREFIXES = ("participation_", "satisfaction", "trust_", "belonging", "efficacy", "awareness", "coverage",
                  "willingness")
SHARE_COLUMNS = ("mismatch", "rc_admin_share", "rc_autonomy", "so_government_share", "so_autonomy", "gini_coverage",
                 "opposition_share")


def share_columns(series: pd.DataFrame) -> list[str]:
    """The columns of a run's series that are shares in [0, 1]."""
    return [c for c in series.columns if c.startswith(SHARE_PREFIXES) or c in SHARE_COLUMNS]


def scenario(name: str, **overrides: object) -> Scenario:
    """A shipped scenario with dotted overrides written as keyword arguments with ``__``
    for the dot, e.g. ``scenario("cooperative", levers__council=False)``."""
    sc = load_scenario(name)
    if overrides:
        sc = sc.with_overrides({k.replace("__", "."): v for k, v in overrides.items()})
    return sc


@dataclass
class MonthBooks:
    """What the ledger showed at the end of one month."""

    imbalance: float
    lowest_internal: float
    budget_received: float
    government_outflow: float
    government_balance: float
    flows: dict[str, float]
    outflow: dict[str, float]


@dataclass
class SteppedRun:
    """A model stepped month by month with the books inspected after every month."""

    model: CommunityModel
    books: list[MonthBooks] = field(default_factory=list)
    results: Results | None = None

    @property
    def series(self) -> pd.DataFrame:
        assert self.results is not None
        return self.results.series


def step_with_books(model: CommunityModel, months: int) -> SteppedRun:
    """Step ``model`` for ``months`` months, recording the ledger after each month."""
    run = SteppedRun(model)
    ledger = model.ledger
    for _ in range(months):
        model.step()
        internal = [v for k, v in ledger.balances.items() if k not in EXTERNAL]
        run.books.append(MonthBooks(
            imbalance=ledger.imbalance(), lowest_internal=min(internal, default=0.0),
            budget_received=ledger.flows.get("budget", 0.0),
            government_outflow=ledger.outflow.get(model.government.account, 0.0),
            government_balance=ledger.balance(model.government.account),
            flows=dict(ledger.flows), outflow=dict(ledger.outflow)))
    run.results = collect_results(model, keep_model=True)
    return run


@pytest.fixture(scope="session")
def co_governance_run() -> SteppedRun:
    """co_governance (council, fund, micro-funds, incubation, purchase of services) in two
    communities of 1,000 residents, 24 months, seed 11."""
    sc = scenario("co_governance", population__residents_per_community=1000)
    return step_with_books(CommunityModel(sc, seed=11, residents=2000), 24)


@pytest.fixture(scope="session")
def administrative_run() -> SteppedRun:
    """administrative_led (no council, no fund, unfunded tasks) with grid management and an
    ample budget, one community of 1,000 residents, 24 months, seed 5."""
    sc = scenario("administrative_led_grid", levers__budget_per_resident=120.0)
    return step_with_books(CommunityModel(sc, seed=5, residents=1000), 24)


@pytest.fixture(params=["co_governance_run", "administrative_run"])
def any_run(request: pytest.FixtureRequest) -> SteppedRun:
    """Each session run in turn."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def write_toml(tmp_path: Path):
    """Write a scenario file into ``tmp_path``: ``write_toml("name", "text")`` -> its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


#: The ``cogov`` console script installed next to the interpreter running the tests.
COGOV_SCRIPT = Path(sys.executable).parent / "cogov"


@pytest.fixture
def cogov(tmp_path: Path):
    """Run the command line in a subprocess from ``tmp_path``.

    ``cogov("run", "x.toml")`` uses ``python -m cogov_sim.cli``; ``script=True`` uses the
    installed ``cogov`` console script instead. Returns the CompletedProcess.
    """
    env = {k: v for k, v in os.environ.items() if k != "COGOV_SCENARIO_PATH"}
    env["MPLBACKEND"] = "Agg"

    def run(*args: object, script: bool = False, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        command = [str(COGOV_SCRIPT)] if script else [sys.executable, "-m", "cogov_sim.cli"]
        return subprocess.run([*command, *map(str, args)], capture_output=True, text=True, timeout=300,
                              cwd=cwd or tmp_path, env=env, check=False)

    return run


def assert_finite(frame: pd.DataFrame) -> None:
    """Every numeric value of ``frame`` is finite (no NaN, no inf)."""
    numbers = frame.select_dtypes("number")
    bad = numbers.columns[~np.isfinite(numbers.to_numpy(dtype=float)).all(axis=0)].tolist()
    assert not bad, f"non-finite values in {bad}"


@dataclass(frozen=True)
class BadScenario:
    """A scenario file (plus any files it extends) that must be refused with one line."""

    id: str
    files: dict[str, str]
    expect: tuple[str, ...]          # substrings of the one-line message; "{main}" is the main file's path
    main: str = "bad"

    def write(self, folder: Path) -> Path:
        for name, text in self.files.items():
            (folder / f"{name}.toml").write_text(text, encoding="utf-8")
        return folder / f"{self.main}.toml"


BAD_SCENARIOS = [
    BadScenario("unknown_lever", {"bad": 'extends = "cooperative"\n[levers]\ndirective_intensty = 0.5\n'},
                ("{main}", "directive_intensty", "did you mean 'directive_intensity'")),
    BadScenario("unknown_top_level_key", {"bad": 'event = []\n'}, ("{main}", "'event'", "did you mean 'events'")),
    BadScenario("unknown_group", {"bad": '[lever]\ncouncil = true\n'}, ("{main}", "'lever'", "did you mean 'levers'")),
    BadScenario("wrong_type_bool", {"bad": '[levers]\ncouncil = "yes"\n'},
                ("{main}", "levers.council", "'yes'", "true or false")),
    BadScenario("wrong_type_number", {"bad": '[levers]\ndirective_intensity = "high"\n'},
                ("{main}", "levers.directive_intensity", "'high'", "a number", "0–1")),
    BadScenario("wrong_type_table", {"bad": 'levers = 3\n'}, ("{main}", "levers", "table")),
    BadScenario("wrong_type_whole_number", {"bad": 'months = 12.5\n'}, ("{main}", "months", "12.5", "whole number")),
    BadScenario("out_of_range", {"bad": '[levers]\ndirective_intensity = 1.5\n'},
                ("{main}", "levers.directive_intensity", "1.5", "out of range", "0–1")),
    BadScenario("out_of_range_int", {"bad": '[population]\nresidents = 10\n'},
                ("{main}", "population.residents", "10", "out of range", "50–")),
    BadScenario("out_of_range_nan", {"bad": '[levers]\nbudget_per_resident = nan\n'},
                ("{main}", "levers.budget_per_resident", "nan", "0–500")),
    BadScenario("malformed_toml", {"bad": 'name = "x"\n\n[levers\ncouncil = true\n'}, ("{main}", "TOML", "line 3")),
    BadScenario("unknown_event_kind", {"bad": '[[events]]\nmonth = 3\nkind = "budget_cutt"\n'},
                ("{main}", "events[0].kind", "budget_cutt", "did you mean 'budget_cut'", "emergency")),
    BadScenario("event_missing_parameter", {"bad": '[[events]]\nmonth = 3\nkind = "budget_cut"\n'},
                ("{main}", "events[0]", "budget_cut", "'share'")),
    BadScenario("event_unknown_domain", {"bad": '[[events]]\nmonth = 3\nkind = "emergency"\ndomains = ["helth"]\n'},
                ("{main}", "helth", "did you mean 'health'")),
    BadScenario("circular_extends", {"bad": 'extends = "other"\n', "other": 'extends = "bad"\n'},
                ("{main}", "circular", "bad -> other -> bad")),
    BadScenario("self_extends", {"bad": 'extends = "bad"\n'}, ("circular", "bad -> bad")),
    BadScenario("missing_file", {}, ("not found", "nothere"), main="nothere"),
    BadScenario("months_nan", {"bad": 'months = nan\n'}, ("{main}", "months = nan", "whole number", "1–2400")),
    BadScenario("months_inf", {"bad": 'months = inf\n'}, ("{main}", "months = inf", "whole number", "1–2400")),
    BadScenario("residents_nan", {"bad": '[population]\nresidents = -nan\n'},
                ("{main}", "population.residents = nan", "whole number", "50–1,000,000")),
    BadScenario("event_month_nan", {"bad": '[[events]]\nmonth = nan\nkind = "ageing"\nshare = 0.1\n'},
                ("{main}", "events[0].month = nan", "whole number", "0–2400")),
    BadScenario("event_duration_inf", {"bad": '[[events]]\nmonth = 3\nkind = "budget_cut"\nshare = 0.1\n'
                                               'duration = inf\n'},
                ("{main}", "events[0].duration = inf", "whole number", "0–1200")),
    BadScenario("event_kind_list", {"bad": '[[events]]\nmonth = 3\nkind = ["ageing"]\n'},
                ("{main}", "events[0].kind = ['ageing']", "unknown event", "allowed: regime_switch")),
    BadScenario("event_kind_table", {"bad": '[[events]]\nmonth = 3\nkind = { a = 1 }\n'},
                ("{main}", "events[0].kind = {'a': 1}", "unknown event", "allowed: regime_switch")),
    BadScenario("regime_switch_to_itself", {"bad": '[[events]]\nmonth = 3\nkind = "regime_switch"\nscenario = "bad"\n'},
                ("{main}", "circular chain bad -> bad")),
    BadScenario("regime_switch_to_a_child", {"bad": '[[events]]\nmonth = 3\nkind = "regime_switch"\nscenario = "kid"\n',
                                             "kid": 'extends = "bad"\n'},
                ("circular chain bad -> kid -> bad",)),
    BadScenario("shares_above_one", {"bad": '[population]\nshare_youth = 0.6\nshare_retiree = 0.5\n'},
                ("{main}", "population.share_youth = 0.6", "population.share_retiree = 0.5",
                 "share_youth + share_retiree <= 1")),
    BadScenario("path_traversal_name", {"bad": 'name = "../../x"\n'}, ("{main}", "'../../x'", "not a safe name")),
]
