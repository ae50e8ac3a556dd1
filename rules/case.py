"""The case: what the dialog gathers and the rules decide (shared/spec/case-format.md, "Case")."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rules.types import LocalDatetime, Money, Ratio
from rules.vocabulary import Account, Cause, Document, Kind


class _Strict(BaseModel):
    # An unknown key is a typo in someone's case file: refuse it by name.
    model_config = ConfigDict(extra="forbid")


class SinglePremium(_Strict):
    mode: Literal["single"] = "single"
    paid: bool = True


class MonthlyPremium(_Strict):
    mode: Literal["monthly"]
    first_paid: bool = True
    unpaid_due_date: date | None = None
    reinstated_on: date | None = None


Premium = Annotated[SinglePremium | MonthlyPremium, Field(discriminator="mode")]


class Policy(_Strict):
    product: str = Field(min_length=1)
    purchased_on: date
    wording_version: str | None = None
    period_start: LocalDatetime
    period_end: LocalDatetime
    window_hours: Annotated[int, Field(gt=0, le=24 * 366)]
    sum_insured: Money
    deductible: Money = Money(0)
    deductible_rate: Ratio = Ratio(0)
    paid_before: Money = Money(0)
    covered_accounts: list[Account]
    premium: Premium = Field(default_factory=SinglePremium)
    other_insurance_sum_insured: Money = Money(0)
    exclusions_explained: bool | None = None
    cancelled_at: LocalDatetime | None = None

    @model_validator(mode="after")
    def _period_in_order(self) -> Policy:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class PoliceReport(_Strict):
    filed: bool = False
    at: LocalDatetime | None = None


class Incident(_Strict):
    cause: Cause = Cause.unknown
    discovered_at: LocalDatetime | None = None
    frozen_at: LocalDatetime | None = None
    police_report: PoliceReport = Field(default_factory=PoliceReport)
    insurer_notified_at: LocalDatetime | None = None
    gross_negligence: bool = False
    violated_account_rules: bool = False
    # Additions to the spec, gathered by the dialog and ignored by the rules: the victim's own
    # account of what happened, and whether money was still leaving when they wrote.
    narrative: str | None = Field(default=None, max_length=2000)
    money_leaving: bool | None = None


class Transaction(_Strict):
    id: str = Field(min_length=1, max_length=64)
    at: LocalDatetime
    amount: Annotated[Money, Field(gt=0)]
    account: Account
    institution: str | None = None
    kind: Kind
    compensated: Money = Money(0)
    recovered: Money = Money(0)
    cause: Cause | None = None
    frozen_at: LocalDatetime | None = None
    account_owner_verified: bool = True
    authenticated_with: Literal["password", "otp"] | None = None


class Case(_Strict):
    policy: Policy
    incident: Incident
    transactions: list[Transaction]
    documents: list[Document] = Field(default_factory=list)
    claim_submitted_at: LocalDatetime | None = None

    @model_validator(mode="after")
    def _unique_transaction_ids(self) -> Case:
        seen: set[str] = set()
        for tx in self.transactions:
            if tx.id in seen:
                raise ValueError(f"transaction id {tx.id!r} appears twice")
            seen.add(tx.id)
        return self


class JointClaims(_Strict):
    """Several insured persons of one shared policy claiming together (wording 002, 第七条(三))."""

    claims: list[Case] = Field(min_length=1)
