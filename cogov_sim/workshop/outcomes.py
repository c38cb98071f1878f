"""The outcomes a workshop compares, in the order shown, with their number formats.

Kept light (no imports) so that ``cogov`` can read it at start-up: ``cogov run``'s one-seed
table and ``cogov compare``'s table show the same outcomes the same way. Labels come from the
translation table (:mod:`cogov_sim.workshop.i18n`).
"""

from __future__ import annotations

#: Summary column -> format (Python format string).
OUTCOME_FORMATS: dict[str, str] = {
    "coverage": "{:.1%}",
    "mismatch": "{:.3f}",
    "participation_any": "{:.1%}",
    "participation_public_affairs": "{:.1%}",
    "satisfaction": "{:.3f}",
    "trust_government": "{:.3f}",
    "belonging": "{:.3f}",
    "efficacy": "{:.3f}",
    "rc_admin_share": "{:.1%}",
    "rc_autonomy": "{:.3f}",
    "so_count": "{:.1f}",
    "so_government_share": "{:.1%}",
    "public_spending": "{:,.0f}",
    "cost_per_met_need": "{:.1f}",
    "disputes_escalated": "{:.2f}",
    "gini_coverage": "{:.3f}",
    "coverage_bottom_quintile": "{:.1%}",
    "synthesis_efficiency": "{:.3f}",
    "opposition_share": "{:.1%}",
}

#: Outcomes drawn over time (the headline outcomes).
HEADLINE = ("coverage", "participation_any", "trust_government", "rc_admin_share", "so_count", "synthesis_efficiency")
