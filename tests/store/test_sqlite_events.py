"""SQLite's live events and other processes on the same file: what one changes, the others'
watchers hear of as `missed` (bot.store.sqlite_events); a process's own changes come as its
own events only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Engine
from bot.events import Event, Subscription
from bot.settings import Settings
from bot.store import sqlite_events
from bot.store.factory import Backend, open_backend
from dialogs.messages import Turn

pytestmark = pytest.mark.timeout(30)

NOW = datetime(2024, 5, 1, 22, 30, tzinfo=UTC)


@pytest.fixture
async def two_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Backend, Backend]]:
    """Two backends on one SQLite file, each with its own connection, as two processes have;
    looking every 0.1 s, 0.2 s back."""
    monkeypatch.setattr(sqlite_events, "POLL_S", 0.1)
    monkeypatch.setattr(sqlite_events, "LAG_S", 0.2)
    settings = Settings(data_dir=tmp_path)
    here, there = await open_backend(settings), await open_backend(settings)
    yield here, there
    await here.aclose()
    await there.aclose()


async def heard(sub: Subscription, seconds: float) -> list[Event]:
    events = []
    while (event := await sub.get(seconds)) is not None:
        events.append(event)
    return events


async def test_a_change_another_process_made_is_heard_of_as_missed(
    two_processes: tuple[Backend, Backend],
) -> None:
    here, there = two_processes
    mine = Engine(here.store, here.queue, here.events)
    theirs = Engine(there.store, there.queue, there.events)
    record, _, _ = await theirs.start("telegram", "zh-CN", NOW, external_key="tg:1")
    await asyncio.sleep(0.5)  # older than a look reaches back
    async with here.events.subscribe(record.id) as watcher, here.events.subscribe() as console:
        await theirs.handle(record.id, Turn(text="支付宝被盗了", sent_at=NOW))  # a Telegram worker
        missed = {"type": "missed", "conversation_id": record.id}
        assert await watcher.get(3) == missed
        assert await console.get(3) == missed

        await mine.handle(record.id, Turn(text="昨晚十点多", sent_at=NOW))  # this process's
        own = await heard(watcher, 0.6)
        assert own and all(e["type"] != "missed" for e in own)  # its events, nothing more
        assert all(e["type"] != "missed" for e in await heard(console, 0.1))

        other, _, _ = await theirs.start("web", "zh-CN", NOW)  # a new one: the console's list
        assert await console.get(3) == {"type": "missed", "conversation_id": other.id}
        assert await heard(watcher, 0.3) == []


async def test_nobody_watching_nothing_is_looked_at(two_processes: tuple[Backend, Backend]) -> None:
    here, _ = two_processes
    events = here.events
    assert isinstance(events, sqlite_events.SqliteEvents)
    async with events.subscribe("c1"):
        await asyncio.sleep(0.15)
        assert events._poller is not None and not events._poller.done()
    await asyncio.sleep(0.3)
    assert events._poller.done()


async def test_a_process_alone_on_its_file_reads_no_changes(
    two_processes: tuple[Backend, Backend], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only when another connection committed (PRAGMA data_version) does a look read the
    changed conversations: a process's own turns, however many, cost it nothing."""
    here, there = two_processes
    reads: list[float] = []
    changed_since = sqlite_events._changed_since

    def counted(conn: Any, since: float) -> list[tuple[str, int]]:
        reads.append(since)
        return changed_since(conn, since)

    monkeypatch.setattr(sqlite_events, "_changed_since", counted)
    mine = Engine(here.store, here.queue, here.events)
    record, _, _ = await mine.start("web", "zh-CN", NOW)
    async with here.events.subscribe(record.id) as watcher:
        await asyncio.sleep(0.15)  # the first look reads once: nothing is known yet
        first = len(reads)
        for text in ("支付宝被盗了", "昨晚十点多", "没有"):
            await mine.handle(record.id, Turn(text=text, sent_at=NOW))
            await asyncio.sleep(0.15)
        assert len(reads) == first <= 1
        await Engine(there.store, there.queue, there.events).note(record.id, "另一个进程写的")
        missed = [e for e in await heard(watcher, 0.5) if e["type"] == "missed"]
        assert missed == [{"type": "missed", "conversation_id": record.id}]  # only the other's
        assert len(reads) > first
