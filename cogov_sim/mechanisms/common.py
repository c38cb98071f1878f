"""Small numeric helpers shared by the mechanisms."""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray | float, out: np.ndarray | None = None) -> np.ndarray:
    """Logistic function 1 / (1 + e^(−x)); into ``out`` if given (which may be ``x`` itself)."""
    if out is None:
        return 1.0 / (1.0 + np.exp(-x))
    np.negative(x, out=out)
    np.exp(out, out=out)
    np.add(out, 1.0, out=out)
    return np.divide(1.0, out, out=out)


#: numpy sums fewer than this many numbers one after the other (pairwise summation from here on).
SEQUENTIAL_SUM_LENGTH = 8


def row_sums(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=1)`` of an (N, K) array with K < :data:`SEQUENTIAL_SUM_LENGTH`, bit for bit, by adding
    its columns left to right: one pass per column instead of N short reductions."""
    if a.shape[1] >= SEQUENTIAL_SUM_LENGTH:
        return a.sum(axis=1)
    out = a[:, 0].copy()
    for k in range(1, a.shape[1]):
        out += a[:, k]
    return out


def normalise(v: np.ndarray, axis: int = -1) -> np.ndarray:
    """Scale non-negative ``v`` to sum 1 along ``axis``; an all-zero slice becomes uniform."""
    v = np.asarray(v, dtype=float)
    s = v.sum(axis=axis, keepdims=True)
    positive = s > 0
    if positive.all():                                   # the usual case: a plain division
        return v / s
    uniform = np.full_like(v, 1.0 / v.shape[axis])
    return np.divide(v, s, out=uniform, where=positive)


def safe_ratio(a: np.ndarray | float, b: np.ndarray | float, default: float = 0.0) -> np.ndarray:
    """``a / b`` elementwise, ``default`` where ``b`` is 0."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    nonzero = b != 0
    if nonzero.all() and (a.ndim or b.ndim):             # the usual case: a plain division (an array, as below)
        return a / b
    out = np.full(np.broadcast(a, b).shape, default, dtype=float)
    return np.divide(a, b, out=out, where=nonzero)


def total_variation(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Total-variation distance between the mixes of non-negative ``p`` and ``q`` along the last
    axis: ``½ Σ_k |p_k/Σp − q_k/Σq|`` (0 when the mixes agree, 1 when disjoint)."""
    return 0.5 * np.abs(normalise(p) - normalise(q)).sum(axis=-1)


def row_group_sums(a: np.ndarray, rows: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Sums of the rows ``rows`` (ascending) of an (N, K) array per group, (n_groups, K): ``group[j]`` is
    the group of ``a[rows[j]]``. Accumulated row by row in order, so bit for bit what ``(a * mask).sum(axis=0)``
    or a 0/1 indicator matrix times ``a`` gives, touching only the rows summed."""
    return np.column_stack([np.bincount(group, weights=a[rows, k], minlength=n_groups) for k in range(a.shape[1])])
