"""The simulated survey: the sources' questionnaire asked of the simulated population
(ODD §7.14, §1.2; sources §6). Asked at the end of every simulated year over that year's 12
months (ODD §2.4). The residents' questions are asked of adults (working-age residents and
retirees): the sources surveyed households (sources §6.2); participation by life stage is
reported for every stage, students included.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .actors.committee import ResidentsCommittee
from .actors.residents import MONTHS_PER_YEAR
from .parameters import LIFE_STAGES, Behaviour, Levers
from .state import ResidentTable

#: Calibration targets (ODD §1.2): (question, answer) -> (target share, source).
TARGETS: dict[tuple[str, str], tuple[str, float, str]] = {
    ("willing_to_take_part_often", "yes"): ("T1", 0.25, "Shanghai 2000, sources §6"),
    ("public_affairs_per_year", "never"): ("T2", 0.366, "Mianyang 2019, sources §6"),
    ("public_affairs_per_year", "more than 5"): ("T3", 0.041, "Mianyang 2019, sources §6"),
    ("community_activity", "never"): ("T4", 0.441, "Mianyang 2019, sources §6"),
    ("rc_staff_main_difficulty", "administrative work"): ("T5", 0.88, "Mianyang 2019, sources §6"),
    ("rc_staff_community_is_autonomous", "yes"): ("", 0.08, "Mianyang 2019, sources §6 (not a target)"),
}
DIFFICULTIES = ("administrative work", "lack of funds", "low resident participation", "staff capacity")


def staff_difficulty_scores(admin_share: float, overload: float, funding_adequacy: float, engagement: float,
                            staff: int, b: Behaviour, rng: np.random.Generator) -> np.ndarray:
    """Each staff member's perceived weight of the four difficulties (sources §6.2, §5.5.1);
    ``b`` is the :class:`~cogov_sim.parameters.Behaviour`.

    ``admin = admin share + overload``,
    ``funds = difficulty_funds_base + difficulty_funds_shortfall·(1 − adequacy)``,
    ``participation = difficulty_participation·(1 − min(1, difficulty_engagement_scale·engagement))``,
    ``capacity = difficulty_capacity`` (low pay, sources §5.5.1), each plus ``N(0, staff_difficulty_noise)``;
    a staff member names the largest as the main difficulty.
    """
    base = np.array([admin_share + overload, b.difficulty_funds_base + b.difficulty_funds_shortfall * (1.0 - funding_adequacy),
                     b.difficulty_participation * (1.0 - min(1.0, b.difficulty_engagement_scale * engagement)),
                     b.difficulty_capacity])
    return base[None, :] + rng.normal(0.0, b.staff_difficulty_noise, size=(staff, len(base)))


def buckets(counts: np.ndarray) -> dict[str, float]:
    """Yearly frequency buckets of the Mianyang questionnaire: never, 1–2, 3–5, more than 5."""
    return {"never": float((counts == 0).mean()), "1-2": float(((counts >= 1) & (counts <= 2)).mean()),
            "3-5": float(((counts >= 3) & (counts <= 5)).mean()), "more than 5": float((counts > 5).mean())}


def conduct_survey(year: int, residents: ResidentTable, willingness: np.ndarray, engagement: np.ndarray,
                   committees: Sequence[ResidentsCommittee], levers: Levers, behaviour: Behaviour,
                   rng: np.random.Generator) -> list[dict]:
    """Ask the simulated population and RC staff the sources' questions about survey ``year``;
    one row per answer."""
    r = residents
    rows: list[dict] = []

    def add(question: str, answer: str, share: float, respondents: int) -> None:
        target_id, target, source = TARGETS.get((question, answer), ("", float("nan"), ""))
        rows.append({"year": year, "question": question, "answer": answer, "share": share,
                     "respondents": respondents, "target_id": target_id, "target": target, "source": source})

    adult = r.stage != LIFE_STAGES.index("youth")
    n = int(adult.sum())
    counts = r.year_counts[adult]
    for answer, share in buckets(counts[:, 1]).items():
        add("public_affairs_per_year", answer, share, n)
    attended = counts[:, 0] > 0
    add("community_activity", "never", float((~attended).mean()), n)
    add("community_activity", "at least once", float(attended.mean()), n)
    willing = float(willingness[adult].mean())
    add("willing_to_take_part_often", "yes", willing, n)
    add("willing_to_take_part_often", "no", 1.0 - willing, n)
    add("volunteered_this_year", "yes", float((counts[:, 2] > 0).mean()), n)
    add("deliberated_this_year", "yes", float((counts[:, 3] > 0).mean()), n)
    add("knows_the_rc", "yes", float(r.awareness[adult].mean()), n)
    add("satisfied_with_services", "yes", float((r.satisfaction[adult] > behaviour.satisfied_threshold).mean()), n)
    add("party_member", "yes", float(r.party_member[adult].mean()), n)
    took_part = r.year_counts.sum(axis=1) > 0
    voice_monthly = r.year_counts[:, 1] + r.year_counts[:, 3] >= MONTHS_PER_YEAR   # at least monthly on average
    for i, stage in enumerate(LIFE_STAGES):
        in_stage = r.stage == i
        size = int(in_stage.sum())
        add("took_part_this_year", stage, float(took_part[in_stage].mean()) if size else 0.0, size)
        add("public_affairs_monthly", stage, float(voice_monthly[in_stage].mean()) if size else 0.0, size)
    adequacy = levers.funds_follow_tasks if levers.task_delegation > 0 else 1.0
    named = np.concatenate([
        np.argmax(staff_difficulty_scores(rc.admin_share, rc.overload, adequacy, engagement[rc.community],
                                          rc.staff, behaviour, rng), axis=1) for rc in committees])
    for i, answer in enumerate(DIFFICULTIES):
        add("rc_staff_main_difficulty", answer, float((named == i).mean()), len(named))
    autonomous = float(np.mean([rc.autonomy for rc in committees]))
    add("rc_staff_community_is_autonomous", "yes", autonomous, len(named))
    return rows
