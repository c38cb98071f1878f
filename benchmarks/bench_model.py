"""Speed and memory of one simulation run (issue: core simulation).

Targets on one core of the 2-core CI machine, with data collection:
10,000 residents × 120 months ≤ 1 s; 100,000 residents × 120 months ≤ 20 s and ≤ 2 GB peak.

Each configuration runs in a fresh child process, so its peak resident memory (ru_maxrss,
whole process including the interpreter and libraries) is its own. Setup (population,
network, institutions) and the 120 monthly steps are timed separately; the figure quoted
against the target is their sum. Run: ``python benchmarks/bench_model.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

CONFIGS = [(10_000, 120), (100_000, 120)]
TARGETS = {10_000: (1.0, None), 100_000: (20.0, 2048.0)}


def one_run(residents: int, months: int, scenario: str) -> dict:
    """Time one run in this process; return timings and peak memory."""
    from cogov_sim.model import CommunityModel
    from cogov_sim.run import collect_results

    t0 = time.perf_counter()
    model = CommunityModel(scenario, seed=0, residents=residents)
    t1 = time.perf_counter()
    for _ in range(months):
        model.step()
    t2 = time.perf_counter()
    frames = collect_results(model)
    t3 = time.perf_counter()
    assert len(frames.series) == months
    return {"residents": residents, "months": months, "setup_s": t1 - t0, "steps_s": t2 - t1, "frames_s": t3 - t2,
            "total_s": t3 - t0, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration (fresh process each)")
    parser.add_argument("--scenario", default="co_governance", help="scenario (default: the busiest, co_governance)")
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(*args.child, args.scenario)))
        return
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    print(f"scenario {args.scenario}, {args.repeat} fresh processes per configuration, one core (taskset -c 0)")
    print(f"{'residents':>9} {'months':>6} {'setup s':>8} {'steps s':>8} {'total s':>8} {'µs/res-month':>12} "
          f"{'peak MB':>8}  target")
    per_unit = {}
    for residents, months in CONFIGS:
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run(["taskset", "-c", "0", sys.executable, __file__, "--scenario", args.scenario,
                                  "--child", str(residents), str(months)],
                                 capture_output=True, text=True, check=True, env=env)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        med = {k: statistics.median(r[k] for r in runs) for k in ("setup_s", "steps_s", "total_s", "peak_mb")}
        us = med["total_s"] / (residents * months) * 1e6
        per_unit[residents] = us
        limit_s, limit_mb = TARGETS[residents]
        ok = med["total_s"] <= limit_s and (limit_mb is None or med["peak_mb"] <= limit_mb)
        target = f"≤ {limit_s:g} s" + (f", ≤ {limit_mb:g} MB" if limit_mb else "") + (" OK" if ok else " MISSED")
        print(f"{residents:>9,} {months:>6} {med['setup_s']:>8.2f} {med['steps_s']:>8.2f} {med['total_s']:>8.2f} "
              f"{us:>12.3f} {med['peak_mb']:>8.0f}  {target}")
    ratio = per_unit[100_000] / per_unit[10_000]
    print(f"µs per resident-month, 100k vs 10k (same run): {ratio:.2f}×")


if __name__ == "__main__":
    main()
