"""CommunityModel: the four field forces co-governing a street's communities (brief §2–§6).

One step is one month. :meth:`CommunityModel.step` reads as the monthly schedule; the
mechanisms it calls live in :mod:`cogov_sim.mechanisms` and cite the digest.
"""

from __future__ import annotations

import mesa
import numpy as np
import scipy.sparse as sp

from . import events, metrics
from .agents import (
    FOUNDERS_SEED,
    INCUBATED_SEED,
    Enterprise,
    Government,
    Resident,
    ResidentsCommittee,
    ResidentTable,
    SocialOrganization,
)
from .ledger import Ledger
from .mechanisms.attitudes import (
    update_awareness,
    update_belonging,
    update_efficacy,
    update_satisfaction,
    update_trust,
)
from .mechanisms.common import safe_ratio
from .mechanisms.disputes import (
    detection_probability,
    dispute_arrivals,
    handle_disputes,
    mediation_capacity,
)
from .mechanisms.enterprises import property_conflict
from .mechanisms.fund import voice_success
from .mechanisms.government import main_line
from .mechanisms.needs import intensity_draw, monthly_needs, need_profile
from .mechanisms.organisations import allocate_purchase_contracts, founding_counts
from .mechanisms.participation import (
    ParticipationDrivers,
    participation_probability,
    stakes,
    time_cost,
    willingness,
)
from .mechanisms.supply import market_access, match_services, mutual_aid
from .network import build_network, row_normalised
from .parameters import DOMAINS, K, Levers, blend_levers
from .scenario import Event, Scenario, load_scenario
from .survey import conduct_survey

ENV, SAFETY, CULTURE = DOMAINS.index("environment"), DOMAINS.index("safety"), DOMAINS.index("culture")
#: Outreach hours per resident-month at which every aware resident feels reached (§4.5 五百).
FULL_OUTREACH_HOURS = 0.05
#: Activity supply (RC activity hours + 2 × SO culture units) per resident-month for full availability.
FULL_ACTIVITY_SUPPLY = 0.04
#: Council support hours per resident-month for full deliberation availability (§4.2).
FULL_COUNCIL_HOURS = 0.01
#: Trust lost per escalated dispute per 1,000 residents of the community (§2 mass incidents).
ESCALATION_TRUST_HIT = 0.01


class CommunityModel(mesa.Model):
    """Agent-based model of multi-actor community co-governance.

    Args:
        scenario: a :class:`~cogov_sim.scenario.Scenario`, a scenario name or path, or
            ``None`` for the built-in defaults.
        seed: root seed (int or ``numpy.random.SeedSequence``); all randomness flows from
            the model's generator ``self.rng`` built from it.
        residents: override the scenario's population size.
    """

    def __init__(self, scenario: Scenario | str | None = None, *, seed: int | np.random.SeedSequence = 0,
                 residents: int | None = None) -> None:
        sc = load_scenario(scenario) if scenario is not None else Scenario(name="defaults")
        if residents is not None:
            sc = sc.with_overrides({"population.residents": residents}, where="residents")
        seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        model_seq, survey_seq = seq.spawn(2)
        super().__init__(rng=np.random.default_rng(model_seq))
        self.survey_rng = np.random.default_rng(survey_seq)
        self.survey_rows: list[dict] = []
        self.scenario = sc
        self.seed = seed
        self.levers: Levers = sc.levers
        self.lever_path: tuple[Levers, Levers, int, int] | None = None
        self.month = -1
        self.ledger = Ledger()
        self.budget_cut = 0.0
        self.budget_cut_until = -1
        self.shock: np.ndarray | None = None
        self.shock_until = -1
        self._build_population()
        self._build_institutions()
        self.datacollector = mesa.DataCollector(model_reporters=metrics.reporters())

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """One month: events, needs, the institutions act, services meet needs, residents respond."""
        self.month = self.steps - 1
        self.start_month()
        self.apply_events()                                     # brief §5: regime switches, shocks
        self.levers = self.current_levers()
        self.need = monthly_needs(self.need_profile, self.residents.community, self.shock)   # M1
        self.need_total = self.need.sum(axis=1) if self.shock is not None else self.profile_total
        self.demand = self.membership @ self.need
        self.main_line = main_line(self.government.direction, self.demand)
        self.government.step()                                  # M5 budget, direction, tenders, tasks
        self.agents_of(Enterprise).do("step")                   # M8 market supply and co-building
        self.agents_of(ResidentsCommittee).do("step")           # M6 hours and autonomy; M10 fund cycle
        self.social_organisations.shuffle_do("step")            # M7 delivery, learning, death
        self.match_supply()                                     # M2
        self.handle_disputes()                                  # M9
        self.participate()                                      # M3
        self.update_attitudes()                                 # M4
        self.grow_organisations()                               # M7 membership and births
        self.metrics = metrics.monthly(self)
        self.datacollector.collect(self)
        if self.month % 12 == 11:
            self.survey_rows.extend(conduct_survey(self, self.survey_rng))   # brief §6 simulated survey
        self.ledger.check(scale=self.scenario.levers.budget_per_resident * self.n_residents * 100)

    # ------------------------------------------------------------------ setup
    def _build_population(self) -> None:
        pop, rng = self.scenario.population, self.rng
        n = pop.residents
        net = build_network(pop, n, rng)
        self.n_communities = net.n_communities
        c = net.community
        age_tilt = rng.uniform(0.6, 1.4, self.n_communities)          # old estates vs new (§4.2 types)
        income_level = np.exp(rng.normal(0.0, 0.3, self.n_communities))
        self.residents = self.new_residents(c, net.building, age_tilt[c], income_level[c])
        self.adjacency = net.adjacency
        self.index_residents()
        Resident.create_agents(self, n, row=np.arange(n))

    def new_residents(self, community: np.ndarray, building: np.ndarray, age_tilt: np.ndarray,
                       income_level: np.ndarray, belonging: float | None = None,
                       awareness: float | None = None) -> ResidentTable:
        pop, beh, rng = self.scenario.population, self.scenario.behaviour, self.rng
        n = len(community)
        u = rng.random(n)
        p_retiree = np.clip(pop.share_retiree * age_tilt, 0.0, 1.0 - pop.share_youth)
        stage = np.where(u < pop.share_youth, 0, np.where(u < pop.share_youth + p_retiree, 2, 1)).astype(np.int64)
        income = income_level * np.exp(rng.normal(-0.18, 0.6, n)) * np.where(stage == 2, 0.7, 1.0)
        education = np.clip(0.5 + 0.15 * np.log(income) + rng.normal(0.0, 0.15, n), 0.0, 1.0)
        employed = (stage == 1) & (rng.random(n) < pop.employment_rate)

        def beta(mean: float) -> np.ndarray:
            return rng.beta(6.0 * mean + 1e-3, 6.0 * (1.0 - mean) + 1e-3, n)

        return ResidentTable(
            community=community.astype(np.int64), building=building.astype(np.int64), stage=stage,
            income=income, education=education, employed=employed, employer=np.full(n, -1, np.int64),
            intensity=intensity_draw(rng, n, K), propensity=rng.normal(0.0, beh.propensity_sd, n),
            satisfaction=beta(0.5), trust_government=beta(pop.initial_trust), trust_rc=beta(pop.initial_trust),
            belonging=beta(pop.initial_belonging if belonging is None else belonging),
            efficacy=beta(0.2), awareness=beta(pop.initial_awareness if awareness is None else awareness),
            participated=np.zeros((n, 4), bool), year_counts=np.zeros((n, 4), np.int16),
            so_member=np.full(n, -1, np.int64), coverage=np.zeros(n))

    def index_residents(self) -> None:
        """Derived arrays that change only when the population does (setup and events)."""
        r = self.residents
        n = len(r)
        self.n_residents = n
        self.membership = sp.csr_matrix((np.ones(n), (r.community, np.arange(n))), shape=(self.n_communities, n))
        self.community_population = np.asarray(self.membership.sum(axis=1)).ravel()
        self.neighbour_mean = row_normalised(self.adjacency)
        self.need_profile = need_profile(r.stage, r.intensity)
        self.profile_total = self.need_profile.sum(axis=1)
        self.market_access = market_access(r.income, self.scenario.economy.market_price_index)
        self.time_cost = time_cost(r.stage, r.employed)
        self.outside_option = 0.5 * np.clip(np.log1p(r.income), 0.0, 1.0) + 0.5 * r.education
        working = self.membership @ (r.stage == 1).astype(float)
        self.unemployment = safe_ratio(self.membership @ ((r.stage == 1) & ~r.employed).astype(float), working)
        self.bottom_quintile = r.income <= np.quantile(r.income, 0.2)
        self.participated_any = r.participated.any(axis=1).astype(float)

    def _build_institutions(self) -> None:
        pop, rng, C = self.scenario.population, self.rng, self.n_communities
        sc_levers = self.scenario.levers
        self.government = Government(self)
        self.committees = [ResidentsCommittee(self, c, sc_levers.autonomy_grant) for c in range(C)]
        self.committee_hours = np.array([rc.hours for rc in self.committees])
        for c in range(C):
            n_c = self.community_population[c]
            firms = [Enterprise(self, c, ENV if e == 0 else int(rng.choice([0, 1, 2, 5])), (0.1 if e == 0 else 0.06) * n_c,
                                float(rng.uniform(0.2, 0.8)), property_company=(e == 0))
                     for e in range(pop.enterprises_per_community)]
            local = np.flatnonzero((self.residents.community == c) & self.residents.employed)
            local = local[rng.random(len(local)) < pop.local_employment_share]
            if firms and len(local):
                self.residents.employer[local] = np.array([f.unique_id for f in firms])[rng.integers(0, len(firms), len(local))]
            for _ in range(pop.initial_sos_per_community):
                self._found_organisation(c, int(rng.integers(K)), capacity=float(rng.uniform(20, 40)),
                                         professionalism=0.3, autonomy=0.5, seed_money=3 * self.scenario.economy.so_overhead,
                                         source="donors")
        z = np.zeros((C, K))
        self.unmet_last_month, self.fund_share, self.project_units = z.copy(), z.copy(), z.copy()
        self.project_months_left = np.zeros(C, np.int64)
        self.donations_last_month, self.donations_this_month = np.zeros(C), np.zeros(C)
        self.engagement = np.zeros(C)
        self.undetected, self.pending = np.zeros(C, np.int64), np.zeros(C, np.int64)
        self.escalations_last_month = 0
        self.suggestions = np.zeros(K)
        self.n_suggestions = 0

    @property
    def grid_workers(self) -> np.ndarray:
        """Grid workers per community, full-time equivalents (zero without grid management):
        ``grid_staff`` per ``residents_per_grid`` residents (digest §4.5)."""
        per_grid = self.community_population / self.scenario.population.residents_per_grid
        return per_grid * self.levers.grid_staff * float(self.levers.grid_management)

    def agents_of(self, cls: type[mesa.Agent]) -> mesa.agent.AgentSet:
        """The living agents of type ``cls`` (an empty set if there are none)."""
        return self.agents_by_type.get(cls, mesa.agent.AgentSet([], random=self.random))

    @property
    def social_organisations(self) -> mesa.agent.AgentSet:
        """The living social organisations."""
        return self.agents_of(SocialOrganization)

    def start_month(self) -> None:
        """Reset the month's supply accumulators and roll last month's flows."""
        C = self.n_communities
        self.ledger.new_month()
        self.so_units, self.market_units = np.zeros((C, K)), np.zeros((C, K))
        self.rc_units, self.rc_money_units = np.zeros((C, K)), np.zeros((C, K))
        self.project_months_left = np.maximum(self.project_months_left - 1, 0)
        self.project_units[self.project_months_left == 0] = 0.0
        self.donations_last_month, self.donations_this_month = self.donations_this_month, np.zeros(C)
        if self.month % 12 == 0:
            self.residents.year_counts[:] = 0

    # ------------------------------------------------------------------ government inputs
    def information_channels(self) -> tuple[np.ndarray, np.ndarray]:
        """Needs signals reaching government and their strengths (brief §4 M5): RC reports,
        suggestions, SO reports, grid reports, satisfaction audits."""
        lev, unmet = self.levers, self.unmet_last_month
        pop = np.maximum(self.community_population, 1)
        q_rc = np.array([min(1.0, rc.free_hours.get("needs", 0.0) / (0.01 * pop[c])) for c, rc in enumerate(self.committees)])
        sos = self.social_organisations
        so_signal = np.zeros(K)
        if len(sos):
            cells = np.array([(so.community, so.domain) for so in sos])
            np.add.at(so_signal, cells[:, 1], unmet[cells[:, 0], cells[:, 1]])
        grid_signal = np.zeros(K)
        grid_signal[[ENV, SAFETY]] = unmet[:, [ENV, SAFETY]].sum(axis=0)
        signals = np.vstack([(q_rc[:, None] * self.demand).sum(axis=0),
                             self.suggestions, so_signal, grid_signal, unmet.sum(axis=0)])
        so_autonomy = float(np.mean([so.autonomy for so in sos])) if len(sos) else 0.0
        strengths = np.array([
            q_rc.mean(),
            min(1.0, self.n_suggestions / (0.05 * self.n_residents)),
            min(1.0, len(sos) / (K * self.n_communities)) * so_autonomy,
            0.8 * float(lev.grid_management),
            0.6 * float(lev.satisfaction_audits),
        ])
        return signals, strengths

    def tender_contracts(self, budget: np.ndarray) -> np.ndarray:
        """Run purchase-of-service tenders (M7) and pay the winners; returns CNY by cell."""
        sos = list(self.social_organisations)
        contracted = np.zeros_like(budget)
        if not sos:
            return contracted
        arr = np.array([(so.community, so.domain, so.capacity, so.professionalism) for so in sos])
        eco = self.scenario.economy
        amounts = allocate_purchase_contracts(budget, arr[:, 0].astype(int), arr[:, 1].astype(int), arr[:, 2],
                                              arr[:, 3], eco.so_unit_cost, eco.so_overhead)
        for so, amount in zip(sos, amounts, strict=True):
            self.ledger.transfer(self.government.account, so.account, amount, "purchase_of_services")
            so.income_government += amount
            contracted[so.community, so.domain] += amount
        return contracted

    # ------------------------------------------------------------------ residents (vectorised)
    def match_supply(self) -> None:
        """M2: all providers' supply meets residents' needs."""
        r, beh = self.residents, self.scenario.behaviour
        self.public_units = self.government_units + self.so_units + self.project_units + self.rc_money_units
        self.self_organisation = 1.0 - beh.grid_dependence * float(self.levers.grid_management)
        self.aid = mutual_aid(self.adjacency, r.participated[:, 2], beh.mutual_aid_rate) * self.self_organisation
        self.unmet, self.met_public = match_services(self.need, r.community, self.public_units, self.rc_units,
                                                     self.demand, r.awareness, self.market_units, self.market_access,
                                                     self.aid)
        r.coverage = 1.0 - safe_ratio(self.unmet.sum(axis=1), self.need_total, default=0.0)
        self.unmet_last_month = self.membership @ self.unmet
        self.top_unmet = np.argmax(self.unmet, axis=1)

    def handle_disputes(self) -> None:
        """M9: disputes arise, are detected, mediated or escalate."""
        lev, beh = self.levers, self.scenario.behaviour
        pop = np.maximum(self.community_population, 1)
        env_safety = safe_ratio(self.unmet_last_month[:, [ENV, SAFETY]].sum(1), self.demand[:, [ENV, SAFETY]].sum(1))
        env_coverage = 1.0 - safe_ratio(self.unmet_last_month[:, ENV], self.demand[:, ENV])
        managed = np.zeros(self.n_communities, bool)
        for firm in self.agents_of(Enterprise):
            managed[firm.community] |= firm.property_company
        conflict = np.array([property_conflict(x) for x in env_coverage]) * managed
        arisen = dispute_arrivals(pop, beh.dispute_rate, env_safety, conflict, self.unemployment, self.rng)
        awareness = safe_ratio(self.membership @ self.residents.awareness, pop)
        detect = detection_probability(lev.grid_management, beh.detection_with_grid, beh.detection_without_grid,
                                       awareness)
        mediation = np.array([rc.free_hours["mediation"] for rc in self.committees])
        capacity = mediation_capacity(mediation, beh.mediation_hours, self.so_units[:, SAFETY], self.grid_workers,
                                      beh.department_capacity * pop / 1000.0, lev.affairs_sorting)
        self.disputes = handle_disputes(self.undetected, self.pending, arisen, detect, capacity,
                                        beh.escalation_probability, self.rng)
        self.undetected, self.pending = self.disputes.undetected, self.disputes.pending
        self.escalations_last_month = int(self.disputes.escalated.sum())
        self.escalation_shock = ESCALATION_TRUST_HIT * self.disputes.escalated * 1000.0 / pop

    def participation_drivers(self) -> ParticipationDrivers:
        """Per-resident inputs of M3 this month."""
        r, lev = self.residents, self.levers
        pop = np.maximum(self.community_population, 1)
        self.outreach_hours = np.array([rc.free_hours["outreach"] for rc in self.committees])
        reach = np.minimum(1.0, self.outreach_hours / (FULL_OUTREACH_HOURS * pop))
        fund_per_resident = (lev.participatory_fund / 12.0
                             + self.donations_last_month * (1.0 + lev.microfund_matching)) / pop
        return ParticipationDrivers(
            belonging=r.belonging, efficacy=r.efficacy,
            peer=self.neighbour_mean @ self.participated_any,
            outreach=r.awareness * reach[r.community],
            stakes=stakes(fund_per_resident, lev.council)[r.community],
            time_cost=self.time_cost, outside_option=self.outside_option, propensity=r.propensity)

    def participate(self) -> None:
        """M3: residents decide whether to attend, speak up, volunteer, deliberate."""
        r, lev, beh = self.residents, self.levers, self.scenario.behaviour
        pop = np.maximum(self.community_population, 1)
        self.drivers = self.participation_drivers()
        activity_hours = np.array([rc.free_hours["activities"] for rc in self.committees])
        council_hours = np.array([rc.free_hours["council"] for rc in self.committees])
        supply = (activity_hours + 2.0 * self.so_units[:, CULTURE]) / (FULL_ACTIVITY_SUPPLY * pop)
        activity = np.minimum(1.0, beh.activity_floor + (1.0 - beh.activity_floor) * supply)
        deliberation = float(lev.council) * np.minimum(1.0, council_hours / (FULL_COUNCIL_HOURS * pop))
        availability = np.column_stack([activity, np.ones_like(activity), np.ones_like(activity), deliberation])
        p = participation_probability(self.drivers, beh, availability[r.community], self.self_organisation)
        took = self.rng.random(p.shape) < p
        r.participated = took
        self.participated_any = took.any(axis=1).astype(float)
        r.year_counts += took
        voiced = took[:, 1] | took[:, 3]
        self.engagement = safe_ratio(self.membership @ voiced.astype(float), pop)
        self.suggestions = (self.unmet * took[:, 1:2]).sum(axis=0)
        self.n_suggestions = int(took[:, 1].sum())
        votes = self.membership @ (self.unmet * took[:, 3:4])
        for c, rc in enumerate(self.committees):
            rc.votes += votes[c]
        donors = self.membership @ (took[:, 2] | took[:, 3]).astype(float)
        for c in range(self.n_communities):
            amount = donors[c] * self.scenario.economy.resident_giving
            self.ledger.transfer("donors", f"fund:{c}", amount, "resident_donations")
            self.donations_this_month[c] += amount

    def update_attitudes(self) -> None:
        """M4: satisfaction, trust, belonging, efficacy, awareness."""
        r, beh = self.residents, self.scenario.behaviour
        pop = np.maximum(self.community_population, 1)
        took = r.participated
        rc_response = np.array([(1.0 - rc.admin_share) * (0.5 + 0.5 * rc.autonomy) for rc in self.committees])
        gov_response = self.government.response_chance
        acted_on = took[:, 1] & (self.rng.random(len(r)) < 1.0 - (1.0 - rc_response[r.community]) * (1.0 - gov_response))
        funded_voice = np.zeros(len(r), bool)
        deliberators = np.flatnonzero(took[:, 3])
        if len(deliberators):
            share = self.fund_share[r.community[deliberators]]
            funded_voice[deliberators] = voice_success(self.top_unmet[deliberators], share) & (share.sum(axis=1) > 0)
        shock = self.escalation_shock[r.community]
        r.satisfaction = update_satisfaction(r.satisfaction, r.coverage, r.employed | (r.stage != 1), beh.satisfaction_rate)
        voiced = took[:, 1]
        r.trust_government = update_trust(r.trust_government, r.coverage, np.where(voiced, acted_on, gov_response),
                                          beh.trust_rate, shock)
        r.trust_rc = update_trust(r.trust_rc, r.coverage * r.awareness,
                                  np.where(voiced, acted_on, rc_response[r.community]), beh.trust_rate, shock)
        r.belonging = update_belonging(r.belonging, self.participated_any > 0, beh.belonging_gain, beh.belonging_decay)
        r.efficacy = update_efficacy(r.efficacy, (acted_on | funded_voice).astype(float), beh.efficacy_gain, beh.efficacy_decay)
        contact = np.minimum(1.0, beh.awareness_contact * self.outreach_hours / pop)
        r.awareness = update_awareness(r.awareness, contact[r.community], took[:, 0].astype(float), self.neighbour_mean,
                                       beh.awareness_peer, beh.awareness_decay)
        self.willingness = willingness(self.drivers, beh)

    def grow_organisations(self) -> None:
        """M7: volunteers join an SO serving their largest unmet need, or found one."""
        r, lev, beh = self.residents, self.levers, self.scenario.behaviour
        volunteers = r.participated[:, 2]
        top = self.top_unmet
        best = np.full((self.n_communities, K), -1, np.int64)
        best_cap = np.zeros((self.n_communities, K))
        for so in self.social_organisations:
            if so.capacity > best_cap[so.community, so.domain]:
                best[so.community, so.domain], best_cap[so.community, so.domain] = so.unique_id, so.capacity
        target = best[r.community, top]
        joining = volunteers & (r.so_member < 0) & (target >= 0)
        r.so_member[joining] = target[joining]
        ids, counts = np.unique(r.so_member[volunteers & (r.so_member >= 0)], return_counts=True)
        count_of = dict(zip(ids.tolist(), counts.tolist(), strict=True))
        for so in self.social_organisations:
            so.volunteers = count_of.get(so.unique_id, 0)
        unserved = volunteers & (target < 0)
        cells = np.bincount(r.community[unserved] * K + top[unserved], minlength=self.n_communities * K)
        births = founding_counts(cells.reshape(self.n_communities, K).astype(float), beh.so_founding, lev.so_incubation,
                                 self.self_organisation, self.rng)
        for c, k in zip(*np.nonzero(births), strict=True):
            for _ in range(births[c, k]):
                incubated = min(INCUBATED_SEED * lev.so_incubation, self.ledger.balance("incubator"))
                so = self._found_organisation(int(c), int(k), capacity=10.0, professionalism=0.2, autonomy=0.7,
                                              seed_money=incubated if incubated > 0 else FOUNDERS_SEED,
                                              source="incubator" if incubated > 0 else "donors")
                founders = np.flatnonzero(unserved & (r.community == c) & (top == k))[:5]
                r.so_member[founders] = so.unique_id

    def _found_organisation(self, community: int, domain: int, *, capacity: float, professionalism: float,
                            autonomy: float, seed_money: float, source: str) -> SocialOrganization:
        so = SocialOrganization(self, community, domain, capacity, professionalism, autonomy)
        self.ledger.transfer(source, so.account, seed_money, "so_seed_funds")
        return so

    def release_members(self, organisation_id: int) -> None:
        """Members of a dissolved SO become unaffiliated."""
        self.residents.so_member[self.residents.so_member == organisation_id] = -1

    # ------------------------------------------------------------------ levers and events
    def current_levers(self) -> Levers:
        """Levers this month, phasing a regime switch in over its ramp (brief §5)."""
        if self.lever_path is None:
            return self.levers
        start, target, t0, ramp = self.lever_path
        frac = 1.0 if ramp <= 0 else min(1.0, (self.month - t0 + 1) / ramp)
        if frac >= 1.0:
            self.lever_path = None
        return blend_levers(start, target, frac)

    def apply_event(self, event: Event) -> None:
        """Apply ``event`` now, whatever its month (interactive use: a dashboard's shock button
        or a lever change on a running model; see :func:`cogov_sim.scenario.parse_event`)."""
        events.apply(self, event)

    def apply_events(self) -> None:
        """Apply the scenario's events due this month and expire finished shocks."""
        if self.month == self.budget_cut_until:
            self.budget_cut = 0.0
        if self.month == self.shock_until:
            self.shock = None
        for event in self.scenario.events:
            if event.month == self.month:
                events.apply(self, event)
