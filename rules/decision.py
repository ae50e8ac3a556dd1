"""The decision: the rules' answer to a case (shared/spec/case-format.md, "Decision")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

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


# A plain dataclass made with positional arguments, not a model: a case makes ~5 steps a
# line, and a model instance costs three times as much to make. Pydantic still validates,
# serialises and documents it the same way.
@dataclass(slots=True)
class TraceStep:
    """One check as the console shows it: what it looked at and what it found."""

    check: str
    transaction: str | None  # None: a step about the whole case
    inputs: dict[str, Any]
    result: str
    # The wording's own tuple, not a list copied from it for each of a case's ~54 steps;
    # JSON and the schema show an array all the same.
    clauses: tuple[str, ...]


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
