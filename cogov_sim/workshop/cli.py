"""``cogov compare`` and ``cogov dashboard`` (registered by :mod:`cogov_sim.cli`).

Imported whenever ``cogov`` starts: nothing heavy at module level.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..cli_args import output_folder, whole
from .i18n import LANGUAGES


def register(subparsers: Any, reference_models: Sequence[str]) -> None:
    """Add the ``compare`` and ``dashboard`` subcommands to the ``cogov`` parser.

    ``reference_models`` are the dashboard's default models.
    """
    p = subparsers.add_parser("compare", help="compare 2–4 governance models over many seeds (95%% intervals, "
                                              "one-page report)",
                              description="Run each scenario on --seeds replications (a resumable sweep), then "
                                          "write a one-page HTML report, figures (PNG, SVG) and tables (CSV).")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="2–4 scenario names or .toml paths")
    p.add_argument("--seeds", type=whole(2, 10_000), default=20, help="replications per scenario (default 20)")
    p.add_argument("--residents", type=whole(50, 1_000_000), help="population size (default: the scenario's)")
    p.add_argument("--months", type=whole(13, 2400), help="months to simulate (default: the scenario's)")
    p.add_argument("--baseline", help="scenario the differences are taken from (default: the first)")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the table and the report")
    p.add_argument("--out", type=output_folder, help="output folder (default runs/compare/A-vs-B...)")
    p.add_argument("--workers", type=whole(0, 4096), metavar="N",
                   help="worker processes (default: all cores; 0 = in this process)")
    p.add_argument("--force", action="store_true", help="discard earlier runs in --out and start over")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_compare)

    p = subparsers.add_parser("dashboard", help="browser dashboard: models side by side, levers, shocks (offline)",
                              description="Serve the workshop dashboard (Solara) on this machine and print its address.")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="2–4 scenarios (default: the four reference models)")
    p.add_argument("--residents", type=whole(50, 1_000_000), help="population size (default: the scenario's)")
    p.add_argument("--seed", type=whole(0, 2**63 - 1), default=0, help="seed shared by the models (default 0)")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="starting language")
    p.add_argument("--port", type=whole(1024, 65535), default=8765, help="port (default 8765)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.set_defaults(func=cmd_dashboard, reference_models=list(reference_models))


def _check_count(scenarios: list[str]) -> None:
    from ..errors import CogovError

    if not 2 <= len(scenarios) <= 4:
        raise CogovError(f"give 2–4 scenarios to compare, got {len(scenarios)}: {' '.join(scenarios) or '(none)'}")


def cmd_compare(args: argparse.Namespace) -> int:
    """Run the replications, print the table, write the report."""
    from .compare import default_out, run_comparison
    from .report import text_table, write_report

    _check_count(args.scenarios)
    out = args.out or default_out([Path(s).stem for s in args.scenarios])
    cmp = run_comparison(args.scenarios, out, seeds=args.seeds, residents=args.residents, months=args.months,
                         baseline=args.baseline, workers=args.workers, force=args.force, quiet=args.quiet)
    print(f"{len(cmp.scenarios)} models × {cmp.seeds} seeds, {cmp.residents:,} residents, {cmp.months} months; "
          f"mean [95% CI] over the last 12 months, Δ from {cmp.baseline} (* = interval excludes 0):\n")
    print(text_table(cmp, args.lang))
    paths = write_report(cmp, out, args.lang)
    print(f"\nwrote {len(paths)} files to {out}/: " + ", ".join(p.name for p in paths))
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard until interrupted."""
    from .dashboard import serve

    scenarios = args.scenarios or args.reference_models
    _check_count(scenarios)
    return serve(scenarios, residents=args.residents, seed=args.seed, lang=args.lang, host=args.host, port=args.port)
