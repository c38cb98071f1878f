"""The residents' monthly arithmetic done in place, over rows or off the network's pattern gives bit for bit
what the plain formulas give (the speed and memory work must not change results)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from cogov_sim.mechanisms import attitudes, participation, supply
from cogov_sim.mechanisms.common import row_group_sums, row_sums, sigmoid
from cogov_sim.metrics import active_participants
from cogov_sim.network import binary_ties, neighbour_counts, row_normalised, symmetric_adjacency
from cogov_sim.parameters import Behaviour, K

B = Behaviour()
N = 5_000


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(11)


@pytest.fixture
def ties(rng) -> sp.csr_matrix:
    return symmetric_adjacency(rng.integers(0, N, 4 * N), rng.integers(0, N, 4 * N), N)


def test_row_sums_and_group_sums_equal_numpy_reductions(rng):
    a = rng.random((N, K)) * rng.lognormal(0.0, 3.0, (N, K))
    assert np.array_equal(row_sums(a), a.sum(axis=1))
    mask = rng.random(N) < 0.3
    rows = np.flatnonzero(mask)
    group = rng.integers(0, 7, N)
    assert np.array_equal(row_group_sums(a, rows, np.zeros(len(rows), np.intp), 1)[0], (a * mask[:, None]).sum(axis=0))
    membership = sp.csr_matrix((np.ones(N), (group, np.arange(N))), shape=(7, N))
    assert np.array_equal(row_group_sums(a, rows, group[rows], 7), membership @ (a * mask[:, None]))


def test_neighbour_counts_and_binary_ties_read_the_pattern(rng, ties):
    mean = row_normalised(ties)
    flags = rng.random(N) < 0.2
    assert np.array_equal(neighbour_counts(mean, flags), ties @ flags.astype(float))
    assert (binary_ties(mean) != ties).nnz == 0
    assert np.array_equal(supply.mutual_aid(mean, flags, 0.3), np.minimum(1.0, 0.3 * (ties @ flags.astype(float))))


def test_in_place_formulas_equal_the_plain_ones(rng, ties):
    x = rng.normal(0.0, 3.0, (N, 4))
    assert np.array_equal(sigmoid(x.copy(), out=np.empty_like(x)), 1.0 / (1.0 + np.exp(-x)))
    d = participation.ParticipationDrivers(*(rng.random(N) for _ in range(8)), tie=rng.random(N),
                                           pull=rng.random(N), mobilised=rng.random(N), employed=rng.random(N),
                                           volunteer_lead=rng.random(N))
    eta = (d.tie * (B.belonging_weight * d.belonging + B.peer_weight * d.peer) + B.efficacy_weight * d.efficacy
           + d.pull * (B.outreach_weight * d.outreach + B.stakes_weight * d.stakes
                       + B.party_mobilisation_weight * d.mobilised)
           + B.employment_energy_weight * d.employed
           - B.time_cost_weight * d.time_cost - B.outside_option_weight * d.outside_option + d.propensity)
    assert np.array_equal(participation.participation_logit(d, B), eta)
    availability = rng.random((N, 4))
    p = participation.participation_probability(d, B, availability, 0.8)
    assert np.array_equal(participation.participation_probability(d, B, availability, 0.8, eta=eta), p)
    student = rng.random(N) < 0.2
    copy = participation.with_school_activities(p, student, 0.4)
    assert not np.array_equal(copy, p)
    assert np.array_equal(participation.with_school_activities(p, student, 0.4, out=p), copy)
    awareness, contact, attended = rng.random(N), rng.random(N), (rng.random(N) < 0.3).astype(float)
    mean = row_normalised(ties)
    reach = 1.0 - (1.0 - contact) * (1.0 - 0.2 * attended) * (1.0 - 0.1 * (mean @ awareness))
    plain = np.clip(awareness + (1.0 - awareness) * reach - 0.05 * awareness, 0.0, 1.0)
    assert np.array_equal(attitudes.update_awareness(awareness, contact, attended, mean, 0.1, 0.05, 0.2), plain)


def test_matching_with_one_quality_column_equals_the_full_quality_matrix(rng):
    c = 5
    community = np.sort(rng.integers(0, c, N))
    units = [rng.random((c, K)) * 100 for _ in range(4)]
    need, awareness, access, aid = rng.random((N, K)), rng.random(N), rng.random(N), rng.random(N) * 0.3
    quality = np.ones((N, K))
    quality[:, 2] = rng.random(N)
    full = supply.match_services(need, community, units[0], units[1], units[2], awareness, units[3], access, aid, quality)
    buffer = np.empty((N, K))
    column = supply.match_services(need, community, units[0], units[1], units[2], awareness, units[3], access, aid,
                                   quality[:, 2], quality_domain=2, out=buffer)
    assert column[0] is buffer and np.array_equal(column[0], full[0]) and column[1] == full[1]


def test_active_participants_counts_acts_over_the_window(rng):
    recent = rng.integers(0, 3, (N, 12)).astype(np.int8)
    assert np.array_equal(active_participants(recent, 30), recent.sum(axis=1) > 5)
