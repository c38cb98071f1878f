"""Four-force synthesis (动力合成, sources §2; ODD §7.13)."""

from __future__ import annotations

import numpy as np


def force_synthesis(forces: np.ndarray, need: np.ndarray) -> dict[str, float]:
    """Resultant of the actor classes' force vectors (rows of ``forces``, CNY by domain).

    ``R = Σ_a F_a``; magnitude ``|R|``; alignment ``|R| / Σ_a |F_a|`` (1 when all forces
    point the same way, sources §2); need alignment ``cos(R, need)``.
    """
    resultant = forces.sum(axis=0)
    magnitude = float(np.linalg.norm(resultant))
    total = float(np.linalg.norm(forces, axis=1).sum())
    need_norm = float(np.linalg.norm(need))
    return {
        "resultant_magnitude": magnitude,
        "force_alignment": magnitude / total if total > 0 else 0.0,
        "need_alignment": float(resultant @ need) / (magnitude * need_norm) if magnitude > 0 and need_norm > 0 else 0.0,
    }

