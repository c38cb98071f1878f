"""cogov_sim: agent-based simulation of multi-actor community co-governance on Mesa.

The four field forces (government, residents, enterprises, social organisations) act on a
community network with the residents' committee as the platform between them; governance
models are bundles of institutional levers in scenario files.
"""

from .model import CommunityModel
from .run import Results, run_scenario
from .scenario import Scenario, available_scenarios, load_scenario

__all__ = ["CommunityModel", "Results", "Scenario", "available_scenarios", "load_scenario", "run_scenario"]
__version__ = "0.1.0"
