"""The decision: the rules' answer to a case (shared/spec/case-format.md, "Decision")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from rules.types import Money, Ratio
from rules.vocabulary import Document, Status


class Wording(BaseModel):
    version: str
    effective_from: date | None
    title: str
    source: str


class Line(BaseModel):
    transaction: str
    status: Status
    claimed: Money
    eligible: Money
    clauses: list[str]
    reason: str


class Totals(BaseModel):
    claimed: Money
    eligible: Money
    deduction: Money
    share: Ratio
    payable: Money


class MissingDocument(BaseModel):
    id: Document
    clause: str
    label: str


class Deadline(BaseModel):
    id: str
    clause: str
    due: datetime | None
    label: str


class TraceStep(BaseModel):
    """One check as the console shows it: what it looked at and what it found."""

    check: str
    transaction: str | None = None
    inputs: dict[str, Any] = Field(default_factory=dict)
    result: str
    clauses: list[str] = Field(default_factory=list)


class Decision(BaseModel):
    product: str
    wording: Wording
    lines: list[Line]
    totals: Totals
    missing_documents: list[MissingDocument]
    deadlines: list[Deadline]
    provisional: bool
    notes: list[str]
    trace: list[TraceStep]


class JointDecision(BaseModel):
    claims: list[Decision]
