"""Sweeps: an experiment's design, run by an executor, written to a results store as runs finish."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..progress import progress_bar
from .design import build_design, iter_runs
from .execution import Executor, RunOutcome, default_workers, make_executor, make_tasks
from .spec import Experiment, load_experiment, run_count
from .store import SweepStore, manifest_header

#: Where ``cogov sweep NAME`` writes without ``--out``.
DEFAULT_ROOT = Path("runs") / "sweeps"


@dataclass
class SweepReport:
    """What a sweep did.

    Attributes:
        out: the results folder.
        total, done, failed, remaining: runs of the whole design (done/failed include earlier sessions).
        ran: runs executed by this call.
        seconds: wall time of this call's runs.
        run_seconds: sum of the runs' own durations (as measured in the workers).
        write_seconds: time spent writing chunks and the manifest.
        executor: how the runs were executed.
    """

    out: Path
    total: int
    done: int
    failed: int
    remaining: int
    ran: int = 0
    seconds: float = 0.0
    run_seconds: float = 0.0
    write_seconds: float = 0.0
    executor: str = ""

    def line(self) -> str:
        """The closing line: ``done N / failed N / remaining N``."""
        return f"done {self.done} / failed {self.failed} / remaining {self.remaining}"


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM through the CLI) stopped a sweep; the finished runs are saved.

    Attributes:
        report: the :class:`SweepReport` at the moment it stopped.
    """

    def __init__(self, report: SweepReport) -> None:
        super().__init__(report.line())
        self.report = report


#: Set (e.g. by the command line's SIGINT/SIGTERM handler) to stop the sweep at the next safe
#: point — between two outcomes, at most a second away — rather than by an exception raised
#: wherever the main thread happens to be (inside the process pool's locks, say).
stop_requested = threading.Event()


def _drain(outcomes: Iterator[RunOutcome | None], store: SweepStore, bar: Any, report: SweepReport) -> None:
    """Store outcomes as they arrive (``None``: nothing finished lately, flush if due); update the bar."""
    failed = 0
    for outcome in outcomes:
        if stop_requested.is_set():
            raise KeyboardInterrupt
        if outcome is None:
            store.tick()
            continue
        store.add(outcome)
        report.ran += 1
        report.run_seconds += outcome.seconds
        if outcome.status == "failed":
            failed += 1
            bar.set_postfix(failed=failed)
        bar.update(1)


#: Cost of a run (seconds on one core): a fixed part plus a part per resident-month, measured
#: with ``run_scenario`` on co_governance (0.29 s for 2,000 residents × 60 months, 0.72 s for 10,000).
RUN_SECONDS_FIXED = 0.05
RUN_SECONDS_PER_RESIDENT_MONTH = 1.2e-6


def estimate_seconds(exp: Experiment, workers: int) -> float:
    """Rough wall time of the whole design on ``workers`` cores (mean residents and months of the design)."""
    def typical(key: str, default: float) -> float:
        factor = next((f for f in exp.factors if f.key == key), None)
        if factor is not None:
            return float(sum(factor.bounds) / 2 if factor.bounds else sum(factor.values) / len(factor.values))
        return float(exp.fixed.get(key, default))

    base = exp.scenarios[0]
    per_run = RUN_SECONDS_FIXED + RUN_SECONDS_PER_RESIDENT_MONTH * (
        typical("population.residents", base.population.residents) * typical("months", base.months))
    return per_run * run_count(exp) / max(1, workers)


def format_duration(seconds: float) -> str:
    """``"40 s"``, ``"12 min"``, ``"3.5 h"``, ``"2.1 days"``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} days"


def default_out(exp: Experiment) -> Path:
    """``runs/sweeps/NAME``."""
    return DEFAULT_ROOT / exp.name


def run_sweep(experiment: Experiment | str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *,
              workers: int | None = None, scheduler: str | None = None, executor: Executor | None = None,
              resume: bool = False, force: bool = False, chunk_runs: int = 25, flush_seconds: float = 30.0,
              quiet: bool = False, run_timeout: float | None = None) -> SweepReport:
    """Run (or resume) every run of an experiment's design and store the results.

    Args:
        experiment: a loaded :class:`Experiment`, or an experiment name or path.
        out: results folder (default ``runs/sweeps/NAME``).
        workers: local processes (default: all cores); 0 runs in this process.
        scheduler: address of a Dask scheduler (``tcp://host:8786``); wins over ``workers``.
        executor: an executor to use (and not close), e.g. a warmed-up pool in a benchmark.
        resume: skip runs already finished in ``out`` (failed runs are tried again).
        force: start over in a used ``out``, or resume one made by a different experiment file.
        chunk_runs, flush_seconds: write a chunk after this many runs or this many seconds.
        quiet: no progress bar.
        run_timeout: seconds per run (default: the experiment's ``run_timeout``; 0: no limit); a run
            over it is recorded as failed with the reason, and the sweep goes on.

    Raises:
        SweepInterrupted: on Ctrl-C (or SIGTERM through the CLI), after saving the finished runs;
            its ``report`` holds the counts.
    """
    import time

    from .. import __version__

    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    out = Path(out) if out is not None else default_out(exp)
    rows = build_design(exp)
    total = run_count(exp)
    store = SweepStore(out, chunk_runs=chunk_runs, flush_seconds=flush_seconds)
    store.open(manifest_header(exp, rows, total, __version__), resume=resume, force=force,
               experiment_text=exp.path.read_bytes())
    if store.damaged_chunks and not quiet:
        print(f"cogov: warning: {len(store.damaged_chunks)} damaged chunk(s) set aside in {out / 'damaged'}/ "
              f"(numbers {', '.join(map(str, store.damaged_chunks[:5]))}); their runs run again", file=sys.stderr)
    done = store.done_ids()
    todo = (r for r in iter_runs(exp, rows) if r.run_id not in done)  # streamed: never all runs at once
    n_todo = total - sum(1 for i in done if i < total)
    report = SweepReport(out, total, 0, 0, 0)
    own = executor is None and n_todo > 0
    start = time.perf_counter()
    finished = interrupted = False
    try:
        if own:
            n = default_workers() if workers is None else workers
            executor = make_executor(workers=min(n, n_todo), scheduler=scheduler)
        if n_todo and executor is not None:
            report.executor = executor.description
            with progress_bar(n_todo, exp.name, "run", disable=quiet, dynamic_ncols=True) as bar:
                _drain(executor.map_unordered(make_tasks(exp, todo, run_timeout)), store, bar, report)
        finished = True
    except KeyboardInterrupt:
        interrupted = True
    finally:
        store.close()  # flushes the finished runs, also on Ctrl-C, SIGTERM (see the CLI) or an error
        if own and executor is not None:
            executor.close(wait=finished)
    report.seconds = time.perf_counter() - start
    report.write_seconds = store.write_seconds
    counts = store.counts()
    report.done, report.failed, report.remaining = counts["done"], counts["failed"], counts["remaining"]
    if interrupted:
        raise SweepInterrupted(report)
    return report
