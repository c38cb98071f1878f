"""Policy-workshop speed: ``cogov compare`` of the four reference models, and the dashboard's step.

    .venv/bin/python benchmarks/bench_workshop.py                    # 4 models × 20 seeds × 5,000 residents × 120 months
    .venv/bin/python benchmarks/bench_workshop.py --seeds 2 --months 24 --steps 10   # a quick look

1. ``compare``: wall time of :func:`run_comparison` (the replications as a sweep on ``--workers``
   processes, then the analysis) and of writing the report (figures, HTML, CSV), in a fresh folder.
2. Dashboard: 2 models × 5,000 residents stepping together (:meth:`Workshop.step`), median and
   95th percentile of ``--steps`` steps; and the redraw of both figures (PNG at 96 dpi) as the
   page does after a step. Target: a step under 0.2 s. Pass ``--out DIR`` to keep the comparison
   (e.g. to make the README's report image).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from cogov_sim.cli import REFERENCE_MODELS
from cogov_sim.workshop.compare import HEADLINE, run_comparison
from cogov_sim.workshop.dashboard import Workshop
from cogov_sim.workshop.figures import forces_figure, png_bytes, series_figure
from cogov_sim.workshop.report import write_report


def bench_compare(args: argparse.Namespace, out: Path) -> None:
    start = time.perf_counter()
    cmp = run_comparison(list(REFERENCE_MODELS), out, seeds=args.seeds, residents=args.residents, months=args.months,
                         workers=args.workers, quiet=True)
    runs = time.perf_counter() - start
    start = time.perf_counter()
    write_report(cmp, out, "en")
    report = time.perf_counter() - start
    n = len(cmp.summary)
    print(f"compare: {len(REFERENCE_MODELS)} models × {args.seeds} seeds × {args.residents:,} residents × "
          f"{args.months} months = {n} runs on {args.workers} workers: {runs:.1f} s ({n / runs:.2f} runs/s, "
          f"{runs / n * args.workers:.2f} s per run per worker); report {report:.1f} s")


def bench_dashboard(args: argparse.Namespace) -> None:
    w = Workshop(["administrative_led", "co_governance"], seed=0, residents=args.residents)
    w.step()  # first step (lazy set-up) not counted
    steps, draws = [], []
    for i in range(args.steps):
        t = time.perf_counter()
        w.step()
        steps.append(time.perf_counter() - t)
        if i % 5 == 0:
            t = time.perf_counter()
            png_bytes(series_figure(w.series(), w.names, HEADLINE, "en", size=(9.5, 4.2)), dpi=96)
            png_bytes(forces_figure(w.forces(), w.names, "en", size=(9.5, 1.9)), dpi=96)
            draws.append(time.perf_counter() - t)
    s, d = np.array(steps), np.array(draws)
    print(f"dashboard: 2 models × {args.residents:,} residents, {args.steps} steps: step median {np.median(s):.3f} s, "
          f"p95 {np.percentile(s, 95):.3f} s (target < 0.2 s); redraw of both figures median {np.median(d):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--residents", type=int, default=5000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--out", type=Path, help="keep the comparison here (default: a temporary folder)")
    parser.add_argument("--skip-compare", action="store_true")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    bench_dashboard(args)
    if not args.skip_compare:
        if args.out:
            bench_compare(args, args.out)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                bench_compare(args, Path(tmp))


if __name__ == "__main__":
    main()
