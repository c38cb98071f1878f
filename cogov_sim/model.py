"""CommunityModel: the four field forces co-governing a street's communities (docs/sources.md §2–§4).

One step is one month. :meth:`CommunityModel.step` is the monthly schedule and the only
place that decides the order of things; each actor owns its mechanism's state and step
(see :mod:`cogov_sim.actors`) and receives what it needs as arguments.
"""

from __future__ import annotations

import mesa
import numpy as np

from . import events, metrics
from .actors.committee import ResidentsCommittee
from .actors.disputes import DisputeDesk
from .actors.enterprise import MARKET_DOMAINS, Enterprise
from .actors.government import Government
from .actors.organisations import (
    GRASSROOTS,
    PROFESSIONAL,
    SocialOrganization,
    SocialSector,
    purchase_social_work,
    register_ready,
    strongest_group_by_cell,
    support_grassroots,
    tender_contracts,
    volunteer_multipliers,
)
from .actors.residents import CommunityOffer, Resident, ResidentPopulation, new_residents
from .ledger import Ledger
from .mechanisms.forces import main_line
from .mechanisms.government import (
    grid_running_cost,
    grid_workers,
    information_channels,
    staff_wage_bill,
    work_station_hours,
)
from .mechanisms.organisations import founding_counts, tender_market_entrants
from .mechanisms.party import effective_coordination
from .mechanisms.supply import grid_service_units
from .network import build_network
from .parameters import DOMAINS, K, Levers
from .scenario import Event, Scenario, load_scenario
from .state import Month, RandomStreams
from .survey import conduct_survey
from .validation import prepare_model_arguments

ENV = DOMAINS.index("environment")


class CommunityModel(mesa.Model):
    """Agent-based model of multi-actor community co-governance.

    Args:
        scenario: a :class:`~cogov_sim.scenario.Scenario`, a scenario name or path, or
            ``None`` for the built-in defaults.
        seed: root seed (int or ``numpy.random.SeedSequence``); all randomness flows from
            generators spawned from it.
        residents: override the scenario's population size.

    Attributes:
        spec: the validated :class:`~cogov_sim.scenario.Scenario` this model runs (Mesa ≥ 3.5
            reserves ``Model.scenario`` for its own scenario objects, so ours is ``spec``).
        month: the month last simulated (0-based; −1 before the first step).
        levers: this month's lever values.
        residents: the :class:`~cogov_sim.actors.residents.ResidentPopulation` (column state); each
            resident's Mesa agent (a view on its row) from :meth:`resident` / :meth:`resident_agents`.
        government, committees, disputes: the institutions; enterprises and social
            organisations are reached with :meth:`agents_of`.
        current: the :class:`~cogov_sim.state.Month` last simulated (needs, supply, flows).
        metrics: that month's outputs (the DataCollector's model reporters read them).

    Raises :class:`~cogov_sim.errors.ArgumentError` for a bad ``seed`` or a ``residents`` that is
    not a whole number (one line naming it, its value and what is allowed; integral floats count
    as whole numbers) and :class:`~cogov_sim.errors.ScenarioError` for a bad scenario or a
    ``residents`` outside ``population.residents``' range. Limits BLAS to one thread in
    this process (:mod:`cogov_sim.threads`).
    """

    def __init__(self, scenario: Scenario | str | None = None, *, seed: int | np.random.SeedSequence = 0,
                 residents: int | None = None) -> None:
        seed, residents = prepare_model_arguments(seed, residents)
        sc = load_scenario(scenario) if scenario is not None else Scenario(name="defaults")
        if residents is not None:
            sc = sc.with_overrides({"population.residents": residents}, where="residents")
        seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self.streams = RandomStreams.spawn(seq)
        super().__init__(rng=self.streams.activation)
        self.survey_rows: list[dict] = []
        self.spec = sc
        self.seed = seed
        self.levers: Levers = sc.levers
        self.month = -1
        self.ledger = Ledger()
        self.shocks = events.Shocks()
        self.donations_last_month = np.zeros(0)
        self.current: Month | None = None
        self.metrics: dict[str, float] = {}
        self._build_population()
        self._build_institutions()
        self.datacollector = metrics.MetricsCollector()

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """One month: events, needs, the institutions act, services meet needs, residents respond."""
        sc, eco, beh, ledger = self.spec, self.spec.economy, self.spec.behaviour, self.ledger
        residents, government = self.residents, self.government
        self.month += 1
        ledger.new_month()
        self.agents_of(ResidentsCommittee).do("begin_month")   # M10 finished project cycles stop
        self.shocks.expire(self.month)
        self.apply_events()                                      # regime switches and shocks due now
        lev = self.levers = self.shocks.levers_for(self.month, self.levers)
        pop = residents.community_population
        need, need_total, demand = residents.needs_arise(self.month, self.shocks.need)               # M1
        month = Month(self.month, lev, need, need_total, demand,
                      main_line(beh.society_goal, demand, beh.main_line_need_weight))   # set outside any actor
        month.party_strength = residents.organise_party(lev, beh)                                    # Party organisation
        month.coordination = effective_coordination(lev.coordination, month.party_strength, beh.party_coordination_weight)

        sos = list(self.social_organisations)                   # M5 government: direction, budget, tasks
        government.set_direction(lev, beh, *information_channels(
            np.array([rc.free_hours.get("needs", 0.0) for rc in self.committees]), pop, demand,
            residents.unmet_by_community, residents.suggestions, residents.n_suggestions,
            np.array([so.community for so in sos], np.int64), np.array([so.domain for so in sos], np.int64),
            np.array([so.autonomy for so in sos]), len(residents), lev.grid_management, lev.satisfaction_audits, beh))
        workers = self.grid_workers()
        purchase = government.budget(
            lev, eco, ledger, budget=lev.budget_per_resident * len(residents) * (1.0 - self.shocks.budget_cut),
            escalation_cost=self.disputes.escalations_last_month * eco.escalation_cost,
            grid_cost=grid_running_cost(workers.sum(), sc.population.staff_hours, eco.staff_wage, eco.grid_office_cost,
                                        lev.grid_staff),
            donations_last_month=self.donations_last_month, population=pop, staff_cost=self.staff_cost())
        tender_contracts(sos, purchase, eco, ledger, government.account, self.sector)     # M7 purchase of services
        support_grassroots(sos, lev.grassroots_support, ledger, government.account)      # M7 in-kind support
        purchase_social_work(month, eco, ledger, government.account, government.direction, self.sector)   # social work
        government.provide(month, eco, beh, ledger, population=pop, unmet_last_month=residents.unmet_by_community,
                           committee_hours=np.array([rc.hours for rc in self.committees]),
                           station_hours=self.work_station_hours(),                           # M2 provision, M6 tasks
                           refused_share=np.array([rc.consent_refusal(lev, beh) for rc in self.committees]))

        month.government_units += grid_service_units(                                    # grid plus services
            workers * float(lev.grid_services), sc.population.staff_hours, beh.grid_service_share, eco.rc_unit_hours,
            demand)
        self.agents_of(Enterprise).do("step", month, eco, beh, ledger,                  # M8 market, co-building,
                                      supervision=self.disputes.supervision(lev, beh))   # property service
        self.agents_of(ResidentsCommittee).do(                                           # M6 hours, M10 fund cycle
            "step", month, eco, beh, ledger, admin_demand=government.admin_demand, direction=government.direction,
            population=pop, engagement=residents.engagement, organisations=self._by_community(sos))
        month.project_units = np.array([rc.project_units for rc in self.committees])
        self.social_organisations.shuffle_do(                                            # M7 delivery
            "step", month, eco, beh, ledger, government.direction, np.array([rc.autonomy for rc in self.committees]),
            volunteer_multipliers(sos, self.sector, lev, beh))
        self.remove_dissolved_organisations()

        residents.meet_needs(month, beh)                                                  # M2 matching
        escalation_shock = self.disputes.step(                                            # M9 disputes
            lev, beh, self.streams.disputes, population=pop, unmet=residents.unmet_by_community, demand=demand,
            managed=self.property_managed(), property_gap=month.property_gap, unemployment=residents.unemployment,
            awareness=residents.awareness_by_community(),
            mediation_hours=np.array([rc.free_hours["mediation"] for rc in self.committees]),
            so_safety_units=month.so_units[:, DOMAINS.index("safety")], grid_workers=workers,
            party_strength=month.party_strength)
        offer = self.community_offer(month, escalation_shock)
        drivers, votes = residents.take_part(month, offer, beh, eco.resident_giving, ledger,
                                             self.streams.participation)   # M3
        self.agents_of(ResidentsCommittee).do("hear_residents", votes)                   # M10 deliberators' votes
        residents.update_attitudes(month, offer, drivers, beh, self.streams.responses)               # M4 attitudes
        government.audit(self.month, lev, beh, residents.table.satisfaction, residents.table.community)  # 民意访评
        self.grow_organisations(month)                                                    # M7 membership and births

        self.donations_last_month = month.donations
        self.current = month
        self.metrics = metrics.monthly(month, residents, government, self.committees, list(self.social_organisations),
                                       self.disputes, ledger, eco, beh, self.sector)
        self.datacollector.collect(self)
        if self.month % 12 == 11:                                                         # the simulated survey
            self.survey_rows.extend(conduct_survey((self.month + 1) // 12, residents.table, month.willingness,
                                                   residents.engagement, self.committees, lev,
                                                   beh, self.streams.survey))
        ledger.check()

    # ------------------------------------------------------------------ setup
    def _build_population(self) -> None:
        pop, rng = self.spec.population, self.streams.residents
        n = pop.residents
        net = build_network(pop, n, self.streams.network)
        self.n_communities = net.n_communities
        c = net.community
        age_tilt = rng.uniform(1.0 - pop.community_age_spread, 1.0 + pop.community_age_spread,
                               self.n_communities)                    # old estates vs new (sources §4.2 types)
        income_level = np.exp(rng.normal(0.0, pop.community_income_sd, self.n_communities))
        table = new_residents(c, net.building, age_tilt[c], income_level[c], pop, self.spec.behaviour, rng,
                              self.streams.civic)
        self.residents = ResidentPopulation(table, net.adjacency, self.n_communities, pop, self.spec.economy,
                                            self.spec.behaviour)
        self._resident_agents: dict[int, Resident] = {}

    def _build_institutions(self) -> None:
        pop, eco, rng, C = self.spec.population, self.spec.economy, self.streams.institutions, self.n_communities
        population = self.residents.community_population
        table = self.residents.table
        self.government = Government(self, C, self.spec.behaviour)
        self.committees = [ResidentsCommittee(self, c, self.spec.levers.autonomy_grant, population[c], pop)
                           for c in range(C)]
        for c in range(C):
            n_c = population[c]
            firms = [Enterprise(self, c, ENV if e == 0 else int(rng.choice(MARKET_DOMAINS)),
                                (eco.property_company_capacity if e == 0 else eco.enterprise_capacity) * n_c,
                                float(rng.uniform(eco.enterprise_propensity_low, eco.enterprise_propensity_high)),
                                property_company=(e == 0))
                     for e in range(pop.enterprises_per_community)]
            local = np.flatnonzero((table.community == c) & table.employed)
            local = local[rng.random(len(local)) < pop.local_employment_share]
            if firms and len(local):
                table.employer[local] = np.array([f.unique_id for f in firms])[rng.integers(0, len(firms), len(local))]
            grassroots = round(pop.initial_sos_per_community * pop.initial_grassroots_share)
            for e in range(pop.initial_sos_per_community):      # filed groups carry no cash (sources §7.5.1)
                tier = GRASSROOTS if e < grassroots else PROFESSIONAL
                self.found_organisation(c, int(rng.integers(K)),
                                        capacity=float(rng.uniform(pop.initial_so_capacity_low,
                                                                   pop.initial_so_capacity_high)),
                                        professionalism=pop.initial_so_professionalism,
                                        autonomy=pop.initial_so_autonomy,
                                        seed_money=(pop.initial_so_seed_months * eco.so_overhead
                                                    if tier == PROFESSIONAL else 0.0), source="donors", tier=tier)
        self.disputes = DisputeDesk(C)
        self.sector = SocialSector(C)
        self.donations_last_month = np.zeros(C)

    # ------------------------------------------------------------------ helpers of the schedule
    def agents_of(self, cls: type[mesa.Agent]) -> mesa.agent.AgentSet:
        """The living agents of type ``cls`` (an empty set if there are none)."""
        agents = self.agents_by_type.get(cls)
        return agents if agents is not None else mesa.agent.AgentSet([], random=self.random)

    def resident(self, row: int) -> Resident:
        """The Mesa agent of the resident at ``row`` of the column table (created on first access)."""
        agent = self._resident_agents.get(row)
        if agent is None:
            if not 0 <= row < len(self.residents):
                raise IndexError(f"resident row {row} outside 0..{len(self.residents) - 1}")
            agent = self._resident_agents[row] = Resident(self, self.residents.table, row)
        return agent

    def resident_agents(self) -> mesa.agent.AgentSet:
        """Every resident as a Mesa agent, creating those not yet asked for (one per row; a
        registered agent costs ~450 bytes, so a million residents' agents take ~450 MiB)."""
        missing = np.setdiff1d(np.arange(len(self.residents)), np.fromiter(self._resident_agents, np.int64))
        created = Resident.create_agents(self, len(missing), table=self.residents.table, row=missing)
        self._resident_agents.update(zip(missing.tolist(), created, strict=True))
        return self.agents_of(Resident)

    def _by_community(self, agents: list) -> list[list]:
        """``agents`` (having a ``community``) grouped by community, each group in the given order."""
        groups: list[list] = [[] for _ in range(self.n_communities)]
        for agent in agents:
            groups[agent.community].append(agent)
        return groups

    @property
    def n_residents(self) -> int:
        """Number of residents now."""
        return len(self.residents)

    @property
    def social_organisations(self) -> mesa.agent.AgentSet:
        """The living social organisations."""
        return self.agents_of(SocialOrganization)

    def grid_workers(self) -> np.ndarray:
        """Grid workers per community this month (full-time equivalents)."""
        return grid_workers(self.residents.community_population, self.spec.population.residents_per_grid,
                            self.levers.grid_staff, self.levers.grid_management)

    def work_station_hours(self) -> np.ndarray:
        """Work-station staff hours available to each RC this month (zero without a station, sources §7.6)."""
        eco = self.spec.economy
        return work_station_hours(self.n_communities, eco.work_station_staff, eco.rcs_per_work_station,
                                  self.spec.population.staff_hours, self.levers.work_station)

    def staff_cost(self) -> tuple[float, float]:
        """This month's wage bills (CNY): RC staff, and the work station's staff and running cost
        (sources §5.5.1, §7.6.2)."""
        eco, hours = self.spec.economy, self.spec.population.staff_hours
        stations = self.n_communities / eco.rcs_per_work_station * float(self.levers.work_station)
        return (staff_wage_bill(sum(rc.staff for rc in self.committees), hours, eco.staff_wage, 0.0, 0.0),
                staff_wage_bill(stations * eco.work_station_staff, hours, eco.staff_wage, stations,
                                eco.work_station_office_cost))

    def property_managed(self) -> np.ndarray:
        """Whether a property company still manages each community."""
        managed = np.zeros(self.n_communities, bool)
        for firm in self.agents_of(Enterprise):
            managed[firm.community] |= firm.property_company
        return managed

    def community_offer(self, month: Month, escalation_shock: np.ndarray) -> CommunityOffer:
        """What the institutions offer residents this month, gathered from the RCs and government."""
        rcs = self.committees
        pop = np.maximum(self.residents.community_population, 1)
        return CommunityOffer(
            outreach_hours=np.array([rc.free_hours["outreach"] for rc in rcs]),
            activity_hours=np.array([rc.free_hours["activities"] * rc.activity_space for rc in rcs]),
            council_hours=np.array([rc.free_hours["council"] for rc in rcs]),
            fund_per_resident=(self.government.fund_paid + self.donations_last_month) / pop,
            rc_response=np.array([rc.response_chance(self.spec.behaviour) for rc in rcs]),
            government_response=self.government.response_chance,
            fund_share=np.array([rc.fund_share for rc in rcs]),
            escalation_shock=escalation_shock)

    def remove_dissolved_organisations(self) -> None:
        """Organisations whose funds ran dry leave; their members become unaffiliated."""
        dissolved = [so for so in self.social_organisations if so.dissolved]
        if dissolved:
            self.residents.release_members([so.unique_id for so in dissolved])
            for so in dissolved:
                so.remove()

    def grow_organisations(self, month: Month) -> None:
        """M7: volunteers join the strongest grassroots group serving their largest unmet need, or found
        one; ready groups register as professional SOs; professional SOs from outside enter the
        tender market."""
        lev, beh, eco = month.levers, self.spec.behaviour, self.spec.economy
        sos = self.social_organisations
        unserved, wanting, volunteers = self.residents.join_organisations(
            month, strongest_group_by_cell(sos, self.n_communities, K))
        sos.do("count_volunteers", volunteers)
        births = founding_counts(wanting, beh.so_founding, lev.so_incubation, beh.incubation_founding_boost,
                                 month.self_organisation, self.streams.founding)
        founded = []
        for c, k in zip(*np.nonzero(births), strict=True):
            for _ in range(births[c, k]):
                incubated = min(eco.incubated_seed * lev.so_incubation, self.ledger.balance("incubator"))
                founded.append(self.found_organisation(
                    int(c), int(k), capacity=beh.new_so_capacity, professionalism=beh.new_so_professionalism,
                    autonomy=beh.new_so_autonomy, seed_money=incubated if incubated > 0 else eco.founders_seed,
                    source="incubator" if incubated > 0 else "donors", tier=GRASSROOTS).unique_id)
        if founded:
            self.residents.enrol_founders(unserved, month.top_unmet, births, np.array(founded, np.int64),
                                          beh.so_founders, self.streams.founders)
        register_ready(self.social_organisations, lev, eco, beh, self.ledger, self.streams.registration)
        self.enter_tender_market()

    def enter_tender_market(self) -> None:
        """M7: per domain, a professional SO from outside enters the street's tender market where this month's
        tenders left money no SO absorbed, sized to take all of it and based in the community with the most
        (:func:`~cogov_sim.mechanisms.organisations.tender_market_entrants`); it bids in every community
        from next month."""
        beh, eco = self.spec.behaviour, self.spec.economy
        capacity, home = tender_market_entrants(self.sector.unabsorbed, eco.so_overhead, beh.tender_entry_capacity,
                                                eco.so_unit_cost, eco.so_bid_room, beh.so_max_capacity)
        for k in np.flatnonzero(capacity):
            self.found_organisation(int(home[k]), int(k), capacity=float(capacity[k]),
                                    professionalism=beh.tender_entrant_professionalism, autonomy=beh.new_so_autonomy,
                                    seed_money=0.0, source="donors", tier=PROFESSIONAL)

    def found_organisation(self, community: int, domain: int, *, capacity: float, professionalism: float,
                           autonomy: float, seed_money: float, source: str, tier: str) -> SocialOrganization:
        """A new social organisation of ``tier`` with its seed money (from donors or the incubator)."""
        so = SocialOrganization(self, community, domain, capacity, professionalism, autonomy, tier)
        self.ledger.transfer(source, so.account, seed_money, "so_seed_funds")
        return so

    # ------------------------------------------------------------------ events
    def apply_event(self, event: Event) -> None:
        """Apply ``event`` now, whatever its month (interactive use: a dashboard's shock button
        or a lever change on a running model; see :func:`cogov_sim.scenario.parse_event`)."""
        events.apply(self, event)

    def apply_events(self) -> None:
        """Apply the scenario's events due this month."""
        for event in self.spec.events:
            if event.month == self.month:
                events.apply(self, event)
