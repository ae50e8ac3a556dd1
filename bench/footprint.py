"""What an idle conversation costs in Redis: a Telegram chat's conversation just started (its
greeting sent, nobody has answered yet), N of them. The growth of Redis's `used_memory`
divided by N, less the growth of its client buffers (the bench's own connections, not the
conversations'): every key, its expiry, the external key and the console's list included.
Next to it, the sum of MEMORY USAGE of one conversation's keys."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from redis.asyncio import Redis

from bot.engine import Engine
from bot.settings import Settings
from bot.store.factory import open_backend

NOW = datetime(2024, 5, 1, 22, 30, tzinfo=UTC)
CLIENTS_SETTLE_S = 0.2  # for Redis to let go of closed connections' buffers


@dataclass(frozen=True)
class Footprint:
    conversations: int
    used_memory_per_conversation: float
    memory_usage_of_one: int

    def as_dict(self) -> dict[str, float]:
        return {
            "conversations": self.conversations,
            "used_memory_per_conversation": round(self.used_memory_per_conversation),
            "memory_usage_of_one": self.memory_usage_of_one,
        }


async def _used_memory(redis_url: str) -> int:
    """used_memory less client buffers, on a connection of its own, once the engine's pool
    is closed: a pool of 100 connections costs Redis ~1 MB that shrinks only when Redis's
    cron gets to it, which made the figure for 1,000 conversations twice that for 2,000."""
    await asyncio.sleep(CLIENTS_SETTLE_S)
    client = Redis.from_url(redis_url)
    try:
        info = await client.info("memory")
    finally:
        await client.aclose()
    return int(info["used_memory"]) - int(info["mem_clients_normal"])


async def _start(redis_url: str, directory: Path, chats: range) -> list[str]:
    """Start a Telegram conversation for each chat, 100 at a time; their ids."""
    backend = await open_backend(Settings(redis_url=redis_url, data_dir=directory / "footprint"))
    try:
        engine = Engine(backend.store, backend.queue, backend.events)
        ids: list[str] = []
        for batch in range(chats.start, chats.stop, 100):
            started = await asyncio.gather(
                *(
                    engine.start("telegram", "zh-CN", NOW, external_key=f"tg:{n}")
                    for n in range(batch, min(chats.stop, batch + 100))
                )
            )
            ids += [record.id for record, _, _ in started]
        return ids
    finally:
        await backend.aclose()


async def measure_footprint(redis_url: str, directory: Path, conversations: int = 2000) -> Footprint:
    """Needs a Redis of its own: it empties it first."""
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        await client.flushall()
        await _start(redis_url, directory, range(1, 2))  # the keys all share exist
        before = await _used_memory(redis_url)
        first = 100_000_000
        ids = await _start(redis_url, directory, range(first, first + conversations))
        after = await _used_memory(redis_url)
        keys = [k async for k in client.scan_iter(match=f"*{ids[0]}*")] + [f"ll:x:tg:{first}"]
        one = 0
        for key in keys:
            one += await client.memory_usage(key, samples=0) or 0
        return Footprint(conversations, (after - before) / conversations, one)
    finally:
        await client.aclose()
