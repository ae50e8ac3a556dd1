"""Chat ↔ conversation links, case codes and one-time claims, on each backend."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.engine import Engine
from bot.store.factory import Backend
from bot.store.redis import RedisStore
from bot.telegram.links import DETACHED, ChatLinks, SqliteKeyValue, key_value_for


@pytest.mark.parametrize("backend_kind", ["sqlite", "redis"])
async def test_links_and_cases(backend: Backend) -> None:
    links = ChatLinks(key_value_for(backend.store), ttl_s=3600)
    assert await links.conversation_of(1) is None and await links.chat_of("c1") is None
    await links.link(1, "c1")
    assert await links.conversation_of(1) == "c1" and await links.chat_of("c1") == 1
    await links.detach(2)
    assert await links.conversation_of(2) == DETACHED
    await links.remember_case("ll-abc1-23de-f456", "c1")
    assert await links.case("LL-ABC1-23DE-F456") == "c1"
    assert await links.case("LL-0000-0000-0000") is None


@pytest.mark.parametrize("backend_kind", ["sqlite", "redis"])
async def test_a_chats_link_and_its_own_conversation_come_together(backend: Backend) -> None:
    links = ChatLinks(key_value_for(backend.store), ttl_s=3600)
    assert await links.conversation_and_own(9, "tg:9") == (None, None)
    engine = Engine(backend.store, backend.queue, backend.events)
    own, _, _ = await engine.start("telegram", "zh-CN", datetime.now(UTC), external_key="tg:9")
    assert await links.conversation_and_own(9, "tg:9") == (None, own.id)
    await links.link(9, "moved-here")
    assert await links.conversation_and_own(9, "tg:9") == ("moved-here", own.id)
    await links.detach(9)
    assert await links.conversation_and_own(9, "tg:9") == (DETACHED, own.id)
    assert await links.conversation_and_own(10, "tg:10") == (None, None)


async def test_an_expired_claim_can_be_taken_again(backend: Backend) -> None:
    kv = key_value_for(backend.store)
    assert isinstance(kv, SqliteKeyValue)
    assert await kv.add("k", "1", ttl_s=0)  # expires at once
    assert await kv.get("k") is None
    assert await kv.add("k", "2", ttl_s=60)
    assert not await kv.add("k", "3", ttl_s=60)
    assert await kv.get("k") == "2"


@pytest.mark.parametrize("backend_kind", ["redis"])
async def test_redis_links_expire_with_the_retention(backend: Backend) -> None:
    assert isinstance(backend.store, RedisStore)
    links = ChatLinks(key_value_for(backend.store), ttl_s=120)
    await links.link(5, "c5")
    assert 0 < await backend.store.client.ttl("ll:tg:chat:5") <= 120


@pytest.mark.parametrize("backend_kind", ["sqlite", "redis"])
async def test_an_exclusive_lock_is_held_by_one_and_released_by_its_holder_alone(backend: Backend) -> None:
    links = ChatLinks(key_value_for(backend.store), ttl_s=3600)
    order: list[str] = []

    async def hold(name: str) -> None:
        async with links.exclusive("agent:c1"):
            order.append(f"{name} in")
            await asyncio.sleep(0.05)
            order.append(f"{name} out")

    await asyncio.gather(hold("a"), hold("b"), hold("c"))
    assert [entry.split()[1] for entry in order] == ["in", "out"] * 3  # never two inside
    async with links.exclusive("agent:c2", hold_s=1):  # held past its time: taken over…
        await asyncio.sleep(1.1)
        async with asyncio.timeout(1):
            async with links.exclusive("agent:c2", hold_s=60):
                pass
        await links.kv.add("lock:agent:c2", "someone else's", 60)
    assert not await links.kv.add("lock:agent:c2", "x", 60)  # …and not released by the first


async def test_waiting_for_an_exclusive_lock_tries_less_and_less_often(backend: Backend) -> None:
    """Its holder may have died, and the lock be free only once it expires: a wait of 30 s
    must not be 3,000 writes."""
    links = ChatLinks(key_value_for(backend.store), ttl_s=3600)
    add = links.kv.add
    tries = 0

    async def counted(key: str, value: str, ttl_s: int) -> bool:
        nonlocal tries
        tries += 1
        return await add(key, value, ttl_s)

    async with links.exclusive("agent:c3", hold_s=2):
        links.kv.add = counted  # type: ignore[method-assign]
        async with asyncio.timeout(3):
            async with links.exclusive("agent:c3"):  # free once the first expires, in 2 s
                pass
    assert tries <= 10
