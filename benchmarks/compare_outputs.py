"""Bit-identity check of a speed change: every scenario × 2 seeds × 48 months, this tree vs another.

    python benchmarks/compare_outputs.py /path/to/other/tree [--months 48] [--seeds 0 1]

Each tree runs in its own process (``PYTHONPATH`` set to it) and pickles its monthly series; the
parent compares them column by column (``Series.equals``: exact, NaN equal to NaN) and prints any that differ.
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def child(path: str, months: int, seeds: list[int]) -> None:
    from cogov_sim.run import run_scenario
    from cogov_sim.scenario import available_scenarios

    out = {(name, seed): run_scenario(name, seed=seed, months=months).series
           for name in sorted(available_scenarios()) for seed in seeds}
    with open(path, "wb") as fh:
        pickle.dump(out, fh)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("other", nargs="?")
    ap.add_argument("--months", type=int, default=48)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.months, args.seeds)
        return 0
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, tree in (("this", ROOT), ("other", os.path.abspath(args.other))):
            path = os.path.join(tmp, f"{name}.pkl")
            subprocess.run([sys.executable, os.path.abspath(__file__), "--child", path, "--months", str(args.months),
                            "--seeds", *map(str, args.seeds)], check=True, cwd=tree,
                           env={**os.environ, "PYTHONPATH": tree, "OMP_NUM_THREADS": "1"})
            with open(path, "rb") as fh:
                results[name] = pickle.load(fh)
    differ = 0
    for key, series in results["this"].items():
        other = results["other"][key]
        bad = [col for col in series.columns if col not in other or not series[col].equals(other[col])]
        if bad or list(series.columns) != list(other.columns):
            differ += 1
            print(f"{key}: differ in {bad[:8]}")
    print(f"{len(results['this'])} runs compared ({args.months} months): "
          + ("all bit-identical" if not differ else f"{differ} differ"))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
