"""The actors: the four field forces and the platform (docs/sources.md §2–§3), one module each.

Each actor owns its mechanism's state and monthly step and calls the pure functions of
:mod:`cogov_sim.mechanisms`; it receives what it needs as arguments and never reaches back
into the model.

========================  =====================================================  =========
module                    actor                                                  mechanisms
========================  =====================================================  =========
``residents``             :class:`Resident` agents over :class:`ResidentPopulation`  M1–M4
``government``            :class:`Government` (street office and departments)      M5
``committee``             :class:`ResidentsCommittee` (the platform)                M6, M10
``enterprise``            :class:`Enterprise` (incl. property companies)            M8
``organisations``         :class:`SocialOrganization` and tenders                   M7
``disputes``              :class:`DisputeDesk` (RC mediation, grid, departments)    M9
========================  =====================================================  =========
"""

from .committee import ResidentsCommittee
from .disputes import DisputeDesk
from .enterprise import Enterprise
from .government import Government
from .organisations import SocialOrganization
from .residents import Resident, ResidentPopulation

__all__ = ["DisputeDesk", "Enterprise", "Government", "Resident", "ResidentPopulation", "ResidentsCommittee",
           "SocialOrganization"]
