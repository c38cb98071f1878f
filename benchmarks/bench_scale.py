"""Run time of the two population sizes: the scenarios' default and the whole-street preset.

One run of ``co_governance`` (the busiest reference scenario) × 120 months per size, each in a
fresh process pinned to one core, with data collection; medians of ``--repeat`` runs. The
street preset is 23 communities (sources §7.18.1) × the scenario's residents per community.
Run: ``python benchmarks/bench_scale.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

SIZES = ("default", "street")


def one_run(size: str, scenario: str, months: int) -> dict:
    """Time one run in this process."""
    from cogov_sim.run import run_scenario

    t0 = time.perf_counter()
    results = run_scenario(scenario, seed=0, months=months, residents=None if size == "default" else size)
    return {"size": size, "residents": int(results.summary["residents_final"].iloc[0]), "seconds": time.perf_counter() - t0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scenario", default="co_governance")
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--child", choices=SIZES)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one_run(args.child, args.scenario, args.months)))
        return
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # this checkout's package, not an installed one
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONPATH": root}
    print(f"{'size':<8} {'residents':>10} {'months':>6} {'median s':>9}   ({args.scenario}, {args.repeat} runs each)")
    for size in SIZES:
        runs = [json.loads(subprocess.run(["taskset", "-c", "0", sys.executable, os.path.abspath(__file__), "--child",
                                           size, "--scenario", args.scenario, "--months", str(args.months)],
                                          capture_output=True, text=True, check=True, env=env).stdout.splitlines()[-1])
                for _ in range(args.repeat)]
        print(f"{size:<8} {runs[0]['residents']:>10,} {args.months:>6} {statistics.median(r['seconds'] for r in runs):>9.2f}")


if __name__ == "__main__":
    main()
