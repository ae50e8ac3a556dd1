"""The console's store in Redis, beside the conversations.

<prefix>:console:agents        hash   name → Agent JSON
<prefix>:console:s:<key>       string Session JSON, expiring with the session
<prefix>:console:audit         list   AuditEntry JSON, newest first (the last AUDIT_KEPT)
<prefix>:console:audit:<id>    list   one conversation's entries, newest first
<prefix>:console:notes:<id>    list   Note JSON, oldest first
"""

from __future__ import annotations

import math
from typing import cast

from redis.asyncio import Redis

from bot.console.store import Agent, AuditEntry, ConsoleStore, Note, Session
from bot.store.base import utcnow

AUDIT_KEPT = 100_000
AUDIT_KEPT_PER_CONVERSATION = 1_000


class RedisConsoleStore(ConsoleStore):
    def __init__(self, client: Redis, prefix: str = "ll") -> None:
        self.client = client
        self.prefix = f"{prefix}:console"

    async def add_agent(self, agent: Agent) -> bool:
        return bool(await self.client.hsetnx(f"{self.prefix}:agents", agent.name, agent.model_dump_json()))

    async def agent(self, name: str) -> Agent | None:
        raw = cast(str | None, await self.client.hget(f"{self.prefix}:agents", name))
        return Agent.model_validate_json(raw) if raw else None

    async def agent_count(self) -> int:
        return int(await self.client.hlen(f"{self.prefix}:agents"))

    async def save_session(self, key: str, session: Session) -> None:
        ttl = math.ceil((session.expires_at - utcnow()).total_seconds())
        if ttl > 0:
            await self.client.set(f"{self.prefix}:s:{key}", session.model_dump_json(), ex=ttl)

    async def session(self, key: str) -> Session | None:
        raw = cast(str | None, await self.client.get(f"{self.prefix}:s:{key}"))
        if raw is None:
            return None
        session = Session.model_validate_json(raw)
        return session if session.expires_at >= utcnow() else None

    async def delete_session(self, key: str) -> None:
        await self.client.delete(f"{self.prefix}:s:{key}")

    async def audit(self, entry: AuditEntry) -> None:
        data = entry.model_dump_json()
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.lpush(f"{self.prefix}:audit", data)
            pipe.ltrim(f"{self.prefix}:audit", 0, AUDIT_KEPT - 1)
            if entry.conversation_id:
                key = f"{self.prefix}:audit:{entry.conversation_id}"
                pipe.lpush(key, data)
                pipe.ltrim(key, 0, AUDIT_KEPT_PER_CONVERSATION - 1)
            await pipe.execute()

    async def audit_log(self, conversation_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        key = f"{self.prefix}:audit" + (f":{conversation_id}" if conversation_id else "")
        rows = await self.client.lrange(key, 0, limit - 1)
        return [AuditEntry.model_validate_json(row) for row in rows]

    async def add_note(self, conversation_id: str, note: Note) -> None:
        await self.client.rpush(f"{self.prefix}:notes:{conversation_id}", note.model_dump_json())

    async def notes(self, conversation_id: str) -> list[Note]:
        rows = await self.client.lrange(f"{self.prefix}:notes:{conversation_id}", 0, -1)
        return [Note.model_validate_json(row) for row in rows]
