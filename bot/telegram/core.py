"""The Telegram channel without a library: updates in, engine turns, Bot API calls out.

- A chat is a conversation: external key `tg:<chat_id>`, started on the chat's first message
  (or moved to the chat by a deep link, see `links`).
- Every update is a turn with message id `tg:<update_id>`, so an update delivered twice is
  applied once. The webhook and polling confirm an update to Telegram only once it is handled
  (stored and answered, see TAKEN), so Telegram delivers one again mostly when the process
  that had it died, perhaps between the turn's commit and its replies. A repeat is therefore
  answered again, with the replies stored for its turn: a reply sent twice rather than one
  lost. Only a repeat this process already answered is ignored (`_answered`). Updates outside
  a turn are safe to handle again: a chat is started once, evidence is stored once per file.
- A message's own `date` is the turn's `sent_at`: "昨晚九点" means the night before the
  message was sent, not before it was processed.
- Order within a chat: the libraries run updates concurrently (aiogram as one task each, PTB
  with concurrent updates), so a per-chat lock taken before the first await keeps arrival
  order in this process; the engine's per-conversation lock and compare-and-set keep turns
  whole across processes.
- `/start` greets a new chat and resumes an existing one (it does not wipe the case;
  `/restart` does). `/start LL-XXXXXX` — a deep link — moves that case to this chat.
- Every Bot API call honours a 429's retry_after and tries again.
- Only private chats are served: a case is nobody else's business.
- While an agent owns the conversation the engine returns no replies, so the bot is silent;
  the agent's messages reach the chat through `forward_agent_messages`.
- Each chat's conversation is kept in the process as its last turn here committed it
  (`_chats`), so the next update reads neither the chat's link nor the record: the commit's
  compare-and-set says whether the record changed since, and if it did, the link is read
  before the turn is planned anew from the newer record. That is safe because a deep link
  moves a case by writing the links first and then committing to both conversations
  concerned (`_resume`), and a link read counts only for a record version known before it.
  A chat's link is read again at least every LINK_TRUSTED all the same, in case a process
  died between writing the links and those commits.
"""

from __future__ import annotations

import asyncio
import re
import time
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ParamSpec, TypeVar

import structlog

from bot import metrics
from bot.engine import Engine, TooBusy, TurnOutcome
from bot.errors import ApiError
from bot.events import MISSED
from bot.evidence import save_evidence
from bot.store.base import (
    ConversationNotFound,
    ConversationRecord,
    ExternalKeyTaken,
    is_agent,
    micros,
    utcnow,
)
from bot.telegram.format import choice_of, escape, keyboard, split_text
from bot.telegram.links import DETACHED, ChatLinks
from bot.telegram.port import ButtonPress, IncomingMessage, TelegramApi
from bot.telegram.texts import COMMANDS, MOVED_AWAY, UNDELIVERED, say
from dialogs.conversation import CASE_CODE
from dialogs.messages import Button, Reply, StepResult, Turn
from rules.types import SHANGHAI

log = structlog.get_logger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

CHANNEL = "telegram"
FLOOD_ATTEMPTS = 5  # tries of one Bot API call that keeps getting 429
_START = re.compile(r"^/start(?:@\w+)?(?:\s+(\S+))?\s*$", re.IGNORECASE)
_CASE_CODE = CASE_CODE
RESUME_MISSES = 5  # wrong case codes one chat may try an hour
RESUME_WINDOW_S = 3600.0
KNOWN_RECORDS = 1000  # chats whose conversation this process keeps at hand
ANSWERED_KEPT = 4096  # update ids this process answered, so that it ignores their repeats
# An agent message that failed to go out is tried again at the next look for those owed
# (SWEEP_S), and given up (logged, and noted in the case) after this many failures, so that
# it does not block the next.
FORWARD_TRIES = 3
# How often the forwarder looks for agent messages still owed (Store.owe_agent_message)
# that no live event brought here: one published while pub/sub was cut, one written by
# another process on SQLite, one a failed try left. The first look, at start, sends what a
# stopped or killed worker left.
SWEEP_S = 5.0
# An owed message not in the transcript this long after it was written never will be: its
# process died before the commit.
UNWRITTEN_AFTER = timedelta(seconds=30)
FORWARD_DRAIN_S = 2.0  # how long stopping waits for agent messages on their way
# The longest one process keeps the others from a conversation's agent messages: a dead one
# holds them up this long; a live one waiting out a flood limit longer loses their order.
AGENT_LOCK_S = 10
LINK_TRUSTED = timedelta(seconds=60)  # a chat's link, once read, is read again after this
NOT_TRUSTED = datetime.min.replace(tzinfo=UTC)
# Set by whoever feeds an update and waits for it to be taken (the webhook answers Telegram
# then, polling confirms it): done once the update is handled, or once its replies wait out
# a flood limit (which may take long: the update is stored by then, only replies are left).
TAKEN: ContextVar[asyncio.Future[None] | None] = ContextVar("telegram_update_taken", default=None)


def external_key(chat_id: int) -> str:
    return f"tg:{chat_id}"


class ChatMoved(Exception):
    """The chat talks to another conversation now: a deep link moved a case."""


@dataclass(frozen=True)
class _Known:
    record: ConversationRecord  # the chat's conversation as this process last saw it
    trusted_until: datetime  # until then the chat's link need not be read (see _lookup)


def mark_taken() -> None:
    """The update being handled is taken (see TAKEN), if anyone waits for that."""
    taken = TAKEN.get()
    if taken is not None and not taken.done():
        taken.set_result(None)


def chat_of_key(key: str | None) -> int | None:
    if key is None or not key.startswith("tg:"):
        return None
    try:
        return int(key[3:])
    except ValueError:
        return None


class TelegramCore:
    def __init__(
        self,
        engine: Engine,
        links: ChatLinks,
        api: TelegramApi,
        evidence_dir: Path,
        evidence_max_bytes: int,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.links = links
        self.api = api
        self.evidence_dir = evidence_dir
        self.evidence_max_bytes = evidence_max_bytes
        self.clock = clock
        self._locks: weakref.WeakValueDictionary[int | str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._misses: dict[int, list[float]] = {}
        self._chats: OrderedDict[int, _Known] = OrderedDict()
        self._answered: OrderedDict[int, None] = OrderedDict()
        self._failures: dict[tuple[str, int], int] = {}  # failed tries of an owed message
        self._forwarding: dict[asyncio.Task[None], str] = {}  # → its conversation
        self._look_now = asyncio.Event()  # set: look at what is owed without waiting SWEEP_S

    # -- updates in ---------------------------------------------------------------------

    async def on_message(self, message: IncomingMessage) -> None:
        if not message.private:  # a case is private: groups and channels are not served
            log.info("telegram.not_private", update_id=message.update_id)
            return
        try:
            async with self._chat(message.chat_id):
                if self._answered_here(message.update_id):
                    return
                await self._message(message)
                self._note_answered(message.update_id)
        except Exception:
            log.exception("telegram.update_failed", update_id=message.update_id)

    async def on_press(self, press: ButtonPress) -> None:
        if not press.private:
            return
        try:
            async with self._chat(press.chat_id):
                if self._answered_here(press.update_id):
                    return
                await self._press(press)
                self._note_answered(press.update_id)
        except Exception:
            log.exception("telegram.update_failed", update_id=press.update_id)

    def _chat(self, chat_id: int) -> AbstractAsyncContextManager[None]:
        """This chat's lock. Taken before any other await, so updates are handled in the
        order the library started them."""
        return self._serial(chat_id)

    @asynccontextmanager
    async def _serial(self, key: int | str) -> AsyncIterator[None]:
        """A lock of this process for `key`; those who take it before their first await get
        it in the order they started (asyncio locks are fair)."""
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            yield

    def _answered_here(self, update_id: int) -> bool:
        """Whether this process answered this update before: its repeat is ignored."""
        if update_id in self._answered:
            log.info("telegram.repeat_ignored", update_id=update_id)
            return True
        return False

    def _note_answered(self, update_id: int) -> None:
        self._answered[update_id] = None
        if len(self._answered) > ANSWERED_KEPT:
            self._answered.popitem(last=False)

    async def _message(self, message: IncomingMessage) -> None:
        sent_at = self._sent_at(message.date)
        start = _START.match(message.text or "") if message.file is None else None
        if start is not None:
            code = start.group(1) or ""
            if _CASE_CODE.match(code.upper()):
                await self._resume(message, code.upper(), sent_at)
                return
        # Evidence is stored without a commit to check the chat's link: read it first.
        trusted = message.file is None
        record, started = await self._conversation(message.chat_id, sent_at, message.language, trusted)
        if message.file is not None:
            await self._evidence(record, message)
        text = message.text
        if start is not None or text is None:
            if started is not None:  # a new chat that said /start, or only sent a file
                await self._say(message.chat_id, started.replies)
                return
            if text is None:
                return  # a sticker, a location…: nothing the dialog reads
            text = "/summary"  # an existing case: /start shows where we are, it keeps the case
        turn = Turn(text=text, sent_at=sent_at)
        await self._turn(message.chat_id, record, turn, message.update_id, message.language)

    async def _press(self, press: ButtonPress) -> None:
        try:
            await self._call(self.api.answer_callback, press.callback_id)
            if press.message_id is not None:
                await self._call(self.api.remove_keyboard, press.chat_id, press.message_id)
        except Exception as error:  # answered or edited before (a repeat), or too old
            log.info("telegram.callback_unanswered", update_id=press.update_id, error=repr(error))
        record, _ = await self._conversation(press.chat_id, self._sent_at(None), press.language)
        choice = choice_of(press.data, await self._shown_buttons(record, press.data))
        if choice is None:
            log.info("telegram.stale_button", update_id=press.update_id)
            return
        turn = Turn(choice=choice, sent_at=self._sent_at(None))
        await self._turn(press.chat_id, record, turn, press.update_id, press.language)

    async def _turn(
        self, chat_id: int, record: ConversationRecord, turn: Turn, update_id: int, language: str | None
    ) -> None:
        message_id = f"tg:{update_id}"
        try:
            try:
                outcome = await self._handle(chat_id, record, turn, message_id)
            except (ChatMoved, ConversationNotFound):
                # The chat talks to another conversation now, or this one expired: read which.
                self._chats.pop(chat_id, None)
                record, _ = await self._conversation(chat_id, turn.sent_at, language)
                outcome = await self._handle(chat_id, record, turn, message_id)
        except TooBusy:
            await self._say_text(chat_id, say(record.locale, "busy"))
            return
        if outcome.duplicate:  # its process died before the replies went out, maybe
            log.info("telegram.repeat_answered_again", update_id=update_id)
            await self._say(chat_id, outcome.replies)
            return
        metrics.TURNS.labels(channel=CHANNEL).inc()
        if outcome.handoff and not record.keeps_forever:
            metrics.HANDOFFS.labels(channel=CHANNEL).inc()
        await self._say(chat_id, outcome.replies)

    async def _handle(
        self, chat_id: int, record: ConversationRecord, turn: Turn, message_id: str
    ) -> TurnOutcome:
        """The turn on the chat's conversation as this process last saw it; if that changed
        meanwhile, only while the chat's link still names it (else ChatMoved)."""
        confirmed = False

        async def still_the_chats(newer: ConversationRecord) -> None:
            nonlocal confirmed
            linked, own = await self.links.conversation_and_own(chat_id, external_key(chat_id))
            if (linked or own) != newer.id:
                raise ChatMoved(chat_id)
            confirmed = True

        outcome = await self.engine.handle(
            record.id, turn, message_id, loaded=record, on_conflict=still_the_chats
        )
        self._keep(chat_id, outcome.record, trusted=True if confirmed else None)
        return outcome

    def _sent_at(self, date: datetime | None) -> datetime:
        """When the message was sent, in Shanghai time; never later than now."""
        now = self.clock()
        return (now if date is None else min(date, now)).astimezone(SHANGHAI)

    # -- which conversation -------------------------------------------------------------

    async def _conversation(
        self, chat_id: int, now: datetime, language: str | None, trusted: bool = True
    ) -> tuple[ConversationRecord, StepResult | None]:
        """The chat's conversation, started if it has none (then with the start's result).
        `trusted`: see _lookup."""
        record, detached = await self._lookup(chat_id, trusted)
        if record is not None:
            return record, None
        key = None if detached else external_key(chat_id)

        async def index_case(record: ConversationRecord) -> None:  # before it exists: see start
            await self.links.remember_case(str(record.state.get("case_code", "")), record.id)

        try:
            record, _, started = await self.engine.start(CHANNEL, _locale(language), now, key, index_case)
        except ExternalKeyTaken as taken:  # another task or process started it first
            found = await self.engine.store.load(taken.conversation_id)
            if found is None:
                raise
            return found, None
        metrics.CONVERSATIONS.labels(channel=CHANNEL).inc()
        self._keep(chat_id, record, trusted=True)  # a later move commits to it (see _resume)
        if detached:
            await self.links.link(chat_id, record.id)
        log.info("telegram.conversation_started", conversation_id=record.id)
        return record, started

    async def _current(self, chat_id: int) -> ConversationRecord | None:
        return (await self._lookup(chat_id, trusted=False))[0]

    async def _lookup(self, chat_id: int, trusted: bool = True) -> tuple[ConversationRecord | None, bool]:
        """The chat's conversation, if it has one; and whether its own case moved away.
        `trusted`: the conversation this process last saw the chat talk to will do while its
        link was read recently, the turn's commit checking that it did not change since."""
        known = self._chats.get(chat_id)
        if trusted and known is not None and self.clock() < known.trusted_until:
            return known.record, False
        linked, own = await self.links.conversation_and_own(chat_id, external_key(chat_id))
        if linked == DETACHED:
            self._chats.pop(chat_id, None)
            return None, True
        for conversation_id in (linked, own):
            if conversation_id is None:
                continue
            if known is not None and known.record.id == conversation_id:
                # Its version was known before the link was read: the link holds for it.
                self._keep(chat_id, known.record, trusted=True)
                return known.record, False
            record = await self.engine.store.load(conversation_id)
            if record is not None:
                # Read after the link: a move in between would go unseen, so read it again.
                self._keep(chat_id, record, trusted=False)
                return record, False
        self._chats.pop(chat_id, None)
        return None, False

    def _keep(self, chat_id: int, record: ConversationRecord, trusted: bool | None = None) -> None:
        """Keep the chat's conversation as this process last saw it. `trusted`: its link
        was just read (True), or must be read next time (False); None: as it was, if the
        same conversation."""
        known = self._chats.pop(chat_id, None)
        if trusted is None:
            same = known is not None and known.record.id == record.id
            until = known.trusted_until if known is not None and same else NOT_TRUSTED
        else:
            until = self.clock() + LINK_TRUSTED if trusted else NOT_TRUSTED
        self._chats[chat_id] = _Known(record, until)
        if len(self._chats) > KNOWN_RECORDS:
            self._chats.popitem(last=False)

    async def _resume(self, message: IncomingMessage, code: str, sent_at: datetime) -> None:
        """`/start LL-XXXXXX`: carry on with that case here; its old chat starts anew."""
        chat_id = message.chat_id
        target_id = None if self._too_many_misses(chat_id) else await self.links.case(code)
        target = await self.engine.store.load(target_id) if target_id else None
        if target is None:
            locale = _locale(message.language)
            if self._too_many_misses(chat_id):
                await self._say_text(chat_id, say(locale, "too_many_tries"))
                return
            self._misses.setdefault(chat_id, []).append(time.monotonic())
            await self._say_text(chat_id, say(locale, "case_not_found", code=code))
            return
        current = await self._current(chat_id)
        notice: list[Reply] = []
        if current is None or current.id != target.id:
            before = await self.links.chat_of(target.id) or chat_of_key(target.external_key)
            await self.links.link(chat_id, target.id)
            if before is not None and before != chat_id:
                await self.links.detach(before)
                self._chats.pop(before, None)
            self._chats.pop(chat_id, None)
            # After the links, a commit to each conversation concerned: any process keeping
            # one for these chats finds it changed and reads the links (see _lookup).
            if current is not None:
                await self.engine.note(current.id, MOVED_AWAY.format(code=code))
            log.info("telegram.case_moved", conversation_id=target.id)
            notice = [Reply(text=say(target.locale, "resumed", code=code))]
        outcome = await self.engine.handle(
            target.id, Turn(text="/summary", sent_at=sent_at), f"tg:{message.update_id}"
        )
        await self._say(chat_id, [*notice, *outcome.replies])

    def _too_many_misses(self, chat_id: int) -> bool:
        cutoff = time.monotonic() - RESUME_WINDOW_S
        misses = [at for at in self._misses.get(chat_id, []) if at > cutoff]
        if misses:
            self._misses[chat_id] = misses
        else:
            self._misses.pop(chat_id, None)
        return len(misses) >= RESUME_MISSES

    async def _shown_buttons(self, record: ConversationRecord, data: str) -> list[Button]:
        """The buttons of the bot's recent messages, to map a hashed callback back to its id
        (only read for hashed data: today's ids all fit in 64 bytes)."""
        if not data.startswith("#"):
            return []
        transcript = await self.engine.store.transcript(record.id)
        return [b for entry in transcript[-20:] if entry.role == "bot" for b in entry.buttons]

    # -- evidence -----------------------------------------------------------------------

    async def _evidence(self, record: ConversationRecord, message: IncomingMessage) -> None:
        assert message.file is not None
        file, locale, chat_id = message.file, record.locale, message.chat_id
        mb = self.evidence_max_bytes // (1024 * 1024)
        if file.size is not None and file.size > self.evidence_max_bytes:
            await self._say_text(chat_id, say(locale, "evidence_too_large", mb=mb))
            return
        data = await self._call(self.api.download, file.file_id)
        if len(data) > self.evidence_max_bytes:
            await self._say_text(chat_id, say(locale, "evidence_too_large", mb=mb))
            return
        try:
            meta = save_evidence(self.evidence_dir, record.id, file.file_name, data)
        except ApiError:
            await self._say_text(chat_id, say(locale, "evidence_refused"))
            return
        known = await self.engine.store.evidence(record.id)
        new = all(m.sha256 != meta.sha256 for m in known)
        if new:
            await self.engine.store.add_evidence(record.id, meta)
            event = {"type": "evidence", "file_name": meta.file_name, "content_type": meta.content_type}
            await self.engine.events.publish(record.id, event)
            log.info("telegram.evidence", conversation_id=record.id, size=meta.size)
        if is_agent(record.owner):
            return  # the agent sees it in the console; the bot keeps quiet
        code = str(record.state.get("case_code", ""))
        count = len(known) + (1 if new else 0)
        key = "evidence_saved" if new else "evidence_known"
        await self._say_text(chat_id, say(locale, key, name=meta.file_name, code=code, count=count))

    # -- agents -------------------------------------------------------------------------

    async def forward_agent_messages(self, ready: asyncio.Event | None = None) -> None:
        """Until cancelled: every agent message to a Telegram conversation goes to its chat,
        in the agent's order, once even when several processes run this (see _send_owed).
        Its live event sends it at once; a look at what is still owed, at start and every
        SWEEP_S, sends those no event brought. Each sending is a task of its own, so that
        one chat's wait (a flood limit) holds up no other chat."""
        sweeping: asyncio.Task[None] | None = None
        try:
            async with self.engine.events.subscribe(None) as events:
                if ready is not None:
                    ready.set()
                # What is owed already (a stopped or killed worker's), then what no event brings.
                sweeping = asyncio.create_task(self._sweep_owed())
                async for event in events:
                    kind = event.get("type")
                    if kind == "agent_message":
                        self._forward_soon(str(event["conversation_id"]))
                    elif kind == MISSED:  # some may never come: look at what is owed now
                        self._look_now.set()
        finally:  # stopped: let the messages on their way go out (and be settled)
            if sweeping is not None:
                sweeping.cancel()
                with suppress(asyncio.CancelledError):
                    await sweeping
            if self._forwarding:
                await asyncio.wait(list(self._forwarding), timeout=FORWARD_DRAIN_S)
            for task in self._forwarding:
                task.cancel()

    async def _sweep_owed(self) -> None:
        """Every SWEEP_S, or at once when events were missed: send what is owed, in the
        conversations nothing here is sending."""
        while True:
            self._look_now.clear()
            try:
                owed = await self.engine.store.owed_agent_messages()
            except Exception:
                log.exception("telegram.owed_read_failed")
                owed = []
            keys = {(cid, micros(at)) for cid, at in owed}
            self._failures = {key: n for key, n in self._failures.items() if key in keys}
            busy = set(self._forwarding.values())
            for conversation_id in dict.fromkeys(cid for cid, _ in owed):
                if conversation_id not in busy:
                    self._forward_soon(conversation_id)
            with suppress(TimeoutError):
                async with asyncio.timeout(SWEEP_S):
                    await self._look_now.wait()

    def _forward_soon(self, conversation_id: str) -> None:
        task = asyncio.create_task(self._forward(conversation_id))
        self._forwarding[task] = conversation_id
        task.add_done_callback(self._forwarding.pop)

    async def _forward(self, conversation_id: str) -> None:
        try:
            async with self._serial(conversation_id):  # before any await: in arrival order
                await self._send_owed(conversation_id)
        except Exception:  # still owed: the next sweep tries again
            log.exception("telegram.forward_failed", conversation_id=conversation_id)

    async def _send_owed(self, conversation_id: str) -> None:
        """Under a lock the processes share, send in order the conversation's agent messages
        still owed, settling each once it is out: so they go out in order, and one whose
        sender failed or died is sent by the next try (or twice, if it died right after
        sending). One that failed FORWARD_TRIES times here is given up, so that those after
        it go."""
        store = self.engine.store
        if not await store.owed_agent_messages(conversation_id):
            return  # an earlier task sent it with its own
        record = await store.load(conversation_id)
        chat_id = await self.links.chat_of(conversation_id)
        if chat_id is None and record is not None and record.channel == CHANNEL:
            chat_id = chat_of_key(record.external_key)
        async with self.links.exclusive(f"agent:{conversation_id}", AGENT_LOCK_S):
            while owed := await store.owed_agent_messages(conversation_id):  # new ones join
                entries = await store.transcript(conversation_id)
                written = {micros(e.at): e for e in entries if e.role == "agent"}
                for _, at in owed:
                    entry = written.get(micros(at))
                    if entry is None and self.engine.clock() - at < UNWRITTEN_AFTER:
                        return  # its commit may be on its way: it goes later, still in order
                    if entry is not None and record is not None and chat_id is not None:
                        await self._send_agent_message(record, chat_id, entry.text, at)
                    # Out (or given up); or never written; or its conversation or chat is gone.
                    await store.settle_agent_message(conversation_id, at)

    async def _send_agent_message(
        self, record: ConversationRecord, chat_id: int, text: str, at: datetime
    ) -> None:
        """Send it; on a failure raise (it stays owed), unless this was its last try: then
        give it up, and tell the agents."""
        key = (record.id, micros(at))
        try:
            async with self._chat(chat_id):
                await self._say_text(chat_id, say(record.locale, "agent", text=text))
        except Exception:
            self._failures[key] = self._failures.get(key, 0) + 1
            if self._failures[key] < FORWARD_TRIES:
                raise
            log.exception("telegram.agent_message_given_up", conversation_id=record.id)
            await self._note_undelivered(record.id, text, at)
        self._failures.pop(key, None)

    async def _note_undelivered(self, conversation_id: str, text: str, at: datetime) -> None:
        """Tell the agents (in the case's transcript, once however many processes gave up)
        that the victim did not get their message: they may call instead."""
        preview = text if len(text) <= 40 else text[:40] + "…"
        try:
            await self.engine.note(
                conversation_id,
                UNDELIVERED.format(tries=FORWARD_TRIES, text=preview),
                message_id=f"undelivered:{conversation_id}:{micros(at)}",
            )
        except Exception:
            log.exception("telegram.undelivered_note_failed", conversation_id=conversation_id)

    # -- out ----------------------------------------------------------------------------

    async def set_commands(self) -> None:
        await self._call(self.api.set_commands, COMMANDS)

    async def _say(self, chat_id: int, replies: list[Reply]) -> None:
        for reply in replies:
            chunks = split_text(reply.text) or ["…"]
            markup = keyboard(reply.buttons)
            for index, chunk in enumerate(chunks):
                last = index == len(chunks) - 1
                await self._call(self.api.send_message, chat_id, escape(chunk), markup if last else None)

    async def _say_text(self, chat_id: int, text: str) -> None:
        await self._say(chat_id, [Reply(text=text)])

    async def _call(self, call: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        """One Bot API call; on a flood limit (429) wait as long as Telegram asks, and retry."""
        attempt = 1
        while True:
            try:
                return await call(*args, **kwargs)
            except Exception as error:
                wait = self.api.retry_after(error)
                if wait is None or attempt >= FLOOD_ATTEMPTS:
                    raise
                log.warning("telegram.flood_wait", seconds=wait, attempt=attempt)
                if call == self.api.send_message:  # a reply: what it answers is stored
                    mark_taken()  # so do not hold Telegram's call that long (see TAKEN)
                await asyncio.sleep(wait)
                attempt += 1


def _locale(language: str | None) -> str:
    return "en" if language and language.lower().startswith("en") else "zh-CN"
