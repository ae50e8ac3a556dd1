"""The hand-off queue on a Redis Stream with one consumer group, "consoles".

XREADGROUP delivers each new entry to one console; the entry then sits in that console's
pending list until an agent claims it (XACK, and XDEL so the stream holds only open
hand-offs). XAUTOCLAIM hands entries a console left pending too long to the next reader.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bot.jsontext import dumps
from bot.store.base import HandoffEntry, HandoffQueue

GROUP = "consoles"
# KEYS: announcements   ARGV: conversation id, score seen, new score. Compared as numbers:
# Redis and Python print the same double differently.
RENEW = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  return 1
end
return 0
"""
PAGE = 500  # entries a scan of the stream reads at a time


def _entry(entry_id: str, fields: dict[str, str]) -> HandoffEntry:
    return HandoffEntry(id=entry_id, conversation_id=fields["c"], payload=json.loads(fields["p"]))


class RedisHandoffQueue(HandoffQueue):
    def __init__(
        self,
        client: Redis,
        redeliver_ms: int,
        block_ms: int = 2000,
        stream: str = "ll:handoffs",
    ) -> None:
        self.client = client
        self.redeliver_ms = redeliver_ms
        self.block_ms = min(block_ms, 2000)
        self.stream = stream
        self.announcements = f"{stream}:announced"  # a sorted set: conversation id → time
        self._renew = client.register_script(RENEW)
        self._group_ready = False

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            # From id 0, so entries added before the group existed are delivered too.
            await self.client.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._group_ready = True

    async def enqueue(self, conversation_id: str, payload: dict[str, Any]) -> str:
        fields = {"c": conversation_id, "p": dumps(payload)}
        return cast(str, await self.client.xadd(self.stream, fields))  # type: ignore[arg-type]

    async def read(self, consumer: str, count: int = 10, block_ms: int | None = None) -> list[HandoffEntry]:
        block = self.block_ms if block_ms is None else min(block_ms, 2000)
        try:
            return await self._read(consumer, count, block)
        except ResponseError as error:
            if "NOGROUP" not in str(error):
                raise
            self._group_ready = False  # the stream was deleted under us; make it again
            return await self._read(consumer, count, block)

    async def _read(self, consumer: str, count: int, block_ms: int) -> list[HandoffEntry]:
        await self._ensure_group()
        claimed: Any = await self.client.xautoclaim(
            self.stream, GROUP, consumer, min_idle_time=self.redeliver_ms, count=count
        )
        stale: list[tuple[str, dict[str, str]]] = claimed[1]  # [next id, entries, deleted]
        if stale:
            # Redis 6.2 reports an entry deleted meanwhile with nil fields; 7 lists it apart.
            return [_entry(entry_id, fields) for entry_id, fields in stale if fields]
        reply: Any = await self.client.xreadgroup(
            GROUP, consumer, {self.stream: ">"}, count=count, block=block_ms or None
        )
        if not reply:
            return []
        # RESP2 answers [[stream, entries]]; RESP3 a {stream: [entries]} map.
        batches = reply.values() if isinstance(reply, dict) else [b[1] for b in reply]
        return [_entry(entry_id, fields) for batch in batches for entry_id, fields in batch]

    async def claim(self, entry_id: str, agent: str) -> bool:
        # The stream holds only unclaimed entries, so whoever deletes it has claimed it.
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.xack(self.stream, GROUP, entry_id)
            pipe.xdel(self.stream, entry_id)
            try:
                _acked, deleted = await pipe.execute()
            except ResponseError:  # not a stream id at all
                return False
        return bool(deleted)

    async def pending_count(self) -> int:
        return int(await self.client.xlen(self.stream))

    async def pending_for(self, conversation_id: str) -> str | None:
        # The stream holds only unclaimed entries, and few: a scan is fine on this rare path.
        start = "-"
        while True:
            batch: Any = await self.client.xrange(self.stream, min=start, count=PAGE)
            for entry_id, fields in batch:
                if fields.get("c") == conversation_id:
                    return cast(str, entry_id)
            if len(batch) < PAGE:
                return None
            start = "(" + batch[-1][0]

    async def announce(self, conversation_id: str, at: datetime) -> None:
        await self.client.zadd(self.announcements, {conversation_id: at.timestamp()})

    async def announced(self, before: datetime, limit: int = 100) -> list[tuple[str, float]]:
        return cast(
            list[tuple[str, float]],
            await self.client.zrangebyscore(
                self.announcements, "-inf", f"({before.timestamp()}", start=0, num=limit, withscores=True
            ),
        )

    async def renew(self, conversation_id: str, seen: float, at: datetime) -> bool:
        renewed = await self._renew(
            keys=[self.announcements], args=[conversation_id, repr(seen), at.timestamp()]
        )
        return bool(renewed)

    async def withdraw(self, conversation_id: str) -> None:
        await self.client.zrem(self.announcements, conversation_id)
