"""The Redis connection pool: bounded by the settings, and a burst waits instead of failing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from store_helpers import entry, record

from bot.settings import Settings
from bot.store.base import Changes
from bot.store.factory import open_backend
from bot.store.redis import RedisStore

pytestmark = pytest.mark.timeout(60)


async def test_a_burst_past_max_connections_waits_for_a_connection(
    redis_url: str, tmp_path: Path
) -> None:
    settings = Settings(redis_url=redis_url, data_dir=tmp_path, redis_max_connections=4)
    backend = await open_backend(settings)
    try:
        store = backend.store
        assert isinstance(store, RedisStore)
        conversations = [record() for _ in range(50)]
        await asyncio.gather(*(store.create(c) for c in conversations))

        async def turn(conversation_id: str) -> str:
            committed = await store.commit_turn(
                conversation_id, 1, Changes(state_name="next"), [entry("hi")], "m1", {}
            )
            return committed.status

        # 200 concurrent commands through 4 connections, with blocked hand-off reads among
        # them: all succeed, none sees "Too many connections".
        reads = [backend.queue.read(f"console-{n}", block_ms=300) for n in range(2)]
        results = await asyncio.gather(
            *(turn(c.id) for c in conversations),
            *(store.load(c.id) for c in conversations),
            *(store.transcript(c.id) for c in conversations),
            *(store.find_by_external_key(f"tg:{n}") for n in range(50)),
            *reads,
        )
        assert results[:50] == ["applied"] * 50

        clients = await store.client.client_list()
        assert len(clients) <= 4  # the listing itself runs on one of them
        assert store.client.connection_pool.max_connections == 4
    finally:
        await backend.aclose()
