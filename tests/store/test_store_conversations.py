"""Creating, loading and finding conversations; transcripts and evidence. Both stores."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from store_helpers import T0, entry, record

from bot.settings import Settings
from bot.store import sqlite as sqlite_store
from bot.store.base import (
    Changes,
    ConversationNotFound,
    EvidenceMeta,
    ExternalKeyTaken,
    Store,
    hash_token,
    token_matches,
)
from bot.store.factory import Backend, open_backend
from dialogs.messages import Button

pytestmark = pytest.mark.timeout(30)


async def test_a_created_conversation_loads_as_written(store: Store) -> None:
    written = record(
        state={"facts": {"amount": "52000.00", "名字": "张三"}, "n": [1, 2]},
        risk_flags=["coerced"],
    )
    await store.create(written, [entry("你好", role="bot")])

    loaded = await store.load(written.id)

    assert loaded == written
    assert loaded.created_at == T0 and loaded.version == 1
    assert await store.transcript(written.id) == [entry("你好", role="bot")]


async def test_unknown_conversations_are_none(store: Store) -> None:
    assert await store.load("nope") is None
    assert await store.find_by_external_key("telegram:1") is None
    assert await store.transcript("nope") == []
    with pytest.raises(ConversationNotFound):
        await store.commit_turn("nope", 1, Changes(), [], None, {})
    with pytest.raises(ConversationNotFound):
        await store.add_evidence("nope", _meta("a.png"))


async def test_only_the_token_hash_is_kept(store: Store) -> None:
    token = "s3cret-token"
    written = record(token_hash=hash_token(token))
    await store.create(written)
    loaded = await store.load(written.id)
    assert loaded is not None
    assert token not in loaded.model_dump_json()
    assert token_matches(token, loaded.token_hash)
    assert not token_matches("s3cret-tokeN", loaded.token_hash)


async def test_an_external_key_finds_its_conversation(store: Store) -> None:
    written = record(channel="telegram", external_key="telegram:42")
    await store.create(written)

    assert await store.find_by_external_key("telegram:42") == written
    with pytest.raises(ExternalKeyTaken) as taken:
        await store.create(record(channel="telegram", external_key="telegram:42"))
    assert taken.value.conversation_id == written.id
    # The loser left nothing behind.
    assert await store.find_by_external_key("telegram:42") == written


async def test_two_racing_creations_for_one_key_leave_one_owner(store: Store) -> None:
    candidates = [record(channel="telegram", external_key="telegram:7") for _ in range(5)]
    results = await asyncio.gather(*(store.create(c) for c in candidates), return_exceptions=True)
    winners = [c for c, r in zip(candidates, results, strict=True) if r is None]
    assert len(winners) == 1
    assert all(isinstance(r, ExternalKeyTaken) for r in results if r is not None)
    found = await store.find_by_external_key("telegram:7")
    assert found is not None and found.id == winners[0].id


async def test_transcript_keeps_the_order_of_commits(store: Store) -> None:
    written = record()
    await store.create(written, [entry("greeting", "bot")])
    version = written.version
    for n in range(5):
        outcome = await store.commit_turn(
            written.id, version, Changes(), [entry(f"q{n}"), entry(f"a{n}", "bot")], None, {}
        )
        version = outcome.record.version
    texts = [e.text for e in await store.transcript(written.id)]
    assert texts == ["greeting"] + [t for n in range(5) for t in (f"q{n}", f"a{n}")]


async def test_buttons_survive_in_the_transcript(store: Store) -> None:
    written = record()
    with_buttons = entry("选一个", "bot").model_copy(
        update={"buttons": [Button(id="yes", label="是")]}
    )
    await store.create(written, [with_buttons])
    assert await store.transcript(written.id) == [with_buttons]


async def test_evidence_metadata_is_listed_in_order(store: Store) -> None:
    written = record()
    await store.create(written)
    await store.add_evidence(written.id, _meta("sms.png"))
    await store.add_evidence(written.id, _meta("statement.pdf"))
    assert [m.file_name for m in await store.evidence(written.id)] == [
        "sms.png",
        "statement.pdf",
    ]


async def test_ping(store: Store) -> None:
    assert await store.ping()


async def test_idle_conversations_expire_but_open_handoffs_stay(make_backend: object) -> None:
    backend: Backend = await make_backend(retention_days=1 / 86_400)  # type: ignore[operator]
    store = backend.store
    idle, handed_off, closed = record(external_key="telegram:1"), record(), record()
    for r in (idle, handed_off, closed):
        await store.create(r, [entry("hi", "bot")])
    await store.add_evidence(idle.id, _meta("a.png"))
    await store.commit_turn(handed_off.id, 1, Changes(handoff="queued"), [], "m1", {})
    await store.commit_turn(closed.id, 1, Changes(handoff="queued"), [], None, {})
    await store.commit_turn(closed.id, 2, Changes(handoff="closed"), [], None, {})

    await asyncio.sleep(2.2)
    await store.purge_expired()

    assert await store.load(idle.id) is None
    assert await store.find_by_external_key("telegram:1") is None
    assert await store.transcript(idle.id) == []
    assert await store.evidence(idle.id) == []
    assert await store.load(closed.id) is None
    kept = await store.load(handed_off.id)
    assert kept is not None and kept.handoff == "queued"
    assert len(await store.transcript(handed_off.id)) == 1


async def test_sqlite_purge_deletes_the_rows(tmp_path: Path) -> None:
    backend = await open_backend(Settings(data_dir=tmp_path, retention_days=1 / 86_400))
    try:
        await backend.store.create(record(), [entry("hi", "bot")])
        await asyncio.sleep(1.2)
        assert await backend.store.purge_expired() == 1
        assert await backend.store.purge_expired() == 0
    finally:
        await backend.aclose()


async def test_sqlite_purges_in_batches_that_let_turns_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An hour of expired conversations went in one transaction: every turn waited for all of
    it (200 ms for 20,000). Now a batch at a time; a read waiting meanwhile goes in between."""
    monkeypatch.setattr(sqlite_store, "PURGE_BATCH", 10)
    backend = await open_backend(Settings(data_dir=tmp_path, retention_days=1 / 86_400))
    store = backend.store
    try:
        for _ in range(35):
            await store.create(record(), [entry("hi", "bot")])
        await asyncio.sleep(1.2)
        live = record()
        await store.create(live)
        purge = asyncio.ensure_future(store.purge_expired())
        await asyncio.sleep(0)  # the purge takes the database for its first batch
        assert await store.load(live.id) is not None
        assert not purge.done()  # the read went in between two batches
        assert await purge == 35
        assert [r.id for r in await store.list_recent()] == [live.id]
    finally:
        await backend.aclose()


def _meta(name: str) -> EvidenceMeta:
    return EvidenceMeta(
        file_name=name,
        content_type="image/png",
        size=10,
        sha256="0" * 64,
        stored_path=f"evidence/{name}",
        at=datetime(2024, 5, 1, tzinfo=UTC),
    )


async def test_a_key_whose_conversation_is_gone_goes_to_a_new_one(make_backend: object) -> None:
    backend: Backend = await make_backend(retention_days=1 / 86_400)  # type: ignore[operator]
    first = record(external_key="telegram:5")
    await backend.store.create(first)
    await asyncio.sleep(1.2)
    second = record(external_key="telegram:5")
    await backend.store.create(second)
    assert await backend.store.find_by_external_key("telegram:5") == second


@pytest.mark.parametrize("backend_kind", ["sqlite"])  # Redis: tests/store/test_redis_external_keys.py
async def test_sqlite_carries_no_live_events_on_creation(backend: Backend) -> None:
    assert not backend.store.carries(backend.events)
    with pytest.raises(ValueError):
        await backend.store.create(record(), publish=("channel", "[]"))
