"""``cogov calibrate`` and ``cogov validate``: the calibration and the pattern-oriented validation.

Registered on the main parser by :func:`register` (kept light: the heavy imports happen when
a command runs).

Exit codes: 0 when every target passes; 1 when a target misses its tolerance (the failing
targets are printed); 2 on a user error.

The repository's locations are the defaults of this command line only (the library takes
explicit paths): the calibration file the scenarios read, and ``docs/`` (``docs/calibration``,
``docs/figures``, ``docs/validation.md``) under the current directory.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cli_args import whole
from ..experiments.cli import execution_arguments, workers_from_args

EXIT_TARGET_MISSED = 1
#: Default documentation folder (relative to the current directory: run from the repository root).
DOCS = Path("docs")
#: Default folder of the calibration's tables, under :data:`DOCS`.
ARTEFACTS = DOCS / "calibration"
#: Default folder of the report's figures, under :data:`DOCS`.
FIGURES = DOCS / "figures"
#: Default report, under :data:`DOCS`.
REPORT = DOCS / "validation.md"
#: Default folder of the robustness design's finished chunks (resumable).
ROBUSTNESS_RUNS = Path("runs") / "robustness"
#: Stored robustness result (scenarios/), named here for the help text.
RESULT_NAME = "_robustness.csv"


def calibration_file() -> Path:
    """The calibration file the scenarios read (``_calibration.toml`` beside ``_base.toml``)."""
    from ..scenario import SCENARIO_DIR

    return SCENARIO_DIR / "_calibration.toml"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``calibrate`` and ``validate`` subcommands to the ``cogov`` parser."""
    p = subparsers.add_parser(
        "calibrate", help="fit the behavioural parameters to the survey targets T1–T5 (ODD §1.2)",
        description="Latin-hypercube design → rejection ABC → Nelder–Mead (common random numbers) → validation on "
                    "fresh seeds → Morris screening, under administrative_led. The full run writes "
                    "scenarios/_calibration.toml and docs/calibration/ when every target passes (or with --write). "
                    "Exit code 0 when all five targets are within ±3 pp, 1 when one misses.")
    p.add_argument("--quick", action="store_true",
                   help="the same procedure, warm-started: a small design in the last full calibration's "
                        "posterior box (5–95%% interval widened by its width on each side), few fitting and "
                        "validation seeds, no profiles; writes nothing unless --write is given")
    write = p.add_mutually_exclusive_group()
    write.add_argument("--write", dest="write", action="store_true", default=None,
                       help="write the calibration file and artefacts even if a target misses (or in --quick)")
    write.add_argument("--no-write", dest="write", action="store_false", help="never write")
    p.add_argument("--no-morris", action="store_true", help="skip the Morris identifiability screening")
    p.add_argument("--file", type=Path, help="calibration file to write (default: the one the scenarios read, "
                                             "scenarios/_calibration.toml)")
    p.add_argument("--artefacts", type=Path, default=ARTEFACTS,
                   help=f"folder for the data behind the report (default {ARTEFACTS})")
    execution_arguments(p)
    p.set_defaults(func=cmd_calibrate)

    p = subparsers.add_parser(
        "validate", help="check the committed calibration and the governance patterns S1–S6 (--report: docs/validation.md)",
        description="Re-simulate the targets with the committed calibration and test the governance patterns S1–S6 "
                    "(sources §4–§5) over seeds with effect sizes and 95%% intervals. With --report, write "
                    "docs/validation.md and its figures. Exit code 0 when all five targets pass, 1 otherwise.")
    p.add_argument("--report", action="store_true", help="write the report and its figures (see --docs)")
    p.add_argument("--seeds", type=whole(3, 1000), default=20, help="seeds per scenario (default 20)")
    p.add_argument("--residents", type=whole(200, 100_000), default=1500,
                   help="residents per run for the patterns (default 1500)")
    p.add_argument("--months", type=whole(60, 600), default=120, help="months per run (default 120)")
    p.add_argument("--seed", type=whole(0, 2**63 - 1), default=0,
                   help="root seed of the pattern runs: every scenario runs on its spawned children (default 0)")
    p.add_argument("--target-seeds", type=whole(2, 1000), default=40,
                   help="seeds for the target check (default 40)")
    p.add_argument("--docs", type=Path, default=DOCS,
                   help=f"documentation folder: writes validation.md and figures/ there, reads calibration/ "
                        f"(default {DOCS})")
    p.add_argument("--file", type=Path, help="calibration file to check (default: the one the scenarios read)")
    g = p.add_argument_group(
        "robustness of the contrasts",
        "--robustness runs every pair of reference scenarios at the calibrated point (--point-seeds) and over a "
        "Morris or Sobol design of the parameters no target constrains (cogov_sim/calibration/unconstrained.toml), "
        f"and writes the table to scenarios/{RESULT_NAME}, which --report and `cogov run` read. Alone it runs only "
        "this; with --report it runs it first, then the whole validation.")
    g.add_argument("--robustness", action="store_true", help="run the contrast-robustness analysis")
    g.add_argument("--design-method", choices=("lhs", "morris", "sobol"), default="lhs",
                   help="design over the unconstrained parameters (default lhs: independent Latin-hypercube points, "
                        "so the sign share estimates the share of the space; morris/sobol also name drivers by "
                        "their indices)")
    g.add_argument("--design-size", type=whole(2, 10_000), default=64,
                   help="LHS points, Morris trajectories or Sobol base samples (default 64 LHS points)")
    g.add_argument("--design-seeds", type=whole(1, 100), default=2, help="seeds at every design point (default 2)")
    g.add_argument("--point-seeds", type=whole(3, 1000), default=20,
                   help="seeds at the calibrated point, for the effects' 95%% intervals (default 20)")
    g.add_argument("--robustness-out", type=Path, default=ROBUSTNESS_RUNS,
                   help=f"folder keeping the design's finished chunks; a re-run resumes from it (default {ROBUSTNESS_RUNS})")
    execution_arguments(p)
    p.set_defaults(func=cmd_validate)


def _executor(args: argparse.Namespace):
    """The executor the arguments ask for (the sweep's: process pool, in-process or Dask)."""
    from ..experiments.execution import make_executor

    return make_executor(workers=workers_from_args(args), scheduler=args.scheduler)


def _stage_bars(quiet: bool):
    """A stage callback drawing one tqdm bar per stage on stderr."""
    from ..progress import progress_bar

    bars = []

    def on_stage(name: str, total: int):
        for b in bars:
            b.close()
        bars.clear()
        bar = progress_bar(total, name, "run", disable=quiet, leave=False)
        bars.append(bar)
        return bar.update

    def close() -> None:
        for b in bars:
            b.close()

    return on_stage, close


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run the calibration and print target, simulated mean, 95% interval and pass/fail."""
    from .identifiability import format_morris, parameter_roles
    from .procedure import FULL, QUICK, calibrate
    from .record import fitted_table, write_artefacts, write_calibration
    from .targets import CALIBRATION_SCENARIO, TOLERANCE_PP, format_target_table

    config = QUICK if args.quick else FULL
    on_stage, close = _stage_bars(args.quiet)
    try:
        with _executor(args) as executor:
            print(f"cogov calibrate ({config.name}): {CALIBRATION_SCENARIO}, {config.residents:,} residents, "
                  f"survey of years {config.years[0]}–{config.years[-1]} of {config.months} months; "
                  f"up to {config.planned_runs():,} runs ({executor.description})", flush=True)
            result = calibrate(config, on_stage=on_stage, morris=not args.no_morris, executor=executor)
    finally:
        close()
    n_val = len(config.validation_seeds)
    print(f"\nTargets vs simulation: mean over {n_val} fresh seeds (95% CI of the mean; seeds' 2.5–97.5% range)")
    print(format_target_table(result.table))
    print(f"\ndistance to the targets: {result.distance:.2f} pp (Euclidean over T1–T5); "
          f"ABC tolerance ε = {result.abc.epsilon:.2f} pp ({len(result.abc.accepted)} of {config.lhs_samples} accepted); "
          f"Nelder–Mead: {len(result.nm_trace)} evaluations × {len(config.nm_seeds)} seeds; T5 refinement: "
          f"{len(result.t5_trace)} evaluations × {len(config.t5_seeds)} seeds")
    print("\nFitted values (ranges searched; ABC regression-adjusted posterior):")
    print(fitted_table(result))
    if result.transfer is not None:
        t = result.transfer.set_index("target")["mean"]
        print(f"\ntransfer check at {config.transfer_residents:,} residents ({len(config.transfer_seeds)} seeds): "
              + ", ".join(f"{k} {v:.1%}" for k, v in t.items()))
    if result.morris is not None:
        print("\nMorris screening:")
        print(format_morris(result.morris))
        roles = parameter_roles(result.morris, result.abc.summary)
        for r in roles.to_dict("records"):
            print(f"  {r['parameter']:<26} moves {r['moves']:<16} {r['status']}")
    if result.profile is not None:
        print("\nProfiles (screened weight set elsewhere, participation parameters re-fitted):")
        for r in result.profile.to_dict("records"):
            print(f"  {r['parameter']} = {r['value']:g} (documented {r['documented']:g}): distance "
                  f"{r['distance_before']:.1f} pp → {r['distance_after']:.1f} pp after re-fitting")
    print(f"\n{result.runs:,} runs, {result.seconds:.0f} s")
    write = args.write if args.write is not None else (not args.quick and result.passed)
    if write:
        path = write_calibration(result, args.file or calibration_file(), keep_from=calibration_file())
        paths = write_artefacts(result, args.artefacts)
        print(f"wrote {path} and {len(paths)} files to {paths[0].parent}/")
    elif not args.quick and args.write is None:
        print("not written: a target missed (use --write to write anyway)")
    failing = result.table[~result.table["pass"]]
    if failing.empty:
        print(f"calibration PASSED: all five targets within ±{TOLERANCE_PP:g} pp")
        return 0
    misses = ", ".join(f"{r['target']} ({r['error_pp']:+.1f} pp)" for r in failing.to_dict("records"))
    print(f"calibration FAILED: {misses} outside ±{TOLERANCE_PP:g} pp"
          + (" (--quick searches only the last posterior box; run `cogov calibrate` for the full procedure)"
             if args.quick else ""))
    return EXIT_TARGET_MISSED


def cmd_validate(args: argparse.Namespace) -> int:
    """Check the committed calibration and the patterns; optionally write the report."""
    from .render import terminal_summary, write_report
    from .validation import validate

    docs: Path = args.docs
    if args.robustness:
        code = cmd_robustness(args)
        if not args.report:
            return code
    on_stage, close = _stage_bars(args.quiet)
    try:
        with _executor(args) as executor:
            result = validate(args.file or calibration_file(), docs / ARTEFACTS.relative_to(DOCS), seeds=args.seeds,
                              residents=args.residents, months=args.months, target_seeds=args.target_seeds,
                              on_stage=on_stage, executor=executor, root_seed=args.seed)
    finally:
        close()
    print(terminal_summary(result))
    if args.report:
        paths = write_report(result, docs / REPORT.relative_to(DOCS), docs / FIGURES.relative_to(DOCS))
        print(f"\nwrote {paths[0]} and {len(paths) - 1} figures")
    return 0 if result.targets["pass"].all() else EXIT_TARGET_MISSED


def cmd_robustness(args: argparse.Namespace) -> int:
    """Run the contrast-robustness analysis, print its table and store it (scenarios/_robustness.csv)."""
    from .robustness import RobustnessConfig, analyse, format_table, write_table
    from .unconstrained import registry

    reg = registry()
    cfg = RobustnessConfig(method=args.design_method, size=args.design_size, point_seeds=args.point_seeds,
                           design_seeds=args.design_seeds, residents=args.residents, months=args.months,
                           root_seed=args.seed)
    k = len(reg.parameters)
    on_stage, close = _stage_bars(args.quiet)
    try:
        with _executor(args) as executor:
            print(f"cogov validate --robustness: {len(cfg.scenarios)} reference scenarios, {k} unconstrained parameters, "
                  f"{cfg.method} design of {cfg.points(k):,} points × {cfg.design_seeds} seeds, {cfg.point_seeds} seeds "
                  f"at the calibrated point; {cfg.runs(k):,} runs of {cfg.residents:,} residents × {cfg.months} months "
                  f"({executor.description}); finished chunks kept in {args.robustness_out}/", flush=True)
            table = analyse(reg, cfg, executor, args.robustness_out, on_stage)
    finally:
        close()
    print(format_table(table))
    path = write_table(table)
    print(f"\nwrote {path}")
    return 0
