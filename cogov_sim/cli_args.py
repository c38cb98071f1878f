"""Argument types shared by every ``cogov`` subcommand (:mod:`cogov_sim.cli`,
:mod:`cogov_sim.experiments.cli`, :mod:`cogov_sim.calibration.cli`).

Each type turns the text of an option into a checked value, or raises
:class:`argparse.ArgumentTypeError` with the same message the Python API gives
(:mod:`cogov_sim.validation`); argparse prints it as one line and exits with code 2.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from collections.abc import Callable
from pathlib import Path

from .validation import allowed, whole_number_problem


def _parse_number(text: str) -> float | int | str:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def whole(lo: int, hi: int) -> Callable[[str], int]:
    """A whole number in ``lo``–``hi`` (``24`` or ``24.0``; see :mod:`cogov_sim.validation`)."""

    def check(text: str) -> int:
        number, problem = whole_number_problem(_parse_number(text), lo, hi)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return number

    return check


def residents_or_preset(lo: int, hi: int) -> Callable[[str], int | str]:
    """A whole number of residents in ``lo``–``hi``, or the name of a population preset (``street``)."""
    number = whole(lo, hi)

    def check(text: str) -> int | str:
        from .scenario import POPULATION_PRESETS

        if text in POPULATION_PRESETS:
            return text
        try:
            return number(text)
        except argparse.ArgumentTypeError as exc:
            raise argparse.ArgumentTypeError(f"{exc} or a population preset ({', '.join(POPULATION_PRESETS)})") from None

    return check


def real(lo: float, hi: float) -> Callable[[str], float]:
    """A finite number in ``lo``–``hi``."""

    def check(text: str) -> float:
        value = _parse_number(text)
        if isinstance(value, str) or not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a number; allowed {allowed(lo, hi)}")
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value:g} is out of range; allowed {allowed(lo, hi)}")
        return float(value)

    return check


def output_folder(text: str) -> Path:
    """A folder to write into: an existing folder, or a new one whose nearest existing parent is a writable folder."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is an existing file; allowed: a folder (new or existing)")
    parent = path
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: {parent} is a file, not a folder; allowed: a folder path")
    try:  # try it: permission bits do not tell (root, read-only mounts, /sys)
        tempfile.TemporaryDirectory(dir=parent, prefix=".cogov-probe-").cleanup()
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: cannot write in {parent} ({exc.strerror}); "
                                         f"allowed: a folder you can write to") from None
    return path
