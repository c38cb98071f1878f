"""The residents' side of a month three ways, fed the same inputs and the same random numbers.

What :meth:`cogov_sim.model.CommunityModel.step` does per resident in a month, in its order, and
which of it the references cover (all of it but the last paragraph):

1. **M1 needs** (``ResidentPopulation.needs_arise``): at a new survey year the yearly participation
   counts restart; this month's need per domain (the profile, times ``1 + shock`` in an emergency),
   its total, and demand summed per community.
2. **Party organisation** (``organise_party``): which members are organised in the community
   (双报到), which buildings have a Party group (≥ ``party_group_min_members`` organised members),
   Party strength per community (the share living in such a building).
3. **M2 matching** (``meet_needs``): mutual aid from neighbours who volunteered last month; public,
   RC (reached by the aware), market (reached by access) and aid channels meet each need; unmet need,
   coverage, the largest unmet need, public units met; unmet need per community. The disputes' input:
   awareness per community (``awareness_by_community``).
4. **M3 participation** (``take_part``): each resident's drivers (peers' participation last month,
   outreach, the fund's stakes, Party mobilisation and leadership of volunteering, ties, interest,
   energy, time cost, outside option); the council's seats (the adults with the highest log-odds in
   each community); the four probabilities (activity, public affairs, volunteering, deliberation;
   students' school activities) and the draws; the yearly counts and the 12-month ring of voice acts;
   engagement per community, the suggestions (unmet need of those who spoke up), the deliberators'
   votes per community, and donations to the micro-funds (ledger transfers).
5. **M4 attitudes** (``update_attitudes``): whether a voice is acted on (a draw), a deliberator's
   funded voice, satisfaction, trust in government and the RC, belonging, efficacy, awareness
   (outreach, activities, aware neighbours) and the willingness answer (T1).
6. **Audits** (``Government.audit``, where they exist, every ``audit_period_months``): the share of
   each community's residents satisfied (``satisfied_share``).
7. **M7 volunteers and founding** (``join_organisations``, ``enrol_founders``): volunteers record the
   month, join the strongest grassroots group serving their largest unmet need, or count as unserved
   per community and domain; births (a Poisson draw per community and domain capped at its unserved
   volunteers, ``founding_counts``, an institution's step that all three call) and each new group's
   founders drawn from its cell's unserved volunteers without replacement (``assign_founders``: ranked
   by a pre-drawn key, the r-th founding group r mod b of the cell's b new groups).
8. **The month's outputs** (``metrics.monthly``, the residents' part): participation by type, by life
   stage and active over 12 months (``active_participants``), attitudes' means and by life stage,
   willingness, Party members and strength, coverage per domain, SO members, volunteers and those
   registered in the last 12 months, Gini of coverage (``gini_of_shares``), the bottom quintile's
   coverage, retirees, residents; and the residents' part of the force synthesis (mutual aid times
   need per domain, acts of public affairs and deliberation).

Not in the references because they are not monthly: ageing, migrant inflow and enterprise exit are
scenario events (:mod:`cogov_sim.events`), the simulated survey is asked at the end of each year, and
members are released only in a month an organisation dissolves (an institution's state, held fixed).

The institutions' side of the month is held fixed, taken from a real model that has run at least a
year (:func:`from_model`): their supply, the RCs' hours, fund shares and response chances, the
strongest organisation per community and domain (updated as the residents found new groups), and for
the monthly outputs the government, RCs, organisations and disputes as they stand.

* :class:`Vectorised` — the project's own code: a copy of the model's
  :class:`~cogov_sim.actors.residents.ResidentPopulation` running its phases, ``satisfied_share``,
  ``founding_counts`` and ``metrics.monthly``, with :class:`Replay` handing the phases the pre-drawn
  uniforms in place of a generator.
* :class:`AgentModel` — an idiomatic per-agent Mesa 3 version: each resident a ``CellAgent``
  holding its state in attributes, placed on a ``mesa.discrete_space.Network`` of the residents'
  ties and reading its neighbours through its cell's neighbourhood; every phase is
  ``model.agents_by_type[...].shuffle_do`` of a method written per agent (a phase that reads
  neighbours' state decides first and commits after, so the random order does not change the result),
  community-level steps (demand, Party groups, council seats, tallies, founding) are the model's,
  over ``AgentSet.groupby``/``select``, and a ``mesa.DataCollector`` collects the month's outputs as
  model reporters aggregating over the agents (``AgentSet.agg``).
* :class:`LeanModel` — the same agents and arithmetic with neighbours as precomputed Python lists and
  no space: a lower bound on what a per-agent model costs.
* :class:`Fused` — one compiled pass over the residents per phase (numba, cached compilation),
  the community-level steps between them; ``None`` from :func:`fused_kernels` without numba
  (``pip install -e .[bench]``).

All read the same pre-drawn uniforms (:func:`draws`), so their outputs agree to rounding
(:func:`max_difference`; tests/test_resident_rules.py).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import CellAgent, Network

from cogov_sim import metrics
from cogov_sim.actors.organisations import strongest_group_by_cell
from cogov_sim.actors.residents import CULTURE, HEALTH, LIFE_STAGE, MONTHS_PER_YEAR, CommunityOffer, ResidentPopulation
from cogov_sim.ledger import Ledger
from cogov_sim.mechanisms.common import safe_ratio
from cogov_sim.mechanisms.government import satisfied_share
from cogov_sim.mechanisms.organisations import founding_counts
from cogov_sim.mechanisms.participation import stakes
from cogov_sim.mechanisms.supply import health_mix_units
from cogov_sim.parameters import DOMAINS, LIFE_STAGES, PARTICIPATION_TYPES, Behaviour, Economy, K, Levers
from cogov_sim.state import Month

WORKING, RETIREE = LIFE_STAGE["working"], LIFE_STAGE["retiree"]
#: Resident attitudes the phases update.
ATTITUDES = metrics.ATTITUDES
#: The residents' columns the phases change (compared by :func:`max_difference`).
COLUMNS = (*ATTITUDES, "coverage", "participated", "year_counts", "recent_voice", "so_member", "last_volunteered")
#: The monthly outputs that reduce over residents (``metrics.monthly``'s residents' part).
RESIDENT_METRICS = (
    *(f"participation_{t}" for t in PARTICIPATION_TYPES), "participation_any", "willingness", *ATTITUDES,
    *(f"{a}_{s}" for a in ATTITUDES for s in LIFE_STAGES), *(f"participation_{s}" for s in LIFE_STAGES),
    "active_participation", *(f"active_participation_{s}" for s in LIFE_STAGES), "party_members", "party_strength",
    *(f"coverage_{d}" for d in DOMAINS), "coverage", "so_members", "volunteers", "gini_coverage",
    "coverage_bottom_quintile", "residents", "volunteers_registered", "retirees")
#: Month fields the institutions set (held fixed, read by the residents' phases and the outputs).
INSTITUTION_FIELDS = ("government_units", "so_units", "market_units", "rc_units", "rc_money_units", "project_units",
                      "so_steered", "admin_units", "coordination", "property_gap")


# ---------------------------------------------------------------------- the fixed world and the draws
@dataclass
class World:
    """What the institutions give the residents each month, held fixed; per-community terms derived
    from it the way the residents' phases derive them (community-level, not per-resident)."""

    month: Month                    # a real month: its supply, main line and levers
    offer: CommunityOffer
    economy: Economy
    behaviour: Behaviour
    institutions: tuple             # government, committees, organisations, disputes, sector (monthly outputs)
    first_month: int
    strongest: np.ndarray           # (C, K) organisation id, −1 none
    next_id: int                    # the id of the next organisation founded
    need_shock: np.ndarray | None   # (C, K) or None
    reach: np.ndarray               # (C,) outreach reach
    fund_stakes: np.ndarray         # (C,) stakes the fund gives
    activity: np.ndarray            # (C,) activity availability
    council: np.ndarray             # (C,) council support
    contact: np.ndarray             # (C,) outreach contact chance (awareness)
    seats: np.ndarray               # (C,) council seats (whole)

    @property
    def levers(self) -> Levers:
        return self.month.levers

    def new_month(self, index: int, need: np.ndarray, need_total: np.ndarray, demand: np.ndarray) -> Month:
        """A fresh :class:`Month` with this month's needs and the institutions' fixed supply."""
        month = Month(index, self.levers, need, need_total, demand, self.month.main_line)
        for name in INSTITUTION_FIELDS:
            setattr(month, name, getattr(self.month, name))
        return month

    def ratios(self, demand: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """M2's coverage ratios per community and domain: public (health mix applied), RC, market (health
        mix applied) units over demand, as ``meet_needs`` forms them."""
        m, beh = self.month, self.behaviour
        public = m.government_units + m.so_units + m.project_units + m.rc_money_units + m.admin_units
        pi, gov = beh.health_preventive_need, m.government_units[:, HEALTH]
        sigma = safe_ratio(gov * beh.health_preventive_government + (public[:, HEALTH] - gov) * pi,
                           public[:, HEALTH], pi)
        return (safe_ratio(health_mix_units(public, demand, HEALTH, pi, sigma), demand),
                safe_ratio(m.rc_units, demand),
                safe_ratio(health_mix_units(m.market_units, demand, HEALTH, pi, beh.health_preventive_market), demand))

    def births(self, wanting: np.ndarray, seed: int) -> np.ndarray:
        """New grassroots groups per community and domain (the project's ``founding_counts``)."""
        beh = self.behaviour
        return founding_counts(wanting, beh.so_founding, self.levers.so_incubation, beh.incubation_founding_boost,
                               self.month.self_organisation, np.random.default_rng(seed))

    def audit_due(self, index: int) -> bool:
        """Whether the satisfaction audit asks residents this month (as ``Government.audit`` decides)."""
        return bool(self.levers.satisfaction_audits) and (index + 1) % self.behaviour.audit_period_months == 0


class Registry:
    """The organisations the residents found: new ids in founding order; a new group becomes the strongest
    of its cell (it is founded only where no organisation serves the cell)."""

    def __init__(self, world: World) -> None:
        self.strongest, self.next_id = world.strongest.copy(), world.next_id

    def found(self, births: np.ndarray) -> list[tuple[int, int, int]]:
        """(community, domain, id) of each new organisation, in the model's order."""
        out = []
        for c, k in zip(*np.nonzero(births), strict=True):
            if self.strongest[c, k] < 0:
                self.strongest[c, k] = self.next_id
            for _ in range(births[c, k]):
                out.append((int(c), int(k), self.next_id))
                self.next_id += 1
        return out


def from_model(model) -> tuple[World, ResidentPopulation]:
    """The fixed world and the residents (a copy) of a model that has run at least one month."""
    res, month, beh, lev = model.residents, model.current, model.spec.behaviour, model.current.levers
    offer = model.community_offer(month, np.zeros(res.n_communities))
    pop = np.maximum(res.community_population, 1)
    supply = ((offer.activity_hours + beh.activity_per_culture_unit * month.so_units[:, CULTURE])
              / (beh.full_activity_supply * pop))
    sos = model.social_organisations
    world = World(
        month=month, offer=offer, economy=model.spec.economy, behaviour=beh,
        institutions=(model.government, model.committees, list(sos), model.disputes, model.sector),
        first_month=model.month + 1, strongest=strongest_group_by_cell(sos, res.n_communities, K),
        next_id=max(a.unique_id for a in model.agents) + 1, need_shock=model.shocks.need,
        reach=np.minimum(1.0, offer.outreach_hours / (beh.full_outreach_hours * pop)),
        fund_stakes=stakes(offer.fund_per_resident, lev.council, beh.stakes_half_saturation, beh.stakes_without_council),
        activity=np.minimum(1.0, beh.activity_floor + (1.0 - beh.activity_floor) * supply),
        council=float(lev.council) * np.minimum(1.0, offer.council_hours / (beh.full_council_hours * pop)),
        contact=np.minimum(1.0, beh.awareness_contact * offer.outreach_hours / pop),
        seats=np.floor(beh.council_seats_per_1000 * res.community_population / 1000.0).astype(np.int64))
    return world, copy.deepcopy(res)


@dataclass(frozen=True)
class Draws:
    """One month's random numbers: participation (N, 4), responses (N,), the founding draw's seed, and
    the keys that rank unserved volunteers for founding (N; the j-th unserved resident in row order
    takes the j-th)."""

    take: np.ndarray
    response: np.ndarray
    founding: int
    founders: np.ndarray


def draws(rng: np.random.Generator, n: int) -> Draws:
    """One month's draws for ``n`` residents."""
    return Draws(rng.random((n, 4)), rng.random(n), int(rng.integers(2**62)), rng.random(n))


class Replay:
    """Stands in for the generator a project phase draws from: ``random(size)`` hands out the
    pre-drawn uniforms (checking their shape)."""

    def __init__(self, uniforms: np.ndarray) -> None:
        self.uniforms = uniforms

    def random(self, size: int | tuple[int, ...] | None = None, dtype=np.float64, out: np.ndarray | None = None
               ) -> np.ndarray:
        shape = np.shape(out) if size is None and out is not None else np.empty(() if size is None else size, dtype=bool).shape
        if self.uniforms.shape != shape or np.dtype(dtype) != self.uniforms.dtype:
            raise ValueError(f"pre-drawn uniforms {self.uniforms.shape} {self.uniforms.dtype}, asked for {shape} {dtype}")
        if out is None:
            return self.uniforms
        out[...] = self.uniforms
        return out


# ---------------------------------------------------------------------- the project's vectorised phases
class Vectorised:
    """The project's own residents' phases on a copy of the model's population (see the module doc)."""

    def __init__(self, world: World, residents: ResidentPopulation) -> None:
        self.world, self.residents = world, copy.deepcopy(residents)
        self.registry, self.ledger, self.index = Registry(world), Ledger(), world.first_month - 1

    def step_with(self, d: Draws) -> None:
        """One month with these draws."""
        w, pop, beh, lev = self.world, self.residents, self.world.behaviour, self.world.levers
        self.index += 1
        self.ledger.new_month()
        need, need_total, demand = pop.needs_arise(self.index, w.need_shock)                        # M1
        month = self.month = w.new_month(self.index, need, need_total, demand)
        month.party_strength = pop.organise_party(lev, beh)                                          # Party
        pop.meet_needs(month, beh)                                                                   # M2
        self.awareness_by_community = pop.awareness_by_community()
        drivers, self.votes = pop.take_part(month, w.offer, beh, w.economy.resident_giving, self.ledger,
                                            Replay(d.take))                                          # M3
        pop.update_attitudes(month, w.offer, drivers, beh, Replay(d.response))                       # M4
        self.satisfied = (satisfied_share(pop.table.satisfaction, pop.table.community, pop.n_communities,
                                          beh.satisfied_threshold) if w.audit_due(self.index) else None)
        unserved, self.wanting, self.volunteers = pop.join_organisations(month, self.registry.strongest)  # M7
        births = w.births(self.wanting, d.founding)
        ids = np.array([so_id for _, _, so_id in self.registry.found(births)], np.int64)
        pop.enrol_founders(unserved, month.top_unmet, births, ids, beh.so_founders,
                           Replay(d.founders[:np.count_nonzero(unserved)]))
        government, committees, organisations, disputes, sector = w.institutions
        self.outputs = metrics.monthly(month, pop, government, committees, organisations, disputes, self.ledger,
                                       w.economy, beh, sector)

    def snapshot(self) -> dict:
        """State and this month's products, for :func:`max_difference`."""
        pop, m, r = self.residents, self.month, self.residents.table
        return _copied({**{name: getattr(r, name) for name in COLUMNS},
                "willingness": m.willingness, "organised": pop.organised, "demand": m.demand,
                "party_strength": m.party_strength, "unmet_by_community": pop.unmet_by_community,
                "top_unmet": m.top_unmet, "met_public": m.met_public,
                "awareness_by_community": self.awareness_by_community, "engagement": pop.engagement,
                "suggestions": pop.suggestions, "n_suggestions": pop.n_suggestions, "votes": self.votes,
                "donations": m.donations, "wanting": self.wanting,
                "volunteers_by_organisation": np.array(sorted(self.volunteers.items()), np.int64).reshape(-1, 2),
                "satisfied": self.satisfied, "aid_need": m.aid @ m.need,
                "taking_part": float(r.participated[:, 1].sum() + r.participated[:, 3].sum()),
                **{f"output:{name}": self.outputs[name] for name in RESIDENT_METRICS}})


# ---------------------------------------------------------------------- the per-agent Mesa references
def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _clip(v: float) -> float:
    return 0.0 if v < 0.0 else 1.0 if v > 1.0 else v


class RuleResident(mesa.Agent):
    """One resident as a Mesa agent: its traits and state in attributes, each phase of the month a method.

    Subclasses say where the neighbours come from (:meth:`neighbours`)."""

    def __init__(self, model: RuleModel, residents: ResidentPopulation, row: int) -> None:
        super().__init__(model)
        r = residents.table
        self.row = row
        self.community, self.building, self.stage = int(r.community[row]), int(r.building[row]), int(r.stage[row])
        self.adult = bool(residents.adult[row])
        self.employed = bool(r.employed[row]) and self.stage == WORKING        # employed of working age
        self.outside_job = self.employed and int(r.employer[row]) < 0           # 单位人
        self.job = bool(r.employed[row]) or self.stage != WORKING
        self.party_member, self.interested = bool(r.party_member[row]), bool(r.interested[row])
        self.report_draw = float(r.report_draw[row])
        self.bottom_quintile = row in model.bottom_rows
        self.profile, self.profile_total = residents.need_profile[row].tolist(), float(residents.profile_total[row])
        self.access, self.quality = float(residents.market_access[row]), model.quality[row].tolist()
        self.time_cost, self.outside_option = float(residents.time_cost[row]), float(residents.outside_option[row])
        self.propensity = float(r.propensity[row])
        for name in (*ATTITUDES, "coverage"):
            setattr(self, name, float(getattr(r, name)[row]))
        self.participated = [bool(v) for v in r.participated[row]]
        self.year_counts = [int(v) for v in r.year_counts[row]]
        self.recent_voice = [int(v) for v in r.recent_voice[row]]
        self.so_member, self.last_volunteered = int(r.so_member[row]), int(r.last_volunteered[row])
        self.willingness = 0.0
        self.seat = self.unserved = False

    def neighbours(self) -> list[tuple[RuleResident, float, float]]:
        """(neighbour, tie weight, weight in the neighbours' mean) for each neighbour."""
        raise NotImplementedError

    # --- M1 needs and the Party organisation
    def arise(self) -> None:
        """This month's needs; the yearly counts restart with a new year; whether organised (双报到)."""
        model = self.model
        if model.month % MONTHS_PER_YEAR == 0:
            self.year_counts = [0, 0, 0, 0]
        if model.need_shock is None:
            self.need, self.need_total = self.profile, self.profile_total
        else:
            shock = model.need_shock[self.community]
            self.need = [p * (1.0 + s) for p, s in zip(self.profile, shock, strict=True)]
            self.need_total = sum(self.need)
        self.organised = self.party_member and (not self.employed or self.report_draw < model.levers.in_service_reporting)

    # --- M2 matching
    def meet_needs(self) -> None:
        """Mutual aid from neighbours who volunteered last month; the channels meet each need."""
        model, b = self.model, self.model.behaviour
        helpers = 0.0
        for other, w, _ in self.neighbours():
            helpers += w * other.participated[2]
        self.aid = aid = min(1.0, b.mutual_aid_rate * helpers) * model.self_organisation
        self.aid_need = [aid * n for n in self.need]
        pub, rcr, mkt = (model.ratios[j][self.community] for j in range(3))
        self.unmet, self.met_public = [], 0.0
        for k in range(K):
            public = min((rcr[k] * self.awareness + pub[k]) * self.quality[k], 1.0)
            self.met_public += self.need[k] * public
            bought = min(mkt[k] * self.access, 1.0)
            self.unmet.append((1.0 - bought) * (1.0 - public) * (1.0 - aid) * self.need[k])
        self.coverage = 1.0 - sum(self.unmet) / self.need_total if self.need_total != 0 else 1.0
        self.top_unmet = max(range(K), key=self.unmet.__getitem__)

    # --- M3 participation
    def score(self) -> None:
        """This month's drivers and participation log-odds (the council's seats go to the highest)."""
        model, b, c = self.model, self.model.behaviour, self.community
        lev = model.levers
        peer = 0.0
        for other, _, share in self.neighbours():
            peer += share * (1.0 if any(other.participated) else 0.0)
        sort = 1.0 if lev.affairs_sorting else 0.0
        stake = 1.0 - (1.0 - self.awareness * model.fund_stakes[c]) * (1.0 - sort * b.sorting_stakes)
        mobilised = model.party_strength[c] if self.organised else 0.0
        tie = 1.0 - b.unit_tie_discount if self.outside_job else 1.0
        pull = 1.0 if self.interested else b.indifferent_pull
        self.volunteer_lead = lev.party_building * (1.0 if self.building in model.party_buildings else 0.0)
        self.eta = (tie * (b.belonging_weight * self.belonging + b.peer_weight * peer)
                    + b.efficacy_weight * self.efficacy
                    + pull * (b.outreach_weight * self.awareness * model.reach[c] + b.stakes_weight * stake
                              + b.party_mobilisation_weight * mobilised)
                    + b.employment_energy_weight * (1.0 if self.employed else 0.0)
                    - b.time_cost_weight * self.time_cost - b.outside_option_weight * self.outside_option
                    + self.propensity)
        self.seat_score = self.eta if self.adult else -math.inf
        self.seat = False

    def take_part(self) -> None:
        """Attend, speak up, volunteer, deliberate (this month's draws); the yearly and 12-month counts."""
        model, b, c = self.model, self.model.behaviour, self.community
        sort = 1.0 if model.levers.affairs_sorting else 0.0
        adult = 1.0 if self.adult else 0.0
        deliberate = adult * (1.0 - (1.0 - model.council[c] * (1.0 if self.seat else 0.0))
                              * (1.0 - sort * b.sorting_affair_rate))
        availability = (model.activity[c], adult, 1.0, deliberate)
        lead = (0.0, 0.0, b.party_volunteer_lead_weight * self.volunteer_lead, 0.0)
        u = model.u_take[self.row]
        took = []
        for t, intercept in enumerate(model.intercepts):
            p = _sigmoid(self.eta + intercept + lead[t]) * availability[t]
            if t == 2:
                p *= model.self_organisation
            if t == 0 and not self.adult:
                p = 1.0 - (1.0 - p) * (1.0 - b.school_activity_rate)
            took.append(bool(u[t] < p))
        self.participated = took
        self.took_part = any(took)
        for t in range(4):
            self.year_counts[t] += took[t]
        self.recent_voice[model.month % MONTHS_PER_YEAR] = int(took[1]) + int(took[3])

    # --- M4 attitudes
    def respond(self) -> None:
        """Was a voice acted on or funded; the attitudes from this month (committed by :meth:`commit`)."""
        model, b, c = self.model, self.model.behaviour, self.community
        took = self.participated
        rc, gov = model.rc_response[c], model.government_response
        acted = took[1] and model.u_response[self.row] < 1.0 - (1.0 - rc) * (1.0 - gov)
        funded = False
        if took[3]:
            share = model.fund_share[c]
            funded = share[self.top_unmet] >= 1.0 / K and sum(share) > 0
        shock = model.shock[c]
        target = (1.0 - b.satisfaction_job_weight) * self.coverage + b.satisfaction_job_weight * (1.0 if self.job else 0.0)
        heard_gov = (1.0 if acted else 0.0) if took[1] else gov
        heard_rc = (1.0 if acted else 0.0) if took[1] else rc
        w = b.trust_service_weight
        if self.took_part:
            belonging = self.belonging + b.belonging_gain * (1.0 - self.belonging)
        else:
            belonging = self.belonging * (1.0 - b.belonging_decay)
        sort = 1.0 if model.levers.affairs_sorting else 0.0
        success = max(1.0 if (acted or funded) else 0.0, sort * (1.0 if took[3] else 0.0) * rc)
        peers_aware = 0.0
        for other, _, share in self.neighbours():
            peers_aware += share * other.awareness
        reach = 1.0 - ((1.0 - model.contact[c]) * (1.0 - b.awareness_activity_contact * (1.0 if took[0] else 0.0))
                       * (1.0 - b.awareness_peer * peers_aware))
        self.next = (
            self.satisfaction + b.satisfaction_rate * (target - self.satisfaction),
            _clip(self.trust_government + b.trust_rate * (w * self.coverage + (1.0 - w) * heard_gov
                                                          - self.trust_government) - shock),
            _clip(self.trust_rc + b.trust_rate * (w * self.coverage * self.awareness + (1.0 - w) * heard_rc
                                                  - self.trust_rc) - shock),
            belonging,
            self.efficacy + b.efficacy_gain * (1.0 - self.efficacy) * success - b.efficacy_decay * self.efficacy,
            _clip(self.awareness + (1.0 - self.awareness) * reach - b.awareness_decay * self.awareness),
            _sigmoid(b.willingness_intercept + b.belonging_weight * self.belonging + b.efficacy_weight * self.efficacy
                     + self.propensity - b.time_cost_weight * self.time_cost))

    def commit(self) -> None:
        """This month's attitudes become the resident's state."""
        (self.satisfaction, self.trust_government, self.trust_rc, self.belonging, self.efficacy, self.awareness,
         self.willingness) = self.next

    # --- M7 volunteers
    def join(self) -> None:
        """A volunteer joins the strongest organisation serving its largest unmet need, or is unserved."""
        self.unserved = False
        if self.participated[2]:
            self.last_volunteered = self.model.month
            target = self.model.strongest[self.community][self.top_unmet]
            if self.so_member < 0 and target >= 0:
                self.so_member = target
            self.unserved = target < 0

    @property
    def active(self) -> bool:
        """An active participant: more than 5 voice acts a year over the last 12 months (pro rata)."""
        window = min(MONTHS_PER_YEAR, self.model.month + 1)
        return sum(self.recent_voice) > metrics.ACTIVE_ACTS_PER_YEAR * window / MONTHS_PER_YEAR


def _mean(values) -> float:
    return float(np.mean(values))


def _by_stage(name: str, stage: str):
    return lambda m: m.by_stage.agg(name, _mean).get(LIFE_STAGES.index(stage), 0.0)


#: The data collector's model reporters: the residents' monthly outputs as aggregates over the agents.
REPORTERS = {
    **{f"participation_{t}": (lambda m, i=i: m.residents.agg("participated", lambda v: _mean([p[i] for p in v])))
       for i, t in enumerate(PARTICIPATION_TYPES)},
    "participation_any": lambda m: m.residents.agg("took_part", _mean),
    "willingness": lambda m: m.residents.agg("willingness", _mean),
    **{a: (lambda m, a=a: m.residents.agg(a, _mean)) for a in ATTITUDES},
    **{f"{a}_{s}": _by_stage(a, s) for a in ATTITUDES for s in LIFE_STAGES},
    **{f"participation_{s}": _by_stage("took_part", s) for s in LIFE_STAGES},
    "active_participation": lambda m: m.residents.agg("active", _mean),
    **{f"active_participation_{s}": _by_stage("active", s) for s in LIFE_STAGES},
    "party_members": lambda m: float(m.residents.agg("party_member", sum)),
    "party_strength": lambda m: _mean(m.party_strength),
    **{f"coverage_{d}": (lambda m, k=k: m.coverage_by_domain()[k]) for k, d in enumerate(DOMAINS)},
    "coverage": lambda m: m.coverage_by_domain()[K],
    "so_members": lambda m: float(m.residents.agg("so_member", lambda v: sum(s >= 0 for s in v))),
    "volunteers": lambda m: float(m.residents.agg("participated", lambda v: sum(p[2] for p in v))),
    "gini_coverage": lambda m: m.residents.agg("coverage", lambda v: metrics.gini_of_shares(np.array(v))),
    "coverage_bottom_quintile": lambda m: m.residents.select(lambda a: a.bottom_quintile).agg("coverage", _mean),
    "residents": lambda m: float(len(m.residents)),
    "volunteers_registered": lambda m: float(m.residents.agg(
        "last_volunteered", lambda v: sum(m.month - month < MONTHS_PER_YEAR for month in v))),
    "retirees": lambda m: float(m.residents.agg("stage", lambda v: sum(s == RETIREE for s in v))),
    "aid_need": lambda m: m.residents.agg("aid_need", lambda v: [sum(col) for col in zip(*v, strict=True)]),
    "taking_part": lambda m: float(m.residents.agg("participated", lambda v: sum(p[1] + p[3] for p in v))),
}


class RuleModel(mesa.Model):
    """What both per-agent references share: the fixed world as Python lists, one agent per resident
    (``agent_class``), the month as phases of ``shuffle_do`` with the community-level steps between them,
    and a ``DataCollector`` of the outputs."""

    agent_class: type[RuleResident] = RuleResident

    def __init__(self, world: World, residents: ResidentPopulation, seed: int = 0) -> None:
        super().__init__(rng=np.random.default_rng(seed))
        self.world, self.registry, self.ledger = world, Registry(world), Ledger()
        b = self.behaviour = world.behaviour
        self.levers, self.month = world.levers, world.first_month - 1
        self.n_communities = residents.n_communities
        self.intercepts = (b.activity_intercept, b.public_affairs_intercept, b.volunteer_intercept,
                           b.deliberation_intercept)
        self.need_shock = None if world.need_shock is None else world.need_shock.tolist()
        self.self_organisation = world.month.self_organisation
        for name in ("reach", "fund_stakes", "activity", "council", "contact"):      # per community, as lists
            setattr(self, name, getattr(world, name).tolist())
        self.seats = world.seats.tolist()
        offer = world.offer
        self.rc_response, self.government_response = offer.rc_response.tolist(), float(offer.government_response)
        self.fund_share, self.shock = offer.fund_share.tolist(), offer.escalation_shock.tolist()
        self.datacollector = mesa.DataCollector(model_reporters=REPORTERS)
        # traits the residents' table derives, read once (each agent copies its own)
        self.bottom_rows, self.quality = set(residents.bottom_quintile.tolist()), residents.service_quality

    @property
    def residents(self) -> mesa.agent.AgentSet:
        return self.agents_by_type[self.agent_class]

    def step_with(self, d: Draws) -> None:
        """One month with these draws."""
        self.month += 1
        self.ledger.new_month()
        self.u_take, self.u_response = d.take.tolist(), d.response.tolist()
        residents = self.residents
        residents.shuffle_do("arise")                                   # M1, Party membership organised
        by_community = residents.groupby("community", result_type="list")
        self.count_demand(by_community)
        self.organise_party(by_community)
        residents.shuffle_do("meet_needs")                              # M2
        self.tally_needs(by_community)
        residents.shuffle_do("score")                                   # M3
        self.elect_council(by_community)
        residents.shuffle_do("take_part")
        self.tally_voices(by_community)
        residents.shuffle_do("respond")                                 # M4
        residents.do("commit")
        self.satisfied = self.audit(by_community) if self.world.audit_due(self.month) else None
        self.strongest = self.registry.strongest.tolist()
        residents.shuffle_do("join")                                    # M7
        self.found_organisations(d.founding, d.founders)
        self.by_stage = residents.groupby("stage", result_type="list")
        self.datacollector.collect(self)

    # --- the community-level steps between the phases
    def count_demand(self, by_community) -> None:
        """Demand per community and domain; the coverage ratios of this month's supply."""
        self.demand = np.zeros((self.n_communities, K))
        for c, needs in by_community.agg("need", lambda v: [sum(col) for col in zip(*v, strict=True)]).items():
            self.demand[c] = needs
        self.ratios = [r.tolist() for r in self.world.ratios(self.demand)]

    def organise_party(self, by_community) -> None:
        """Buildings with a Party group, and Party strength per community."""
        b = self.behaviour
        organised = self.residents.select(lambda a: a.organised).groupby("building", result_type="list").count()
        self.party_buildings = {building for building, n in organised.items() if n >= b.party_group_min_members}
        covered = by_community.agg("building", lambda v: sum(1.0 for x in v if x in self.party_buildings) / len(v))
        self.party_strength = [self.levers.party_building * (b.party_committee_weight
                                                             + (1.0 - b.party_committee_weight) * covered.get(c, 0.0))
                               for c in range(self.n_communities)]

    def tally_needs(self, by_community) -> None:
        """Unmet need and awareness per community; public units met."""
        self.unmet_by_community = np.zeros((self.n_communities, K))
        for c, unmet in by_community.agg("unmet", lambda v: [sum(col) for col in zip(*v, strict=True)]).items():
            self.unmet_by_community[c] = unmet
        aware = by_community.agg("awareness", lambda v: sum(v) / len(v))
        self.awareness_by_community = [aware.get(c, 0.0) for c in range(self.n_communities)]
        self.met_public = self.residents.agg("met_public", sum)

    def elect_council(self, by_community) -> None:
        """The council's seats: the residents with the highest log-odds (adults first), ties by row."""
        for c, group in by_community.groups.items():
            for agent in sorted(group, key=lambda a: (-a.seat_score, a.row))[:self.seats[c]]:
                agent.seat = True

    def tally_voices(self, by_community) -> None:
        """Engagement, suggestions, the deliberators' votes; donations to the micro-funds."""
        pop = [len(by_community.groups.get(c, ())) for c in range(self.n_communities)]
        voiced = by_community.agg("participated", lambda v: sum(1.0 for p in v if p[1] or p[3]))
        self.engagement = [voiced.get(c, 0.0) / max(pop[c], 1) for c in range(self.n_communities)]
        speakers = self.residents.select(lambda a: a.participated[1])
        self.n_suggestions = len(speakers)
        self.suggestions = [sum(col) for col in zip(*speakers.get("unmet"), strict=True)] if len(speakers) else [0.0] * K
        self.votes = np.zeros((self.n_communities, K))
        self.donations = np.zeros(self.n_communities)
        for c, group in by_community.groups.items():
            deliberators = [a.unmet for a in group if a.participated[3]]
            if deliberators:
                self.votes[c] = [sum(col) for col in zip(*deliberators, strict=True)]
            self.donations[c] = sum(1.0 for a in group if a.participated[2] or a.participated[3])
        for c in range(self.n_communities):
            self.donations[c] = self.ledger.transfer("donors", f"fund:{c}",
                                                     self.donations[c] * self.world.economy.resident_giving,
                                                     "resident_donations")

    def audit(self, by_community) -> list[float]:
        """The audit's share of satisfied residents per community."""
        threshold = self.behaviour.satisfied_threshold
        share = by_community.agg("satisfaction", lambda v: sum(1.0 for s in v if s > threshold) / len(v))
        return [share.get(c, 1.0) for c in range(self.n_communities)]

    def found_organisations(self, seed: int, keys: np.ndarray) -> None:
        """Volunteers per organisation; births where volunteers are unserved; each new group's founders
        drawn from its cell's unserved volunteers without replacement (ranked by their keys, the r-th
        founding group r mod b of the cell's b new groups)."""
        volunteering = self.residents.select(lambda a: a.participated[2] and a.so_member >= 0)
        self.volunteers = volunteering.groupby("so_member", result_type="list").count()
        unserved = sorted(self.residents.select(lambda a: a.unserved), key=lambda a: a.row)
        self.wanting = np.zeros((self.n_communities, K))
        for agent in unserved:
            self.wanting[agent.community, agent.top_unmet] += 1.0
        key = {agent.row: float(k) for agent, k in zip(unserved, keys, strict=False)}
        new_groups: dict[tuple[int, int], list[int]] = {}
        for c, k, so_id in self.registry.found(self.world.births(self.wanting, seed)):
            new_groups.setdefault((c, k), []).append(so_id)
        for (c, k), ids in new_groups.items():
            cell = sorted((a for a in unserved if a.community == c and a.top_unmet == k), key=lambda a: key[a.row])
            for rank, agent in enumerate(cell[:len(ids) * self.behaviour.so_founders]):
                agent.so_member = ids[rank % len(ids)]

    def coverage_by_domain(self) -> list[float]:
        """Share of need met per domain, then overall (from the community tallies)."""
        need = self.demand.sum(axis=0)
        met = need - self.unmet_by_community.sum(axis=0)
        return [*(m / n if n != 0 else 1.0 for m, n in zip(met, need, strict=True)), met.sum() / max(need.sum(), 1e-12)]

    def snapshot(self) -> dict:
        """The agents' state in row order and this month's products (for comparison)."""
        agents = sorted(self.residents, key=lambda a: a.row)
        out = {name: np.array([getattr(a, name) for a in agents]) for name in (*COLUMNS, "willingness", "organised")}
        collected = self.datacollector.get_model_vars_dataframe().iloc[-1]
        return _copied(out | {
            "demand": self.demand, "party_strength": np.array(self.party_strength),
            "unmet_by_community": self.unmet_by_community, "top_unmet": np.array([a.top_unmet for a in agents]),
            "met_public": self.met_public, "awareness_by_community": np.array(self.awareness_by_community),
            "engagement": np.array(self.engagement), "suggestions": np.array(self.suggestions),
            "n_suggestions": self.n_suggestions, "votes": self.votes, "donations": self.donations,
            "wanting": self.wanting,
            "volunteers_by_organisation": np.array(sorted(self.volunteers.items()), np.int64).reshape(-1, 2),
            "satisfied": None if self.satisfied is None else np.array(self.satisfied),
            "aid_need": np.array(collected["aid_need"]), "taking_part": collected["taking_part"],
            **{f"output:{name}": collected[name] for name in RESIDENT_METRICS}})


# --- idiomatic Mesa 3: residents on a network cell space
class CellResident(RuleResident, CellAgent):
    """A resident placed on its node of a :class:`mesa.discrete_space.Network`; its neighbours are
    the agents of its cell's neighbourhood (the network is unweighted: the mean weighs each 1/degree)."""

    def neighbours(self) -> list[tuple[RuleResident, float, float]]:
        others = list(self.cell.neighborhood.agents)
        share = 1.0 / len(others) if others else 0.0
        return [(other, 1.0, share) for other in others]


class AgentModel(RuleModel):
    """The idiomatic per-agent Mesa 3 reference: each resident a :class:`CellResident` on a
    ``mesa.discrete_space.Network`` of the residents' ties, every phase ``shuffle_do``, and a
    ``mesa.DataCollector`` collecting the month's outputs as aggregates over the agents."""

    agent_class = CellResident

    def __init__(self, world: World, residents: ResidentPopulation, seed: int = 0) -> None:
        super().__init__(world, residents, seed)
        adjacency = residents.adjacency.tocsr()
        if not np.all(adjacency.data == 1.0):
            raise ValueError("the cell-space reference assumes an unweighted network")
        self.grid = Network(nx.from_scipy_sparse_array(adjacency), capacity=1, random=self.random)
        cells = self.grid.all_cells.cells
        for row in range(len(residents)):
            CellResident(self, residents, row).cell = cells[row]


# --- lean per-agent Python: neighbour lists, no space (a lower bound)
class ListResident(RuleResident):
    """A resident whose neighbours are a precomputed list with the network's weights."""

    def link(self, agents: list[ListResident], adjacency, neighbour_mean) -> None:
        """Neighbours with both matrices' weights, in the network's CSR row order."""
        a, m = adjacency, neighbour_mean
        lo, hi = m.indptr[self.row], m.indptr[self.row + 1]
        mean = dict(zip(m.indices[lo:hi].tolist(), m.data[lo:hi].tolist(), strict=True))
        lo, hi = a.indptr[self.row], a.indptr[self.row + 1]
        self._neighbours = [(agents[j], w, mean.get(j, 0.0))
                            for j, w in zip(a.indices[lo:hi].tolist(), a.data[lo:hi].tolist(), strict=True)]

    def neighbours(self) -> list[tuple[RuleResident, float, float]]:
        return self._neighbours


class LeanModel(RuleModel):
    """The lean per-agent reference: Mesa agents and ``shuffle_do``, but neighbours as Python lists and
    no space — a lower bound on a per-agent model's cost."""

    agent_class = ListResident

    def __init__(self, world: World, residents: ResidentPopulation, seed: int = 0) -> None:
        super().__init__(world, residents, seed)
        agents = [ListResident(self, residents, i) for i in range(len(residents))]
        adjacency, neighbour_mean = residents.adjacency.tocsr(), residents.neighbour_mean.tocsr()
        for agent in agents:
            agent.link(agents, adjacency, neighbour_mean)


# ---------------------------------------------------------------------- the fused kernels
def _arise(reset, need, need_total, has_shock, profile, shock, community, year_counts, party_member, employed,
           report_draw, reporting, building, organised, per_building, demand):
    n, k_n = profile.shape
    demand[:] = 0.0
    per_building[:] = 0
    for i in range(n):
        c = community[i]
        if reset:
            year_counts[i, :] = 0
        if has_shock:
            total = 0.0
            for k in range(k_n):
                need[i, k] = profile[i, k] * (1.0 + shock[c, k])
                total += need[i, k]
            need_total[i] = total
        for k in range(k_n):
            demand[c, k] += need[i, k]
        organised[i] = party_member[i] and (not employed[i] or report_draw[i] < reporting)
        if organised[i]:
            per_building[building[i]] += 1


def _party(party_building, committee_weight, min_members, per_building, community, building, population, strength):
    strength[:] = 0.0
    for i in range(len(community)):
        if per_building[building[i]] >= min_members:
            strength[community[i]] += 1.0
    for c in range(len(strength)):
        covered = strength[c] / population[c] if population[c] > 0 else 0.0
        strength[c] = party_building * (committee_weight + (1.0 - committee_weight) * covered)


def _meet(community, a_ptr, a_idx, a_val, part, mutual_rate, self_org, need, need_total, pub, rcr, mkt, access,
          quality, aw, aid, unmet, coverage, top, unmet_c, aware_c, population):
    n, k_n = need.shape
    unmet_c[:] = 0.0
    aware_c[:] = 0.0
    met_public = 0.0
    for i in range(n):
        c = community[i]
        helpers = 0.0
        for j in range(a_ptr[i], a_ptr[i + 1]):
            helpers += a_val[j] * part[a_idx[j], 2]
        a = min(1.0, mutual_rate * helpers) * self_org
        aid[i] = a
        total = 0.0
        best = 0
        for k in range(k_n):
            public = min((rcr[c, k] * aw[i] + pub[c, k]) * quality[i, k], 1.0)
            met_public += need[i, k] * public
            bought = min(mkt[c, k] * access[i], 1.0)
            u = (1.0 - bought) * (1.0 - public) * (1.0 - a) * need[i, k]
            unmet[i, k] = u
            unmet_c[c, k] += u
            total += u
            if u > unmet[i, best]:
                best = k
        top[i] = best
        coverage[i] = 1.0 - total / need_total[i] if need_total[i] != 0 else 1.0
        aware_c[c] += aw[i]
    for c in range(len(aware_c)):
        aware_c[c] /= max(population[c], 1.0)
    return met_public


def _score(community, adult, employed, outside_job, interested, organised, building, per_building, strength, scal,
           weights, bel, eff, aw, reach, fund_stakes, propensity, time_cost, outside_option, m_ptr, m_idx, m_val, part,
           eta, lead, order, bounds, seats, seat):
    sort, sorting_stakes, tie_discount, indifferent_pull, party_building, min_members = scal
    w_bel, w_peer, w_eff, w_out, w_stake, w_party, w_energy, w_time, w_opt = weights
    n = len(community)
    score = np.empty(n)
    for i in range(n):
        c = community[i]
        peer = 0.0
        for j in range(m_ptr[i], m_ptr[i + 1]):
            o = m_idx[j]
            peer += m_val[j] * (1.0 if (part[o, 0] or part[o, 1] or part[o, 2] or part[o, 3]) else 0.0)
        stake = 1.0 - (1.0 - aw[i] * fund_stakes[c]) * (1.0 - sort * sorting_stakes)
        mobilised = strength[c] if organised[i] else 0.0
        tie = 1.0 - tie_discount if outside_job[i] else 1.0
        pull = 1.0 if interested[i] else indifferent_pull
        lead[i] = party_building * (1.0 if per_building[building[i]] >= min_members else 0.0)
        eta[i] = (tie * (w_bel * bel[i] + w_peer * peer) + w_eff * eff[i]
                  + pull * (w_out * aw[i] * reach[c] + w_stake * stake + w_party * mobilised)
                  + w_energy * (1.0 if employed[i] else 0.0) - w_time * time_cost[i] - w_opt * outside_option[i]
                  + propensity[i])
        score[i] = eta[i] if adult[i] else -np.inf
        seat[i] = False
    for c in range(len(seats)):
        rows = order[bounds[c]:bounds[c + 1]]
        ranked = np.argsort(-score[rows], kind="mergesort")
        for j in range(min(seats[c], len(rows))):
            seat[rows[ranked[j]]] = True


def _take(community, adult, eta, lead, seat, scal, intercepts, activity, council, u_take, month_slot, took, took_any,
          year_counts, recent_voice, unmet, voiced_c, suggestions, votes, donors_c):
    sort, sorting_affair, lead_weight, self_org, school = scal
    n, k_n = unmet.shape
    voiced_c[:] = 0.0
    suggestions[:] = 0.0
    votes[:] = 0.0
    donors_c[:] = 0.0
    n_suggestions = 0
    for i in range(n):
        c = community[i]
        a = 1.0 if adult[i] else 0.0
        deliberate = a * (1.0 - (1.0 - council[c] * (1.0 if seat[i] else 0.0)) * (1.0 - sort * sorting_affair))
        any_took = False
        for t in range(4):
            x = eta[i] + intercepts[t]
            if t == 2:
                x += lead_weight * lead[i]
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
                p *= deliberate
            took[i, t] = u_take[i, t] < p
            if took[i, t]:
                year_counts[i, t] += 1
                any_took = True
        took_any[i] = any_took
        recent_voice[i, month_slot] = (1 if took[i, 1] else 0) + (1 if took[i, 3] else 0)
        if took[i, 1] or took[i, 3]:
            voiced_c[c] += 1.0
        if took[i, 1]:
            n_suggestions += 1
            for k in range(k_n):
                suggestions[k] += unmet[i, k]
        if took[i, 3]:
            for k in range(k_n):
                votes[c, k] += unmet[i, k]
        if took[i, 2] or took[i, 3]:
            donors_c[c] += 1.0
    return n_suggestions


def _respond(community, job, propensity, time_cost, m_ptr, m_idx, m_val, took, took_any, top, coverage, u_response,
             scal, rc_response, fund_share, shock, contact, sat, tg, tr, bel, eff, aw, o_sat, o_tg, o_tr, o_bel, o_eff,
             o_aw, will):
    (gov, sort, sat_rate, job_w, trust_rate, service_w, bel_gain, bel_decay, eff_gain, eff_decay, act_contact, peer_rate,
     aw_decay, will_b, w_bel, w_eff, w_time) = scal
    n_k = fund_share.shape[1]
    for i in range(len(community)):
        c = community[i]
        rc = rc_response[c]
        acted = took[i, 1] and u_response[i] < 1.0 - (1.0 - rc) * (1.0 - gov)
        funded = False
        if took[i, 3]:
            total = 0.0
            for k in range(n_k):
                total += fund_share[c, k]
            funded = fund_share[c, top[i]] >= 1.0 / n_k and total > 0
        acted_f = 1.0 if acted else 0.0
        target = (1.0 - job_w) * coverage[i] + job_w * (1.0 if job[i] else 0.0)
        o_sat[i] = sat[i] + sat_rate * (target - sat[i])
        heard_g = acted_f if took[i, 1] else gov
        heard_r = acted_f if took[i, 1] else rc
        o_tg[i] = min(max(tg[i] + trust_rate * (service_w * coverage[i] + (1.0 - service_w) * heard_g - tg[i])
                          - shock[c], 0.0), 1.0)
        o_tr[i] = min(max(tr[i] + trust_rate * (service_w * coverage[i] * aw[i] + (1.0 - service_w) * heard_r - tr[i])
                          - shock[c], 0.0), 1.0)
        o_bel[i] = bel[i] + bel_gain * (1.0 - bel[i]) if took_any[i] else bel[i] * (1.0 - bel_decay)
        success = max(1.0 if (acted or funded) else 0.0, sort * (1.0 if took[i, 3] else 0.0) * rc)
        o_eff[i] = eff[i] + eff_gain * (1.0 - eff[i]) * success - eff_decay * eff[i]
        aware_peers = 0.0
        for j in range(m_ptr[i], m_ptr[i + 1]):
            aware_peers += m_val[j] * aw[m_idx[j]]
        reach = 1.0 - ((1.0 - contact[c]) * (1.0 - act_contact * (1.0 if took[i, 0] else 0.0))
                       * (1.0 - peer_rate * aware_peers))
        o_aw[i] = min(max(aw[i] + (1.0 - aw[i]) * reach - aw_decay * aw[i], 0.0), 1.0)
        will[i] = 1.0 / (1.0 + np.exp(-(will_b + w_bel * bel[i] + w_eff * eff[i] + propensity[i]
                                        - w_time * time_cost[i])))


def _satisfied(community, sat, threshold, population, out):
    out[:] = 0.0
    for i in range(len(community)):
        if sat[i] > threshold:
            out[community[i]] += 1.0
    for c in range(len(out)):
        out[c] = out[c] / population[c] if population[c] > 0 else 1.0


def _join(community, took, top, strongest, month_index, so_member, last_volunteered, unserved, wanting):
    wanting[:] = 0.0
    n_unserved = 0
    for i in range(len(community)):
        if took[i, 2]:
            last_volunteered[i] = month_index
            target = strongest[community[i], top[i]]
            if so_member[i] < 0 and target >= 0:
                so_member[i] = target
            if target < 0:
                unserved[n_unserved] = i
                n_unserved += 1
                wanting[community[i], top[i]] += 1.0
    ids = np.empty(len(community), np.int64)
    n_ids = 0
    for i in range(len(community)):
        if took[i, 2] and so_member[i] >= 0:
            ids[n_ids] = so_member[i]
            n_ids += 1
    ids = np.sort(ids[:n_ids])
    counts = np.zeros((n_ids, 2), np.int64)
    n_out = 0
    for j in range(n_ids):
        if n_out == 0 or counts[n_out - 1, 0] != ids[j]:
            counts[n_out, 0] = ids[j]
            n_out += 1
        counts[n_out - 1, 1] += 1
    return n_unserved, counts[:n_out]


def _enrol(unserved, community, top, keys, births, first_id, n_domains, founders, so_member):
    for cell in range(len(births)):
        b = births[cell]
        if b == 0:
            continue
        n = 0
        for i in unserved:
            if community[i] * n_domains + top[i] == cell:
                n += 1
        rows, cell_keys = np.empty(n, np.int64), np.empty(n)
        n = 0
        for j, i in enumerate(unserved):
            if community[i] * n_domains + top[i] == cell:
                rows[n], cell_keys[n] = i, keys[j]
                n += 1
        order = np.argsort(cell_keys)
        for rank in range(min(n, b * founders)):
            so_member[rows[order[rank]]] = first_id[cell] + rank % b


def _outputs(stage, took, took_any, will, sat, tg, tr, bel, eff, aw, coverage, recent_voice, window, party_member,
             so_member, last_volunteered, month_index, bottom, aid, need, bins, sums, aid_need):
    """Per-resident sums of the monthly outputs into ``sums`` (layout in :meth:`Fused.outputs`)."""
    sums[:] = 0.0
    aid_need[:] = 0.0
    counts = np.zeros(bins, np.int64)
    threshold = 5.0 * window / 12.0
    for i in range(len(stage)):
        s = stage[i]
        sums[s] += 1.0                                     # 0–2 residents by stage
        for t in range(4):
            sums[3 + t] += 1.0 if took[i, t] else 0.0      # 3–6 participation by type
        sums[7 + s] += 1.0 if took_any[i] else 0.0        # 7–9 any by stage
        sums[10] += will[i]
        values = (sat[i], tg[i], tr[i], bel[i], eff[i], aw[i])
        for a in range(6):
            sums[11 + 3 * a + s] += values[a]             # 11–28 attitudes by stage
        voice = 0
        for m in range(recent_voice.shape[1]):
            voice += recent_voice[i, m]
        sums[29 + s] += 1.0 if voice > threshold else 0.0  # 29–31 active by stage
        sums[32] += 1.0 if party_member[i] else 0.0
        sums[33] += 1.0 if so_member[i] >= 0 else 0.0
        sums[34] += 1.0 if month_index - last_volunteered[i] < 12 else 0.0
        if bottom[i]:
            sums[35] += 1.0
            sums[36] += coverage[i]
        sums[37] += (1.0 if took[i, 1] else 0.0) + (1.0 if took[i, 3] else 0.0)
        counts[min(int(coverage[i] * bins), bins - 1)] += 1
        for k in range(need.shape[1]):
            aid_need[k] += aid[i] * need[i, k]
    n, total, rank_end, weighted = 0, 0.0, 0, 0.0
    for b in range(bins):
        n += counts[b]
        total += counts[b] * (b + 0.5) / bins
    for b in range(bins):
        start = rank_end
        rank_end += counts[b]
        rank_sum = (rank_end * (rank_end + 1) - start * (start + 1)) / 2.0
        weighted += (2.0 * rank_sum - (n + 1) * counts[b]) * (b + 0.5) / bins
    sums[38] = weighted / (n * total) if n > 0 and total > 0 else 0.0


KERNELS = ("_arise", "_party", "_meet", "_score", "_take", "_respond", "_satisfied", "_join", "_enrol", "_outputs")


def fused_kernels() -> dict | None:
    """The compiled kernels (numba, cached; all compiled on return), or ``None`` without numba."""
    try:
        import numba
    except ImportError:
        return None
    kernels = {name: numba.njit(cache=True, fastmath=False)(globals()[name]) for name in KERNELS}
    ints, reals = np.zeros(1, np.int64), np.zeros(1)         # compile (or load) the kernels a month may not call,
    kernels["_enrol"](ints[:0], ints, ints, reals, ints, ints, 1, 1, ints.copy())   # so that no timed month compiles
    kernels["_satisfied"](ints, reals, 0.5, reals, reals.copy())
    return kernels


class Fused:
    """The fused kernels bound to one population, with preallocated buffers; the community-level steps
    (coverage ratios, births, the outputs' final arithmetic) in Python between them."""

    def __init__(self, kernels: dict, world: World, residents: ResidentPopulation) -> None:
        self.k, self.world, self.registry, self.ledger = kernels, world, Registry(world), Ledger()
        res, r, b, lev = residents, residents.table, world.behaviour, world.levers
        n, n_c = len(r), res.n_communities
        self.index = world.first_month - 1
        self.community, self.building, self.stage = r.community, r.building, r.stage
        self.adult, self.party_member, self.interested = res.adult, r.party_member, r.interested
        self.employed = r.employed & (r.stage == WORKING)
        self.outside_job = self.employed & (r.employer < 0)
        self.job = r.employed | (r.stage != WORKING)
        self.report_draw, self.bottom = r.report_draw, np.zeros(len(r), bool)
        self.bottom[res.bottom_quintile] = True
        self.profile, self.profile_total = res.need_profile, res.profile_total
        self.access, self.quality = res.market_access, res.service_quality
        self.time_cost, self.outside_option, self.propensity = res.time_cost, res.outside_option, r.propensity
        self.adjacency, self.neighbour_mean = res.adjacency.tocsr(), res.neighbour_mean.tocsr()
        self.population = res.community_population
        self.order = np.argsort(r.community, kind="stable")
        self.bounds = np.searchsorted(r.community[self.order], np.arange(n_c + 1))
        self.state = {name: getattr(r, name).copy() for name in COLUMNS}
        self.spare = {name: np.empty(n) for name in ATTITUDES}
        self.need = self.profile.copy() if world.need_shock is not None else self.profile
        self.need_total = self.profile_total.copy() if world.need_shock is not None else self.profile_total
        self.shock = world.need_shock if world.need_shock is not None else np.zeros((n_c, K))
        self.organised, self.per_building = np.zeros(n, bool), np.zeros(int(r.building.max()) + 1, np.int64)
        self.demand, self.strength = np.zeros((n_c, K)), np.zeros(n_c)
        self.aid, self.unmet, self.top = np.zeros(n), np.zeros((n, K)), np.zeros(n, np.int64)
        self.unmet_c, self.aware_c = np.zeros((n_c, K)), np.zeros(n_c)
        self.eta, self.lead, self.seat = np.zeros(n), np.zeros(n), np.zeros(n, bool)
        self.took_any, self.willingness = np.zeros(n, bool), np.zeros(n)
        self.voiced_c, self.suggestions, self.votes = np.zeros(n_c), np.zeros(K), np.zeros((n_c, K))
        self.donors_c, self.satisfied_c = np.zeros(n_c), np.zeros(n_c)
        self.unserved, self.wanting = np.zeros(n, np.int64), np.zeros((n_c, K))
        self.sums, self.aid_need = np.zeros(39), np.zeros(K)
        self.score_scal = np.array([float(lev.affairs_sorting), b.sorting_stakes, b.unit_tie_discount, b.indifferent_pull,
                                    lev.party_building, b.party_group_min_members])
        self.weights = np.array([b.belonging_weight, b.peer_weight, b.efficacy_weight, b.outreach_weight,
                                 b.stakes_weight, b.party_mobilisation_weight, b.employment_energy_weight,
                                 b.time_cost_weight, b.outside_option_weight])
        self.take_scal = np.array([float(lev.affairs_sorting), b.sorting_affair_rate, b.party_volunteer_lead_weight,
                                   world.month.self_organisation, b.school_activity_rate])
        self.intercepts = np.array([b.activity_intercept, b.public_affairs_intercept, b.volunteer_intercept,
                                    b.deliberation_intercept])
        offer = world.offer
        self.respond_scal = np.array([
            offer.government_response, float(lev.affairs_sorting), b.satisfaction_rate, b.satisfaction_job_weight,
            b.trust_rate, b.trust_service_weight, b.belonging_gain, b.belonging_decay, b.efficacy_gain,
            b.efficacy_decay, b.awareness_activity_contact, b.awareness_peer, b.awareness_decay,
            b.willingness_intercept, b.belonging_weight, b.efficacy_weight, b.time_cost_weight])

    def step_with(self, d: Draws) -> None:
        """One month with these draws."""
        k, w, s, b, lev = self.k, self.world, self.state, self.world.behaviour, self.world.levers
        a, m, c = self.adjacency, self.neighbour_mean, self.community
        self.index += 1
        self.ledger.new_month()
        k["_arise"](self.index % MONTHS_PER_YEAR == 0, self.need, self.need_total, w.need_shock is not None,
                    self.profile, self.shock, c, s["year_counts"], self.party_member, self.employed, self.report_draw,
                    lev.in_service_reporting, self.building, self.organised, self.per_building, self.demand)
        k["_party"](lev.party_building, b.party_committee_weight, b.party_group_min_members, self.per_building, c,
                    self.building, self.population, self.strength)
        pub, rcr, mkt = w.ratios(self.demand)
        self.met_public = k["_meet"](c, a.indptr, a.indices, a.data, s["participated"], b.mutual_aid_rate,
                                     w.month.self_organisation, self.need, self.need_total, pub, rcr, mkt, self.access,
                                     self.quality, s["awareness"], self.aid, self.unmet, s["coverage"], self.top,
                                     self.unmet_c, self.aware_c, self.population)
        k["_score"](c, self.adult, self.employed, self.outside_job, self.interested, self.organised, self.building,
                    self.per_building, self.strength, self.score_scal, self.weights, s["belonging"], s["efficacy"],
                    s["awareness"], w.reach, w.fund_stakes, self.propensity, self.time_cost, self.outside_option,
                    m.indptr, m.indices, m.data, s["participated"], self.eta, self.lead, self.order, self.bounds,
                    w.seats, self.seat)
        took = np.empty_like(s["participated"])
        self.n_suggestions = k["_take"](c, self.adult, self.eta, self.lead, self.seat, self.take_scal, self.intercepts,
                                        w.activity, w.council, d.take, self.index % MONTHS_PER_YEAR, took,
                                        self.took_any, s["year_counts"], s["recent_voice"], self.unmet, self.voiced_c,
                                        self.suggestions, self.votes, self.donors_c)
        s["participated"] = took
        self.donations = np.array([self.ledger.transfer("donors", f"fund:{i}", donors * w.economy.resident_giving,
                                                        "resident_donations")
                                   for i, donors in enumerate(self.donors_c.tolist())])
        o = self.spare
        k["_respond"](c, self.job, self.propensity, self.time_cost, m.indptr, m.indices, m.data, took, self.took_any,
                      self.top, s["coverage"], d.response, self.respond_scal, w.offer.rc_response, w.offer.fund_share,
                      w.offer.escalation_shock, w.contact, *(s[name] for name in ATTITUDES),
                      *(o[name] for name in ATTITUDES), self.willingness)
        for name in ATTITUDES:
            s[name], o[name] = o[name], s[name]
        self.satisfied = None
        if w.audit_due(self.index):
            k["_satisfied"](c, s["satisfaction"], b.satisfied_threshold, self.population, self.satisfied_c)
            self.satisfied = self.satisfied_c.copy()
        n_unserved, self.volunteers = k["_join"](c, took, self.top, self.registry.strongest, self.index,
                                                 s["so_member"], s["last_volunteered"], self.unserved, self.wanting)
        unserved = self.unserved[:n_unserved]
        births = w.births(self.wanting, d.founding).ravel()
        found = self.registry.found(births.reshape(self.wanting.shape))
        if found:
            first_id = np.full(len(births), -1, np.int64)
            for cell_c, cell_k, so_id in reversed(found):          # a cell's ids are consecutive: keep the first
                first_id[cell_c * K + cell_k] = so_id
            k["_enrol"](unserved, c, self.top, d.founders[:n_unserved], births, first_id, K, b.so_founders,
                        s["so_member"])
        k["_outputs"](self.stage, took, self.took_any, self.willingness, *(s[name] for name in ATTITUDES),
                      s["coverage"], s["recent_voice"], min(MONTHS_PER_YEAR, self.index + 1), self.party_member,
                      s["so_member"], s["last_volunteered"], self.index, self.bottom, self.aid, self.need,
                      2000, self.sums, self.aid_need)

    def outputs(self) -> dict[str, float]:
        """The residents' monthly outputs from the kernels' sums and the community tallies."""
        sums, n = self.sums, len(self.community)
        stage_n = np.maximum(sums[0:3], 1.0)
        out = {f"participation_{t}": sums[3 + i] / n for i, t in enumerate(PARTICIPATION_TYPES)}
        out["participation_any"] = sums[7:10].sum() / n
        out["willingness"] = sums[10] / n
        for a, name in enumerate(ATTITUDES):
            by_stage = sums[11 + 3 * a:14 + 3 * a]
            out[name] = by_stage.sum() / n
            out |= {f"{name}_{s}": by_stage[i] / stage_n[i] for i, s in enumerate(LIFE_STAGES)}
        out |= {f"participation_{s}": sums[7 + i] / stage_n[i] for i, s in enumerate(LIFE_STAGES)}
        out["active_participation"] = sums[29:32].sum() / n
        out |= {f"active_participation_{s}": sums[29 + i] / stage_n[i] for i, s in enumerate(LIFE_STAGES)}
        out["party_members"], out["party_strength"] = sums[32], float(self.strength.mean())
        need = self.demand.sum(axis=0)
        met = need - self.unmet_c.sum(axis=0)
        out |= {f"coverage_{d}": v for d, v in zip(DOMAINS, safe_ratio(met, need, 1.0), strict=True)}
        out["coverage"] = met.sum() / max(need.sum(), 1e-12)
        out["so_members"], out["volunteers"] = sums[33], sums[5]
        out["gini_coverage"], out["coverage_bottom_quintile"] = sums[38], sums[36] / sums[35]
        out["residents"], out["volunteers_registered"], out["retirees"] = float(n), sums[34], sums[2]
        return {name: float(v) for name, v in out.items()}

    def snapshot(self) -> dict:
        """State and this month's products (for comparison)."""
        s, pop = self.state, np.maximum(self.population, 1)
        return _copied({
            **s, "willingness": self.willingness, "organised": self.organised, "demand": self.demand,
            "party_strength": self.strength, "unmet_by_community": self.unmet_c, "top_unmet": self.top,
            "met_public": self.met_public, "awareness_by_community": self.aware_c, "engagement": self.voiced_c / pop,
            "suggestions": self.suggestions, "n_suggestions": self.n_suggestions, "votes": self.votes,
            "donations": self.donations, "wanting": self.wanting, "volunteers_by_organisation": self.volunteers,
            "satisfied": self.satisfied, "aid_need": self.aid_need, "taking_part": self.sums[37],
            **{f"output:{name}": v for name, v in self.outputs().items()}})


# ---------------------------------------------------------------------- comparison
def _copied(snapshot: dict) -> dict:
    """A snapshot that later months do not change (arrays copied)."""
    return {key: v.copy() if isinstance(v, np.ndarray) else v for key, v in snapshot.items()}


def max_difference(a: dict, b: dict) -> tuple[float, int]:
    """Largest difference of the real values, relative to ``max(1, |value|)`` (absolute for shares), and
    the number of discrete values (decisions, counts, memberships, ids) that differ, over every key."""
    if a.keys() != b.keys():
        raise ValueError(f"different outputs: {sorted(a.keys() ^ b.keys())}")
    diff, mismatches = 0.0, 0
    for key in a:
        x, y = a[key], b[key]
        if x is None or y is None:
            mismatches += (x is None) != (y is None)
            continue
        x, y = np.asarray(x), np.asarray(y)
        if x.shape != y.shape:
            mismatches += max(x.size, y.size)
        elif x.dtype.kind == "f" or y.dtype.kind == "f":
            x, y = x.astype(float), y.astype(float)
            diff = max(diff, float(np.max(np.abs(x - y) / np.maximum(1.0, np.abs(y)), initial=0.0)))
        else:
            mismatches += int((x != y).sum())
    return diff, mismatches
