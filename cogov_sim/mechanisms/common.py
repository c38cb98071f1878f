"""Small numeric helpers shared by the mechanisms."""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    """Logistic function 1 / (1 + e^(−x))."""
    return 1.0 / (1.0 + np.exp(-x))


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
