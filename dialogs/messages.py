"""What crosses the boundary between a channel and the dialog: turns in, replies out.

Channel-neutral, exactly as shared/spec/conversation-api.md describes a Reply.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from rules.types import LocalDatetime

SlotKind = Literal["money", "datetime", "choice", "bool", "text", "number", "documents"]


class Button(BaseModel):
    id: str
    label: str


class Expects(BaseModel):
    slot: str
    kind: SlotKind


class Reply(BaseModel):
    text: str
    buttons: list[Button] = Field(default_factory=list)
    expects: Expects | None = None


class Turn(BaseModel):
    """One message into the dialog: free text or a button id, and when it was sent."""

    text: str | None = None
    choice: str | None = None
    sent_at: LocalDatetime
    # "agent": a hotline agent answering the dialog on a caller's behalf (phone mode).
    by: Literal["victim", "agent"] = "victim"


class TranscriptEntry(BaseModel):
    role: Literal["victim", "bot", "agent", "system"]
    text: str
    at: datetime
    buttons: list[Button] = Field(default_factory=list)


# A transcript as a whole, read or written at once: a third of the cost entry by entry.
TRANSCRIPT: TypeAdapter[list[TranscriptEntry]] = TypeAdapter(list[TranscriptEntry])


class StepResult(BaseModel):
    """The dialog's answer to one turn.

    `state` is the whole conversation state as plain JSON-able data: the runtime stores it
    as it is and hands it back on the next turn. `said` is the user's message as it may be
    stored (already redacted). `events` names what happened, for the console and metrics.
    """

    replies: list[Reply]
    state: dict[str, Any]
    state_name: str
    handoff: bool = False
    said: str | None = None
    events: list[str] = Field(default_factory=list)
