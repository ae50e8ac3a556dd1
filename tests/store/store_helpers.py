"""Records and transcript entries for the store tests to write."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.store.base import ConversationRecord, hash_token, new_conversation_id, new_token
from dialogs.messages import TranscriptEntry

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def entry(text: str, role: str = "victim") -> TranscriptEntry:
    return TranscriptEntry.model_validate({"role": role, "text": text, "at": T0})


def record(**fields: Any) -> ConversationRecord:
    data: dict[str, Any] = {
        "id": new_conversation_id(),
        "token_hash": hash_token(new_token()),
        "channel": "web",
        "locale": "zh-CN",
        "state": {"state": "ask_kind", "facts": {}},
        "state_name": "ask_kind",
        "created_at": T0,
        "updated_at": T0,
    }
    return ConversationRecord.model_validate({**data, **fields})
