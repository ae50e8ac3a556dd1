"""What an idle conversation costs in Redis memory, measured with MEMORY USAGE."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.settings import Settings
from bot.store.factory import open_backend
from dialogs.messages import Turn

pytestmark = pytest.mark.timeout(60)

NOW = datetime(2024, 5, 1, 22, 30, tzinfo=UTC)
BUDGET = 2048  # bytes for a new idle conversation, every key included


async def _bytes_of(client: object, conversation_id: str) -> dict[str, int]:
    keys = [k async for k in client.scan_iter(match=f"*{conversation_id}*")]  # type: ignore[attr-defined]
    return {k: int(await client.memory_usage(k, samples=0)) for k in keys}  # type: ignore[attr-defined]


async def test_a_new_idle_conversation_fits_in_2_kb(redis_url: str, tmp_path: Path) -> None:
    backend = await open_backend(Settings(redis_url=redis_url, data_dir=tmp_path))
    try:
        engine = Engine(backend.store, backend.queue, backend.events)
        client = backend.store.client  # type: ignore[attr-defined]
        record, _, _ = await engine.start("telegram", "zh-CN", NOW, external_key="tg:123456789")
        new = await _bytes_of(client, record.id)
        mapping = int(await client.memory_usage("ll:x:tg:123456789", samples=0))

        await engine.handle(record.id, Turn(text="昨晚卡被盗刷了五万两千", sent_at=NOW), "u:1")
        one_turn = await _bytes_of(client, record.id)

        print(
            f"\nnew idle conversation: {sum(new.values())} B {new} + external key {mapping} B"
            f"\nafter one turn: {sum(one_turn.values())} B {one_turn}"
        )
        assert sum(new.values()) + mapping <= BUDGET
    finally:
        await backend.aclose()
