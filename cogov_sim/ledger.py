"""Double-entry budget ledger: every CNY moves from one account to another (ODD §7.5).

External accounts (``treasury``, ``donors``, ``departments`` — the district departments' own lines,
sources §7.7 — and ``city``, the city's or district's account that pays community funds as new money
beside the street's budget, sources §7.9) go negative as money enters the street;
``spent:<use>`` accounts collect money turned into services or costs. The sum over all
accounts is therefore always zero, and agents' funds are read from their accounts, so money
cannot appear or vanish outside a recorded transfer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

#: The city's (district's) account: participatory community funds are paid from it straight into the
#: communities' funds, new money that is not carved out of the street's service budget (sources §7.9.2).
CITY = "city"
EXTERNAL = ("treasury", "donors", "departments", CITY)
ROUNDING_DUST = 1e-9
#: Floating-point slack of the books, relative to the money moved so far (CNY per CNY): sums of
#: double-precision amounts drift by a few ulps per addition, i.e. ~1e-16 of the money moved each
#: time; 1e-11 allows ~10^5 worst-case additions, while a real bug (money created or lost by a missing
#: transfer) is a whole amount.
RELATIVE_SLACK = 1e-11
#: Absolute slack (CNY) when little money has moved.
ABSOLUTE_SLACK = 1e-6


class LedgerError(RuntimeError):
    """An internal accounting inconsistency (a bug, not a user error)."""


class Ledger:
    """Accounts with balances, and the month's flows by category."""

    def __init__(self) -> None:
        self.balances: dict[str, float] = defaultdict(float)
        self.flows: dict[str, float] = defaultdict(float)
        self.outflow: dict[str, float] = defaultdict(float)
        #: Total money moved since the ledger opened (sum of every transfer's amount, CNY).
        self.moved = 0.0

    def slack(self, amount: float = 0.0) -> float:
        """Rounding slack (CNY) for balances built from the money moved so far, plus ``amount``."""
        return max(ABSOLUTE_SLACK, RELATIVE_SLACK * (self.moved + amount))

    def transfer(self, source: str, target: str, amount: float, category: str) -> float:
        """Move ``amount`` (≥ 0) from ``source`` to ``target``; internal accounts may not overdraw.

        Rounding dust (a negative amount above −1e-9 CNY from floating-point splits) counts as 0.
        """
        if not amount > 0:
            return self._nothing(source, target, amount)
        balances = self.balances
        if source not in EXTERNAL and balances[source] < amount - ABSOLUTE_SLACK and \
                balances[source] < amount - self.slack(amount):  # the slack is at least ABSOLUTE_SLACK
            raise LedgerError(f"{source} holds {balances[source]:.2f}, cannot pay {amount:.2f} ({category})")
        balances[source] -= amount
        balances[target] += amount
        self.flows[category] += amount
        self.outflow[source] += amount
        self.moved += amount
        return amount

    def transfer_each(self, source: str, targets: Sequence[str], amounts: Iterable[float], category: str) -> np.ndarray:
        """Move ``amounts[i]`` from ``source`` to ``targets[i]``, one :meth:`transfer` per pair in order (the
        same books and checks). Returns the amounts moved (0 for rounding dust)."""
        return np.array([self.transfer(source, target, amount, category)
                         for target, amount in zip(targets, amounts, strict=True)], dtype=float)

    @staticmethod
    def _nothing(source: str, target: str, amount: float) -> float:
        """A transfer of nothing: 0 for a zero amount or rounding dust (a negative amount above −1e-9 CNY from
        floating-point splits); a :class:`LedgerError` for a negative amount or NaN."""
        if amount == 0 or -ROUNDING_DUST < amount < 0:
            return 0.0
        raise LedgerError(f"transfer of {amount!r} from {source} to {target}")

    def spend(self, source: str, amount: float, use: str) -> float:
        """Turn money into services or costs: a transfer to ``spent:<use>``."""
        return self.transfer(source, f"spent:{use}", amount, use)

    def balance(self, account: str) -> float:
        """Current balance of ``account``."""
        return self.balances.get(account, 0.0)

    def close(self, account: str, use: str) -> None:
        """Spend whatever ``account`` holds and drop it (an SO that dies)."""
        self.spend(account, max(0.0, self.balances.get(account, 0.0)), use)
        self.balances.pop(account, None)

    def new_month(self) -> None:
        """Start recording a new month's flows."""
        self.flows = defaultdict(float)
        self.outflow = defaultdict(float)

    def imbalance(self) -> float:
        """Sum of all balances; zero up to rounding when the books balance."""
        return float(sum(self.balances.values()))

    def check(self) -> None:
        """Raise if the books do not balance or an internal account is overdrawn.

        The tolerance is relative to the money actually moved (:meth:`slack`): a run whose
        budget starts at 0 and is raised later is held to the money it moves, not to its
        first month's.
        """
        slack = self.slack()
        if abs(self.imbalance()) > slack:
            raise LedgerError(f"ledger out of balance by {self.imbalance():.6f} (allowed ±{slack:.6f})")
        low = [k for k, v in self.balances.items() if k not in EXTERNAL and v < -slack]
        if low:
            raise LedgerError(f"overdrawn accounts: {low[:3]}")
