"""cogov_sim: agent-based simulation of multi-actor community co-governance on Mesa.

The four field forces (government, residents, enterprises, social organisations) act on a
community network with the residents' committee as the platform between them; governance
models are bundles of institutional levers in scenario files.
"""

from .lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(__name__, {
    "CommunityModel": ".model",
    "Results": ".run",
    "run_scenario": ".run",
    "Scenario": ".scenario",
    "available_scenarios": ".scenario",
    "load_scenario": ".scenario",
})


__all__ = ["CommunityModel", "Results", "Scenario", "available_scenarios", "load_scenario", "run_scenario"]
__version__ = "0.1.0"
