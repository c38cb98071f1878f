"""Residents (社区居民, the internal driving force, docs/sources.md §2).

:class:`Resident` is a Mesa agent whose state is one row of the column arrays;
:class:`ResidentPopulation` holds those arrays (:class:`~cogov_sim.state.ResidentTable`),
what is derived from them, and runs the residents' monthly phases vectorised over all of
them: needs arise (M1), services meet them (M2), residents take part (M3), attitudes update
(M4), volunteers join or found social organisations (M7).
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np
import scipy.sparse as sp

from ..ledger import Ledger
from ..mechanisms.attitudes import (
    efficacy_success,
    update_awareness,
    update_belonging,
    update_efficacy,
    update_satisfaction,
    update_trust,
)
from ..mechanisms.common import row_group_sums, row_sums, safe_ratio
from ..mechanisms.fund import voice_success
from ..mechanisms.needs import intensity_draw, inverse_care_need, monthly_needs, need_profile
from ..mechanisms.organisations import assign_founders
from ..mechanisms.participation import (
    ParticipationDrivers,
    deliberation_availability,
    participation_logit,
    participation_probability,
    resident_stakes,
    seat_holders,
    stakes,
    time_cost,
    willingness,
    with_school_activities,
)
from ..mechanisms.party import building_groups, draw_party_members, organised_members, party_strength
from ..mechanisms.supply import (
    health_mix_units,
    inverse_care_quality,
    market_access,
    match_services,
    mutual_aid,
    within_health_mismatch,
)
from ..network import binary_ties, row_normalised
from ..parameters import DOMAINS, LIFE_STAGES, PARTICIPATION_TYPES, Behaviour, Economy, K, Levers, Population
from ..state import NEVER, Month, ResidentTable

CULTURE = DOMAINS.index("culture")
HEALTH = DOMAINS.index("health")
LIFE_STAGE = {stage: i for i, stage in enumerate(LIFE_STAGES)}
#: Keeps Beta shape parameters positive when a mean is exactly 0 or 1 (numerical guard).
BETA_GUARD = 1e-3
#: The income quantile below which residents count as the bottom quintile (output definition).
BOTTOM_QUINTILE = 0.2
#: Months in a survey year: the yearly participation counts restart every year.
MONTHS_PER_YEAR = 12


def _column(name: str) -> property:
    def get(self: Resident):
        return getattr(self.table, name)[self.row]

    def set_(self: Resident, value) -> None:
        getattr(self.table, name)[self.row] = value

    return property(get, set_, doc=f"This resident's ``{name}`` (a view into the column array).")


class Resident(mesa.Agent):
    """A resident (社区居民, internal driving force, docs/sources.md §2).

    State lives in the population's :class:`~cogov_sim.state.ResidentTable` at row ``self.row``;
    attribute access reads and writes that row. Monthly dynamics run vectorised in
    :class:`ResidentPopulation`. The model creates a resident's agent when it is first asked for
    (:meth:`~cogov_sim.model.CommunityModel.resident`, :meth:`~cogov_sim.model.CommunityModel.resident_agents`):
    nothing in the month needs them, and a registered Mesa agent costs ~450 bytes (a million: ~450 MiB).
    """

    def __init__(self, model: mesa.Model, table: ResidentTable, row: int) -> None:
        super().__init__(model)
        self.table = table
        self.row = int(row)

    community = _column("community")
    stage = _column("stage")
    income = _column("income")
    employed = _column("employed")
    satisfaction = _column("satisfaction")
    trust_government = _column("trust_government")
    trust_rc = _column("trust_rc")
    belonging = _column("belonging")
    efficacy = _column("efficacy")
    awareness = _column("awareness")
    party_member = _column("party_member")


def new_residents(community: np.ndarray, building: np.ndarray, age_tilt: np.ndarray, income_level: np.ndarray,
                  population: Population, behaviour: Behaviour, rng: np.random.Generator,
                  civic_rng: np.random.Generator, belonging: float | None = None,
                  awareness: float | None = None) -> ResidentTable:
    """Draw residents' characteristics and initial attitudes (docs/sources.md §2, §5.2, §7.3, §7.10).

    Life stage from the shares (retirees tilted by ``age_tilt``); income
    ``income_level · exp(N(−σ²/2, σ))`` (``σ`` = ``income_sd``, × ``retiree_income_factor`` for
    retirees); education ``clip(education_base + education_income_slope·ln income + N(0, education_sd))``;
    attitudes Beta with mean m and concentration κ = ``attitude_concentration``: Beta(κm, κ(1 − m)).
    From ``civic_rng``: Party membership (:func:`~cogov_sim.mechanisms.party.draw_party_members`),
    the in-service reporting draw, and interest in public affairs (``interested_share``).
    """
    pop = population
    n = len(community)
    youth, working, retiree = (LIFE_STAGE[s] for s in ("youth", "working", "retiree"))
    u = rng.random(n)
    p_retiree = np.clip(pop.share_retiree * age_tilt, 0.0, 1.0 - pop.share_youth)
    stage = np.where(u < pop.share_youth, youth, np.where(u < pop.share_youth + p_retiree, retiree, working)).astype(np.int64)
    income = (income_level * np.exp(rng.normal(-0.5 * pop.income_sd**2, pop.income_sd, n))
              * np.where(stage == retiree, pop.retiree_income_factor, 1.0))
    education = np.clip(pop.education_base + pop.education_income_slope * np.log(income)
                        + rng.normal(0.0, pop.education_sd, n), 0.0, 1.0)
    employed = (stage == working) & (rng.random(n) < pop.employment_rate)
    kappa = pop.attitude_concentration

    def beta(mean: float) -> np.ndarray:
        return rng.beta(kappa * mean + BETA_GUARD, kappa * (1.0 - mean) + BETA_GUARD, n)

    n_types = len(PARTICIPATION_TYPES)
    return ResidentTable(
        community=community.astype(np.int64), building=building.astype(np.int64), stage=stage,
        income=income, education=education, employed=employed, employer=np.full(n, -1, np.int64),
        intensity=intensity_draw(rng, n, K, pop.need_intensity_sd), propensity=rng.normal(0.0, behaviour.propensity_sd, n),
        satisfaction=beta(pop.initial_satisfaction), trust_government=beta(pop.initial_trust),
        trust_rc=beta(pop.initial_trust),
        belonging=beta(pop.initial_belonging if belonging is None else belonging),
        efficacy=beta(pop.initial_efficacy), awareness=beta(pop.initial_awareness if awareness is None else awareness),
        participated=np.zeros((n, n_types), bool), year_counts=np.zeros((n, n_types), np.int16),
        so_member=np.full(n, -1, np.int64), coverage=np.zeros(n),
        party_member=draw_party_members(stage, pop.party_member_share, pop.party_retiree_ratio,
                                        (1.0 - pop.share_youth - pop.share_retiree, pop.share_retiree),
                                        civic_rng.random(n)),
        report_draw=civic_rng.random(n), interested=civic_rng.random(n) < pop.interested_share,
        recent_voice=np.zeros((n, MONTHS_PER_YEAR), np.int8),
        last_volunteered=np.full(n, NEVER, np.int64))


@dataclass(frozen=True)
class CommunityOffer:
    """What the institutions offer residents this month, by community (inputs to M3/M4)."""

    outreach_hours: np.ndarray
    activity_hours: np.ndarray
    council_hours: np.ndarray
    fund_per_resident: np.ndarray
    rc_response: np.ndarray
    government_response: float
    fund_share: np.ndarray
    escalation_shock: np.ndarray


class ResidentPopulation:
    """All residents: the column table, the network, derived arrays and the monthly phases.

    Args:
        table: the residents' column state.
        adjacency: symmetric resident network (CSR). Only its row-normalised version
            (``neighbour_mean``) is kept; :attr:`adjacency` rebuilds the binary ties from its pattern.
        n_communities: number of communities.
        population, economy, behaviour: the scenario's parameter groups (needs, market access,
            time cost and outside options are derived from them).
    """

    def __init__(self, table: ResidentTable, adjacency: sp.csr_matrix, n_communities: int,
                 population: Population, economy: Economy, behaviour: Behaviour) -> None:
        self.table = table
        self.neighbour_mean = row_normalised(adjacency)
        self.n_communities = n_communities
        self.population, self.economy, self.behaviour = population, economy, behaviour
        self.unmet_by_community = np.zeros((n_communities, K))
        self.engagement = np.zeros(n_communities)
        self.suggestions = np.zeros(K)
        self.n_suggestions = 0
        self.reindex()

    def __len__(self) -> int:
        return len(self.table)

    def reindex(self) -> None:
        """Recompute the derived arrays after the population changed (setup and events)."""
        r = self.table
        n = len(r)
        self.membership = sp.csr_matrix((np.ones(n), (r.community, np.arange(n))), shape=(self.n_communities, n))
        self.community_population = np.asarray(self.membership.sum(axis=1)).ravel()
        eco, beh = self.economy, self.behaviour
        self.need_profile = need_profile(self.population.base_need, r.stage, r.intensity)
        self.need_profile[:, HEALTH] *= inverse_care_need(r.income, self.behaviour.inverse_care_need_income)
        self.profile_total = row_sums(self.need_profile)
        self.market_access = market_access(r.income, eco.market_price_index, eco.market_access_spread)
        self.health_quality = inverse_care_quality(r.income, beh.inverse_care_quality)
        self.time_cost = time_cost(beh.time_cost, r.stage, r.employed, beh.time_cost_jobless_factor)
        w = beh.outside_option_income_weight
        self.outside_option = w * np.clip(np.log1p(r.income), 0.0, 1.0) + (1.0 - w) * r.education
        of_working_age = r.stage == LIFE_STAGE["working"]
        working = self.membership @ of_working_age.astype(float)
        self.unemployment = safe_ratio(self.membership @ (of_working_age & ~r.employed).astype(float), working)
        self.bottom_quintile = np.flatnonzero(r.income <= np.quantile(r.income, BOTTOM_QUINTILE))   # rows
        self.participated_any = r.participated.any(axis=1).astype(float)
        self.adult = r.stage != LIFE_STAGE["youth"]
        self.students = np.flatnonzero(~self.adult)                  # rows
        self.organised = np.zeros(n, bool)
        self.building_group = np.zeros(int(r.building.max()) + 1 if n else 0, bool)
        self.unmet = np.zeros((n, K))

    @property
    def adjacency(self) -> sp.csr_matrix:
        """The binary resident tie matrix (rebuilt from ``neighbour_mean``'s pattern, for events and analysis)."""
        return binary_ties(self.neighbour_mean)

    @property
    def service_quality(self) -> np.ndarray:
        """Quality of the public services each resident gets, (N, K): 1 but in health (built on demand;
        the month uses ``health_quality``)."""
        quality = np.ones((len(self), K))
        quality[:, HEALTH] = self.health_quality
        return quality

    def arrive(self, newcomers: ResidentTable, adjacency: sp.csr_matrix) -> None:
        """Migrants join: their rows are appended and the network replaced by ``adjacency``."""
        self.table.append(newcomers)
        self.neighbour_mean = row_normalised(adjacency)
        self.reindex()

    def _count_by_community(self, flags: np.ndarray) -> np.ndarray:
        """Flagged residents per community, as floats (equal to ``membership @ flags``: integer sums)."""
        return np.bincount(self.table.community[flags], minlength=self.n_communities).astype(float)

    def awareness_by_community(self) -> np.ndarray:
        """Mean awareness of the RC per community."""
        return safe_ratio(self.membership @ self.table.awareness, np.maximum(self.community_population, 1))

    def release_members(self, organisation_ids: list[int]) -> None:
        """Members of dissolved organisations become unaffiliated."""
        self.table.so_member[np.isin(self.table.so_member, organisation_ids)] = -1

    # ------------------------------------------------------------------ the month
    def needs_arise(self, month_index: int, shock: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """M1: this month's needs per resident, their totals, and demand by community and domain.

        A new survey year (every 12th month) restarts the yearly participation counts.
        """
        if month_index % MONTHS_PER_YEAR == 0:
            self.table.year_counts[:] = 0
        need = monthly_needs(self.need_profile, self.table.community, shock)
        need_total = row_sums(need) if shock is not None else self.profile_total
        return need, need_total, self.membership @ need

    def meet_needs(self, month: Month, behaviour: Behaviour) -> None:
        """M2: all providers' supply meets residents' needs; sets coverage and unmet need (``month.unmet``
        is the population's buffer, overwritten next month)."""
        r = self.table
        lev, beh = month.levers, behaviour
        month.public_units = (month.government_units + month.so_units + month.project_units + month.rc_money_units
                              + month.admin_units)
        month.self_organisation = 1.0 - beh.grid_dependence * float(lev.grid_management) * (
            1.0 - beh.grid_services_relief * float(lev.grid_services))
        month.aid = mutual_aid(self.neighbour_mean, r.participated[:, 2], beh.mutual_aid_rate) * month.self_organisation
        # within-health mix (sources §7.16): government supplies mostly curative care, SOs, projects and the RC
        # follow the need they know, the market sells treatment
        pi, gov = beh.health_preventive_need, month.government_units[:, HEALTH]
        public_h = month.public_units[:, HEALTH]
        sigma_public = safe_ratio(gov * beh.health_preventive_government + (public_h - gov) * pi, public_h, pi)
        market_h, rc_h = month.market_units[:, HEALTH], month.rc_units[:, HEALTH]
        month.health_mismatch = within_health_mismatch(
            safe_ratio(public_h * sigma_public + rc_h * pi + market_h * beh.health_preventive_market,
                       public_h + rc_h + market_h, pi), pi, public_h + rc_h + market_h)
        month.unmet, month.met_public = match_services(
            month.need, r.community, health_mix_units(month.public_units, month.demand, HEALTH, pi, sigma_public),
            month.rc_units, month.demand, r.awareness,
            health_mix_units(month.market_units, month.demand, HEALTH, pi, beh.health_preventive_market),
            self.market_access, month.aid, self.health_quality, quality_domain=HEALTH, out=self.unmet)
        r.coverage = 1.0 - safe_ratio(row_sums(month.unmet), month.need_total, default=0.0)
        self.unmet_by_community = self.membership @ month.unmet
        month.top_unmet = np.argmax(month.unmet, axis=1)

    def organise_party(self, levers: Levers, behaviour: Behaviour) -> np.ndarray:
        """The Party organisation this month (sources §7.3): which members are organised in the
        community (retirees and jobless members; in-service members who report, 双报到), which
        buildings have a Party group, and Party strength per community (returned)."""
        r = self.table
        self.organised = organised_members(r.party_member, r.stage, r.employed, r.report_draw,
                                           levers.in_service_reporting)
        self.building_group = building_groups(self.organised, r.building, len(self.building_group),
                                              behaviour.party_group_min_members)
        return party_strength(levers.party_building, self.building_group, r.building, r.community,
                              self.n_communities, behaviour.party_committee_weight)

    def drivers(self, month: Month, offer: CommunityOffer, behaviour: Behaviour) -> ParticipationDrivers:
        """Per-resident inputs of M3 this month."""
        r, lev, beh = self.table, month.levers, behaviour
        pop = np.maximum(self.community_population, 1)
        reach = np.minimum(1.0, offer.outreach_hours / (beh.full_outreach_hours * pop))
        employed = (r.stage == LIFE_STAGE["working"]) & r.employed
        unit_people = employed & (r.employer < 0)              # working outside the community (单位人)
        return ParticipationDrivers(
            belonging=r.belonging, efficacy=r.efficacy,
            peer=self.neighbour_mean @ self.participated_any,
            outreach=r.awareness * reach[r.community],
            stakes=resident_stakes(stakes(offer.fund_per_resident, lev.council, beh.stakes_half_saturation,
                                          beh.stakes_without_council)[r.community], r.awareness,
                                   lev.affairs_sorting, beh.sorting_stakes),
            time_cost=self.time_cost, outside_option=self.outside_option, propensity=r.propensity,
            tie=np.where(unit_people, 1.0 - beh.unit_tie_discount, 1.0),
            pull=np.where(r.interested, 1.0, beh.indifferent_pull),
            mobilised=np.where(self.organised, month.party_strength[r.community], 0.0),
            employed=employed.astype(float),
            volunteer_lead=lev.party_building * self.building_group[r.building])

    def take_part(self, month: Month, offer: CommunityOffer, behaviour: Behaviour, resident_giving: float,
                  ledger: Ledger, rng: np.random.Generator) -> tuple[ParticipationDrivers, np.ndarray]:
        """M3: residents decide whether to attend, speak up, volunteer, deliberate.

        Donors give to their community's micro-fund (ledger ``donors → fund:c``). Returns the
        drivers and the deliberators' votes by community and domain (their unmet needs).
        """
        r, lev = self.table, month.levers
        pop = np.maximum(self.community_population, 1)
        drivers = self.drivers(month, offer, behaviour)
        supply = ((offer.activity_hours + behaviour.activity_per_culture_unit * month.so_units[:, CULTURE])
                  / (behaviour.full_activity_supply * pop))
        activity = np.minimum(1.0, behaviour.activity_floor + (1.0 - behaviour.activity_floor) * supply)
        council = float(lev.council) * np.minimum(1.0, offer.council_hours / (behaviour.full_council_hours * pop))
        seats = behaviour.council_seats_per_1000 * self.community_population / 1000.0
        eta = participation_logit(drivers, behaviour)
        seat = seat_holders(np.where(self.adult, eta, -np.inf), r.community, seats)
        availability = np.empty((len(r), len(PARTICIPATION_TYPES)))       # reused for the draws below
        availability[:, 0] = activity[r.community]
        availability[:, 1] = self.adult
        availability[:, 2] = 1.0
        np.multiply(availability[:, 1], deliberation_availability(council[r.community], seat, lev.affairs_sorting,
                                                                  behaviour.sorting_affair_rate), out=availability[:, 3])
        p = participation_probability(drivers, behaviour, availability, month.self_organisation, eta=eta)
        with_school_activities(p, self.students, behaviour.school_activity_rate, out=p)
        took = np.less(rng.random(out=availability), p)
        r.participated = took
        self.participated_any = (took[:, 0] | took[:, 1] | took[:, 2] | took[:, 3]).astype(float)
        r.year_counts += took
        r.recent_voice[:, month.index % MONTHS_PER_YEAR] = took[:, 1].astype(np.int8) + took[:, 3]
        self.engagement = safe_ratio(self._count_by_community(took[:, 1] | took[:, 3]), pop)
        speakers, deliberators = np.flatnonzero(took[:, 1]), np.flatnonzero(took[:, 3])
        self.suggestions = row_group_sums(month.unmet, speakers, np.zeros(len(speakers), np.intp), 1)[0]
        self.n_suggestions = len(speakers)
        votes = row_group_sums(month.unmet, deliberators, r.community[deliberators], self.n_communities)
        donors = self._count_by_community(took[:, 2] | took[:, 3])
        for c in range(self.n_communities):
            amount = donors[c] * resident_giving
            ledger.transfer("donors", f"fund:{c}", amount, "resident_donations")
            month.donations[c] += amount
        return drivers, votes

    def update_attitudes(self, month: Month, offer: CommunityOffer, drivers: ParticipationDrivers,
                         behaviour: Behaviour, rng: np.random.Generator) -> None:
        """M4: satisfaction, trust, belonging, efficacy, awareness; and willingness (T1)."""
        r, beh = self.table, behaviour
        pop = np.maximum(self.community_population, 1)
        took = r.participated
        rc_response = offer.rc_response
        gov_response = offer.government_response
        acted_on = took[:, 1] & (rng.random(len(r)) < 1.0 - (1.0 - rc_response[r.community]) * (1.0 - gov_response))
        funded_voice = np.zeros(len(r), bool)
        deliberators = np.flatnonzero(took[:, 3])
        if len(deliberators):
            share = offer.fund_share[r.community[deliberators]]
            funded_voice[deliberators] = voice_success(month.top_unmet[deliberators], share) & (share.sum(axis=1) > 0)
        shock = offer.escalation_shock[r.community]
        r.satisfaction = update_satisfaction(r.satisfaction, r.coverage, r.employed | (r.stage != LIFE_STAGE["working"]),
                                             beh.satisfaction_rate, beh.satisfaction_job_weight)
        voiced = took[:, 1]
        r.trust_government = update_trust(r.trust_government, r.coverage, np.where(voiced, acted_on, gov_response),
                                          beh.trust_rate, beh.trust_service_weight, shock)
        r.trust_rc = update_trust(r.trust_rc, r.coverage * r.awareness,
                                  np.where(voiced, acted_on, rc_response[r.community]), beh.trust_rate,
                                  beh.trust_service_weight, shock)
        r.belonging = update_belonging(r.belonging, self.participated_any > 0, beh.belonging_gain, beh.belonging_decay)
        success = efficacy_success(acted_on | funded_voice, took[:, 3], month.levers.affairs_sorting,
                                   rc_response[r.community])
        r.efficacy = update_efficacy(r.efficacy, success, beh.efficacy_gain, beh.efficacy_decay)
        contact = np.minimum(1.0, beh.awareness_contact * offer.outreach_hours / pop)
        r.awareness = update_awareness(r.awareness, contact[r.community], took[:, 0].astype(float), self.neighbour_mean,
                                       beh.awareness_peer, beh.awareness_decay, beh.awareness_activity_contact)
        month.willingness = willingness(drivers, beh)

    def join_organisations(self, month: Month, strongest: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
        """M7: volunteers without an organisation join the strongest grassroots group serving their
        largest unmet need (``strongest``: group id per community and domain, −1 none).

        Records the month in ``last_volunteered``. Returns the volunteers left unserved, their count
        per community and domain (who may found an organisation), and each organisation's volunteers
        this month.
        """
        r = self.table
        volunteers = r.participated[:, 2]
        r.last_volunteered[volunteers] = month.index
        top = month.top_unmet
        target = strongest[r.community, top]
        joining = volunteers & (r.so_member < 0) & (target >= 0)
        r.so_member[joining] = target[joining]
        ids, counts = np.unique(r.so_member[volunteers & (r.so_member >= 0)], return_counts=True)
        unserved = volunteers & (target < 0)
        cells = np.bincount(r.community[unserved] * K + top[unserved], minlength=self.n_communities * K)
        return unserved, cells.reshape(self.n_communities, K).astype(float), dict(zip(ids.tolist(), counts.tolist(),
                                                                                      strict=True))

    def enrol_founders(self, unserved: np.ndarray, top_unmet: np.ndarray, births: np.ndarray,
                       organisation_ids: np.ndarray, founders: int, rng: np.random.Generator) -> None:
        """Unserved volunteers become the founding members of this month's new organisations, drawn
        without replacement within each community and domain (each resident founds at most one group;
        :func:`~cogov_sim.mechanisms.organisations.assign_founders`).

        ``unserved``: the unserved volunteers (mask); ``births``: new organisations per community and
        domain; ``organisation_ids``: their ids, cell by cell in row-major order of ``births``;
        ``founders``: founders per organisation at most.
        """
        rows = np.flatnonzero(unserved)
        flat = births.ravel()
        cell = self.table.community[rows] * K + top_unmet[rows]
        group = assign_founders(cell, flat, founders, rng.random(len(rows)))
        chosen = group >= 0
        first = np.cumsum(flat) - flat
        self.table.so_member[rows[chosen]] = organisation_ids[first[cell[chosen]] + group[chosen]]
