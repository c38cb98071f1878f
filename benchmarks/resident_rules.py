"""The residents' monthly rules three ways, fed the same inputs and the same random numbers.

The rules are the per-resident arithmetic of a month (ODD §7.1–§7.4): needs arise (M1),
services, the market and neighbours meet them (M2), residents take part (M3) and their
attitudes move (M4). The institutions' side of the month (what each community is offered) is
held fixed: it is taken from a real :class:`~cogov_sim.model.CommunityModel` after a year, so
the rules run on realistic inputs. Council seats are an input too (the ranking that picks
deputies is a community-level step, not per-resident arithmetic), and a deliberator's funded
voice is left out (it needs the fund's allocation, an institution's step).

* :func:`vectorised_month` — the project's own mechanism functions over column arrays
  (``cogov_sim.mechanisms``), as :class:`~cogov_sim.actors.residents.ResidentPopulation` calls them.
* :class:`AgentModel` — an idiomatic per-agent Mesa 3 version: each resident a ``CellAgent``
  holding its state in attributes, placed on a ``mesa.discrete_space.Network`` of the residents'
  ties and reading its neighbours through its cell's neighbourhood, the month run with
  ``model.agents_by_type[...].shuffle_do`` (decide from last month's state, then commit, so the
  random order does not change the result), and a ``mesa.DataCollector`` collecting the month's
  outputs (participation, attitudes, coverage) as aggregates over the agents (``AgentSet.agg``).
* :class:`LeanModel` — the same agents and arithmetic with neighbours as precomputed Python lists,
  no space and no data collection: a lower bound on what a per-agent model costs.
* :func:`fused_month` — one compiled pass over residents (numba, cached compilation) doing the
  same arithmetic; ``None`` when numba is not installed (``pip install -e .[bench]``).

All read the same pre-drawn uniforms (participation ``(N, 4)``, responses ``(N,)``), so their
outputs agree to rounding (checked by :func:`max_difference`; tests/test_resident_rules.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import mesa
import networkx as nx
import numpy as np
import scipy.sparse as sp
from mesa.discrete_space import CellAgent, Network

from cogov_sim.mechanisms.attitudes import (
    efficacy_success,
    update_awareness,
    update_belonging,
    update_efficacy,
    update_satisfaction,
    update_trust,
)
from cogov_sim.mechanisms.common import safe_ratio
from cogov_sim.mechanisms.participation import (
    ParticipationDrivers,
    deliberation_availability,
    participation_probability,
    resident_stakes,
    stakes,
    willingness,
    with_school_activities,
)
from cogov_sim.mechanisms.supply import health_mix_units, match_services, mutual_aid

#: Attitude columns the rules update (and the checks compare).
ATTITUDES = ("satisfaction", "trust_government", "trust_rc", "belonging", "efficacy", "awareness")


@dataclass
class Inputs:
    """What the rules read and do not change: per-community offers and per-resident traits."""

    community: np.ndarray          # (N,) community index
    adjacency: sp.csr_matrix       # symmetric resident network
    neighbour_mean: sp.csr_matrix  # its row-normalised version
    need: np.ndarray               # (N, K) this month's needs
    need_total: np.ndarray         # (N,)
    public_ratio: np.ndarray       # (C, K) public units (health mix applied) / demand
    rc_ratio: np.ndarray           # (C, K) RC units / demand (reached by the aware)
    market_ratio: np.ndarray       # (C, K) market units (health mix applied) / demand
    access: np.ndarray             # (N,) market access
    quality: np.ndarray            # (N, K) quality of public services
    self_organisation: float
    reach: np.ndarray              # (C,) outreach reach
    fund_stakes: np.ndarray        # (C,) stakes the fund gives
    activity: np.ndarray           # (C,) activity availability
    council: np.ndarray            # (C,) council support
    contact: np.ndarray            # (C,) outreach contact chance (awareness)
    rc_response: np.ndarray        # (C,)
    government_response: float
    shock: np.ndarray              # (C,) trust loss from escalations
    party_strength: np.ndarray     # (C,)
    time_cost: np.ndarray
    outside_option: np.ndarray
    propensity: np.ndarray
    tie: np.ndarray
    pull: np.ndarray
    organised: np.ndarray          # (N,) bool
    employed: np.ndarray           # (N,) float: employed working-age
    job: np.ndarray                # (N,) bool: employed or not of working age
    volunteer_lead: np.ndarray     # (N,)
    adult: np.ndarray              # (N,) bool
    seat: np.ndarray               # (N,) bool council seat
    affairs_sorting: bool
    behaviour: object


@dataclass
class State:
    """What the rules change: attitudes, last month's participation, and this month's outputs."""

    satisfaction: np.ndarray
    trust_government: np.ndarray
    trust_rc: np.ndarray
    belonging: np.ndarray
    efficacy: np.ndarray
    awareness: np.ndarray
    participated: np.ndarray       # (N, 4) bool
    coverage: np.ndarray
    willingness: np.ndarray

    def copy(self) -> State:
        return State(*(getattr(self, f.name).copy() for f in fields(self)))


def from_model(model) -> tuple[Inputs, State]:
    """The inputs and state of the rules, taken from a model that has run at least one month."""
    res, month, beh, lev = model.residents, model.current, model.spec.behaviour, model.current.levers
    from cogov_sim.actors.residents import CULTURE, HEALTH, LIFE_STAGE
    from cogov_sim.mechanisms.participation import participation_logit, seat_holders

    r, pi = res.table, beh.health_preventive_need
    offer = model.community_offer(month, np.zeros(res.n_communities))
    pop = np.maximum(res.community_population, 1)
    gov, public_h = month.government_units[:, HEALTH], month.public_units[:, HEALTH]
    sigma = safe_ratio(gov * beh.health_preventive_government + (public_h - gov) * pi, public_h, pi)
    supply = ((offer.activity_hours + beh.activity_per_culture_unit * month.so_units[:, CULTURE])
              / (beh.full_activity_supply * pop))
    drivers = res.drivers(month, offer, beh)
    seats = beh.council_seats_per_1000 * res.community_population / 1000.0
    working = r.stage == LIFE_STAGE["working"]
    inputs = Inputs(
        community=r.community, adjacency=res.adjacency.tocsr(), neighbour_mean=res.neighbour_mean.tocsr(),
        need=month.need, need_total=month.need_total,
        public_ratio=safe_ratio(health_mix_units(month.public_units, month.demand, HEALTH, pi, sigma), month.demand),
        rc_ratio=safe_ratio(month.rc_units, month.demand),
        market_ratio=safe_ratio(health_mix_units(month.market_units, month.demand, HEALTH, pi,
                                                 beh.health_preventive_market), month.demand),
        access=res.market_access, quality=res.service_quality, self_organisation=month.self_organisation,
        reach=np.minimum(1.0, offer.outreach_hours / (beh.full_outreach_hours * pop)),
        fund_stakes=stakes(offer.fund_per_resident, lev.council, beh.stakes_half_saturation,
                           beh.stakes_without_council),
        activity=np.minimum(1.0, beh.activity_floor + (1.0 - beh.activity_floor) * supply),
        council=float(lev.council) * np.minimum(1.0, offer.council_hours / (beh.full_council_hours * pop)),
        contact=np.minimum(1.0, beh.awareness_contact * offer.outreach_hours / pop),
        rc_response=offer.rc_response, government_response=float(offer.government_response),
        shock=offer.escalation_shock, party_strength=month.party_strength,
        time_cost=res.time_cost, outside_option=res.outside_option, propensity=r.propensity,
        tie=np.asarray(drivers.tie, float), pull=np.asarray(drivers.pull, float), organised=res.organised.copy(),
        employed=np.asarray(drivers.employed, float), job=r.employed | ~working,
        volunteer_lead=np.asarray(drivers.volunteer_lead, float) * np.ones(len(r)), adult=res.adult.copy(),
        seat=seat_holders(np.where(res.adult, participation_logit(drivers, beh), -np.inf), r.community, seats),
        affairs_sorting=bool(lev.affairs_sorting), behaviour=beh)
    state = State(satisfaction=r.satisfaction.copy(), trust_government=r.trust_government.copy(),
                  trust_rc=r.trust_rc.copy(), belonging=r.belonging.copy(), efficacy=r.efficacy.copy(),
                  awareness=r.awareness.copy(), participated=r.participated.copy(), coverage=r.coverage.copy(),
                  willingness=np.zeros(len(r)))
    return inputs, state


# ---------------------------------------------------------------------- the project's vectorised rules
def vectorised_month(x: Inputs, s: State, u_take: np.ndarray, u_response: np.ndarray) -> None:
    """One month of the rules with the project's mechanism functions (updates ``s``)."""
    beh, c = x.behaviour, x.community
    aid = mutual_aid(x.adjacency, s.participated[:, 2], beh.mutual_aid_rate) * x.self_organisation
    unmet = _unmet(x, s.awareness, aid)
    s.coverage = 1.0 - safe_ratio(unmet.sum(axis=1), x.need_total)
    participated_any = s.participated.any(axis=1).astype(float)
    d = ParticipationDrivers(
        belonging=s.belonging, efficacy=s.efficacy, peer=x.neighbour_mean @ participated_any,
        outreach=s.awareness * x.reach[c],
        stakes=resident_stakes(x.fund_stakes[c], s.awareness, x.affairs_sorting, beh.sorting_stakes),
        time_cost=x.time_cost, outside_option=x.outside_option, propensity=x.propensity, tie=x.tie, pull=x.pull,
        mobilised=np.where(x.organised, x.party_strength[c], 0.0), employed=x.employed,
        volunteer_lead=x.volunteer_lead)
    adult = x.adult.astype(float)
    availability = np.column_stack([x.activity[c], adult, np.ones(len(c)),
                                    adult * deliberation_availability(x.council[c], x.seat, x.affairs_sorting,
                                                                      beh.sorting_affair_rate)])
    p = with_school_activities(participation_probability(d, beh, availability, x.self_organisation),
                               ~x.adult, beh.school_activity_rate)
    took = u_take < p
    took_any = took.any(axis=1)
    rc = x.rc_response[c]
    acted_on = took[:, 1] & (u_response < 1.0 - (1.0 - rc) * (1.0 - x.government_response))
    voiced = took[:, 1]
    s.satisfaction = update_satisfaction(s.satisfaction, s.coverage, x.job, beh.satisfaction_rate,
                                         beh.satisfaction_job_weight)
    s.trust_government = update_trust(s.trust_government, s.coverage,
                                      np.where(voiced, acted_on, x.government_response), beh.trust_rate,
                                      beh.trust_service_weight, x.shock[c])
    s.trust_rc = update_trust(s.trust_rc, s.coverage * s.awareness, np.where(voiced, acted_on, rc), beh.trust_rate,
                              beh.trust_service_weight, x.shock[c])
    s.belonging = update_belonging(s.belonging, took_any, beh.belonging_gain, beh.belonging_decay)
    s.efficacy = update_efficacy(s.efficacy, efficacy_success(acted_on, took[:, 3], x.affairs_sorting, rc),
                                 beh.efficacy_gain, beh.efficacy_decay)
    s.awareness = update_awareness(s.awareness, x.contact[c], took[:, 0].astype(float), x.neighbour_mean,
                                   beh.awareness_peer, beh.awareness_decay, beh.awareness_activity_contact)
    s.willingness = willingness(d, beh)
    s.participated = took


def _unmet(x: Inputs, awareness: np.ndarray, aid: np.ndarray) -> np.ndarray:
    """M2 through the project's ``match_services``, with the ratios as units over a unit demand."""
    ones = np.ones_like(x.public_ratio)
    unmet, _ = match_services(x.need, x.community, x.public_ratio, x.rc_ratio, ones, awareness, x.market_ratio,
                              x.access, aid, x.quality)
    return unmet


# ---------------------------------------------------------------------- the per-agent Mesa references
class RuleResident(mesa.Agent):
    """One resident as a Mesa agent: its state in attributes, the month's arithmetic in Python.

    Subclasses say where the neighbours come from (:meth:`neighbours`)."""

    def __init__(self, model: mesa.Model, row: int) -> None:
        super().__init__(model)
        x, s = model.inputs, model.state
        self.row = row
        self.c = int(x.community[row])
        self.need = x.need[row].tolist()
        self.need_total = float(x.need_total[row])
        self.access = float(x.access[row])
        self.quality = x.quality[row].tolist()
        for name in ("time_cost", "outside_option", "propensity", "tie", "pull", "employed", "volunteer_lead"):
            setattr(self, name, float(getattr(x, name)[row]))
        self.organised, self.adult, self.seat, self.job = (bool(x.organised[row]), bool(x.adult[row]),
                                                           bool(x.seat[row]), bool(x.job[row]))
        for name in ATTITUDES:
            setattr(self, name, float(getattr(s, name)[row]))
        self.participated = [bool(v) for v in s.participated[row]]
        self.coverage = self.willingness = 0.0
        self.next: tuple = ()

    def neighbours(self) -> list[tuple[RuleResident, float, float]]:
        """(neighbour, tie weight, weight in the neighbours' mean) for each neighbour."""
        raise NotImplementedError

    def decide(self) -> None:
        """This month's needs, matching, participation and attitudes from last month's state."""
        model = self.model
        x, b, c = model.inputs, model.inputs.behaviour, self.c
        neighbours = self.neighbours()
        helpers = peer = peers_aware = 0.0
        for other, w, w_mean in neighbours:
            helpers += w * other.participated[2]
            peer += w_mean * (1.0 if any(other.participated) else 0.0)
            peers_aware += w_mean * other.awareness
        aid = min(1.0, b.mutual_aid_rate * helpers) * x.self_organisation
        unmet_total = 0.0
        pub, rcr, mkt = model.public_ratio[c], model.rc_ratio[c], model.market_ratio[c]
        for k in range(len(self.need)):
            public = min((rcr[k] * self.awareness + pub[k]) * self.quality[k], 1.0)
            bought = min(mkt[k] * self.access, 1.0)
            unmet_total += (1.0 - bought) * (1.0 - public) * (1.0 - aid) * self.need[k]
        coverage = 1.0 - unmet_total / self.need_total if self.need_total > 0 else 1.0
        sort = 1.0 if x.affairs_sorting else 0.0
        outreach = self.awareness * model.reach[c]
        stake = 1.0 - (1.0 - self.awareness * model.fund_stakes[c]) * (1.0 - sort * b.sorting_stakes)
        mobilised = model.party_strength[c] if self.organised else 0.0
        eta = (self.tie * (b.belonging_weight * self.belonging + b.peer_weight * peer) + b.efficacy_weight * self.efficacy
               + self.pull * (b.outreach_weight * outreach + b.stakes_weight * stake
                              + b.party_mobilisation_weight * mobilised)
               + b.employment_energy_weight * self.employed
               - b.time_cost_weight * self.time_cost - b.outside_option_weight * self.outside_option + self.propensity)
        adult = 1.0 if self.adult else 0.0
        seat = 1.0 if self.seat else 0.0
        deliberate = 1.0 - (1.0 - model.council[c] * seat) * (1.0 - sort * b.sorting_affair_rate)
        availability = (model.activity[c], adult, 1.0, adult * deliberate)
        lead = (0.0, 0.0, b.party_volunteer_lead_weight * self.volunteer_lead, 0.0)
        u = model.u_take[self.row]
        took = []
        for t, intercept in enumerate(model.intercepts):
            p = 1.0 / (1.0 + math.exp(-(eta + intercept + lead[t]))) * availability[t]
            if t == 2:
                p *= x.self_organisation
            if t == 0 and not self.adult:
                p = 1.0 - (1.0 - p) * (1.0 - b.school_activity_rate)
            took.append(bool(u[t] < p))
        rc = model.rc_response[c]
        gov = x.government_response
        acted = took[1] and model.u_response[self.row] < 1.0 - (1.0 - rc) * (1.0 - gov)
        shock = model.shock[c]
        target = (1.0 - b.satisfaction_job_weight) * coverage + b.satisfaction_job_weight * (1.0 if self.job else 0.0)
        satisfaction = self.satisfaction + b.satisfaction_rate * (target - self.satisfaction)
        heard_gov = (1.0 if acted else 0.0) if took[1] else gov
        heard_rc = (1.0 if acted else 0.0) if took[1] else rc
        w = b.trust_service_weight
        trust_gov = _clip(self.trust_government + b.trust_rate * (w * coverage + (1.0 - w) * heard_gov
                                                                  - self.trust_government) - shock)
        trust_rc = _clip(self.trust_rc + b.trust_rate * (w * coverage * self.awareness + (1.0 - w) * heard_rc
                                                         - self.trust_rc) - shock)
        if any(took):
            belonging = self.belonging + b.belonging_gain * (1.0 - self.belonging)
        else:
            belonging = self.belonging * (1.0 - b.belonging_decay)
        success = max(1.0 if acted else 0.0, sort * (1.0 if took[3] else 0.0) * rc)
        efficacy = self.efficacy + b.efficacy_gain * (1.0 - self.efficacy) * success - b.efficacy_decay * self.efficacy
        reach = 1.0 - ((1.0 - model.contact[c]) * (1.0 - b.awareness_activity_contact * (1.0 if took[0] else 0.0))
                       * (1.0 - b.awareness_peer * peers_aware))
        awareness = _clip(self.awareness + (1.0 - self.awareness) * reach - b.awareness_decay * self.awareness)
        will = 1.0 / (1.0 + math.exp(-(b.willingness_intercept + b.belonging_weight * self.belonging
                                        + b.efficacy_weight * self.efficacy + self.propensity
                                        - b.time_cost_weight * self.time_cost)))
        self.next = (satisfaction, trust_gov, trust_rc, belonging, efficacy, awareness, took, coverage, will)

    def commit(self) -> None:
        """This month's decisions become the resident's state."""
        (self.satisfaction, self.trust_government, self.trust_rc, self.belonging, self.efficacy, self.awareness,
         self.participated, self.coverage, self.willingness) = self.next

    @property
    def took_part(self) -> bool:
        """Took part in anything this month (for the data collector)."""
        return any(self.participated)


def _clip(v: float) -> float:
    return 0.0 if v < 0.0 else 1.0 if v > 1.0 else v


class RuleModel(mesa.Model):
    """What both per-agent references share: the fixed inputs as Python lists, one agent per
    resident (``agent_class``), and a month as ``shuffle_do("decide")`` then ``do("commit")``
    (decide from last month's state, then commit, so the random order does not change the result)."""

    agent_class: type[RuleResident] = RuleResident

    def __init__(self, inputs: Inputs, state: State, seed: int = 0) -> None:
        super().__init__(rng=np.random.default_rng(seed))
        self.inputs, self.state = inputs, state
        b = inputs.behaviour
        self.intercepts = (b.activity_intercept, b.public_affairs_intercept, b.volunteer_intercept,
                           b.deliberation_intercept)
        for name in ("public_ratio", "rc_ratio", "market_ratio", "reach", "fund_stakes", "activity", "council",
                     "contact", "rc_response", "shock", "party_strength"):     # per-community values as lists
            setattr(self, name, getattr(inputs, name).tolist())

    @property
    def residents(self) -> mesa.agent.AgentSet:
        return self.agents_by_type[self.agent_class]

    def step_with(self, u_take: np.ndarray, u_response: np.ndarray) -> None:
        """One month with these draws."""
        self.u_take, self.u_response = u_take.tolist(), u_response.tolist()
        self.residents.shuffle_do("decide")
        self.residents.do("commit")

    def read_state(self) -> State:
        """The agents' state as columns in row order (for comparison)."""
        agents = sorted(self.residents, key=lambda a: a.row)
        return State(*(np.array([getattr(a, name) for a in agents]) for name in ATTITUDES),
                     participated=np.array([a.participated for a in agents], bool),
                     coverage=np.array([a.coverage for a in agents]),
                     willingness=np.array([a.willingness for a in agents]))


# --- idiomatic Mesa 3: residents on a network cell space, a DataCollector of aggregates
class CellResident(RuleResident, CellAgent):
    """A resident placed on its node of a :class:`mesa.discrete_space.Network`; its neighbours are
    the agents of its cell's neighbourhood (the network is unweighted: the mean weighs each 1/degree)."""

    def neighbours(self) -> list[tuple[RuleResident, float, float]]:
        others = list(self.cell.neighborhood.agents)
        share = 1.0 / len(others) if others else 0.0
        return [(other, 1.0, share) for other in others]


def _mean_taking_part(t: int):
    return lambda m: m.residents.agg("participated", lambda v: float(np.mean([p[t] for p in v])))


#: The data collector's model-level outputs: each an aggregate over the agents (``AgentSet.agg``).
REPORTERS = {**{f"participation_{name}": _mean_taking_part(t)
                for t, name in enumerate(("activity", "public_affairs", "volunteer", "deliberation"))},
             "participation_any": lambda m: m.residents.agg("took_part", np.mean),
             **{name: (lambda m, name=name: m.residents.agg(name, np.mean))
                for name in (*ATTITUDES, "coverage", "willingness")}}


def reporters_from_columns(s: State) -> dict[str, float]:
    """The same outputs as :data:`REPORTERS` from the vectorised state (for comparison)."""
    out = {f"participation_{name}": float(s.participated[:, t].mean())
           for t, name in enumerate(("activity", "public_affairs", "volunteer", "deliberation"))}
    out["participation_any"] = float(s.participated.any(axis=1).mean())
    return out | {name: float(getattr(s, name).mean()) for name in (*ATTITUDES, "coverage", "willingness")}


class AgentModel(RuleModel):
    """The idiomatic per-agent Mesa 3 reference: each resident a :class:`CellResident` on a
    ``mesa.discrete_space.Network`` of the residents' ties, the month ``shuffle_do``, and a
    ``mesa.DataCollector`` collecting the month's outputs as aggregates over the agents."""

    agent_class = CellResident

    def __init__(self, inputs: Inputs, state: State, seed: int = 0) -> None:
        super().__init__(inputs, state, seed)
        if not np.all(inputs.adjacency.data == 1.0):
            raise ValueError("the cell-space reference assumes an unweighted network")
        self.grid = Network(nx.from_scipy_sparse_array(inputs.adjacency), capacity=1, random=self.random)
        cells = self.grid.all_cells.cells
        for row in range(len(inputs.community)):
            CellResident(self, row).cell = cells[row]
        self.datacollector = mesa.DataCollector(model_reporters=REPORTERS)

    def step_with(self, u_take: np.ndarray, u_response: np.ndarray) -> None:
        super().step_with(u_take, u_response)
        self.datacollector.collect(self)


# --- lean per-agent Python: neighbour lists, no space, no data collection (a lower bound)
class ListResident(RuleResident):
    """A resident whose neighbours are a precomputed list with the network's weights."""

    def link(self, agents: list[ListResident]) -> None:
        """Neighbours with both matrices' weights, in the network's CSR row order."""
        a, m = self.model.inputs.adjacency, self.model.inputs.neighbour_mean
        lo, hi = m.indptr[self.row], m.indptr[self.row + 1]
        mean = dict(zip(m.indices[lo:hi].tolist(), m.data[lo:hi].tolist(), strict=True))
        lo, hi = a.indptr[self.row], a.indptr[self.row + 1]
        self._neighbours = [(agents[j], w, mean.get(j, 0.0))
                            for j, w in zip(a.indices[lo:hi].tolist(), a.data[lo:hi].tolist(), strict=True)]

    def neighbours(self) -> list[tuple[RuleResident, float, float]]:
        return self._neighbours


class LeanModel(RuleModel):
    """The lean per-agent reference: Mesa agents and ``shuffle_do``, but neighbours as Python
    lists, no space and no data collection — a lower bound on a per-agent model's cost."""

    agent_class = ListResident

    def __init__(self, inputs: Inputs, state: State, seed: int = 0) -> None:
        super().__init__(inputs, state, seed)
        residents = [ListResident(self, i) for i in range(len(inputs.community))]
        for agent in residents:
            agent.link(residents)


# ---------------------------------------------------------------------- the fused kernel
def fused_kernel():
    """The compiled one-pass kernel (numba, cached), or ``None`` without numba."""
    try:
        import numba
    except ImportError:
        return None
    return numba.njit(cache=True, fastmath=False)(_fused_python)


def _fused_python(community, a_ptr, a_idx, a_val, m_ptr, m_idx, m_val, need, need_total, pub, rcr, mkt, access,
                  quality, scal, reach, fund_stakes, activity, council, contact, rc_response, shock, party_strength,
                  time_cost, outside_option, propensity, tie, pull, organised, employed, job, volunteer_lead, adult,
                  seat, intercepts, u_take, u_response,
                  sat, tg, tr, bel, eff, aw, part, cov, will, o_sat, o_tg, o_tr, o_bel, o_eff, o_aw, o_part):
    (self_org, sort, mutual_rate, sorting_stakes, w_bel, w_peer, w_eff, w_out, w_stake, w_party, w_energy, w_time,
     w_opt, sorting_affair, lead_w, school, gov, sat_rate, job_w, trust_rate, service_w, bel_gain, bel_decay,
     eff_gain, eff_decay, act_contact, peer_rate, aw_decay, will_b) = scal
    n, k_n = need.shape
    for i in range(n):
        c = community[i]
        helpers = 0.0
        for j in range(a_ptr[i], a_ptr[i + 1]):
            helpers += a_val[j] * part[a_idx[j], 2]
        aid = min(1.0, mutual_rate * helpers) * self_org
        unmet_total = 0.0
        for k in range(k_n):
            public = min((rcr[c, k] * aw[i] + pub[c, k]) * quality[i, k], 1.0)
            bought = min(mkt[c, k] * access[i], 1.0)
            unmet_total += (1.0 - bought) * (1.0 - public) * (1.0 - aid) * need[i, k]
        coverage = 1.0 - unmet_total / need_total[i] if need_total[i] > 0 else 1.0
        peer = 0.0
        aware_peers = 0.0
        for j in range(m_ptr[i], m_ptr[i + 1]):
            o = m_idx[j]
            peer += m_val[j] * (1.0 if (part[o, 0] or part[o, 1] or part[o, 2] or part[o, 3]) else 0.0)
            aware_peers += m_val[j] * aw[o]
        stake = 1.0 - (1.0 - aw[i] * fund_stakes[c]) * (1.0 - sort * sorting_stakes)
        mobilised = party_strength[c] if organised[i] else 0.0
        eta = (tie[i] * (w_bel * bel[i] + w_peer * peer) + w_eff * eff[i]
               + pull[i] * (w_out * aw[i] * reach[c] + w_stake * stake + w_party * mobilised)
               + w_energy * employed[i] - w_time * time_cost[i] - w_opt * outside_option[i] + propensity[i])
        a = 1.0 if adult[i] else 0.0
        st = 1.0 if seat[i] else 0.0
        avail_delib = a * (1.0 - (1.0 - council[c] * st) * (1.0 - sort * sorting_affair))
        any_took = False
        for t in range(4):
            x = eta + intercepts[t]
            if t == 2:
                x += lead_w * volunteer_lead[i]
            p = 1.0 / (1.0 + np.exp(-x))
            if t == 0:
                p *= activity[c]
                if not adult[i]:
                    p = 1.0 - (1.0 - p) * (1.0 - school)
            elif t == 1:
                p *= a
            elif t == 2:
                p *= self_org
            else:
                p *= avail_delib
            o_part[i, t] = u_take[i, t] < p
            any_took = any_took or o_part[i, t]
        rc = rc_response[c]
        acted = o_part[i, 1] and u_response[i] < 1.0 - (1.0 - rc) * (1.0 - gov)
        acted_f = 1.0 if acted else 0.0
        target = (1.0 - job_w) * coverage + job_w * (1.0 if job[i] else 0.0)
        o_sat[i] = sat[i] + sat_rate * (target - sat[i])
        heard_g = acted_f if o_part[i, 1] else gov
        heard_r = acted_f if o_part[i, 1] else rc
        o_tg[i] = min(max(tg[i] + trust_rate * (service_w * coverage + (1.0 - service_w) * heard_g - tg[i])
                          - shock[c], 0.0), 1.0)
        o_tr[i] = min(max(tr[i] + trust_rate * (service_w * coverage * aw[i] + (1.0 - service_w) * heard_r - tr[i])
                          - shock[c], 0.0), 1.0)
        o_bel[i] = bel[i] + bel_gain * (1.0 - bel[i]) if any_took else bel[i] * (1.0 - bel_decay)
        success = max(acted_f, sort * (1.0 if o_part[i, 3] else 0.0) * rc)
        o_eff[i] = eff[i] + eff_gain * (1.0 - eff[i]) * success - eff_decay * eff[i]
        reach_aw = 1.0 - ((1.0 - contact[c]) * (1.0 - act_contact * (1.0 if o_part[i, 0] else 0.0))
                          * (1.0 - peer_rate * aware_peers))
        o_aw[i] = min(max(aw[i] + (1.0 - aw[i]) * reach_aw - aw_decay * aw[i], 0.0), 1.0)
        cov[i] = coverage
        will[i] = 1.0 / (1.0 + np.exp(-(will_b + w_bel * bel[i] + w_eff * eff[i] + propensity[i]
                                        - w_time * time_cost[i])))


class Fused:
    """The fused kernel bound to one population's inputs, with preallocated output buffers."""

    def __init__(self, kernel, x: Inputs, s: State) -> None:
        b = x.behaviour
        self.kernel, self.state = kernel, s.copy()
        self.scal = np.array([x.self_organisation, float(x.affairs_sorting), b.mutual_aid_rate, b.sorting_stakes,
                              b.belonging_weight, b.peer_weight, b.efficacy_weight, b.outreach_weight, b.stakes_weight,
                              b.party_mobilisation_weight, b.employment_energy_weight, b.time_cost_weight,
                              b.outside_option_weight, b.sorting_affair_rate, b.party_volunteer_lead_weight,
                              b.school_activity_rate, x.government_response, b.satisfaction_rate,
                              b.satisfaction_job_weight, b.trust_rate, b.trust_service_weight, b.belonging_gain,
                              b.belonging_decay, b.efficacy_gain, b.efficacy_decay, b.awareness_activity_contact,
                              b.awareness_peer, b.awareness_decay, b.willingness_intercept])
        self.intercepts = np.array([b.activity_intercept, b.public_affairs_intercept, b.volunteer_intercept,
                                    b.deliberation_intercept])
        self.inputs = x
        self.spare = s.copy()

    def step_with(self, u_take: np.ndarray, u_response: np.ndarray) -> None:
        """One month with these draws (double-buffered: reads ``state``, writes ``spare``, swaps)."""
        x, s, o = self.inputs, self.state, self.spare
        a, m = x.adjacency, x.neighbour_mean
        self.kernel(x.community, a.indptr, a.indices, a.data, m.indptr, m.indices, m.data, x.need, x.need_total,
                    x.public_ratio, x.rc_ratio, x.market_ratio, x.access, x.quality, self.scal, x.reach,
                    x.fund_stakes, x.activity, x.council, x.contact, x.rc_response, x.shock, x.party_strength,
                    x.time_cost, x.outside_option, x.propensity, x.tie, x.pull, x.organised, x.employed, x.job,
                    x.volunteer_lead, x.adult, x.seat, self.intercepts, u_take, u_response,
                    s.satisfaction, s.trust_government, s.trust_rc, s.belonging, s.efficacy, s.awareness,
                    s.participated, s.coverage, s.willingness, o.satisfaction, o.trust_government, o.trust_rc,
                    o.belonging, o.efficacy, o.awareness, o.participated)
        o.coverage, o.willingness, s.coverage, s.willingness = s.coverage, s.willingness, o.coverage, o.willingness
        self.state, self.spare = o, s


def max_difference(a: State, b: State) -> tuple[float, int]:
    """Largest absolute difference of the real-valued columns, and the number of participation
    decisions that differ."""
    diff = max(float(np.max(np.abs(getattr(a, name) - getattr(b, name)), initial=0.0))
               for name in (*ATTITUDES, "coverage", "willingness"))
    return diff, int((a.participated != b.participated).sum())


def draws(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """One month's uniforms: participation (N, 4) and responses (N,)."""
    return rng.random((n, 4)), rng.random(n)
