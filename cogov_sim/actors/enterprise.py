"""Enterprises and property companies (驻社区企业/物业公司, the supporting force, docs/sources.md
§2). Owns mechanism M8: market services and co-building."""

from __future__ import annotations

import mesa
import numpy as np

from ..ledger import Ledger
from ..mechanisms.enterprises import co_building_contribution, property_effort, recognition
from ..mechanisms.government import coordinated
from ..parameters import DOMAINS, Behaviour, Economy, K
from ..state import Month

#: Domains in which enterprises other than the property company sell services (structural
#: assumption, sources §2.3): welfare, children, health and culture.
MARKET_DOMAINS = [DOMAINS.index(d) for d in ("welfare", "children", "health", "culture")]
#: An enterprise's own direction: all on its offer domain (row ``k`` for domain ``k``; read-only).
ONE_HOT = np.eye(K)
ONE_HOT.flags.writeable = False


class Enterprise(mesa.Agent):
    """Community enterprise or property company (驻社区企业/物业公司, supporting force, docs/sources.md §2).

    Attributes:
        community: where it operates; offer_domain: the domain its market services serve.
        capacity: market service units offered per month.
        propensity: co-building propensity in [0, 1].
        property_company: whether it manages the community's property (disputes, M9).
        fund_account: the ledger account of its community's participatory fund (co-building money goes there).
        effort: share of the contracted service it delivers (1 for other enterprises; a property company
            sets it by its own interest, raised by owners' supervision, sources §7.15).
        contribution: this month's co-building money (CNY).
    """

    def __init__(self, model: mesa.Model, community: int, offer_domain: int, capacity: float,
                 propensity: float, property_company: bool) -> None:
        super().__init__(model)
        self.community = community
        self.offer_domain = offer_domain
        self.fund_account = f"fund:{community}"
        self.capacity = capacity
        self.propensity = propensity
        self.property_company = property_company
        self.effort = 1.0
        self.contribution = 0.0

    def step(self, month: Month, economy: Economy, behaviour: Behaviour, ledger: Ledger, *,
             supervision: np.ndarray) -> None:
        """Contribute to the community micro-fund and offer market services (M8). A property company
        delivers the share ``effort`` of its contracted service, given owners' ``supervision`` of it
        (per community), and records the gap residents feel in ``month.property_gap``."""
        lev, beh = month.levers, behaviour
        if self.property_company:
            self.effort = property_effort(beh.property_effort_unsupervised, float(supervision[self.community]))
            month.property_gap[self.community] = 1.0 - self.effort
        self.contribution = co_building_contribution(
            economy.enterprise_giving, self.propensity, float(month.coordination[self.community]),
            recognition(lev.council, lev.microfund_matching, lev.two_way_evaluation, beh.recognition_base,
                        beh.recognition_council, beh.recognition_matching, beh.recognition_two_way),
            economy.co_building_floor)
        ledger.transfer("donors", self.fund_account, self.contribution, "co_building")
        month.donations[self.community] += self.contribution
        month.market_units[self.community] += self.capacity * self.effort * coordinated(
            ONE_HOT[self.offer_domain], month.main_line[self.community], month.coordination[self.community])
