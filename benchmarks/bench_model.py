"""Speed and memory of one simulation run.

Targets on one core of the 2-core CI machine, with data collection:
10,000 residents × 120 months ≤ 1 s; 100,000 residents × 120 months ≤ 20 s and ≤ 2 GB peak.

Each configuration runs in a fresh child process, so its peak resident memory (ru_maxrss,
whole process including the interpreter and libraries) is its own. Setup (population,
network, institutions) and the 120 monthly steps are timed separately; the figure quoted
against the target is their sum. Run: ``python benchmarks/bench_model.py [--repeat 3]``.

``--against DIR`` also times another source tree of the package (e.g. a ``git worktree`` of an
earlier commit) in the same run, alternating the two runs by run, and prints both side by side
with the ratio of CPU times: a before/after comparison under the same machine load.
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

    c0 = time.process_time()
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
            "total_s": t3 - t0, "cpu_s": time.process_time() - c0,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}


def child(residents: int, months: int, scenario: str, tree: str | None) -> dict:
    """One run in a fresh process on core 0, importing the package from ``tree`` (or this checkout)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if tree:
        env["PYTHONPATH"] = tree
    out = subprocess.run(["taskset", "-c", "0", sys.executable, os.path.abspath(__file__), "--scenario", scenario,
                          "--child", str(residents), str(months)],
                         capture_output=True, text=True, check=True, env=env, cwd=tree or None)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration (fresh process each)")
    parser.add_argument("--scenario", default="co_governance", help="scenario (default: the busiest, co_governance)")
    parser.add_argument("--against", metavar="DIR", help="another source tree of the package to time in the same run")
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(*args.child, args.scenario)))
        return
    print(f"scenario {args.scenario}, {args.repeat} fresh processes per configuration, one core (taskset -c 0)")
    print(f"{'tree':>6} {'residents':>9} {'months':>6} {'setup s':>8} {'steps s':>8} {'total s':>8} {'cpu s':>7} "
          f"{'µs/res-month':>12} {'peak MB':>8}  target")
    trees = {"this": None} if not args.against else {"this": None, "other": os.path.abspath(args.against)}
    per_unit: dict[tuple[str, int], float] = {}
    cpu: dict[tuple[str, int], float] = {}
    for residents, months in CONFIGS:
        runs: dict[str, list[dict]] = {name: [] for name in trees}
        for _ in range(args.repeat):
            for name, tree in trees.items():          # alternate the trees run by run
                runs[name].append(child(residents, months, args.scenario, tree))
        for name in trees:
            med = {k: statistics.median(r[k] for r in runs[name])
                   for k in ("setup_s", "steps_s", "total_s", "cpu_s", "peak_mb")}
            us = med["total_s"] / (residents * months) * 1e6
            per_unit[name, residents], cpu[name, residents] = us, med["cpu_s"]
            limit_s, limit_mb = TARGETS[residents]
            ok = med["total_s"] <= limit_s and (limit_mb is None or med["peak_mb"] <= limit_mb)
            target = f"≤ {limit_s:g} s" + (f", ≤ {limit_mb:g} MB" if limit_mb else "") + (" OK" if ok else " MISSED")
            print(f"{name:>6} {residents:>9,} {months:>6} {med['setup_s']:>8.2f} {med['steps_s']:>8.2f} "
                  f"{med['total_s']:>8.2f} {med['cpu_s']:>7.2f} {us:>12.3f} {med['peak_mb']:>8.0f}  {target}")
    ratio = per_unit["this", 100_000] / per_unit["this", 10_000]
    print(f"µs per resident-month, 100k vs 10k (same run): {ratio:.2f}×")
    if args.against:
        for residents, _ in CONFIGS:
            print(f"CPU time, this tree / {args.against} at {residents:,} residents: "
                  f"{cpu['this', residents] / cpu['other', residents]:.2f}×")


if __name__ == "__main__":
    main()
