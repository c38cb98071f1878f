"""Signed force synthesis along a main line set outside any actor (ODD §7.13; sources §2.6–§2.7, §7.1–§7.2)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from cogov_sim.mechanisms import forces
from cogov_sim.mechanisms.common import normalise
from cogov_sim.metrics import ACTOR_PAIRS, ACTORS, AXES
from cogov_sim.model import CommunityModel
from cogov_sim.parameters import K
from cogov_sim.scenario import Scenario

LINE = forces.main_line_vector(normalise(np.arange(1.0, K + 1)), 0.2)


def synthesis(rows: list[tuple[int, np.ndarray]], n_actors: int = 2) -> forces.Synthesis:
    return forces.signed_synthesis(np.vstack([v for _, v in rows]), np.array([a for a, _ in rows]), n_actors, LINE)


# ----------------------------------------------------------------------------- the pure functions
def test_identical_forces_along_the_main_line_give_efficiency_one():
    s = synthesis([(0, 3.0 * LINE), (1, 5.0 * LINE)])
    assert s.efficiency == pytest.approx(1.0)
    assert s.opposition == 0.0
    np.testing.assert_allclose(s.along, [3.0, 5.0])
    assert s.angles[0, 1] == pytest.approx(0.0, abs=1e-5)


def test_opposing_forces_give_negative_efficiency_and_opposition():
    s = synthesis([(0, 2.0 * LINE), (1, -5.0 * LINE)])
    assert s.efficiency == pytest.approx((2.0 - 5.0) / 7.0)
    assert s.opposition == pytest.approx(5.0 / 7.0)
    assert s.along[1] < 0
    assert s.angles[0, 1] == pytest.approx(180.0)


def test_divergent_directions_shrink_the_resultant():
    axes = np.eye(K + 1)
    agree = synthesis([(0, axes[0] + axes[1]), (1, axes[0] + axes[1])])
    diverge = synthesis([(0, 2 * axes[0]), (1, 2 * axes[1])])
    assert diverge.efficiency < agree.efficiency
    assert diverge.angles[0, 1] == pytest.approx(90.0)


def test_opposition_is_zero_when_every_contribution_points_along_the_line():
    gen = np.random.default_rng(3)
    rows = [(int(a), gen.random(K + 1) * 100) for a in gen.integers(0, 5, 20)]   # non-negative, line non-negative
    s = synthesis(rows, 5)
    assert s.opposition == 0.0
    assert 0.0 < s.efficiency <= 1.0
    rows.append((0, forces.on_axis(-50.0, forces.SELF_GOVERNANCE)))
    assert synthesis(rows, 5).opposition > 0.0


def test_bounds_hold_for_random_signed_forces():
    gen = np.random.default_rng(4)
    for _ in range(200):
        contributions = gen.normal(0.0, 1.0, (12, K + 1)) * gen.exponential(100.0, (12, 1))
        s = forces.signed_synthesis(contributions, gen.integers(0, 5, 12), 5, LINE)
        assert -1.0 - 1e-12 <= s.efficiency <= 1.0 + 1e-12
        assert 0.0 <= s.opposition <= 1.0
        assert np.all((s.angles >= 0.0) & (s.angles <= 180.0))
        np.testing.assert_allclose(s.forces.sum(axis=0) @ LINE, s.along.sum())


def test_zero_forces_give_no_nan():
    s = forces.signed_synthesis(np.zeros((4, K + 1)), np.arange(4), 5, LINE)
    assert (s.efficiency, s.opposition) == (0.0, 0.0)
    assert np.all(np.isfinite(s.angles)) and np.all(np.isfinite(s.along))
    assert s.angles[0, 4] == 90.0                      # no direction: reported as orthogonal


def test_main_line_comes_from_society_goals_and_needs_only():
    goal, need = np.ones(K), np.array([[0, 3.0, 0, 0, 1, 0], [1, 1, 1, 1, 1, 1]])
    line = forces.main_line(goal, need, 0.5)
    np.testing.assert_allclose(line.sum(axis=1), 1.0)
    np.testing.assert_allclose(forces.main_line(goal, need, 0.0), np.tile(normalise(goal), (2, 1)))
    np.testing.assert_allclose(forces.main_line(goal, need, 1.0), normalise(need))
    m = forces.main_line_vector(line[0], 0.3)
    assert np.linalg.norm(m) == pytest.approx(1.0)
    assert m[forces.SELF_GOVERNANCE] / m[:K].sum() == pytest.approx(0.3 / 0.7)


def test_grid_displacement_and_steered_displacement():
    assert forces.displaced_self_organisation(100.0, 1.0) == 0.0
    assert forces.displaced_self_organisation(100.0, 0.6) == pytest.approx(100.0 * 0.4 / 0.6)
    assert forces.displaced_self_organisation(100.0, 0.0) == 0.0
    need = np.array([[1.0, 1, 0, 0, 0, 0]])
    assert forces.steered_displacement(np.array([50.0]), normalise(need[0]), need) == pytest.approx(0.0)
    steer = np.array([0, 0, 1.0, 0, 0, 0])
    assert forces.steered_displacement(np.array([50.0]), steer, need) == pytest.approx(50.0)
    assert forces.steered_displacement(np.array([0.0]), steer, need) == 0.0


# ----------------------------------------------------------------------------- in the model
def _run(scenario: Scenario | str, seed: int, months: int = 36, residents: int = 1000) -> dict[str, np.ndarray]:
    model = CommunityModel(scenario, seed=seed, residents=residents)
    rows = []
    for _ in range(months):
        model.step()
        rows.append(dict(model.metrics))
    return {k: np.array([r[k] for r in rows]) for k in rows[0]}


def test_model_outputs_are_consistent_and_bounded():
    out = _run("cooperative", seed=1, months=24)
    assert np.all(np.abs(out["synthesis_efficiency"]) <= 1.0)
    assert np.all((out["opposition_share"] >= 0) & (out["opposition_share"] <= 1))
    effort = sum(out[f"force_{a}"] for a in ACTORS)
    along = sum(out[f"force_main_{a}"] for a in ACTORS)
    np.testing.assert_allclose(along, out["synthesis_efficiency"] * effort, rtol=1e-9, atol=1e-6)
    for a in ACTORS:
        np.testing.assert_allclose(np.sqrt(sum(out[f"force_{a}_{x}"] ** 2 for x in AXES)), out[f"force_{a}"])
    for a, b in ACTOR_PAIRS:
        assert np.all((out[f"force_angle_{a}_{b}"] >= 0) & (out[f"force_angle_{a}_{b}"] <= 180))
    assert np.all(out["force_government_self_governance"] <= 0)     # it pushes administrative hours down
    assert np.all(out["force_platform_self_governance"] >= 0)


def test_main_line_ignores_government_own_priority():
    base = Scenario(name="defaults")
    steered = base.with_overrides({"behaviour.priority_health": 1.0, "behaviour.priority_children": 0.0})
    lines = []
    for sc in (base, steered):
        model = CommunityModel(sc, seed=2, residents=800)
        model.step()
        model.step()
        lines.append((model.current.main_line, model.government.direction))
    np.testing.assert_allclose(lines[0][0], lines[1][0])
    assert not np.allclose(lines[0][1], lines[1][1])


def test_directive_lever_bundle_meets_more_opposition():
    """A high directive-intensity / high admin-load bundle against a low one, paired over 3 seeds
    (levers only; sources §7.1, §7.6.2: tasks pushed down crowd out self-governance)."""
    base = Scenario(name="defaults")
    high = base.with_overrides({"levers.directive_intensity": 0.9, "levers.admin_load": 1.2})
    low = base.with_overrides({"levers.directive_intensity": 0.2, "levers.admin_load": 0.3})
    diff_opp, diff_eff = [], []
    for seed in range(3):
        h, lo = _run(high, seed), _run(low, seed)
        diff_opp.append(h["opposition_share"][-12:].mean() - lo["opposition_share"][-12:].mean())
        diff_eff.append(h["synthesis_efficiency"][-12:].mean() - lo["synthesis_efficiency"][-12:].mean())
    for diffs, sign in ((diff_opp, +1), (diff_eff, -1)):
        ci = stats.ttest_1samp(sign * np.array(diffs), 0.0).confidence_interval(0.95)
        assert ci.low > 0, (diffs, ci)
