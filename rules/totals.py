"""Money over the whole case: deduction, other-insurance share, the cap, and joint claims.

Amounts stay exact until the end (Decimal sums, Fraction for the share so that 1/3 is 1/3), and
are rounded half-up to the cent once, as case-format.md asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from math import floor

from rules.case import Policy
from rules.types import CENT, floor_cents, round_cents
from rules.wording import Clauses, Wording

ZERO = Decimal(0)
ONE = Decimal(1)


class Amounts:
    """The totals of one case, exact, with the clauses each figure used."""

    __slots__ = ("claimed", "clauses", "deduction", "eligible", "payable", "remaining", "share")

    share: Fraction | None

    def __init__(self, wording: Wording, policy: Policy, claimed: Decimal, eligible: Decimal):
        self.claimed = claimed
        self.eligible = eligible
        clauses: Clauses = ()
        # 第九条 and the wording's 免赔 item; without them (短信宝: 全额赔偿) nothing is deducted.
        if wording.deductible_clauses:
            by_rate = eligible * policy.deductible_rate
            self.deduction = min(eligible, max(policy.deductible, by_rate))
            if self.deduction:
                clauses += wording.deductible_clauses
        else:
            self.deduction = ZERO
        base = eligible - self.deduction
        # 第二十五条: this policy bears its share of all policies covering the same loss.
        other = policy.other_insurance_sum_insured
        amount: Decimal | Fraction
        if wording.share_clauses and other > 0:
            self.share = Fraction(policy.sum_insured) / Fraction(policy.sum_insured + other)
            amount = Fraction(base) * self.share
            clauses += wording.share_clauses
        else:
            self.share = None  # all of it; a Fraction(1) costs a microsecond to build
            amount = base
        # 第七条, 第二十二条: never more than what is left of the sum insured.
        self.remaining = max(ZERO, policy.sum_insured - policy.paid_before)
        if amount > self.remaining:
            amount = self.remaining
            clauses += wording.cap_clauses
        payable = round_half_up(amount)
        # A remaining amount with sub-cent digits must not be exceeded by rounding up.
        self.payable = payable if payable <= self.remaining else floor_cents(self.remaining)
        self.clauses = clauses

    def share_decimal(self) -> Decimal:
        share = self.share
        if share is None:
            return ONE
        return Decimal(share.numerator) / Decimal(share.denominator)


def round_half_up(amount: Decimal | Fraction) -> Decimal:
    if isinstance(amount, Decimal):
        return round_cents(amount)
    cents = floor(amount * 100 + Fraction(1, 2))  # amounts are never negative
    return Decimal(cents) * CENT


def split_remaining(own: Sequence[Decimal], remaining: Decimal) -> list[Decimal]:
    """第七条(三): own payables that together exceed what is left of the shared sum insured are
    cut to own ÷ Σown × remaining, rounded down to the cent; the cents left over go one by one to
    the largest dropped fractions, ties to the earlier claim, so the parts sum to `remaining`."""
    total = sum(own, ZERO)
    pool = floor_cents(remaining)
    if total <= pool:
        return list(own)
    exact = [Fraction(o) * Fraction(pool) / Fraction(total) for o in own]
    cents = [floor(x * 100) for x in exact]
    leftover = int(pool * 100) - sum(cents)
    by_dropped = sorted(range(len(own)), key=lambda i: (-(exact[i] * 100 - cents[i]), i))
    for i in by_dropped[:leftover]:
        cents[i] += 1
    return [Decimal(c) * CENT for c in cents]
