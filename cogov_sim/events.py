"""Events at a month (docs/sources.md §4.3, §5; ODD §7 "Submodels: events"): regime switch,
budget cut, emergency, ageing, migrant inflow, enterprise exit.

:class:`Shocks` holds what events leave behind (a budget cut, a need shock, a lever path
being phased in). Each handler changes the street's state through :class:`Street`, the
part of the model events may touch; none knows a regime's name.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Protocol

import mesa
import numpy as np
import scipy.sparse as sp

from .actors.enterprise import Enterprise
from .actors.residents import ResidentPopulation, new_residents
from .network import symmetric_adjacency
from .parameters import DOMAINS, K, Levers, blend_levers
from .scenario import Event, Scenario
from .state import RandomStreams


@dataclass
class Shocks:
    """What events leave behind: the budget cut, the need shock, a lever path being phased in."""

    budget_cut: float = 0.0
    budget_cut_until: int = -1
    need: np.ndarray | None = None
    need_until: int = -1
    lever_path: tuple[Levers, Levers, int, int] | None = None

    def expire(self, month: int) -> None:
        """Lift the budget cut and the need shock whose time is up."""
        if month == self.budget_cut_until:
            self.budget_cut = 0.0
        if month == self.need_until:
            self.need = None

    def levers_for(self, month: int, levers: Levers) -> Levers:
        """Levers this month, phasing a regime switch in over its ramp (docs/sources.md §4.3 gradual path)."""
        if self.lever_path is None:
            return levers
        start, target, t0, ramp = self.lever_path
        frac = 1.0 if ramp <= 0 else min(1.0, (month - t0 + 1) / ramp)
        if frac >= 1.0:
            self.lever_path = None
        return blend_levers(start, target, frac)


class Street(Protocol):
    """What an event may change (implemented by :class:`~cogov_sim.model.CommunityModel`)."""

    month: int
    levers: Levers
    spec: Scenario
    shocks: Shocks
    residents: ResidentPopulation
    committees: list
    n_communities: int
    streams: RandomStreams

    def agents_of(self, cls: type[mesa.Agent]) -> Any: ...


def apply(street: Street, event: Event) -> None:
    """Apply ``event`` to ``street`` now."""
    HANDLERS[event.kind](street, **event.params)


def regime_switch(street: Street, scenario: str, levers: dict, ramp_months: int, target: Levers | None) -> None:
    """New lever values (a scenario's and/or given ones), phased in over ``ramp_months``."""
    goal = dataclasses.replace(target if target is not None else street.levers, **levers)
    street.shocks.lever_path = (street.levers, goal, street.month, ramp_months)
    for rc in street.committees:  # powers returned by the reform (还权) take effect at once
        rc.autonomy = max(rc.autonomy, goal.autonomy_grant)


def budget_cut(street: Street, share: float, duration: int) -> None:
    """The public budget falls by ``share`` for ``duration`` months (0 = for good)."""
    street.shocks.budget_cut = share
    street.shocks.budget_cut_until = street.month + duration if duration > 0 else -1


def emergency(street: Street, intensity: float, duration: int, domains: list[str]) -> None:
    """Needs in ``domains`` rise by ``intensity`` (×100%) for ``duration`` months."""
    street.shocks.need = np.zeros((street.n_communities, K))
    street.shocks.need[:, [DOMAINS.index(d) for d in domains]] = intensity
    street.shocks.need_until = street.month + duration


def ageing(street: Street, share: float) -> None:
    """A ``share`` of working-age residents retire (and leave their jobs)."""
    r = street.residents.table
    retiring = (r.stage == 1) & (street.streams.events.random(len(r)) < share)
    r.stage[retiring] = 2
    r.employed[retiring] = False
    r.employer[retiring] = -1
    street.residents.reindex()


def migrant_inflow(street: Street, share: float) -> None:
    """New residents (``share`` of the population) move in near existing ones, with low
    belonging and awareness; each ties to its anchor and to residents of its community."""
    residents, pop = street.residents, street.spec.population
    r, rng = residents.table, street.streams.events
    n_old, n_new = len(r), round(share * len(r))
    if n_new == 0:
        return
    anchor = rng.integers(0, n_old, n_new)              # an existing resident each migrant lives near
    community, building = r.community[anchor], r.building[anchor]
    new = new_residents(community, building, np.ones(n_new), np.full(n_new, pop.migrant_income_level), pop,
                        street.spec.behaviour, rng, street.streams.civic, belonging=pop.migrant_belonging,
                        awareness=pop.migrant_awareness)
    rows, cols = [np.arange(n_old, n_old + n_new)], [anchor]
    for _ in range(pop.building_ties - 1):
        peer = rng.integers(0, n_old, n_new)
        same = r.community[peer] == community
        rows.append(np.arange(n_old, n_old + n_new)[same])
        cols.append(peer[same])
    old = sp.triu(residents.adjacency).tocoo()
    adjacency = symmetric_adjacency(np.concatenate([old.row, *rows]), np.concatenate([old.col, *cols]), n_old + n_new)
    residents.arrive(new, adjacency)


def enterprise_exit(street: Street, share: float) -> None:
    """Each enterprise leaves with probability ``share``; its employees lose their jobs."""
    firms = list(street.agents_of(Enterprise))
    leaving = [f for f in firms if street.streams.events.random() < share]
    ids = np.array([f.unique_id for f in leaving])
    r = street.residents.table
    jobless = np.isin(r.employer, ids)
    r.employed[jobless] = False
    r.employer[jobless] = -1
    for firm in leaving:
        firm.remove()
    street.residents.reindex()


HANDLERS = {"regime_switch": regime_switch, "budget_cut": budget_cut, "emergency": emergency, "ageing": ageing,
            "migrant_inflow": migrant_inflow, "enterprise_exit": enterprise_exit}
