"""The schema of a product file: one wording version of one product, its clauses and what each does.

A product file is data written by people from a seed document. It is checked strictly when it is
loaded: an unknown or misplaced key is an error naming the file and the key, never ignored.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rules.vocabulary import Account, Cause, Document, Kind

Flag = Literal["gross_negligence", "violated_account_rules"]
Authentication = Literal["password", "otp"]
# Terms a 释义 defines that are not causes: cited beside the check that used them.
Term = Literal["freeze", "premium_due_date"]
DeadlineStart = Literal["claim_submitted", "documents_complete", "agreement", "freeze", "after"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WindowEffect(_Strict):
    """The time before the freeze in which a loss is covered."""

    hours: int | None = Field(default=None, gt=0)
    """Fixed by the product (短信宝: 48); None: the policy's window_hours."""


class PremiumEffect(_Strict):
    suspended_from_day: int = Field(gt=0)
    """An unpaid installment due on D suspends cover from 00:00 of D + this many days (第十八条)."""


class LateClaimEffect(_Strict):
    days: int = Field(gt=0)
    """A claim submitted more than this many days after the freeze goes to a person."""


class DeadlineRule(_Strict):
    id: str
    days: int = Field(gt=0)
    start: DeadlineStart
    """claim_submitted / freeze: dated from that time; documents_complete: from the claim once
    nothing is missing; agreement: from a date the rules cannot know (due stays null);
    after: from the due date of the deadline named in `after`."""
    after: str | None = None
    label: str

    @model_validator(mode="after")
    def _after_names_a_deadline(self) -> DeadlineRule:
        if (self.start == "after") != (self.after is not None):
            raise ValueError("`after` is given exactly when start is 'after'")
        return self


class Effect(_Strict):
    """What a clause does to a decision. Every key is optional; most clauses set one or two."""

    # Step 1, accounts
    insured_accounts: list[Account] = []
    owner_unverified: bool = False
    # Step 2, time against the policy
    period: bool = False
    cancellation: bool = False
    premium: PremiumEffect | None = None
    # Step 3, the window before the freeze
    window: WindowEffect | None = None
    before_window: bool = False
    after_freeze: bool = False
    # Step 4, kinds of transaction
    excludes_kinds: list[Kind] = []
    reviews_kinds: list[Kind] = []
    covers_kinds: list[Kind] = []
    """Kinds a product names as covered (白条, 金条, E卡): cited on a covered line of that kind."""
    # Step 5, causes and conduct
    covers: list[Cause] = []
    on_accounts: list[Account] = []
    """Narrows `covers` to these accounts; a narrower covering clause wins over a general one."""
    excludes: list[Cause] = []
    reviews: list[Cause] = []
    defines: list[Cause | Term] = []
    excludes_flags: list[Flag] = []
    reviews_flags: list[Flag] = []
    reviews_authenticated: list[Authentication] = []
    voids_unexplained_exclusions: bool = False
    # Step 6 and after
    mitigation: bool = False
    late_claim: LateClaimEffect | None = None
    # Amounts
    deducts_compensated: bool = False
    deducts_recovered: bool = False
    deductible: bool = False
    other_insurance_share: bool = False
    caps_at_sum_insured: bool = False
    joint_pro_rata: bool = False
    # Documents, reminders, deadlines
    requires: list[Document] = []
    required_when_claimed_over: Decimal | None = None
    recommends: list[Document] = []
    documents_at_once: bool = False
    reminds_to_report: bool = False
    deadlines: list[DeadlineRule] = []

    @model_validator(mode="after")
    def _narrowing_needs_covers(self) -> Effect:
        if self.on_accounts and not self.covers:
            raise ValueError("on_accounts narrows `covers`, which is empty")
        if self.required_when_claimed_over is not None and not self.requires:
            raise ValueError("required_when_claimed_over applies to `requires`, which is empty")
        return self

    def is_empty(self) -> bool:
        return not self.model_dump(exclude_defaults=True)


class Clause(_Strict):
    id: str = Field(min_length=1)
    """As cited: 第四条(一), 第五条(十一), 释义2; a guide's own ids such as 短信宝:48小时."""
    text: str = Field(min_length=1)
    """Verbatim from the source; separate excerpts of one article are joined by ……"""
    effect: Effect

    @model_validator(mode="after")
    def _does_something(self) -> Clause:
        if self.effect.is_empty():
            raise ValueError(f"clause {self.id} has an empty effect: say what it does")
        return self


class Defaults(_Strict):
    """What a dialog may propose before the victim has read their policy schedule."""

    window_hours: int = Field(gt=0)
    covered_accounts: list[Account] = Field(min_length=1)


class ProductFile(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1)
    kind: Literal["wording", "guide"]
    insurer: str
    registration: str | None = None
    effective_from: date | None
    """None: the source states no date, so the version is in force for every purchase date."""
    title: str
    source: str
    defaults: Defaults
    clauses: list[Clause] = Field(min_length=1)

    @model_validator(mode="after")
    def _clause_ids_unique(self) -> ProductFile:
        seen: set[str] = set()
        for clause in self.clauses:
            if clause.id in seen:
                raise ValueError(f"clause {clause.id} appears twice")
            seen.add(clause.id)
        return self
