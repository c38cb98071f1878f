"""Scenario sweeps for researchers: experiment files, designs, execution, store, analysis.

The pieces are separate, as in the EMA Workbench:

* :mod:`.spec` — experiment files (TOML): load and validate.
* :mod:`.design` — design rows (factorial, Latin hypercube, Sobol/Saltelli, Morris, table)
  and runs with seeds spawned from the root seed.
* :mod:`.execution` — in-process, local process pool or Dask executors around one worker function.
* :mod:`.store` — Parquet chunks, manifest, resume, :func:`load_results`.
* :mod:`.sweep` — :func:`run_sweep` ties them together.
* :mod:`.analysis` — Sobol and Morris sensitivity indices (SALib).
* :mod:`.export` — EMA Workbench-style export.

Importing this package is cheap: pyarrow, SALib, scipy.stats and dask are imported only
when they are used. See ``docs/sweeps.md``.
"""

from __future__ import annotations

from ..lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(__name__, {
    "Experiment": ".spec",
    "available_experiments": ".spec",
    "load_experiment": ".spec",
    "load_manifest": ".store",
    "load_results": ".store",
    "SweepReport": ".sweep",
    "run_sweep": ".sweep",
})


__all__ = ["Experiment", "SweepReport", "available_experiments", "load_experiment", "load_manifest",
           "load_results", "run_sweep"]
