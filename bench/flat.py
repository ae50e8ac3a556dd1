"""Cost per turn as conversations pile up: the p1 script through the engine with 1k, 10k and
100k other conversations stored, on SQLite and on Redis. Flat means the last level costs
about what the first does (`growth` = per-turn time at the last level ÷ at the first)."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.turns import EngineRunner, script, whole
from bot.engine import Engine
from bot.settings import Settings
from bot.store.base import new_conversation_id
from bot.store.factory import open_backend

FILL_BATCH = 200


@dataclass
class FlatResult:
    backend: str
    per_turn_ms: dict[int, float] = field(default_factory=dict)  # stored → median ms per turn
    fill_seconds: float = 0.0

    @property
    def growth(self) -> float:
        levels = sorted(self.per_turn_ms)
        return self.per_turn_ms[levels[-1]] / self.per_turn_ms[levels[0]]

    def as_dict(self) -> dict[str, object]:
        return {
            "per_turn_ms": {str(n): round(ms, 3) for n, ms in self.per_turn_ms.items()},
            "growth": round(self.growth, 3),
            "fill_seconds": round(self.fill_seconds, 1),
        }


async def _fill(engine: Engine, count: int) -> None:
    """`count` more conversations, as the engine starts them (a greeting each)."""
    record, _, _ = await engine.start("telegram", "zh-CN", script()[0].sent_at)
    transcript = await engine.store.transcript(record.id)
    for batch in range(0, count, FILL_BATCH):
        await asyncio.gather(
            *(
                engine.store.create(
                    record.model_copy(update={"id": new_conversation_id(), "external_key": None}),
                    transcript,
                )
                for _ in range(batch, min(count, batch + FILL_BATCH))
            )
        )


async def measure_flat(
    kind: str, directory: Path, redis_url: str | None, levels: tuple[int, ...], conversations: int = 10
) -> FlatResult:
    settings = Settings(data_dir=directory / f"flat-{kind}", redis_url=redis_url if kind == "redis" else None)
    backend = await open_backend(settings)
    result = FlatResult(kind)
    try:
        if kind == "redis":
            await backend.store.client.flushall()  # type: ignore[attr-defined]
        engine = Engine(backend.store, backend.queue, backend.events)
        runner = EngineRunner(f"engine-{kind}", engine, script())
        stored = 0
        for level in levels:
            began = time.perf_counter()
            await _fill(engine, level - stored)
            result.fill_seconds += time.perf_counter() - began
            stored = level
            await whole(runner, 0)  # warm
            turns = [s for n in range(conversations) for s in await whole(runner, n)]
            result.per_turn_ms[level] = statistics.median(turns) * 1000
            stored += conversations + 1
    finally:
        await backend.aclose()
    return result
