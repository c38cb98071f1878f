"""Scenario discovery (情景发现): under which combinations of levers does an outcome happen?

* :mod:`.prim` — PRIM (EMA Workbench) on a sweep's summary table: :func:`discover`.
* :mod:`.cli` — ``cogov discover``.

Needs the ``analysis`` extra (``pip install "cogov-sim[analysis]"``); importing this
package is cheap, the EMA Workbench loads when PRIM runs. See ``docs/sweeps.md``.
"""

from __future__ import annotations

from ..lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(__name__, {
    "Discovery": ".prim",
    "discover": ".prim",
    "prim_inputs": ".prim",
})


__all__ = ["Discovery", "discover", "prim_inputs"]
