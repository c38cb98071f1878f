"""The parameters no calibration target constrains, and their plausible ranges (one registry).

The registry is data, ``unconstrained.toml`` beside this module: which Behaviour parameters are
held (with the reason), explicit ranges (with the reason) and the rule for every other one. The
fitted parameters are read from :data:`~cogov_sim.calibration.sampling.FIT_PARAMETERS`, so the
two lists cannot disagree. :func:`registry` turns it into one row per varied parameter, checked
against ``parameters.py`` (names exist, ranges inside the allowed range); :func:`overrides` turns a
sampled point into scenario overrides, keeping the sum of each composition (the RC's free-hour
shares must sum to at most 1, parameters.py ``CONSTRAINTS``).
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..parameters import Behaviour
from .sampling import FIT_PARAMETERS

#: The registry file.
REGISTRY_FILE = Path(__file__).with_name("unconstrained.toml")


@dataclass(frozen=True)
class Unconstrained:
    """One varied parameter: ``behaviour.<name>`` over ``[lo, hi]``.

    Attributes:
        value: its value in the reference scenarios (the calibrated point).
        kind: ``int`` or ``float`` (whole-number parameters are rounded).
        rule: ``"listed"`` (own range) or ``"rule"`` (value × (1 ± relative_span)).
        why: the reason for the range.
    """

    name: str
    lo: float
    hi: float
    value: float
    kind: type
    rule: str
    why: str

    @property
    def key(self) -> str:
        """The dotted override key."""
        return f"behaviour.{self.name}"


@dataclass(frozen=True)
class Registry:
    """The varied parameters, the held ones (name → reason) and the compositions (name → members)."""

    parameters: tuple[Unconstrained, ...]
    held: dict[str, str]
    fitted: tuple[str, ...]
    compositions: dict[str, tuple[str, ...]]
    relative_span: float

    def names(self) -> list[str]:
        """Names of the varied parameters, in order."""
        return [p.name for p in self.parameters]

    def problem(self) -> dict[str, Any]:
        """The SALib problem over the varied parameters."""
        return {"num_vars": len(self.parameters), "names": self.names(),
                "bounds": [[p.lo, p.hi] for p in self.parameters]}


def read_registry_file(path: str | Path = REGISTRY_FILE) -> dict[str, Any]:
    """The raw registry."""
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def registry(behaviour: Behaviour | None = None, data: Mapping[str, Any] | None = None) -> Registry:
    """The registry around ``behaviour`` (the reference scenarios' values; default: the
    administrative-led scenario's, i.e. the calibrated point), checked against parameters.py.

    Raises:
        ValueError: a listed name that is not a Behaviour parameter, a fitted parameter listed,
            or a range outside the allowed one.
    """
    if behaviour is None:
        from ..scenario import load_scenario
        from .targets import CALIBRATION_SCENARIO

        behaviour = load_scenario(CALIBRATION_SCENARIO).behaviour
    data = read_registry_file() if data is None else data
    fields = {f.name: f for f in dataclasses.fields(Behaviour)}
    fitted = tuple(p.name for p in FIT_PARAMETERS)
    held = dict(data.get("held", {}))
    ranges = dict(data.get("ranges", {}))
    compositions = {k: tuple(v) for k, v in data.get("compositions", {}).items()}
    span = float(data.get("rule", {}).get("relative_span", 0.5))
    for name in [*held, *ranges, *(m for ms in compositions.values() for m in ms)]:
        if name not in fields:
            raise ValueError(f"unconstrained registry: '{name}' is not a Behaviour parameter")
        if name in fitted:
            raise ValueError(f"unconstrained registry: '{name}' is fitted to T1–T5 (calibration/sampling.py)")
    params = []
    for name, f in fields.items():
        if name in fitted or name in held or isinstance(f.default, bool):
            continue
        value = float(getattr(behaviour, name))
        allowed_lo, allowed_hi = f.metadata["range"]
        if name in ranges:
            lo, hi, rule, why = float(ranges[name]["low"]), float(ranges[name]["high"]), "listed", ranges[name]["why"]
        elif value == 0.0:
            held[name] = "value 0: the relative rule gives no range (list one under [ranges] to vary it)"
            continue
        else:
            a, b = value * (1 - span), value * (1 + span)
            lo, hi = max(allowed_lo, min(a, b)), min(allowed_hi, max(a, b))
            rule, why = "rule", f"value × (1 ± {span:g}), within the allowed range"
        if not (allowed_lo <= lo < hi <= allowed_hi):
            raise ValueError(f"unconstrained registry: range of {name} [{lo:g}, {hi:g}] is empty or outside its "
                             f"allowed range [{allowed_lo:g}, {allowed_hi:g}]")
        params.append(Unconstrained(name, lo, hi, value, type(f.default), rule, why))
    return Registry(tuple(params), held, fitted, compositions, span)


def overrides(reg: Registry, point: Sequence[float] | np.ndarray) -> dict[str, float | int]:
    """Scenario overrides for one sampled point (in :meth:`Registry.names` order): whole-number
    parameters rounded, each composition rescaled to the sum of its members' reference values."""
    values = {p.name: float(v) for p, v in zip(reg.parameters, point, strict=True)}
    by_name = {p.name: p for p in reg.parameters}
    for members in reg.compositions.values():
        present = [m for m in members if m in values]
        total = sum(values[m] for m in present)
        target = sum(by_name[m].value for m in present)
        if total > 0:
            for m in present:
                values[m] *= target / total
    return {f"behaviour.{name}": (round(v) if by_name[name].kind is int else v) for name, v in values.items()}
