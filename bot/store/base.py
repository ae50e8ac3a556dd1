"""The one storage interface, and the records that cross it.

A conversation is one record (owner, the dialog's opaque state, a version for compare-and-set)
plus an append-only transcript, its evidence files' metadata, and the results of the client
message ids already applied. Every change to a record goes through `commit_turn`: one atomic
step that checks the version and the message id, so turns never interleave or repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dialogs.messages import TRANSCRIPT, TranscriptEntry

if TYPE_CHECKING:
    from bot.events import Events

HandoffStatus = Literal["queued", "claimed", "closed"]
CommitStatus = Literal["applied", "duplicate", "conflict"]
BOT = "bot"


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def micros(at: datetime) -> int:
    """Microseconds since the epoch: a transcript entry's time as a key (what JSON keeps)."""
    return (at - EPOCH) // timedelta(microseconds=1)


def from_micros(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def new_conversation_id() -> str:
    return secrets.token_urlsafe(16)


def new_token() -> str:
    """256 random bits, url-safe. Only its hash is stored."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, token_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), token_hash)


def is_agent(owner: str) -> bool:
    return owner.startswith("agent:")


class ConversationRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    token_hash: str
    channel: str
    locale: str
    owner: str = BOT
    state: dict[str, Any]
    state_name: str
    version: int = 1
    created_at: datetime
    updated_at: datetime
    handoff: HandoffStatus | None = None
    # The hand-off queue entry of the open hand-off, once it has been put on the queue.
    handoff_entry: str | None = None
    external_key: str | None = None
    risk_flags: list[str] = Field(default_factory=list)

    @property
    def keeps_forever(self) -> bool:
        """An open hand-off is kept until closed; everything else expires when idle."""
        return self.handoff in ("queued", "claimed")


class Changes(BaseModel):
    """The fields one commit sets: those given (even as None); the others stay as they are."""

    state: dict[str, Any] | None = None
    state_name: str | None = None
    owner: str | None = None
    handoff: HandoffStatus | None = None
    handoff_entry: str | None = None
    risk_flags: list[str] | None = None
    updated_at: datetime = Field(default_factory=utcnow)

    def fields(self) -> dict[str, Any]:
        """The record fields to write, always including updated_at. The values themselves, not
        model_dump's deep copy of the 4 KB state (twice a turn): the dialog never changes a
        state it was given, and nothing else changes a record's."""
        values = {name: getattr(self, name) for name in self.model_fields_set}
        values["updated_at"] = self.updated_at
        return values

    def apply(self, record: ConversationRecord) -> ConversationRecord:
        """The record after this commit (version bumped)."""
        return record.model_copy(update={**self.fields(), "version": record.version + 1})


def parse_entries(rows: Sequence[str]) -> list[TranscriptEntry]:
    """Transcript entries as the stores keep them, one JSON object each."""
    return TRANSCRIPT.validate_json("[" + ",".join(rows) + "]") if rows else []


def base_at(base: ConversationRecord | None, version: int) -> ConversationRecord | None:
    """`base` if it is the record at `version` (what commit_turn may build on), else None."""
    return base if base is not None and base.version == version else None


class EvidenceMeta(BaseModel):
    file_name: str
    content_type: str
    size: int
    sha256: str
    stored_path: str
    at: datetime


class CommitOutcome(BaseModel):
    """What `commit_turn` did.

    applied: `record` is the record as written, `result` the payload given.
    duplicate: the message id was applied before; `result` is the payload stored then and
      `record` the current record.
    conflict: the version had moved on; `record` is the current record, nothing was written.
    """

    status: CommitStatus
    record: ConversationRecord
    result: dict[str, Any] | None = None
    # Applied with `with_transcript`: the whole transcript, this commit's entries included.
    transcript: list[TranscriptEntry] | None = None


class HandoffEntry(BaseModel):
    id: str
    conversation_id: str
    payload: dict[str, Any]


class StoreError(Exception):
    pass


class ConversationNotFound(StoreError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"no conversation {conversation_id!r}")
        self.conversation_id = conversation_id


class ExternalKeyTaken(StoreError):
    """Another conversation already answers to this external key (a race lost at creation)."""

    def __init__(self, external_key: str, conversation_id: str) -> None:
        super().__init__(f"external key {external_key!r} belongs to {conversation_id!r}")
        self.external_key = external_key
        self.conversation_id = conversation_id


class Store(ABC):
    """Conversations: records, transcripts, evidence metadata, applied message ids."""

    @abstractmethod
    async def create(
        self,
        record: ConversationRecord,
        transcript: Sequence[TranscriptEntry] = (),
        publish: tuple[str, str] | None = None,
    ) -> None:
        """Write a new conversation. Raises ExternalKeyTaken if its external key is bound.
        `publish`: as commit_turn's, the (channel, message) of its live events."""

    @abstractmethod
    async def load(self, conversation_id: str) -> ConversationRecord | None: ...

    @abstractmethod
    async def find_by_external_key(self, external_key: str) -> ConversationRecord | None: ...

    @abstractmethod
    async def commit_turn(
        self,
        conversation_id: str,
        expected_version: int,
        changes: Changes,
        transcript: Sequence[TranscriptEntry],
        message_id: str | None,
        result: dict[str, Any],
        base: ConversationRecord | None = None,
        publish: tuple[str, str] | None = None,
        with_transcript: bool = False,
    ) -> CommitOutcome:
        """Atomically: unless `message_id` was applied before (→ duplicate) or the version is
        not `expected_version` (→ conflict), apply `changes`, bump the version, append the
        transcript and remember `message_id` → `result`. Raises ConversationNotFound.
        `base`: the record at `expected_version`, when the caller has it, so the store need
        not read the record back to answer an applied commit.
        `publish`: a pub/sub message (channel, data) to send if and only if the commit
        applies, as part of it; only for a store that `carries` the events.
        `with_transcript`: an applied commit answers with the whole transcript too (what a
        hand-off's summary reads), from the same trip."""

    def carries(self, events: Events) -> bool:
        """Whether commit_turn can send these live events' messages itself (`publish`)."""
        return False

    @abstractmethod
    async def transcript(self, conversation_id: str) -> list[TranscriptEntry]: ...

    @abstractmethod
    async def add_evidence(self, conversation_id: str, meta: EvidenceMeta) -> None: ...

    @abstractmethod
    async def evidence(self, conversation_id: str) -> list[EvidenceMeta]: ...

    @abstractmethod
    async def list_recent(self, limit: int = 100) -> list[ConversationRecord]:
        """Live conversations, the most recently changed first (the hotline console's list)."""

    # Agent messages owed to a chat that a worker pushes them to (Telegram), until a worker
    # has sent them. Noted before the message's commit, as a hand-off is announced before its
    # own (HandoffQueue.announce): so a worker that died or missed the live event (pub/sub
    # keeps nothing; SQLite's events stay in their process) finds it here. One whose message
    # never reached the transcript (its process died before the commit) is settled by
    # whoever finds it stale.

    @abstractmethod
    async def owe_agent_message(self, conversation_id: str, at: datetime) -> None:
        """The agent message of this conversation written `at` is to be pushed to its chat.
        Entries older than the retention time go (their conversations have)."""

    @abstractmethod
    async def owed_agent_messages(
        self, conversation_id: str | None = None, limit: int = 1000
    ) -> list[tuple[str, datetime]]:
        """(conversation id, at) of agent messages owed, oldest first: one conversation's, or
        all."""

    @abstractmethod
    async def settle_agent_message(self, conversation_id: str, at: datetime) -> None:
        """Sent, given up, or never written: no longer owed."""

    @abstractmethod
    async def purge_expired(self) -> int:
        """Delete conversations idle past retention; returns how many went. (Redis expires
        keys by itself and returns 0.)"""

    @abstractmethod
    async def ping(self) -> bool:
        """True when the backing database answers."""


class HandoffQueue(ABC):
    """Durable queue of hand-offs for the hotline consoles.

    An entry is delivered to one console at a time; it stays pending until some agent claims
    it. An entry a console received but neither claimed nor came back for within the
    redelivery time is delivered again, to whoever reads next.
    """

    @abstractmethod
    async def enqueue(self, conversation_id: str, payload: dict[str, Any]) -> str:
        """Put a case summary on the queue; returns the entry id."""

    @abstractmethod
    async def read(self, consumer: str, count: int = 10, block_ms: int | None = None) -> list[HandoffEntry]:
        """Entries for this console: first any left pending too long by another console, then
        new ones, waiting up to `block_ms` (at most 2 s) when there are none."""

    @abstractmethod
    async def claim(self, entry_id: str, agent: str) -> bool:
        """Take an entry off the queue for `agent`. False if it was already claimed."""

    @abstractmethod
    async def pending_count(self) -> int:
        """Entries not yet claimed (delivered or not)."""

    @abstractmethod
    async def pending_for(self, conversation_id: str) -> str | None:
        """The id of an entry of this conversation not yet claimed, if there is one (how a
        process finishing a hand-off orphaned by another learns it was enqueued already)."""

    # A hand-off is committed on the conversation first and enqueued after. A process that
    # dies in between leaves a hand-off no console hears of; announcing it beforehand, on a
    # list outside the conversation, lets any process find and finish it (Engine.recover_handoffs).

    @abstractmethod
    async def announce(self, conversation_id: str, at: datetime) -> None:
        """This conversation's hand-off is about to open (kept until `withdraw`)."""

    @abstractmethod
    async def announced(self, before: datetime, limit: int = 100) -> list[tuple[str, float]]:
        """(conversation id, announced at as a POSIX timestamp) of the announcements made
        before `before` and not withdrawn, oldest first."""

    @abstractmethod
    async def renew(self, conversation_id: str, seen: float, at: datetime) -> bool:
        """Move the announcement on from `seen` (as `announced` gave it) to `at`; False when
        another process moved or withdrew it first."""

    @abstractmethod
    async def withdraw(self, conversation_id: str) -> None:
        """The announced hand-off is on the queue (or never opened): forget the announcement."""
