"""One turn: load the conversation, step the dialog, commit, publish, hand off.

Turns of one conversation never interleave: inside a process an asyncio lock per
conversation; across processes the store's compare-and-set on the version (on a conflict the
turn is stepped again from the newer state). Every turn carries a message id, so a message
delivered twice, or a commit retried after a lost reply, is applied once.

What the victim wrote reaches storage, logs and events only as the dialog's redacted
`StepResult.said` (or, while an agent owns the conversation, redacted here): never raw.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import structlog
from pydantic import BaseModel

from bot.events import Events
from bot.store.base import (
    BOT,
    Changes,
    CommitOutcome,
    ConversationNotFound,
    ConversationRecord,
    HandoffEntry,
    HandoffQueue,
    Store,
    hash_token,
    is_agent,
    new_conversation_id,
    new_token,
    token_matches,
    utcnow,
)
from dialogs.messages import Reply, StepResult, TranscriptEntry, Turn

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 8  # commits tried per turn before giving up on a hot conversation
# A hand-off announced this long ago and still without a queue entry was left by a process
# that died between its commit and the enqueue: the sweep (recover_handoffs) enqueues it.
ORPHANED_HANDOFF = timedelta(seconds=10)
DUPLICATE = "system:duplicate"  # who "claims" a queue entry dropped as a second one
RISK_EVENTS = ("scam_signal", "redacted")  # dialog events that the console should flag
# Channels whose agent messages a worker pushes to the victim (Store.owe_agent_message); the
# web widget reads them itself, from its WebSocket or the transcript.
PUSHED_CHANNELS = frozenset({"telegram"})


@dataclass(frozen=True)
class Dialog:
    """The dialog functions the engine calls. `default()` imports the real ones lazily."""

    start: Callable[[str, str, datetime], StepResult]
    step: Callable[[dict[str, Any], Turn], StepResult]
    summarize: Callable[[dict[str, Any], list[TranscriptEntry]], dict[str, Any]]
    redact: Callable[[str], str]
    resume: Callable[[dict[str, Any], datetime], StepResult]

    @classmethod
    def default(cls) -> Dialog:
        from dialogs.conversation import resume, start, step
        from dialogs.redaction import redact
        from dialogs.summary import build_summary

        return cls(start, step, build_summary, lambda text: redact(text).text, resume)


class TurnOutcome(BaseModel):
    record: ConversationRecord
    replies: list[Reply]
    state_name: str
    handoff: bool  # the conversation is with the humans now (queued or claimed)
    duplicate: bool = False  # this message id was applied before: its answer, again
    to_agent: bool = False  # an agent owns the conversation: the message went to them

    def response(self, replies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """What the API answers, and what a repeat of the message gets back. `replies`: the
        replies already dumped, if the caller has them."""
        return {
            "replies": replies if replies is not None else [r.model_dump(mode="json") for r in self.replies],
            "state": self.state_name,
            "handoff": self.handoff,
        }


class EngineError(Exception):
    pass


class BadToken(EngineError):
    pass


class NotOwner(EngineError):
    """An agent acted on a conversation someone else owns."""


class TooBusy(EngineError):
    """Other writers kept winning the compare-and-set; the turn was not applied."""


def agent_owner(agent: str) -> str:
    return agent if is_agent(agent) else f"agent:{agent}"


@dataclass
class _Plan:
    """One commit worked out from the current record, and what to do once it is applied."""

    changes: Changes
    transcript: list[TranscriptEntry]
    events: list[dict[str, Any]]
    outcome: TurnOutcome | None = None  # a turn's answer, stored for a repeated message
    opens_handoff: bool = False
    response: dict[str, Any] = field(default_factory=dict)  # outcome.response(): stored with it


Planner = Callable[[ConversationRecord], _Plan | None]  # None: nothing to write
# Called with the newer record when a commit finds the conversation changed since it was read;
# may raise to give the turn up (a channel whose chat was moved to another conversation).
ConflictCheck = Callable[[ConversationRecord], Awaitable[None]]


class Engine:
    def __init__(
        self,
        store: Store,
        queue: HandoffQueue,
        events: Events,
        dialog: Dialog | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.queue = queue
        self.events = events
        self._dialog = dialog
        self.clock = clock
        self._store_publishes = store.carries(events)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @property
    def dialog(self) -> Dialog:
        if self._dialog is None:
            self._dialog = Dialog.default()
        return self._dialog

    @asynccontextmanager
    async def _locked(
        self, conversation_id: str, loaded: ConversationRecord | None = None
    ) -> AsyncIterator[ConversationRecord]:
        """Hold the conversation's lock in this process, and load it, unless the caller has
        just loaded it (`loaded`). A record that went stale meanwhile costs nothing but a
        retry: the commit's compare-and-set answers with the newer one."""
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = self._locks[conversation_id] = asyncio.Lock()
        async with lock:  # the local keeps the lock alive while anyone holds or awaits it
            record = loaded if loaded is not None else await self.store.load(conversation_id)
            if record is None:
                raise ConversationNotFound(conversation_id)
            yield record

    async def _commit(
        self,
        record: ConversationRecord,
        plan_for: Planner,
        message_id: str | None = None,
        on_conflict: ConflictCheck | None = None,
    ) -> tuple[CommitOutcome, _Plan] | None:
        """Commit the plan made from the current record; on a version conflict (another
        process got there first) plan again from the newer record, once `on_conflict` has
        seen it. Publishes what an applied plan says happened. None when the planner found
        nothing to do."""
        # Without a client id, our own: a commit retried after a lost reply applies once.
        message_id = message_id or f"auto:{uuid.uuid4().hex}"
        for _ in range(MAX_ATTEMPTS):
            plan = plan_for(record)
            if plan is None:
                return None
            if plan.opens_handoff:  # so that it is found if this process dies before enqueuing
                await self.queue.announce(record.id, self.clock())
            events = [{**e, "version": record.version + 1} for e in plan.events]
            # Where the store can, the events leave with the commit itself.
            wire = self.events.wire(record.id, events) if events and self._store_publishes else None
            committed = await self.store.commit_turn(
                record.id,
                record.version,
                plan.changes,
                plan.transcript,
                message_id,
                plan.response,
                base=record,
                publish=wire,
                with_transcript=plan.opens_handoff,  # for the summary, without another trip
            )
            if committed.status == "applied" and wire is None:
                await self.events.publish_all(record.id, events)
            if committed.status != "conflict":
                return committed, plan
            log.debug("turn.conflict", conversation_id=record.id, version=record.version)
            record = committed.record
            if on_conflict is not None:
                await on_conflict(record)
        raise TooBusy(record.id)

    # -- the victim's side ------------------------------------------------------------

    async def start(
        self,
        channel: str,
        locale: str,
        now: datetime,
        external_key: str | None = None,
        prepare: Callable[[ConversationRecord], Awaitable[None]] | None = None,
    ) -> tuple[ConversationRecord, str, StepResult]:
        """Open a conversation. Raises ExternalKeyTaken if another has the external key.
        `prepare`: run with the record before it is stored, for what must not be missing
        once it exists (an index of it, say), even if this process dies in between."""
        result = self.dialog.start(channel, locale, now)
        token = new_token()
        at = self.clock()
        record = ConversationRecord(
            id=new_conversation_id(),
            token_hash=hash_token(token),
            channel=channel,
            locale=locale,
            state=result.state,
            state_name=result.state_name,
            created_at=at,
            updated_at=at,
            external_key=external_key,
        )
        event = {"type": "started", "channel": channel, "state": record.state_name, "version": 1}
        # Where the store can, the event leaves with the conversation's creation.
        wire = self.events.wire(record.id, [event]) if self._store_publishes else None
        if prepare is not None:
            await prepare(record)
        await self.store.create(record, _bot_entries(result.replies, at), publish=wire)
        log.info("conversation.started", conversation_id=record.id, channel=channel)
        if wire is None:
            await self.events.publish(record.id, event)
        return record, token, result

    async def authorize(self, conversation_id: str, token: str) -> ConversationRecord:
        """The conversation, if `token` is its token (compared in constant time)."""
        record = await self.store.load(conversation_id)
        if record is None:
            raise ConversationNotFound(conversation_id)
        if not token_matches(token, record.token_hash):
            raise BadToken(conversation_id)
        return record

    async def handle(
        self,
        conversation_id: str,
        turn: Turn,
        message_id: str | None = None,
        loaded: ConversationRecord | None = None,
        on_conflict: ConflictCheck | None = None,
    ) -> TurnOutcome:
        """One message from the victim (or from an agent typing for a caller). `loaded`: the
        conversation as the caller read it (to check a token, say), to start from.
        `on_conflict`: see ConflictCheck."""
        if loaded is not None and loaded.id != conversation_id:
            raise ValueError(f"loaded record {loaded.id!r} is not {conversation_id!r}")
        async with self._locked(conversation_id, loaded) as record:
            done = await self._commit(record, partial(self._plan, turn=turn), message_id, on_conflict)
            assert done is not None  # a turn always has something to write
            committed, plan = done
            assert plan.outcome is not None
            if committed.status == "duplicate":
                return self._repeat(committed)
            record = committed.record
            log.info(
                "turn.applied",
                conversation_id=record.id,
                version=record.version,
                state=record.state_name,
                to_agent=plan.outcome.to_agent,
            )
            if plan.opens_handoff:
                record = await self._enqueue_handoff(record, transcript=committed.transcript)
            return plan.outcome.model_copy(update={"record": record})

    def _plan(self, record: ConversationRecord, turn: Turn) -> _Plan:
        at = self.clock()
        if is_agent(record.owner) and turn.by == "victim":
            return self._plan_to_agent(record, turn, at)
        result = self.dialog.step(record.state, turn)
        opens = result.handoff and not record.keeps_forever
        fields: dict[str, Any] = {
            "state": result.state,
            "state_name": result.state_name,
            "updated_at": at,
        }
        if opens:
            fields |= {"handoff": "queued", "handoff_entry": None}
        flags = [e for e in RISK_EVENTS if e in result.events and e not in record.risk_flags]
        if flags:
            fields["risk_flags"] = [*record.risk_flags, *flags]
        transcript: list[TranscriptEntry] = []
        events: list[dict[str, Any]] = []
        if result.said is not None:
            role = "agent" if turn.by == "agent" else "victim"
            transcript.append(TranscriptEntry(role=role, text=result.said, at=at))
            events.append({"type": "message", "role": role, "text": result.said})
        transcript += _bot_entries(result.replies, at)
        replies = [r.model_dump(mode="json") for r in result.replies]  # for the event and the answer
        events.append({"type": "reply", "replies": replies})
        if result.state_name != record.state_name:
            events.append({"type": "state", "state": result.state_name})
        outcome = TurnOutcome(
            record=record,
            replies=result.replies,
            state_name=result.state_name,
            handoff=opens or record.keeps_forever,
        )
        return _Plan(Changes(**fields), transcript, events, outcome, opens, outcome.response(replies))

    def _plan_to_agent(self, record: ConversationRecord, turn: Turn, at: datetime) -> _Plan:
        """An agent owns the conversation: the bot keeps quiet, the message goes to them."""
        said = self.dialog.redact(turn.text) if turn.text is not None else turn.choice or ""
        outcome = TurnOutcome(
            record=record,
            replies=[],
            state_name=record.state_name,
            handoff=record.keeps_forever,
            to_agent=True,
        )
        return _Plan(
            Changes(updated_at=at),
            [TranscriptEntry(role="victim", text=said, at=at)],
            [{"type": "message", "role": "victim", "text": said, "to": record.owner}],
            outcome,
            response=outcome.response(),
        )

    def _repeat(self, committed: CommitOutcome) -> TurnOutcome:
        stored = committed.result or {}
        return TurnOutcome(
            record=committed.record,
            replies=[Reply.model_validate(r) for r in stored.get("replies", [])],
            state_name=stored.get("state", committed.record.state_name),
            handoff=bool(stored.get("handoff")),
            duplicate=True,
        )

    # -- hand-off ---------------------------------------------------------------------

    async def _enqueue_handoff(
        self,
        record: ConversationRecord,
        entry_id: str | None = None,
        transcript: list[TranscriptEntry] | None = None,
    ) -> ConversationRecord:
        """Put the case summary on the queue (unless `entry_id` is there already), then note
        the entry on the conversation. `transcript`: the record's, if the caller has it."""
        if entry_id is None:
            if transcript is None:
                transcript = await self.store.transcript(record.id)
            summary = self.dialog.summarize(record.state, transcript)
            payload = {
                "conversation_id": record.id,
                "channel": record.channel,
                "locale": record.locale,
                "at": self.clock().isoformat(),
                "summary": summary,
            }
            entry_id = await self.queue.enqueue(record.id, payload)
            log.info("handoff.queued", conversation_id=record.id, entry=entry_id)

        seen = record

        def note(current: ConversationRecord) -> _Plan | None:
            nonlocal seen
            seen = current
            if current.handoff != "queued" or current.handoff_entry is not None:
                return None  # claimed meanwhile, or another process enqueued it too
            event = {"type": "handoff", "status": "queued", "entry": entry_id}
            return _Plan(Changes(handoff_entry=entry_id, updated_at=self.clock()), [], [event])

        done = await self._commit(record, note)
        if done is None and seen.handoff_entry != entry_id:
            # A sweep took this process for dead and queued the hand-off itself, or an agent
            # took the conversation meanwhile: this entry would show it twice, or stale.
            await self.queue.claim(entry_id, DUPLICATE)
            log.warning("handoff.duplicate_dropped", conversation_id=record.id, entry=entry_id)
        await self.queue.withdraw(record.id)
        return done[0].record if done else record

    async def recover_handoffs(self) -> int:
        """Put on the queue the hand-offs whose process died between committing and
        enqueuing them: those announced ORPHANED_HANDOFF ago and still without a queue entry.
        Forgets the announcements that are settled. Returns how many it put on the queue.
        The service runs it every few seconds, in every process."""
        recovered = 0
        for conversation_id, seen in await self.queue.announced(self.clock() - ORPHANED_HANDOFF):
            # Whoever moves the announcement on finishes it; if that process dies too, the
            # announcement is old again ORPHANED_HANDOFF later.
            if not await self.queue.renew(conversation_id, seen, self.clock()):
                continue
            try:
                async with self._locked(conversation_id) as record:
                    if record.handoff == "queued" and record.handoff_entry is None:
                        log.warning("handoff.orphaned", conversation_id=record.id)
                        # It may have died between its enqueue and noting the entry: use that.
                        entry = await self.queue.pending_for(record.id)
                        record = await self._enqueue_handoff(record, entry)  # withdraws it
                        recovered += record.handoff_entry is not None
                        continue
            except ConversationNotFound:  # expired or deleted: nothing to hand off
                pass
            await self.queue.withdraw(conversation_id)
        return recovered

    async def claim(self, entry: HandoffEntry, agent: str) -> ConversationRecord | None:
        """An agent takes a hand-off from the queue, and with it the conversation. None when
        another agent was faster or the conversation is gone (the entry leaves the queue)."""
        if not await self.queue.claim(entry.id, agent_owner(agent)):
            return None
        try:
            return await self.take_over(entry.conversation_id, agent)
        except (ConversationNotFound, NotOwner):
            return None

    # -- the agent's side -------------------------------------------------------------

    async def take_over(self, conversation_id: str, agent: str) -> ConversationRecord:
        """The agent owns the conversation from now on: the bot stops answering."""
        owner = agent_owner(agent)

        def take(current: ConversationRecord) -> _Plan | None:
            if current.owner == owner:
                return None
            if is_agent(current.owner):
                raise NotOwner(f"{conversation_id} is owned by {current.owner}")
            changes = Changes(owner=owner, handoff="claimed", handoff_entry=None, updated_at=self.clock())
            return self._owner_change(changes, owner)

        async with self._locked(conversation_id) as record:
            if record.handoff == "queued" and record.handoff_entry is not None:
                await self.queue.claim(record.handoff_entry, owner)  # off the queue for others
            done = await self._commit(record, take)
        if done is None:
            return record
        log.info("owner.changed", conversation_id=record.id, owner=owner)
        return done[0].record

    async def hand_back(self, conversation_id: str, agent: str) -> ConversationRecord:
        """The agent is done: the bot owns the conversation again and the hand-off closes."""
        owner = agent_owner(agent)

        def give_back(current: ConversationRecord) -> _Plan:
            if current.owner != owner:
                raise NotOwner(f"{conversation_id} is owned by {current.owner}")
            at = self.clock()
            # The dialog takes up where the hand-off left it, and says so to the victim.
            resumed = self.dialog.resume(current.state, at)
            changes = Changes(
                owner=BOT, handoff="closed", state=resumed.state, state_name=resumed.state_name, updated_at=at
            )
            plan = self._owner_change(changes, BOT)
            plan.transcript += _bot_entries(resumed.replies, at)
            replies = [r.model_dump(mode="json") for r in resumed.replies]
            plan.events += [
                {"type": "state", "state": resumed.state_name},
                {"type": "reply", "replies": replies},
            ]
            return plan

        async with self._locked(conversation_id) as record:
            done = await self._commit(record, give_back)
        assert done is not None  # give_back always has something to write
        log.info("owner.changed", conversation_id=record.id, owner=BOT)
        return done[0].record

    def _owner_change(self, changes: Changes, owner: str) -> _Plan:
        note = TranscriptEntry(role="system", text=f"owner:{owner}", at=self.clock())
        return _Plan(changes, [note], [{"type": "owner", "owner": owner}])

    async def note(
        self, conversation_id: str, text: str, message_id: str | None = None
    ) -> ConversationRecord:
        """A line for the agents in the transcript, not for the victim: something that
        happened to the conversation outside its dialog (its chat took up another case). Being
        a commit, it also tells any process holding an older copy of the record that it
        changed. With `message_id`, a second note of the same id is not written."""
        entry = TranscriptEntry(role="system", text=text, at=self.clock())

        def write(current: ConversationRecord) -> _Plan:
            return _Plan(Changes(updated_at=entry.at), [entry], [{"type": "notice", "text": text}])

        async with self._locked(conversation_id) as record:
            done = await self._commit(record, write, message_id)
        assert done is not None  # write always has something to write
        return done[0].record

    async def agent_message(
        self, conversation_id: str, agent: str, text: str, message_id: str | None = None
    ) -> TranscriptEntry:
        """The owning agent writes to the victim: into the transcript, out to their channel.
        Redacted on arrival like the victim's words (an agent may read a card number back)."""
        owner = agent_owner(agent)
        text = self.dialog.redact(text)
        entry = TranscriptEntry(role="agent", text=text, at=self.clock())
        event = {"type": "agent_message", "agent": owner, "text": text, "at": entry.at.isoformat()}

        def write(current: ConversationRecord) -> _Plan:
            if current.owner != owner:
                raise NotOwner(f"{conversation_id} is owned by {current.owner}")
            return _Plan(Changes(updated_at=entry.at), [entry], [event])

        async with self._locked(conversation_id) as record:
            # Owed before the commit: a process dying right after it leaves the debt behind.
            pushed = record.channel in PUSHED_CHANNELS
            if pushed:
                await self.store.owe_agent_message(conversation_id, entry.at)
            applied = False
            try:
                done = await self._commit(record, write, message_id)
                assert done is not None  # write always has something to write
                applied = done[0].status == "applied"
            finally:
                if pushed and not applied:  # not written (a repeat, not the owner): not owed
                    with contextlib.suppress(Exception):  # else found stale by a worker
                        await self.store.settle_agent_message(conversation_id, entry.at)
        return entry


def _bot_entries(replies: list[Reply], at: datetime) -> list[TranscriptEntry]:
    return [TranscriptEntry(role="bot", text=reply.text, at=at, buttons=reply.buttons) for reply in replies]
