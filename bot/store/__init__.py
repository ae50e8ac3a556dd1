"""Where conversations live: one interface (base), SQLite and Redis beside it."""

from bot.store.base import (
    Changes,
    CommitOutcome,
    ConversationNotFound,
    ConversationRecord,
    EvidenceMeta,
    ExternalKeyTaken,
    HandoffEntry,
    HandoffQueue,
    Store,
)

__all__ = [
    "Changes",
    "CommitOutcome",
    "ConversationNotFound",
    "ConversationRecord",
    "EvidenceMeta",
    "ExternalKeyTaken",
    "HandoffEntry",
    "HandoffQueue",
    "Store",
]
