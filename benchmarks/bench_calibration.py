"""Wall time of the quick calibration (`cogov calibrate --quick`) in this process and on a local
process pool: both run their batches through the sweep executors and give the same fit.

    python benchmarks/bench_calibration.py [--workers N]
"""

from __future__ import annotations

import argparse
import time

from threadpoolctl import threadpool_limits

from cogov_sim.calibration.procedure import QUICK, calibrate
from cogov_sim.experiments.execution import InProcessExecutor, PoolExecutor, default_workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    threadpool_limits(limits=1, user_api="blas")
    fitted = {}
    for label, executor in (("in-process", InProcessExecutor()), (f"{args.workers} processes", PoolExecutor(args.workers))):
        with executor:
            if isinstance(executor, PoolExecutor):
                executor.warm_up()
            start = time.perf_counter()
            result = calibrate(QUICK, executor=executor)
            seconds = time.perf_counter() - start
        fitted[label] = result.fitted
        print(f"quick calibration, {label:>12}: {result.runs:4d} runs in {seconds:6.1f} s "
              f"({result.runs / seconds:5.1f} runs/s); distance {result.distance:.2f} pp")
    print("same fit in both:", len({tuple(sorted(f.items())) for f in fitted.values()}) == 1)


if __name__ == "__main__":
    main()
