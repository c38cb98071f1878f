"""``cogov sweep``, ``cogov sensitivity`` and ``cogov export`` (registered by :mod:`cogov_sim.cli`).

This module is imported whenever ``cogov`` starts, so it imports nothing heavy at module
level: the sweep machinery (pyarrow, SALib, dask) loads inside the command functions.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

from ..cli_args import output_folder, real, whole

#: Outcomes analysed by ``cogov sensitivity`` when no ``--output`` is given.
DEFAULT_OUTPUTS = ("coverage", "participation_any", "satisfaction", "trust_government")
#: Designs with more runs than this need ``--yes``.
CONFIRM_RUNS = 100_000


def register(subparsers: Any) -> None:
    """Add the ``sweep``, ``sensitivity`` and ``export`` subcommands to the ``cogov`` parser."""
    p = subparsers.add_parser("sweep", help="run an experiment (a design of runs) into a Parquet results folder",
                              description="Run every run of an experiment file; results go to a folder of "
                                          "Parquet chunks written as runs finish. See docs/sweeps.md.")
    p.add_argument("experiment", help="experiment name (scenarios/experiments/NAME.toml) or path to a .toml file")
    p.add_argument("--out", type=output_folder, help="results folder (default runs/sweeps/NAME)")
    execution_arguments(p)
    p.add_argument("--resume", action="store_true", help="skip runs already finished in --out (failed ones re-run)")
    p.add_argument("--force", action="store_true",
                   help="with --resume: accept a folder made by a different experiment file; "
                        "without: delete the folder's results and start over")
    p.add_argument("--run-timeout", type=real(0, 604_800), metavar="S",
                   help="seconds a run may take before it is recorded as failed (default: the experiment's "
                        "run_timeout; 0 = no limit)")
    p.add_argument("--yes", action="store_true",
                   help=f"run a design of more than {CONFIRM_RUNS:,} runs (otherwise refused with its size and "
                        f"estimated duration)")
    p.add_argument("--chunk-runs", type=whole(1, 1_000_000), default=25, metavar="N",
                   help="write a chunk every N finished runs (default 25)")
    p.add_argument("--flush-seconds", type=whole(1, 86_400), default=30, metavar="S",
                   help="... or every S seconds (default 30)")
    p.set_defaults(func=cmd_sweep)

    p = subparsers.add_parser("sensitivity", help="Sobol or Morris sensitivity indices of a sweep's outcomes",
                              description="Compute Sobol (S1, ST) or Morris (mu*, sigma) indices of summary "
                                          "outcomes; given an experiment file, run or resume its sweep first.")
    p.add_argument("source", help="results folder of a sobol/morris sweep, or an experiment file to run first")
    p.add_argument("--output", action="append", metavar="METRIC",
                   help=f"summary outcome to analyse (repeatable; default: {', '.join(DEFAULT_OUTPUTS)})")
    p.add_argument("--out", type=output_folder, help="where to write the CSV and PNG (default DIR/sensitivity)")
    p.add_argument("--resamples", type=whole(10, 100_000), default=100,
                   help="bootstrap resamples for the confidence intervals (default 100)")
    p.add_argument("--conf-level", type=real(0.5, 0.999), default=0.95, help="confidence level (default 0.95)")
    execution_arguments(p)
    p.set_defaults(func=cmd_sensitivity)

    p = subparsers.add_parser("export", help="export a sweep for other tools (EMA Workbench)",
                              description="Write a sweep's experiments and outcomes in EMA Workbench's layout.")
    p.add_argument("results", type=Path, help="results folder of a sweep")
    p.add_argument("--format", choices=("ema", "npz"), default="ema",
                   help="ema: tar.gz readable by ema_workbench.load_results; npz: experiments.csv + outcomes.npz")
    p.add_argument("--out", type=Path, help="output file (ema) or folder (npz); default DIR/export/")
    p.add_argument("--output", action="append", metavar="METRIC", help="outcome to export (repeatable; default all)")
    p.add_argument("--no-series", action="store_true", help="export only the end-of-run (summary) outcomes")
    p.set_defaults(func=cmd_export)


def execution_arguments(p: argparse.ArgumentParser) -> None:
    """Add ``--workers``, ``--in-process``, ``--scheduler`` and ``--quiet`` (every command that runs many models)."""
    p.add_argument("--workers", type=whole(0, 4096), metavar="N",
                   help="local worker processes (default: all cores; 0 = in this process)")
    p.add_argument("--in-process", action="store_true", help="run in this process (same as --workers 0)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def workers_from_args(args: argparse.Namespace) -> int | None:
    """The ``workers`` of :func:`~cogov_sim.experiments.execution.make_executor` asked for by the arguments."""
    return 0 if args.in_process else args.workers


def _stop_on_signals() -> None:
    """Ctrl-C (SIGINT) and SIGTERM (how batch schedulers stop jobs) ask the sweep to stop at its next
    safe point, where it stops the workers and writes the finished runs; a second signal stops at once."""
    from .sweep import stop_requested

    stop_requested.clear()

    def handler(signum: int, frame: Any) -> None:
        if stop_requested.is_set():
            raise KeyboardInterrupt
        stop_requested.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def announce_size(exp: Any, args: argparse.Namespace) -> None:
    """Print the design's run count and estimated duration; refuse a huge design without ``--yes``."""
    from ..errors import CogovError
    from .execution import default_workers
    from .spec import run_count
    from .sweep import estimate_seconds, format_duration

    runs = run_count(exp)
    workers = 1 if workers_from_args(args) == 0 else (workers_from_args(args) or default_workers())
    size = f"{runs:,} runs, about {format_duration(estimate_seconds(exp, workers))} on {workers} cores"
    if runs > CONFIRM_RUNS and not getattr(args, "yes", False):
        raise CogovError(f"{exp.where}: the design has {size}; allowed without --yes: {CONFIRM_RUNS:,} runs "
                         f"(add --yes to run it)")
    if not args.quiet:
        print(f"{exp.name}: {size} (before resuming)", file=sys.stderr)


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run or resume a sweep; print ``done N / failed N / remaining N``. Exit 1 if any run failed."""
    from .spec import load_experiment
    from .sweep import SweepInterrupted, default_out, run_sweep

    exp = load_experiment(args.experiment)
    out = args.out or default_out(exp)
    announce_size(exp, args)
    _stop_on_signals()
    try:
        report = run_sweep(exp, out, workers=workers_from_args(args), scheduler=args.scheduler, resume=args.resume,
                           force=args.force, chunk_runs=args.chunk_runs, flush_seconds=args.flush_seconds,
                           quiet=args.quiet, run_timeout=args.run_timeout)
    except SweepInterrupted as stop:
        print(f"{exp.name}: interrupted; finished runs are saved in {out}/ (--resume continues)")
        print(stop.report.line())
        raise KeyboardInterrupt from None
    ran = f"{report.ran} runs in {report.seconds:.1f} s ({report.executor})" if report.ran else "nothing to run"
    print(f"{exp.name}: {ran}; results in {out}/")
    print(report.line())
    return 1 if report.failed else 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Sensitivity indices of a sweep (run first if given an experiment file)."""
    from .analysis import degenerate_intervals, format_table, save_plot, sensitivity
    from .spec import find_experiment, load_experiment
    from .sweep import default_out, run_sweep

    root = Path(args.source)
    if not root.is_dir():
        exp = load_experiment(find_experiment(args.source))
        root = default_out(exp)
        announce_size(exp, args)
        report = run_sweep(exp, root, workers=workers_from_args(args), scheduler=args.scheduler, resume=True,
                           quiet=args.quiet)
        print(f"{exp.name}: {report.line()} ({root}/)", file=sys.stderr)
    outputs = args.output or list(DEFAULT_OUTPUTS)
    table, method = sensitivity(root, outputs, num_resamples=args.resamples, conf_level=args.conf_level)
    if bad := degenerate_intervals(table, method):
        print(f"cogov: warning: {bad} of {table.size and len(table) * 2} confidence intervals are degenerate (zero "
              f"width or undefined); the design has too few samples or an outcome does not vary", file=sys.stderr)
    out = args.out or root / "sensitivity"
    out.mkdir(parents=True, exist_ok=True)
    csv, png = out / f"{method}.csv", out / f"{method}.png"
    table.to_csv(csv, index=False)
    save_plot(table, method, png)
    print(format_table(table, method))
    print(f"\nwrote {csv} and {png}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export a sweep in EMA Workbench's layout."""
    from .export import export_ema, export_npz

    export = export_ema if args.format == "ema" else export_npz
    paths = export(args.results, args.out, outputs=args.output, series=not args.no_series)
    print(f"wrote {', '.join(map(str, paths))}")
    return 0
