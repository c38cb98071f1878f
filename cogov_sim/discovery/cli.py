"""``cogov discover``: scenario discovery (PRIM) on a sweep's results (registered by :mod:`cogov_sim.cli`).

Imported whenever ``cogov`` starts, so the EMA Workbench, pandas and matplotlib load only
inside the command.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def _share(text: str) -> float:
    """An argparse type: a number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; allowed: a share in (0, 1]") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{value:g} is out of range; allowed: a share in (0, 1]")
    return value


def register(subparsers: Any) -> None:
    """Add the ``discover`` subcommand to the ``cogov`` parser."""
    p = subparsers.add_parser(
        "discover", help="scenario discovery: which lever combinations lead to an outcome (PRIM)",
        description="Run PRIM (EMA Workbench) on a sweep's summary table: the runs whose OUTCOME is above "
                    "(or below) a threshold are the cases of interest; prints the chosen box's limits with "
                    "coverage, density and quasi-p-values and writes the peeling trajectory. See docs/sweeps.md.")
    p.add_argument("results", type=Path, help="results folder of a sweep (e.g. runs/sweeps/example)")
    p.add_argument("--outcome", required=True, metavar="NAME", help="summary outcome, e.g. coverage")
    side = p.add_mutually_exclusive_group(required=True)
    side.add_argument("--above", type=float, metavar="X", help="cases of interest: OUTCOME ≥ X")
    side.add_argument("--below", type=float, metavar="X", help="cases of interest: OUTCOME ≤ X")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the report and plot (default en)")
    p.add_argument("--out", type=Path, help="folder for trajectory.csv, box.csv, report.txt, trajectory.png "
                                            "(default RESULTS/discovery)")
    p.add_argument("--min-density", type=_share, default=0.8, metavar="D",
                   help="choose the box with the highest coverage among those at least this dense (default 0.8)")
    p.add_argument("--box", type=int, metavar="N", help="choose box N of the peeling trajectory instead")
    p.add_argument("--peel-alpha", type=_share, default=0.05, metavar="A",
                   help="share of runs peeled off per step (default 0.05)")
    p.set_defaults(func=cmd_discover)


def cmd_discover(args: argparse.Namespace) -> int:
    """Run PRIM on the sweep, print the chosen box and write the files."""
    from .prim import discover

    found = discover(args.results, args.outcome, above=args.above, below=args.below, min_density=args.min_density,
                     box=args.box, peel_alpha=args.peel_alpha)
    out = args.out or args.results / "discovery"
    paths = found.save(out, lang=args.lang)
    print(found.report(args.lang))
    print(f"\nwrote {', '.join(p.name for p in paths)} to {out}/")
    return 0
