"""The shared store: Redis (redis-py asyncio), for many workers at once.

One small hash per conversation with short field names, so an idle conversation costs little
memory; every write is one Lua script on the conversation's own keys (see redis_scripts).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import structlog
from pydantic_core import from_json
from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from bot.events import Events, RedisEvents
from bot.jsontext import dumps
from bot.store import redis_scripts
from bot.store.base import (
    Changes,
    CommitOutcome,
    ConversationNotFound,
    ConversationRecord,
    EvidenceMeta,
    ExternalKeyTaken,
    Store,
    base_at,
    from_micros,
    micros,
    parse_entries,
)
from dialogs.messages import TranscriptEntry

log = structlog.get_logger(__name__)

# Record field → hash field. The id is in the key; absent fields are None (or empty).
FIELDS = {
    "token_hash": "th",
    "channel": "ch",
    "locale": "lo",
    "owner": "ow",
    "state": "st",
    "state_name": "sn",
    "version": "v",
    "created_at": "ca",
    "updated_at": "ua",
    "handoff": "ho",
    "handoff_entry": "he",
    "external_key": "xk",
    "risk_flags": "rf",
}
NAMES = {short: name for name, short in FIELDS.items()}
JSON_FIELDS = {"state", "risk_flags"}
RECENT_KEPT = 10_000  # conversations the console's list index remembers
BOOKKEEPING_DELAY_S = 0.05  # how long a commit's bookkeeping waits for others to join it


def _encode(name: str, value: Any) -> str:
    """One field as stored; '' means absent (the scripts delete such fields)."""
    if value is None or (name == "risk_flags" and not value):
        return ""
    if name in JSON_FIELDS:
        return dumps(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _field_args(fields: dict[str, Any]) -> list[str]:
    args = [str(len(fields))]
    for name, value in fields.items():
        args += [FIELDS[name], _encode(name, value)]
    return args


def _decode(conversation_id: str, stored: dict[str, str]) -> ConversationRecord:
    data: dict[str, Any] = {"id": conversation_id}
    for short, raw in stored.items():
        name = NAMES[short]
        data[name] = from_json(raw) if name in JSON_FIELDS else raw
    return ConversationRecord.model_validate(data)


def _pairs(flat: Sequence[str]) -> dict[str, str]:
    """A hash as a script returns it, [field, value, …], as a dict."""
    return dict(zip(flat[::2], flat[1::2], strict=True))


def _entries(entries: Sequence[TranscriptEntry]) -> list[str]:
    return [e.model_dump_json(exclude_defaults=True) for e in entries]


class RedisStore(Store):
    """Needs a client made with decode_responses=True (see bot.store.factory)."""

    def __init__(
        self,
        client: Redis,
        retention_seconds: int,
        message_ids_kept: int = 20,
        message_ids_ttl_s: int = 86_400,
        prefix: str = "ll",
    ) -> None:
        self.client = client
        self.retention_seconds = retention_seconds
        self.message_ids_kept = message_ids_kept
        self.message_ids_ttl_s = min(message_ids_ttl_s, retention_seconds)
        self.prefix = prefix
        self._create = client.register_script(redis_scripts.CREATE)
        self._commit = client.register_script(redis_scripts.COMMIT)
        self._add_evidence = client.register_script(redis_scripts.ADD_EVIDENCE)
        self._rebind = client.register_script(redis_scripts.REBIND)
        # Bookkeeping waiting to be written: the latest record of each conversation committed
        # since the last batch went (see `_after_commit`).
        self._unkept: dict[str, ConversationRecord] = {}
        self._hurry: asyncio.Event | None = None  # set: write the waiting batch now
        self._flushes: set[asyncio.Task[None]] = set()

    def _key(self, conversation_id: str, part: str) -> str:
        return f"{self.prefix}:{{{conversation_id}}}:{part}"

    def _keys(self, conversation_id: str) -> list[str]:
        return [self._key(conversation_id, part) for part in "ctmoe"]

    def external(self, external_key: str) -> str:
        """The key that binds an external key (a Telegram chat's) to its conversation."""
        return f"{self.prefix}:x:{external_key}"

    @property
    def _recent(self) -> str:
        """A sorted set, id → updated_at: the console's list. Outside the conversations'
        hash slots, so written after the commits (see `_after_commit`), not inside their
        scripts; a member whose conversation expired is dropped when the list is read."""
        return f"{self.prefix}:recent"

    @property
    def _owed(self) -> str:
        """A sorted set, "<conversation id> <µs>" → µs: agent messages owed to their chats
        (Store.owe_agent_message); few at a time, since a worker settles each once sent."""
        return f"{self.prefix}:owed"

    async def create(
        self,
        record: ConversationRecord,
        transcript: Sequence[TranscriptEntry] = (),
        publish: tuple[str, str] | None = None,
    ) -> None:
        ttl = 0 if record.keeps_forever else self.retention_seconds
        fields = record.model_dump(exclude={"id"}, exclude_none=True)
        fields = {name: value for name, value in fields.items() if _encode(name, value)}
        keys = self._keys(record.id)[:2]
        # A creator that then loses its external key to another (two processes starting one
        # chat at once) has published a start it deletes: the console finds nothing new.
        channel, message = publish or ("", "")
        args: list[str | int] = [ttl, channel, message, *_field_args(fields), *_entries(transcript)]
        if record.external_key is None:
            created, bound = await self._create(keys=keys, args=args), True
        else:
            # One trip for the conversation and, if it is free, its external key.
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.evalsha(self._create.sha, len(keys), *keys, *args)
                pipe.set(self.external(record.external_key), record.id, nx=True, ex=ttl or None)
                created, bound = await pipe.execute(raise_on_error=False)
            if isinstance(created, NoScriptError):  # a restarted Redis forgot the script
                created = await self._create(keys=keys, args=args)
            for answer in (created, bound):
                if isinstance(answer, Exception):
                    raise answer
        if not created:
            raise ValueError(f"conversation {record.id!r} exists")
        if not bound:
            await self._bind(record, ttl)
        self._after_commit(record)

    async def _bind(self, record: ConversationRecord, ttl: int) -> None:
        """Point the external key at the new conversation, unless a live one has it (create
        tried once already)."""
        assert record.external_key is not None
        key = self.external(record.external_key)
        while not await self.client.set(key, record.id, nx=True, ex=ttl or None):
            holder = cast(str | None, await self.client.get(key))
            if holder is None:
                continue  # it expired just now: try again
            if await self.client.exists(self._key(holder, "c")):
                await self.client.delete(*self._keys(record.id))
                raise ExternalKeyTaken(record.external_key, holder)
            # The key outlived its conversation; take it over unless another creator did.
            if await self._rebind(keys=[key], args=[holder, record.id, ttl]):
                return

    async def load(self, conversation_id: str) -> ConversationRecord | None:
        stored = cast(dict[str, str], await self.client.hgetall(self._key(conversation_id, "c")))
        return _decode(conversation_id, stored) if stored else None

    async def find_by_external_key(self, external_key: str) -> ConversationRecord | None:
        conversation_id = cast(str | None, await self.client.get(self.external(external_key)))
        return None if conversation_id is None else await self.load(conversation_id)

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
        # With the record the commit starts from, Redis need not send it back (4 KB a turn).
        base = base_at(base, expected_version)
        channel, message = publish or ("", "")
        answer = ("" if base is not None else "r") + ("t" if with_transcript else "")
        reply = await self._commit(
            keys=self._keys(conversation_id),
            args=[
                expected_version,
                message_id or "",
                dumps(result),
                self.message_ids_kept,
                self.retention_seconds,
                self.message_ids_ttl_s,
                answer,
                channel,
                message,
                *_field_args(changes.fields()),
                *_entries(transcript),
            ],
        )
        if reply[0] == "missing":
            raise ConversationNotFound(conversation_id)
        status, stored, written = reply[:3]
        if status == "applied" and base is not None:
            record = changes.apply(base)
            assert str(record.version) == written, (record.version, written)
        else:
            record = _decode(conversation_id, _pairs(written))
        if status == "duplicate":
            return CommitOutcome(status="duplicate", record=record, result=json.loads(stored))
        if status == "conflict":
            return CommitOutcome(status="conflict", record=record)
        self._after_commit(record)
        entries = parse_entries(reply[3]) if with_transcript else None
        return CommitOutcome(status="applied", record=record, result=result, transcript=entries)

    def carries(self, events: Events) -> bool:
        return isinstance(events, RedisEvents) and events.client is self.client

    def _after_commit(self, record: ConversationRecord) -> None:
        """The commit is done; its bookkeeping outside the conversation's slot (the console's
        list, the external key's expiry) is not part of the turn's answer, so the turn does
        not wait for it. The commits of a moment are written together, in one pipeline."""
        self._unkept[record.id] = record
        if self._hurry is None:
            self._hurry = asyncio.Event()
            task = asyncio.ensure_future(self._keep_books(self._hurry))
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)

    async def _keep_books(self, hurry: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(hurry.wait(), BOOKKEEPING_DELAY_S)
        # Commits from now on start the next batch.
        records, self._unkept, self._hurry = list(self._unkept.values()), {}, None
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                for record in records:
                    if record.external_key is not None:
                        # The key lives in another slot: it follows the conversation's expiry.
                        key = self.external(record.external_key)
                        if record.keeps_forever:
                            pipe.persist(key)
                        else:
                            pipe.expire(key, self.retention_seconds)
                pipe.zadd(self._recent, {record.id: record.updated_at.timestamp() for record in records})
                pipe.zremrangebyrank(self._recent, 0, -RECENT_KEPT - 1)
                await pipe.execute()
        except Exception:  # the next commit of each conversation writes it again
            log.warning("redis.bookkeeping_failed", conversations=len(records), exc_info=True)

    async def aclose(self) -> None:
        """Before the client closes: write the bookkeeping still waiting."""
        await self._settled()

    async def _settled(self) -> None:
        """Write this process's waiting bookkeeping now, and wait for it: what it reads, it
        wrote."""
        if self._hurry is not None:
            self._hurry.set()
        if self._flushes:
            await asyncio.gather(*self._flushes, return_exceptions=True)

    async def transcript(self, conversation_id: str) -> list[TranscriptEntry]:
        rows = await self.client.lrange(self._key(conversation_id, "t"), 0, -1)
        return parse_entries(cast(list[str], rows))

    async def add_evidence(self, conversation_id: str, meta: EvidenceMeta) -> None:
        added = await self._add_evidence(
            keys=[self._key(conversation_id, "c"), self._key(conversation_id, "e")],
            args=[meta.model_dump_json()],
        )
        if not added:
            raise ConversationNotFound(conversation_id)

    async def evidence(self, conversation_id: str) -> list[EvidenceMeta]:
        rows = await self.client.lrange(self._key(conversation_id, "e"), 0, -1)
        return [EvidenceMeta.model_validate_json(row) for row in rows]

    async def list_recent(self, limit: int = 100) -> list[ConversationRecord]:
        await self._settled()
        ids = cast(list[str], await self.client.zrevrange(self._recent, 0, max(0, limit - 1)))
        async with self.client.pipeline(transaction=False) as pipe:
            for conversation_id in ids:
                pipe.hgetall(self._key(conversation_id, "c"))
            stored = cast(list[dict[str, str]], await pipe.execute())
        gone = [cid for cid, fields in zip(ids, stored, strict=True) if not fields]
        if gone:
            await self.client.zrem(self._recent, *gone)
        return [_decode(cid, fields) for cid, fields in zip(ids, stored, strict=True) if fields]

    async def owe_agent_message(self, conversation_id: str, at: datetime) -> None:
        us = micros(at)
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.zadd(self._owed, {f"{conversation_id} {us}": us})
            pipe.zremrangebyscore(self._owed, "-inf", f"({us - self.retention_seconds * 1_000_000}")
            await pipe.execute()

    async def owed_agent_messages(
        self, conversation_id: str | None = None, limit: int = 1000
    ) -> list[tuple[str, datetime]]:
        members = cast(list[str], await self.client.zrange(self._owed, 0, limit - 1))
        owed = [(cid, from_micros(int(us))) for cid, us in (m.rsplit(" ", 1) for m in members)]
        return [o for o in owed if conversation_id in (None, o[0])]

    async def settle_agent_message(self, conversation_id: str, at: datetime) -> None:
        await self.client.zrem(self._owed, f"{conversation_id} {micros(at)}")

    async def purge_expired(self) -> int:
        return 0  # Redis expires every key of an idle conversation by itself.

    async def ping(self) -> bool:
        return bool(await self.client.ping())
