"""list_recent: the console's list of live conversations, newest change first. Both stores."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import T0, record

from bot.settings import Settings
from bot.store.base import Changes, Store
from bot.store.factory import Backend, open_backend
from bot.store.sqlite import RECENT

pytestmark = pytest.mark.timeout(30)


async def test_most_recently_changed_first_and_limited(store: Store) -> None:
    older, middle, newer = (record(updated_at=T0 + timedelta(minutes=m)) for m in (1, 2, 3))
    for r in (middle, newer, older):
        await store.create(r)

    assert [r.id for r in await store.list_recent()] == [newer.id, middle.id, older.id]
    assert [r.id for r in await store.list_recent(limit=2)] == [newer.id, middle.id]

    # A commit moves a conversation to the top, and the list shows the record as written.
    later = Changes(owner="agent:alice", updated_at=T0 + timedelta(minutes=5, microseconds=7))
    await store.commit_turn(older.id, 1, later, [], None, {})
    listed = await store.list_recent()
    assert [r.id for r in listed] == [older.id, newer.id, middle.id]
    assert listed[0].owner == "agent:alice" and listed[0].version == 2


async def test_sub_second_changes_keep_their_order(store: Store) -> None:
    first = record(updated_at=T0 + timedelta(seconds=1))
    second = record(updated_at=T0 + timedelta(seconds=1, microseconds=500_000))
    third = record(updated_at=T0 + timedelta(seconds=2))
    for r in (third, first, second):
        await store.create(r)
    assert [r.id for r in await store.list_recent()] == [third.id, second.id, first.id]


async def test_expired_conversations_leave_the_list(make_backend: object) -> None:
    backend: Backend = await make_backend(retention_days=1 / 86_400)  # type: ignore[operator]
    store = backend.store
    idle, handed_off = record(), record()
    for r in (idle, handed_off):
        await store.create(r)
    await store.commit_turn(handed_off.id, 1, Changes(handoff="queued"), [], None, {})

    await asyncio.sleep(2.2)

    assert [r.id for r in await store.list_recent()] == [handed_off.id]


async def test_sqlite_reads_the_list_in_index_order_not_from_a_sorted_scan(tmp_path: Path) -> None:
    """The console asks for the list on every live event (at most every 400 ms a page): a scan
    and sort of every stored conversation held the database 37 ms at 20,000, each time."""
    backend = await open_backend(Settings(data_dir=tmp_path))
    try:
        db = backend.store.db  # type: ignore[attr-defined]
        plan = await db.call(lambda conn: conn.execute(f"EXPLAIN QUERY PLAN {RECENT}", (0.0, 200)).fetchall())
    finally:
        await backend.aclose()
    details = [str(row[-1]) for row in plan]
    assert details == ["SCAN conversations USING INDEX conversations_recent"], details
