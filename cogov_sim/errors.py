"""User-facing errors: the CLI prints them as one line and exits with code 2."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class CogovError(Exception):
    """An error in what the user asked for (a file, a key, a value, an argument)."""


class ScenarioError(CogovError):
    """A scenario or experiment file that cannot be used as written."""


def closest(word: str, choices: Iterable[str]) -> str:
    """Return ``"; did you mean 'x'?"`` for the closest choice, or ``""`` if none is close."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


class ArgumentError(CogovError, ValueError):
    """A bad argument to the Python API (``run_scenario``, ``CommunityModel``) or the command line."""
