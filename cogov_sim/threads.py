"""One BLAS thread per process: the model's monthly array operations are small.

BLAS worker threads gain nothing on them (0.26 s vs 0.29 s for 2,000 residents × 120 months
on an idle machine) and contend for the cores when other work runs (one ``np.vdot`` cost 1.6×
the CPU from a notebook); parallelism comes from sweeps' worker processes instead. The
command line, :func:`~cogov_sim.run.run_scenario` and :class:`~cogov_sim.model.CommunityModel`
all call :func:`limit_blas_threads`.
"""

from __future__ import annotations

from typing import Any

_limiter: Any = None


def limit_blas_threads() -> None:
    """Limit BLAS to one thread in this process (from the first call on; later calls do nothing)."""
    global _limiter
    if _limiter is None:
        from threadpoolctl import threadpool_limits

        _limiter = threadpool_limits(limits=1, user_api="blas")
