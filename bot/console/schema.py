"""What the console's JSON API answers, as /openapi.json describes it: the handlers return
the views' dicts as they are (bot/console/views.py); these models only document them, and the
schemathesis fuzz (tests/console/test_console_fuzz.py) checks every answer against them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from bot.api import CaseOut, ErrorTable
from bot.api import errors as api_errors
from bot.console.store import AuditEntry, Note
from bot.evidence import CONTENT_TYPES
from bot.store.base import HandoffStatus
from dialogs.messages import Reply, TranscriptEntry


class RiskOut(BaseModel):
    id: str
    label: str


class RowOut(BaseModel):
    """One line of the live list (views.row)."""

    id: str
    case_code: str
    channel: str
    locale: str
    state: str
    owner: str = Field(description="bot, or agent:<name>")
    handoff: HandoffStatus | None
    claimable: bool
    created_at: datetime
    updated_at: datetime
    risk: list[RiskOut]


class ListOut(BaseModel):
    me: str
    pending: int = Field(description="Hand-offs waiting in the queue.")
    conversations: list[RowOut]


class DetailOut(CaseOut):
    """One conversation live (views.detail): the case view the widget reads, and more."""

    conversation: RowOut
    summary: dict[str, Any] = Field(
        description="timeline, checklist, risk, to_verify (facts assumed because the victim did "
        "not know them), problems, hand-off reason."
    )
    whisper: Reply = Field(description="The bot's next question.")
    clauses: dict[str, str] = Field(description="The text of each clause the decision cites.")
    labels: dict[str, dict[str, str]]
    facts_shown: list[list[str]]
    notes: list[Note]
    audit: list[AuditEntry]
    me: str


class ExportOut(BaseModel):
    """The whole hand-off summary (views.export), downloaded as a file."""

    conversation: RowOut
    case_code: str
    case: dict[str, Any]
    decision: dict[str, Any] | None
    transcript: list[TranscriptEntry]
    markdown: str


class PhoneOut(BaseModel):
    id: str
    replies: list[Reply]


class AuditOut(BaseModel):
    entries: list[AuditEntry] = Field(description="Newest first.")


_ERRORS: ErrorTable = {
    401: ("Not logged in: no session cookie, or it expired", {}),
    403: ("No CSRF token, not the session's, or sent from another site", {}),
    404: ("No such conversation (or it expired)", {}),
    409: ("Not in this state: not queued, not taken over or another agent's, not a phone call, busy", {}),
    413: ("Body too large", {}),
    422: ("Malformed body or parameter", {}),
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of a console route's error answers, all in the one error format."""
    return api_errors(*statuses, table=_ERRORS)


def answers(status: int, model: type[BaseModel], description: str, *failures: int) -> dict[int | str, Any]:
    """A route's answer when it succeeds, and its errors."""
    return {status: {"model": model, "description": description}, **errors(*failures)}


# Every POST: the session's CSRF token, which the console's pages carry in a <meta> tag. A
# required header, not a second security scheme: FastAPI would list the two schemes as
# alternatives, where a POST needs the session and the token both.
CSRF: dict[str, Any] = {
    "parameters": [
        {
            "name": "X-CSRF-Token",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": 'The session\'s CSRF token (`<meta name="csrf-token">` of a console page).',
        }
    ]
}
ATTACHMENT = {
    "Content-Disposition": {
        "description": "attachment; filename=…",
        "required": True,
        "schema": {"type": "string"},
    }
}
# A download is one of the kinds an upload may be.
EVIDENCE_FILE = {
    "description": "The file, as an attachment",
    "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in CONTENT_TYPES},
    "headers": ATTACHMENT,
}
