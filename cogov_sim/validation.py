"""Arguments of the Python API and the command line, checked in one place.

:func:`run_scenario <cogov_sim.run.run_scenario>` and :class:`CommunityModel
<cogov_sim.model.CommunityModel>` call :func:`check_run_arguments` / :func:`check_model_arguments`;
the ``cogov`` argument types (:mod:`cogov_sim.cli_args`) call :func:`whole_number_problem`.
Both answer a bad value with the same one-line message naming the argument, the value and
what is allowed: the API raises :class:`~cogov_sim.errors.ArgumentError` (a
:class:`~cogov_sim.errors.CogovError` and a ``ValueError``), the CLI prints it and exits with 2.

Whole numbers: an ``int``, a numpy integer, or a float with no fractional part (``13.0``,
``1e3``, ``numpy.float64(24)``) is accepted everywhere a whole number is expected — in
scenario and experiment files, on the command line and in the Python API — and converted to
``int``. ``13.5``, ``nan``, ``inf``, ``True`` and strings are refused.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from .errors import ArgumentError
from .parameters import Population, format_number
from .threads import limit_blas_threads

#: Names of scenarios and experiments (they become folder names).
SAFE_NAME = re.compile(r"[^\W_][\w.-]{0,99}")
#: Seeds: non-negative 63-bit integers (or a ``numpy.random.SeedSequence``).
SEED_RANGE = (0, 2**63 - 1)
#: Run length in months.
MONTHS_RANGE = (1, 2400)
#: Population size (the scenario parameter ``population.residents``).
RESIDENTS_RANGE: tuple[int, int] = next(f for f in dataclasses.fields(Population)
                                        if f.name == "residents").metadata["range"]


def allowed(lo: float | None, hi: float | None) -> str:
    """``"0–1"``, ``"50–1,000,000"``; an open end is left blank."""
    def text(x: float | None) -> str:
        if x is None:
            return ""
        return f"{x:,}" if isinstance(x, int) and abs(x) >= 10_000 else format_number(x)

    return f"{text(lo)}–{text(hi)}"


def as_whole_number(value: Any) -> int | None:
    """``value`` as an ``int`` if it is a whole number (see the module docstring), else ``None``."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    return None


def whole_number_problem(value: Any, lo: int, hi: int) -> tuple[int, str]:
    """``(int value, "")`` if ``value`` is a whole number in ``lo``–``hi``, else ``(0, what is wrong)``."""
    number = as_whole_number(value)
    if number is None:
        return 0, f"{value!r} is not a whole number; allowed {allowed(lo, hi)}"
    if not lo <= number <= hi:
        return 0, f"{number} is out of range; allowed {allowed(lo, hi)}"
    return number, ""


def whole_number(name: str, value: Any, lo: int, hi: int, check_range: bool = True) -> int:
    """``value`` as an ``int`` in ``lo``–``hi``; else :class:`ArgumentError` ``"name: problem"``.

    ``check_range=False`` checks only that it is a whole number (the range is then checked where
    the value lands, e.g. as the scenario parameter it overrides).
    """
    number, problem = whole_number_problem(value, lo, hi)
    if problem and (check_range or as_whole_number(value) is None):
        raise ArgumentError(f"{name}: {problem}")
    return number if not problem else int(value)


def name_problem(name: str) -> str:
    """What is wrong with a scenario or experiment ``name`` used in output paths ("" if nothing).

    A name is a safe slug: letters (any script), digits, ``_``, ``-`` and ``.``, starting with a
    letter or digit, at most 100 characters, so that ``runs/NAME-seed0`` stays inside ``runs/``.
    """
    if not SAFE_NAME.fullmatch(name) or ".." in name:
        return (f"name = {short_repr(name)}: not a safe name; allowed: letters, digits, '_', '-' and '.', "
                f"starting with a letter or digit, at most 100 characters (no '/', no '..')")
    return ""


def check_seed(seed: Any) -> int | np.random.SeedSequence:
    """A root seed: a whole number in 0–2^63−1, or a :class:`numpy.random.SeedSequence`."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return whole_number("seed", seed, *SEED_RANGE)


def check_overrides(overrides: Any) -> dict[str, Any] | None:
    """A mapping of dotted parameter keys (strings) to values; the values are checked by the scenario."""
    if overrides is None:
        return None
    if not isinstance(overrides, Mapping):
        raise ArgumentError(f"overrides: {type(overrides).__name__} {short_repr(overrides)} is not a mapping; allowed "
                            f"a dict of dotted keys to values, e.g. {{'levers.council': True}}")
    for key in overrides:
        if not isinstance(key, str):
            raise ArgumentError(f"overrides: key {key!r} is not a string; allowed dotted keys such as "
                                f"'levers.council'")
    return dict(overrides)


def check_model_arguments(seed: Any, residents: Any) -> tuple[int | np.random.SeedSequence, int | None]:
    """Check :class:`~cogov_sim.model.CommunityModel`'s ``seed`` and ``residents`` (``None``: the scenario's).

    ``residents`` must be a whole number here; its range is the scenario parameter's
    (``population.residents``), checked as a scenario override (:class:`~cogov_sim.errors.ScenarioError`).
    """
    if residents is not None:
        residents = whole_number("residents", residents, *RESIDENTS_RANGE, check_range=False)
    return check_seed(seed), residents


def prepare_model_arguments(seed: Any, residents: Any) -> tuple[int | np.random.SeedSequence, int | None]:
    """What :class:`~cogov_sim.model.CommunityModel` does first: check its arguments
    (:func:`check_model_arguments`) and limit BLAS to one thread (:func:`~cogov_sim.threads.limit_blas_threads`)."""
    limit_blas_threads()
    return check_model_arguments(seed, residents)


def check_run_arguments(seed: Any, months: Any, residents: Any, overrides: Any
                        ) -> tuple[int | np.random.SeedSequence, int | None, int | None, dict[str, Any] | None]:
    """Check :func:`~cogov_sim.run.run_scenario`'s arguments; return them converted (whole numbers as ``int``).

    The ranges of ``months`` and ``residents`` are the scenario's (checked as overrides).
    """
    seed, residents = check_model_arguments(seed, residents)
    months = None if months is None else whole_number("months", months, *MONTHS_RANGE, check_range=False)
    return seed, months, residents, check_overrides(overrides)


def short_repr(value: Any) -> str:
    """``repr(value)``, cut to 60 characters for messages."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
