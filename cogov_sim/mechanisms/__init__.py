"""Mechanisms M1–M10 of ODD §7: small pure functions over arrays.

Each function's docstring cites the sources § it comes from and states its equation.
Agents and the model hold state and call these; nothing here knows a governance
model's name — regimes differ only through the lever values passed in (ODD §1.1).
"""
