"""The nested community network (ODD §2.1): households in buildings in grids in
communities; Watts–Strogatz inside buildings, sparse weak ties across; reproducible."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from cogov_sim.model import CommunityModel
from cogov_sim.network import Network, build_network, row_normalised, symmetric_adjacency
from cogov_sim.parameters import Population

N = 3000
POP = Population(residents=N, residents_per_community=1000, residents_per_building=60, residents_per_grid=500)


def network(pop: Population = POP, n: int = N, seed: int = 0) -> Network:
    return build_network(pop, n, np.random.default_rng(seed))


@pytest.fixture(scope="module")
def net() -> Network:
    return network()


def edges(a: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    coo = a.tocoo()
    return coo.row, coo.col


def test_adjacency_is_binary_symmetric_without_self_loops(net):
    a = net.adjacency
    assert a.shape == (N, N)
    assert (a != a.T).nnz == 0
    assert a.diagonal().sum() == 0
    assert np.all(a.data == 1.0)


def test_network_is_reproducible_from_the_seed():
    one, two, other = network(seed=7), network(seed=7), network(seed=8)
    assert (one.adjacency != two.adjacency).nnz == 0
    for name in ("community", "grid", "building", "household"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))
    assert (one.adjacency != other.adjacency).nnz > 0


def test_residents_tie_only_within_their_community(net):
    row, col = edges(net.adjacency)
    assert np.all(net.community[row] == net.community[col])
    assert net.n_communities == 3


def test_households_are_cliques_inside_one_building(net):
    a = net.adjacency.tolil()
    sizes = np.bincount(net.household)
    assert sizes.max() > 2                                   # the test must see real households
    for h in np.flatnonzero(sizes > 1)[:400]:
        members = np.flatnonzero(net.household == h)
        block = a[members][:, members].toarray()
        assert np.all(block + np.eye(len(members)) == 1), f"household {h} is not a clique"
        assert len(set(net.building[members])) == 1


def test_household_sizes_follow_the_mean(net):
    sizes = np.bincount(net.household)
    assert sizes.mean() == pytest.approx(POP.mean_household_size, rel=0.15)


def test_buildings_and_grids_nest_in_communities(net):
    for inner in ("building", "grid", "household"):
        pairs = np.unique(np.c_[getattr(net, inner), net.community], axis=0)
        assert len(pairs) == len(np.unique(getattr(net, inner))), f"a {inner} spans two communities"
    assert net.n_grids == len(np.unique(net.grid)) == 6        # 1,000 residents / 500 per grid, 3 communities
    np.testing.assert_array_equal(np.bincount(net.community), [1000, 1000, 1000])
    # grids are made of whole buildings: 500 residents each, give or take one building
    assert np.all(np.abs(np.bincount(net.grid) - 500) <= POP.residents_per_building)


def test_buildings_nest_in_grids_and_the_hierarchy_is_a_tree(net):
    pairs = np.unique(np.c_[net.building, net.grid], axis=0)
    assert len(pairs) == len(np.unique(net.building)), "a building spans two grids"
    tree = net.hierarchy()
    assert nx.is_tree(tree.to_undirected())
    assert tree.out_degree("street") == net.n_communities


def test_hierarchy_is_a_tree_when_each_community_is_one_grid():
    one_grid = network(Population(residents=N, residents_per_community=1000, residents_per_grid=4500))
    tree = one_grid.hierarchy()
    assert nx.is_tree(tree.to_undirected())
    assert tree.out_degree("street") == 3 and one_grid.n_grids == 3
    assert sum(1 for n in tree if n.startswith("building:")) == len(np.unique(one_grid.building))


def _pure_small_world(size: int, ties: int, rewiring: float, seed: int) -> Network:
    """Buildings only: one-person households and no cross-building ties."""
    pop = Population(residents=size * 20, residents_per_community=size * 20, residents_per_building=size,
                     mean_household_size=1.0, cross_ties_per_resident=0.0, building_ties=ties, rewiring=rewiring)
    return network(pop, size * 20, seed)


@pytest.mark.parametrize(("size", "ties", "rewiring"), [(60, 4, 0.1), (40, 6, 0.2), (80, 4, 0.0)])
def test_buildings_are_watts_strogatz_small_worlds(size, ties, rewiring):
    net = _pure_small_world(size, ties, rewiring, seed=3)
    graph = net.resident_graph()
    ours_degree, ours_clustering = [], []
    for b in np.unique(net.building):
        sub = graph.subgraph(np.flatnonzero(net.building == b).tolist())
        ours_degree.append(2 * sub.number_of_edges() / sub.number_of_nodes())
        ours_clustering.append(nx.average_clustering(sub))
    ref = [nx.watts_strogatz_graph(size, ties, rewiring, seed=s) for s in range(20)]
    ref_degree = np.mean([2 * g.number_of_edges() / size for g in ref])
    ref_clustering = np.mean([nx.average_clustering(g) for g in ref])
    # rewired ties that land on an existing neighbour or oneself are dropped (networkx redraws them),
    # so the mean degree may fall a little short of k: comparable within 5%
    assert np.mean(ours_degree) == pytest.approx(ref_degree, rel=0.05)
    assert np.mean(ours_degree) <= ref_degree
    assert np.mean(ours_clustering) == pytest.approx(ref_clustering, abs=0.05)
    assert np.all(net.degree > 0)


def test_rewiring_lowers_clustering_like_watts_strogatz():
    lattice = _pure_small_world(60, 4, 0.0, seed=1).resident_graph()
    rewired = _pure_small_world(60, 4, 0.5, seed=1).resident_graph()
    assert nx.average_clustering(lattice) == pytest.approx(0.5)       # ring lattice: 3(k-2)/(4(k-1))
    assert nx.average_clustering(rewired) < 0.3


def test_cross_ties_add_sparse_weak_ties_between_buildings():
    without = network(Population(residents=N, residents_per_community=1000, cross_ties_per_resident=0.0))
    with_ties = network(Population(residents=N, residents_per_community=1000, cross_ties_per_resident=2.0))
    row, col = edges(with_ties.adjacency)
    across = with_ties.building[row] != with_ties.building[col]
    row0, col0 = edges(without.adjacency)
    assert not np.any(without.building[row0] != without.building[col0])
    assert across.sum() / 2 == pytest.approx(N * 2.0 / 2, rel=0.1)
    assert with_ties.degree.mean() == pytest.approx(without.degree.mean() + 2.0, abs=0.2)


def test_symmetric_adjacency_drops_loops_and_duplicates():
    a = symmetric_adjacency(np.array([0, 1, 0, 2, 2]), np.array([1, 0, 1, 2, 0]), 3)
    np.testing.assert_array_equal(a.toarray(), [[0, 1, 1], [1, 0, 0], [1, 0, 0]])


def test_row_normalised_rows_sum_to_one_and_isolated_rows_stay_empty():
    a = symmetric_adjacency(np.array([0, 0]), np.array([1, 2]), 4)
    m = row_normalised(a)
    np.testing.assert_allclose(np.asarray(m.sum(axis=1)).ravel(), [1, 1, 1, 0])
    v = np.array([1.0, 0.0, 1.0, 5.0])
    np.testing.assert_allclose(m @ v, [0.5, 1.0, 1.0, 0.0])        # neighbours' mean


def test_model_uses_the_seeded_network():
    one = CommunityModel("cooperative", seed=4, residents=400)
    two = CommunityModel("cooperative", seed=4, residents=400)
    other = CommunityModel("cooperative", seed=5, residents=400)
    assert (one.residents.adjacency != two.residents.adjacency).nnz == 0
    assert (one.residents.adjacency != other.residents.adjacency).nnz > 0
    row, col = edges(one.residents.adjacency)
    assert np.all(one.residents.table.community[row] == one.residents.table.community[col])
