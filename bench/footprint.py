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

from bot.engine import Engine
from bot.settings import Settings
from bot.store.factory import open_backend

NOW = datetime(2024, 5, 1, 22, 30, tzinfo=UTC)


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


async def _used_memory(client: object) -> int:
    info = await client.info("memory")  # type: ignore[attr-defined]
    return int(info["used_memory"]) - int(info["mem_clients_normal"])


async def measure_footprint(redis_url: str, directory: Path, conversations: int = 2000) -> Footprint:
    """Needs a Redis of its own: it empties it first."""
    backend = await open_backend(Settings(redis_url=redis_url, data_dir=directory / "footprint"))
    try:
        client = backend.store.client  # type: ignore[attr-defined]
        await client.flushall()
        engine = Engine(backend.store, backend.queue, backend.events)
        await engine.start("telegram", "zh-CN", NOW, external_key="tg:1")  # the shared keys exist
        before = await _used_memory(client)
        ids: list[str] = []
        for batch in range(0, conversations, 100):
            started = await asyncio.gather(
                *(
                    engine.start("telegram", "zh-CN", NOW, external_key=f"tg:{100_000_000 + n}")
                    for n in range(batch, min(conversations, batch + 100))
                )
            )
            ids += [record.id for record, _, _ in started]
        after = await _used_memory(client)
        one = [k async for k in client.scan_iter(match=f"*{ids[0]}*")]
        own = sum([int(await client.memory_usage(k, samples=0)) for k in one])
        external = int(await client.memory_usage("ll:x:tg:100000000", samples=0))
        return Footprint(conversations, (after - before) / conversations, own + external)
    finally:
        await backend.aclose()
