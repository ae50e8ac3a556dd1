"""Cost per turn as conversations pile up: the p1 script through the engine with 1k, 10k and
100k other conversations stored, on SQLite and on Redis. Flat means the last level costs
about what the first does (`growth`: the largest store's time per conversation ÷ the
smallest's, median over rounds).

Each level is a store of its own (a SQLite file; a Redis database of the same server), all
filled first; then the levels take their conversations in lockstep, turn by turn, as the
turn runners do (bench.turns.interleave). Measured one level after the other, as until the
eighth session, the machine's drift between levels (minutes apart, its speed moving by a
third within a session) came out as growth: 1.31 in one run, 0.55 in another.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.turns import EngineRunner, interleave, ratio, script
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
    growth: float = 1.0  # the largest store's time per conversation ÷ the smallest's (median)

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


def _database(redis_url: str | None, number: int) -> str:
    """The same Redis server, database `number`."""
    assert redis_url is not None, "the Redis levels need a server"
    return urlsplit(redis_url)._replace(path=f"/{number}").geturl()


async def measure_flat(
    kind: str, directory: Path, redis_url: str | None, levels: tuple[int, ...], conversations: int = 10
) -> FlatResult:
    result = FlatResult(kind)
    backends = []
    try:
        runners = []
        for index, level in enumerate(levels):
            settings = Settings(
                data_dir=directory / f"flat-{kind}-{level}",
                redis_url=_database(redis_url, index + 1) if kind == "redis" else None,
            )
            backend = await open_backend(settings)
            backends.append(backend)
            if kind == "redis":
                await backend.store.client.flushdb()  # type: ignore[attr-defined]
            engine = Engine(backend.store, backend.queue, backend.events)
            began = time.perf_counter()
            await _fill(engine, level)
            result.fill_seconds += time.perf_counter() - began
            runners.append(EngineRunner(f"engine-{kind}-{level}", engine, script()))
        measured = await interleave(list(runners), conversations, warmup=1)
        for level, runner in zip(levels, runners, strict=True):
            result.per_turn_ms[level] = statistics.median(measured[runner.name].turn_seconds) * 1000
        result.growth = ratio(measured[runners[-1].name], measured[runners[0].name])
    finally:
        for backend in backends:
            await backend.aclose()
    return result
