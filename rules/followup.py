"""After the lines: the documents still to send, and the deadlines the insurer has to keep."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from rules.case import Case
from rules.construct import constructor
from rules.decision import Deadline, MissingDocument
from rules.vocabulary import DOCUMENT_LABELS
from rules.wording import Wording

_missing = constructor(MissingDocument)
_deadline = constructor(Deadline)


def missing_documents(case: Case, wording: Wording, claimed: Decimal) -> list[MissingDocument]:
    """Everything missing at once (第十四条), each with the clause that asks for it. Some are
    asked only above an amount (短信宝: a police receipt when more than 2000.00 is claimed)."""
    have = set(case.documents)
    missing = []
    for rule in wording.required:
        if rule.document in have:
            continue
        if rule.when_claimed_over is not None and claimed <= rule.when_claimed_over:
            continue
        label = DOCUMENT_LABELS[rule.document]
        missing.append(_missing({"id": rule.document, "clause": rule.clause, "label": label}))
    return missing


def deadlines(case: Case, wording: Wording, documents_complete: bool) -> list[Deadline]:
    """Each deadline of the wording, dated when the case says from when it runs; still listed
    with its label when it does not (the dialog tells the victim what to expect either way)."""
    submitted = case.claim_submitted_at
    due: dict[str, datetime | None] = {}
    out = []
    for rule, clause, length in wording.deadlines:
        start: datetime | None
        if rule.start == "claim_submitted":
            start = submitted
        elif rule.start == "documents_complete":
            start = submitted if documents_complete else None
        elif rule.start == "freeze":
            start = case.incident.frozen_at
        elif rule.start == "after":
            start = due.get(rule.after or "")
        else:  # agreement: a date the rules cannot know
            start = None
        due[rule.id] = start + length if start is not None else None
        out.append(
            _deadline(
                {"id": rule.id, "clause": clause, "due": due[rule.id], "label": rule.label},
            )
        )
    return out
