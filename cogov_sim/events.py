"""Events at a month (brief §5): regime switch, budget cut, emergency, ageing, migrant
inflow, enterprise exit. Each handler changes the model's state; none knows a regime's name.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from .agents import Enterprise, Resident
from .network import symmetric_adjacency
from .parameters import DOMAINS, K, Levers
from .scenario import Event

if TYPE_CHECKING:
    from .model import CommunityModel


def apply(model: CommunityModel, event: Event) -> None:
    """Apply ``event`` to ``model`` now."""
    HANDLERS[event.kind](model, **event.params)


def regime_switch(model: CommunityModel, scenario: str, levers: dict, ramp_months: int, target: Levers | None) -> None:
    """New lever values (a scenario's and/or given ones), phased in over ``ramp_months``."""
    goal = dataclasses.replace(target if target is not None else model.levers, **levers)
    model.lever_path = (model.levers, goal, model.month, ramp_months)
    for rc in model.committees:  # powers returned by the reform (还权) take effect at once
        rc.autonomy = max(rc.autonomy, goal.autonomy_grant)


def budget_cut(model: CommunityModel, share: float, duration: int) -> None:
    """The public budget falls by ``share`` for ``duration`` months (0 = for good)."""
    model.budget_cut = share
    model.budget_cut_until = model.month + duration if duration > 0 else -1


def emergency(model: CommunityModel, intensity: float, duration: int, domains: list[str]) -> None:
    """Needs in ``domains`` rise by ``intensity`` (×100%) for ``duration`` months."""
    model.shock = np.zeros((model.n_communities, K))
    model.shock[:, [DOMAINS.index(d) for d in domains]] = intensity
    model.shock_until = model.month + duration


def ageing(model: CommunityModel, share: float) -> None:
    """A ``share`` of working-age residents retire (and leave their jobs)."""
    r = model.residents
    retiring = (r.stage == 1) & (model.rng.random(len(r)) < share)
    r.stage[retiring] = 2
    r.employed[retiring] = False
    r.employer[retiring] = -1
    model.index_residents()


def migrant_inflow(model: CommunityModel, share: float) -> None:
    """New residents (``share`` of the population) move in near existing ones, with low
    belonging and awareness; each ties to its anchor and to residents of its community."""
    r, pop = model.residents, model.scenario.population
    n_old, n_new = len(r), round(share * len(r))
    if n_new == 0:
        return
    anchor = model.rng.integers(0, n_old, n_new)              # an existing resident each migrant lives near
    community, building = r.community[anchor], r.building[anchor]
    new = model.new_residents(community, building, np.ones(n_new), np.full(n_new, 0.8), belonging=0.1,
                              awareness=0.1)
    rows, cols = [np.arange(n_old, n_old + n_new)], [anchor]
    for _ in range(pop.building_ties - 1):
        peer = model.rng.integers(0, n_old, n_new)
        same = r.community[peer] == community
        rows.append(np.arange(n_old, n_old + n_new)[same])
        cols.append(peer[same])
    old = sp.triu(model.adjacency).tocoo()
    model.adjacency = symmetric_adjacency(np.concatenate([old.row, *rows]), np.concatenate([old.col, *cols]),
                                         n_old + n_new)
    r.append(new)
    model.index_residents()
    Resident.create_agents(model, n_new, row=np.arange(n_old, n_old + n_new))


def enterprise_exit(model: CommunityModel, share: float) -> None:
    """Each enterprise leaves with probability ``share``; its employees lose their jobs."""
    firms = list(model.agents_of(Enterprise))
    leaving = [f for f in firms if model.rng.random() < share]
    ids = np.array([f.unique_id for f in leaving])
    r = model.residents
    jobless = np.isin(r.employer, ids)
    r.employed[jobless] = False
    r.employer[jobless] = -1
    for firm in leaving:
        firm.remove()
    model.index_residents()


HANDLERS = {"regime_switch": regime_switch, "budget_cut": budget_cut, "emergency": emergency, "ageing": ageing,
            "migrant_inflow": migrant_inflow, "enterprise_exit": enterprise_exit}
