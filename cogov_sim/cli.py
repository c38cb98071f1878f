"""The ``cogov`` command line: list scenarios, run one, compare the reference models.

Every user error (a bad scenario file, a bad argument) prints one line and exits with
code 2, without a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .calibration.cli import register as register_calibration
from .cli_args import output_folder, residents_or_preset, whole
from .discovery.cli import register as register_discovery
from .errors import CogovError
from .experiments.cli import register as register_experiments
from .progress import progress_bar
from .threads import limit_blas_threads
from .workshop.cli import register as register_workshop
from .workshop.i18n import label as translate
from .workshop.outcomes import OUTCOME_FORMATS

if TYPE_CHECKING:
    import pandas as pd

#: The four reference governance models (sources §4.1–§4.4), run by ``cogov run`` with no scenario.
REFERENCE_MODELS = ("administrative_led", "autonomous", "cooperative", "co_governance")

#: Rows of the comparison table: (summary column, label, format); the workshop's outcomes and labels.
COMPARISON_ROWS = [(column, translate(column, "en", "outcomes"), fmt) for column, fmt in OUTCOME_FORMATS.items()]


class OneLineParser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line (and exit code 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``cogov`` parser with all subcommands."""
    parser = OneLineParser(prog="cogov", description="Agent-based simulation of community co-governance.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    p = sub.add_parser("scenarios", help="list the scenarios with one-line descriptions")
    p.set_defaults(func=cmd_scenarios)
    p = sub.add_parser("run", help="run a scenario (no scenario: compare the four reference models)")
    p.add_argument("scenario", nargs="?", help="scenario name or path to a .toml file")
    p.add_argument("--seed", type=whole(0, 2**63 - 1), default=0, help="random seed (default 0)")
    p.add_argument("--months", type=whole(1, 2400), help="months to simulate (default: the scenario's)")
    p.add_argument("--residents", type=residents_or_preset(50, 1_000_000),
                   help="population size, or 'street' for a whole street of 23 communities (default: the scenario's)")
    p.add_argument("--out", type=output_folder, help="output folder (default runs/SCENARIO-seedN)")
    p.add_argument("--no-plot", action="store_true", help="skip the PNG panel")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_run)
    register_experiments(sub)
    register_calibration(sub)
    register_workshop(sub, REFERENCE_MODELS)
    register_discovery(sub)
    return parser


def cmd_scenarios(args: argparse.Namespace) -> int:
    """Print every runnable scenario with its description."""
    from .scenario import available_scenarios, scenario_description

    scenarios = available_scenarios()
    width = max(map(len, scenarios), default=0)
    for name, path in scenarios.items():
        print(f"{name:<{width}}  {scenario_description(path)}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write its outputs, or compare the reference models."""
    if args.scenario is None:
        return compare_reference_models(args)
    from .plotting import save_panel
    from .run import run_scenario
    from .scenario import load_scenario

    sc = load_scenario(args.scenario)
    months = args.months or sc.months
    out = args.out or Path("runs") / f"{sc.name}-seed{args.seed}"
    with progress_bar(months, sc.name, "month", disable=args.quiet) as bar:
        results = run_scenario(sc, seed=args.seed, months=months, residents=args.residents,
                               progress=lambda _: bar.update(1))
    paths = results.save(out)
    if not args.no_plot:
        save_panel(results.series, out / "panel.png", title=f"{sc.name} (seed {args.seed})")
        paths.append(out / "panel.png")
    print(f"wrote {len(paths)} files to {out}/: " + ", ".join(p.name for p in paths))
    return 0


#: Marks an outcome on which a contrast between the models shown depends on assumptions.
ASSUMPTION_MARK = "†"


def comparison_table(summaries: pd.DataFrame, labels: dict[tuple[str, str, str], str] | None = None) -> str:
    """Format end-of-run summaries (one row per scenario) as a side-by-side table.

    ``labels`` (``(a, b, outcome) → label``, from the stored robustness result,
    :func:`~cogov_sim.calibration.robustness.read_labels`): outcomes on which a contrast between
    two of the models shown depends on assumptions are marked with :data:`ASSUMPTION_MARK` and
    those contrasts are listed under the table."""
    import pandas as pd

    from .calibration.robustness import ROBUST_SHARE, assumption_notes, result_path

    scenarios = list(summaries["scenario"])
    notes = assumption_notes(labels or {}, scenarios, [column for column, _, _ in COMPARISON_ROWS])
    rows = []
    for column, label, fmt in COMPARISON_ROWS:
        mark = f" {ASSUMPTION_MARK}" if column in notes else ""
        rows.append([label + mark, *(fmt.format(v) for v in summaries[column])])
    table = pd.DataFrame(rows, columns=["outcome (last 12 months)", *scenarios])
    text = table.to_string(index=False)
    if notes:
        text += (f"\n\n{ASSUMPTION_MARK} depends on assumptions: the sign of these differences holds on less than "
                 f"{ROBUST_SHARE:.0%} of the plausible range of the parameters no target constrains "
                 f"({result_path().name}; docs/validation.md):\n")
        text += "\n".join(f"  {translate(column, 'en', 'outcomes')}: {', '.join(pairs)}" for column, pairs in notes.items())
    return text


def compare_reference_models(args: argparse.Namespace) -> int:
    """The main job: the four reference models on one seed, side by side."""
    import pandas as pd

    from .run import run_scenario

    summaries = []
    with progress_bar(len(REFERENCE_MODELS), "reference models", "model", disable=args.quiet) as bar:
        for name in REFERENCE_MODELS:
            summaries.append(run_scenario(name, seed=args.seed, months=args.months, residents=args.residents).summary)
            bar.update(1)
    frame = pd.concat(summaries, ignore_index=True)
    months, residents = int(frame["months"].iloc[0]), int(frame["residents"].iloc[0])
    print(f"Four governance models, ONE seed ({args.seed}), {residents:,} residents, {months} months "
          f"(means over the last 12 months; no uncertainty: for replications with 95% intervals and a report "
          f"run 'cogov compare {' '.join(REFERENCE_MODELS)}'):\n")
    from .calibration.robustness import read_labels

    print(comparison_table(frame, read_labels()))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        frame.to_csv(args.out / "comparison.csv", index=False)
        print(f"\nwrote {args.out / 'comparison.csv'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cogov`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    limit_blas_threads()
    try:
        return int(args.func(args) or 0)
    except CogovError as exc:
        print(f"cogov: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a folder that cannot be written, a full disk: name the file and the reason
        print(f"cogov: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cogov: interrupted", file=sys.stderr)
        return 130


#: Seconds an interrupted command may spend exiting before it is ended.
EXIT_GRACE_SECONDS = 5.0


def entry() -> None:
    """The console script: :func:`main`, then exit. After an interruption (exit code 130) every
    finished result is already written and synced; the normal exit (which releases the process
    pool's semaphores) gets :data:`EXIT_GRACE_SECONDS`, then the process ends anyway — the pool's
    manager thread was once seen to hang there under load."""
    code = main()
    if code == 130:
        import threading

        def end() -> None:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

        timer = threading.Timer(EXIT_GRACE_SECONDS, end)
        timer.daemon = True
        timer.start()
    sys.exit(code)


if __name__ == "__main__":
    entry()
