"""Which chat talks to which conversation, beyond the conversation's own external key.

A chat's first conversation is found by its external key `tg:<chat_id>`, which the store
binds at creation and never changes. A deep link (`/start LL-ABC123`) moves a case to another
chat, so that binding needs a mutable layer on top: `chat:<id>` → conversation and
`conv:<id>` → chat, plus `case:<code>` → conversation to find a case by its code, and a lock
across processes (`exclusive`), so that agent messages go out once and in order. Kept
next to the conversations — a table in the SQLite file, or keys in Redis — and expiring with
the retention time.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from bot.store.base import Store
from bot.store.redis import RedisStore
from bot.store.sqlite import SqliteDatabase, SqliteStore, live_column

DETACHED = "-"  # a chat whose case moved to another chat: its next message starts anew
# A process waiting for an `exclusive` lock tries again after 10 ms, then less and less often
# (its holder may have died: then the lock is free only once it expires).
LOCK_POLL_S, LOCK_POLL_MAX_S = 0.01, 0.5
# Delete a key only while it holds this value: a lock is released by its holder alone.
_REMOVE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS telegram_links (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS telegram_links_expiry ON telegram_links(expires_at);
"""


class KeyValue(ABC):
    @abstractmethod
    async def get(self, key: str) -> str | None: ...

    @abstractmethod
    async def put(self, key: str, value: str, ttl_s: int) -> None: ...

    @abstractmethod
    async def add(self, key: str, value: str, ttl_s: int) -> bool:
        """Set the key unless it is set (and not expired). True when this call set it."""

    @abstractmethod
    async def remove(self, key: str, value: str) -> None:
        """Delete the key if it holds `value`."""

    @abstractmethod
    async def get_with_external(self, key: str, external_key: str) -> tuple[str | None, str | None]:
        """`get(key)`, and the id of the live conversation bound to `external_key`, in one
        trip: every Telegram update asks both."""


class SqliteKeyValue(KeyValue):
    """A table in the store's own SQLite file, on its connection and lock."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        self._ready = False
        self._writes = 0

    async def _schema(self) -> None:
        if not self._ready:
            async with self.db.transaction() as conn:
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    await conn.execute(statement)
            self._ready = True

    async def get(self, key: str) -> str | None:
        await self._schema()
        return await self.db.call(_link, key)

    async def get_with_external(self, key: str, external_key: str) -> tuple[str | None, str | None]:
        await self._schema()
        return await self.db.call(_link_and_external, key, external_key)

    async def put(self, key: str, value: str, ttl_s: int) -> None:
        await self._write(
            "INSERT INTO telegram_links (key, value, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
            "expires_at = excluded.expires_at",
            key,
            value,
            ttl_s,
        )

    async def add(self, key: str, value: str, ttl_s: int) -> bool:
        # An expired row is taken over; a live one stays.
        return await self._write(
            "INSERT INTO telegram_links (key, value, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
            "expires_at = excluded.expires_at WHERE telegram_links.expires_at <= ?",
            key,
            value,
            ttl_s,
            with_now=True,
        )

    async def remove(self, key: str, value: str) -> None:
        await self._schema()
        await self.db.call(_remove_link, key, value, write=True)

    async def _write(self, sql: str, key: str, value: str, ttl_s: int, with_now: bool = False) -> bool:
        await self._schema()
        now = time.time()
        params: tuple[object, ...] = (key, value, now + ttl_s) + ((now,) if with_now else ())
        self._writes += 1
        purge = self._writes % 200 == 0
        changed: bool = await self.db.call(_write_link, sql, params, purge, now, write=True)
        return changed


class RedisKeyValue(KeyValue):
    def __init__(self, store: RedisStore) -> None:
        self.store = store
        self.client: Redis = store.client
        self.prefix = f"{store.prefix}:tg"
        self._remove_if = self.client.register_script(_REMOVE_IF)

    async def get(self, key: str) -> str | None:
        value = await self.client.get(f"{self.prefix}:{key}")
        return None if value is None else str(value)

    async def get_with_external(self, key: str, external_key: str) -> tuple[str | None, str | None]:
        values = await self.client.mget(f"{self.prefix}:{key}", self.store.external(external_key))
        linked, bound = (None if value is None else str(value) for value in values)
        return linked, bound

    async def put(self, key: str, value: str, ttl_s: int) -> None:
        await self.client.set(f"{self.prefix}:{key}", value, ex=ttl_s)

    async def add(self, key: str, value: str, ttl_s: int) -> bool:
        return bool(await self.client.set(f"{self.prefix}:{key}", value, ex=ttl_s, nx=True))

    async def remove(self, key: str, value: str) -> None:
        await self._remove_if(keys=[f"{self.prefix}:{key}"], args=[value])


def key_value_for(store: Store) -> KeyValue:
    if isinstance(store, SqliteStore):
        return SqliteKeyValue(store.db)
    if isinstance(store, RedisStore):
        return RedisKeyValue(store)
    raise TypeError(f"no Telegram links for {type(store).__name__}")


class ChatLinks:
    def __init__(self, kv: KeyValue, ttl_s: int) -> None:
        self.kv = kv
        self.ttl_s = ttl_s

    async def conversation_of(self, chat_id: int) -> str | None:
        """The conversation a deep link moved to this chat, DETACHED if this chat's own case
        moved away, None when the chat's own external key decides."""
        return await self.kv.get(f"chat:{chat_id}")

    async def conversation_and_own(self, chat_id: int, external_key: str) -> tuple[str | None, str | None]:
        """`conversation_of(chat_id)`, and the conversation the chat's own external key is
        bound to: the two things an update needs, in one trip."""
        return await self.kv.get_with_external(f"chat:{chat_id}", external_key)

    async def chat_of(self, conversation_id: str) -> int | None:
        """The chat a case was moved to, if it was."""
        value = await self.kv.get(f"conv:{conversation_id}")
        return None if value is None else int(value)

    async def link(self, chat_id: int, conversation_id: str) -> None:
        """From now on this chat talks to this conversation (and it to this chat)."""
        await self.kv.put(f"chat:{chat_id}", conversation_id, self.ttl_s)
        await self.kv.put(f"conv:{conversation_id}", str(chat_id), self.ttl_s)

    async def detach(self, chat_id: int) -> None:
        await self.kv.put(f"chat:{chat_id}", DETACHED, self.ttl_s)

    async def remember_case(self, case_code: str, conversation_id: str) -> None:
        await self.kv.put(f"case:{case_code.upper()}", conversation_id, self.ttl_s)

    async def case(self, case_code: str) -> str | None:
        return await self.kv.get(f"case:{case_code.upper()}")

    @asynccontextmanager
    async def exclusive(self, name: str, hold_s: int = 30) -> AsyncIterator[None]:
        """Held by one caller at a time among the processes sharing the backend; for at most
        `hold_s`, so that a process that died holding it does not hold it for ever."""
        key, token, wait = f"lock:{name}", secrets.token_hex(8), LOCK_POLL_S
        while not await self.kv.add(key, token, hold_s):
            await asyncio.sleep(wait)
            wait = min(wait * 2, LOCK_POLL_MAX_S)
        try:
            yield
        finally:
            await self.kv.remove(key, token)


def _link(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute(
        "SELECT value FROM telegram_links WHERE key = ? AND expires_at > ?", (key, time.time())
    ).fetchone()
    return None if row is None else str(row[0])


def _link_and_external(
    conn: sqlite3.Connection, key: str, external_key: str
) -> tuple[str | None, str | None]:
    return _link(conn, key), live_column(conn, "id", "external_key", external_key)


def _remove_link(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("DELETE FROM telegram_links WHERE key = ? AND value = ?", (key, value))


def _write_link(
    conn: sqlite3.Connection, sql: str, params: tuple[object, ...], purge: bool, now: float
) -> bool:
    changed = conn.execute(sql, params).rowcount > 0
    if purge:  # now and then, the links that expired
        conn.execute("DELETE FROM telegram_links WHERE expires_at <= ?", (now,))
    return changed
