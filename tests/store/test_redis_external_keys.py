"""Redis: an external key that outlived its conversation is taken over, once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from redis.asyncio import Redis
from store_helpers import record

from bot.settings import Settings
from bot.store.base import Changes, ExternalKeyTaken
from bot.store.factory import open_backend
from bot.store.redis import RedisStore

pytestmark = pytest.mark.timeout(30)


async def test_a_stale_external_key_goes_to_exactly_one_new_conversation(
    redis_url: str, tmp_path: Path
) -> None:
    backend = await open_backend(Settings(redis_url=redis_url, data_dir=tmp_path))
    try:
        store = backend.store
        assert isinstance(store, RedisStore)
        gone = record(external_key="telegram:5")
        await store.create(gone)
        await store.client.delete(*store._keys(gone.id))  # the mapping key stays behind

        candidates = [record(external_key="telegram:5") for _ in range(5)]
        results = await asyncio.gather(*(store.create(c) for c in candidates), return_exceptions=True)

        winners = [c for c, r in zip(candidates, results, strict=True) if r is None]
        assert len(winners) == 1
        assert all(isinstance(r, ExternalKeyTaken) for r in results if r is not None)
        assert await store.find_by_external_key("telegram:5") == winners[0]
    finally:
        await backend.aclose()


async def test_a_commits_bookkeeping_is_done_by_the_time_the_backend_closes(
    redis_url: str, tmp_path: Path
) -> None:
    """The console's list and the external key's expiry follow a commit without the turn
    waiting for them; closing the backend waits for them."""
    backend = await open_backend(Settings(redis_url=redis_url, data_dir=tmp_path, retention_days=1))
    store = backend.store
    assert isinstance(store, RedisStore)
    written = record(external_key="telegram:77")
    await store.create(written)
    await store.client.persist(store.external("telegram:77"))
    committed = await store.commit_turn(written.id, 1, Changes(state_name="b"), [], "m1", {}, base=written)
    await backend.aclose()  # straight after the commit: nothing else awaited in between

    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        assert await client.zscore("ll:recent", written.id) == committed.record.updated_at.timestamp()
        assert 0 < await client.ttl("ll:x:telegram:77") <= 86_400
    finally:
        await client.aclose()


async def test_the_bookkeeping_of_many_commits_goes_in_one_batch(redis_url: str, tmp_path: Path) -> None:
    """Forty conversations opened and forty turns in a moment: a ZADD for the console's list
    per batch, not eighty; and the list read straight after has every turn in it."""
    backend = await open_backend(Settings(redis_url=redis_url, data_dir=tmp_path, retention_days=1))
    store = backend.store
    assert isinstance(store, RedisStore)
    try:
        written = [record(external_key=f"telegram:{n}") for n in range(40)]
        await store.client.config_resetstat()
        await asyncio.gather(*(store.create(one) for one in written))
        committed = await asyncio.gather(
            *(store.commit_turn(w.id, 1, Changes(state_name="b"), [], "m1", {}, base=w) for w in written)
        )
        listed = await store.list_recent(limit=100)
        stats = await store.client.info("commandstats")
        assert stats["cmdstat_zadd"]["calls"] <= 2  # the creations' batch, the commits'
        assert {r.id: r.version for r in listed} == {c.record.id: 2 for c in committed}
        for one in written:
            assert 0 < await store.client.ttl(store.external(one.external_key or "")) <= 86_400
    finally:
        await backend.aclose()


@pytest.mark.parametrize("external_key", [None, "telegram:88"])
async def test_a_creation_carries_its_live_events_and_binds_in_one_trip(
    redis_url: str, tmp_path: Path, external_key: str | None
) -> None:
    backend = await open_backend(Settings(redis_url=redis_url, data_dir=tmp_path))
    store = backend.store
    assert isinstance(store, RedisStore)
    pubsub = store.client.pubsub()
    try:
        await pubsub.subscribe("ll:test:created")
        assert (await pubsub.get_message(timeout=1))["type"] == "subscribe"  # type: ignore[index]
        written = record(external_key=external_key)
        await store.create(written, publish=("ll:test:created", '[{"type":"started"}]'))
        message = await pubsub.get_message(timeout=1)
        assert message is not None and message["data"] == '[{"type":"started"}]'
        assert await store.load(written.id) == written
        if external_key is not None:
            assert await store.find_by_external_key(external_key) == written
    finally:
        await pubsub.aclose()
        await backend.aclose()


async def test_a_creation_after_redis_forgot_its_scripts_still_binds_its_key(
    redis_url: str, tmp_path: Path
) -> None:
    backend = await open_backend(Settings(redis_url=redis_url, data_dir=tmp_path))
    store = backend.store
    assert isinstance(store, RedisStore)
    try:
        await store.create(record())  # the script is loaded…
        await store.client.script_flush()  # …and forgotten, as by a restart
        written = record(external_key="telegram:89")
        await store.create(written)
        assert await store.find_by_external_key("telegram:89") == written
        with pytest.raises(ExternalKeyTaken):
            await store.create(record(external_key="telegram:89"))
    finally:
        await backend.aclose()
