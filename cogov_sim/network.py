"""The nested community network (ODD §2.1).

Households nest in buildings, buildings in grids, grids in communities, communities in one
street. Ties: every household is a clique; within a building residents form a
Watts–Strogatz small world (networkx); sparse weak ties join random residents of the same
community. All draws come from the model's generator, so the network is reproducible from
the seed. Residents' neighbour aggregations use the symmetric CSR adjacency built here
once (the residents keep only its row-normalised version; :func:`neighbour_counts` reads the
ties off its pattern); :meth:`Network.resident_graph` gives the same ties as a networkx graph
for analysis.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp

from .parameters import Population


@dataclass
class Network:
    """Membership arrays (one entry per resident) and the resident tie matrix."""

    community: np.ndarray
    grid: np.ndarray
    building: np.ndarray
    household: np.ndarray
    adjacency: sp.csr_matrix
    n_communities: int
    n_grids: int

    @property
    def degree(self) -> np.ndarray:
        """Number of ties per resident."""
        return np.diff(self.adjacency.indptr)

    def resident_graph(self) -> nx.Graph:
        """The resident tie network as a networkx graph (for analysis, not for stepping)."""
        return nx.from_scipy_sparse_array(self.adjacency)

    def hierarchy(self) -> nx.DiGraph:
        """The administrative nesting street → community → grid → building as a tree."""
        g = nx.DiGraph()
        g.add_node("street", level="street")
        for c, gr, b in np.unique(np.c_[self.community, self.grid, self.building], axis=0):
            g.add_edge("street", f"community:{c}")
            g.add_edge(f"community:{c}", f"grid:{gr}")
            g.add_edge(f"grid:{gr}", f"building:{b}")
        return g


def community_count(residents: int, residents_per_community: int) -> int:
    """Communities (one RC each) of a street of ``residents``: the nearest whole number of
    ``residents_per_community``-sized blocks, at least one."""
    return max(1, round(residents / residents_per_community))


def build_network(pop: Population, n: int, rng: np.random.Generator) -> Network:
    """Build the nested network for ``n`` residents, vectorised over buildings.

    Communities hold ``residents_per_community`` residents, buildings
    ``residents_per_building``, grids ``residents_per_grid`` (sources §4.5: 4,000–5,000);
    each unit is a contiguous block of resident indices, and grids are made of whole buildings. Household sizes are
    1 + Poisson(mean_household_size − 1), and every household is a clique.
    Within a building: the Watts–Strogatz (1998) small world of
    ``networkx.watts_strogatz_graph(n_b, building_ties, rewiring)`` — a ring lattice whose
    edges are rewired to a random building-mate with probability ``rewiring`` — generated
    for all buildings at once. Across buildings: Poisson(n_c · cross_ties_per_resident / 2)
    random pairs per community.
    """
    n_comm = community_count(pop.residents, pop.residents_per_community)
    community = np.arange(n) * n_comm // n
    comm_size = np.bincount(community, minlength=n_comm)
    comm_start = np.r_[0, np.cumsum(comm_size)[:-1]]
    local = np.arange(n) - comm_start[community]
    build_c = np.maximum(1, np.rint(comm_size / pop.residents_per_building).astype(np.int64))
    local_building = local * build_c[community] // comm_size[community]
    building = (np.r_[0, np.cumsum(build_c)[:-1]])[community] + local_building
    grids_c = np.minimum(build_c, np.maximum(1, np.rint(comm_size / pop.residents_per_grid).astype(np.int64)))
    grid = (np.r_[0, np.cumsum(grids_c)[:-1]])[community] + local_building * grids_c[community] // build_c[community]
    household = _households(building, pop.mean_household_size, rng)
    b_size = np.bincount(building)
    b_start = np.r_[0, np.cumsum(b_size)[:-1]]
    pos = np.arange(n) - b_start[building]
    size = b_size[building]
    rows, cols = [], []
    for gap in range(1, int(np.bincount(household).max())):       # household cliques
        same = household[:-gap] == household[gap:]
        rows.append(np.flatnonzero(same))
        cols.append(np.flatnonzero(same) + gap)
    for j in range(1, pop.building_ties // 2 + 1):                  # ring lattice, then rewiring
        target = b_start[building] + (pos + j) % size
        rewire = rng.random(n) < pop.rewiring
        target[rewire] = b_start[building[rewire]] + rng.integers(0, size[rewire])
        keep = j < size
        rows.append(np.arange(n)[keep])
        cols.append(target[keep])
    n_cross = rng.poisson(comm_size * pop.cross_ties_per_resident / 2.0)
    cross_comm = np.repeat(np.arange(n_comm), n_cross)
    for _ in range(2):
        (rows if _ == 0 else cols).append(comm_start[cross_comm] + rng.integers(0, comm_size[cross_comm]))
    adjacency = symmetric_adjacency(np.concatenate(rows), np.concatenate(cols), n)
    return Network(community=community, grid=grid, building=building, household=household,
                   adjacency=adjacency, n_communities=n_comm, n_grids=int(grids_c.sum()))


def symmetric_adjacency(rows: np.ndarray, cols: np.ndarray, n: int) -> sp.csr_matrix:
    """Binary symmetric CSR matrix from an edge list, without self-loops or duplicates."""
    keep = rows != cols
    r, c = rows[keep], cols[keep]
    a = sp.coo_matrix((np.ones(2 * len(r)), (np.r_[r, c], np.r_[c, r])), shape=(n, n)).tocsr()
    a.data[:] = 1.0
    a.sum_duplicates()
    a.data[:] = 1.0
    return a


def row_normalised(adjacency: sp.csr_matrix) -> sp.csr_matrix:
    """Row-stochastic version of ``adjacency`` (isolated residents keep an empty row)."""
    deg = np.asarray(adjacency.sum(axis=1)).ravel()
    inv = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
    return sp.diags(inv) @ adjacency


def binary_ties(ties: sp.csr_matrix) -> sp.csr_matrix:
    """The binary adjacency with the sparsity pattern of ``ties`` (e.g. :func:`row_normalised`'s
    result); it shares ``ties``' index arrays, only the ones are new."""
    return sp.csr_matrix((np.ones(ties.nnz), ties.indices, ties.indptr), shape=ties.shape)


def neighbour_counts(ties: sp.csr_matrix, flags: np.ndarray) -> np.ndarray:
    """Number of flagged neighbours per resident, ``Σ_j A_ij flags_j`` for the binary adjacency ``A``
    with the pattern of ``ties`` (only the pattern is read, so a row-normalised version of the network
    gives the same). Integer sums, so they equal ``A @ flags`` exactly; as floats."""
    running = np.zeros(ties.nnz + 1, np.int32 if ties.nnz < 2**31 else np.int64)
    np.cumsum(np.take(np.asarray(flags, bool).astype(np.uint8), ties.indices), out=running[1:], dtype=running.dtype)
    return (running[ties.indptr[1:]] - running[ties.indptr[:-1]]).astype(float)


def _households(building: np.ndarray, mean_size: float, rng: np.random.Generator) -> np.ndarray:
    """Household index per resident: consecutive blocks of 1 + Poisson(mean − 1) residents,
    cut at building boundaries so that a household never spans two buildings."""
    n = len(building)
    sizes = 1 + rng.poisson(max(mean_size - 1.0, 0.0), size=n)
    block = np.repeat(np.arange(n), sizes)[:n]
    new = np.r_[True, (block[1:] != block[:-1]) | (building[1:] != building[:-1])]
    return np.cumsum(new) - 1
