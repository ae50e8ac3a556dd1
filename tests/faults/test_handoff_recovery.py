"""A process that dies in the middle of a hand-off: the next one to touch the conversation
after the orphaned hand-off time, or the service's sweep of announced hand-offs, puts it on
the queue once, whichever step the first one died at. (The kill trials found the queue
holding a hand-off twice: a worker killed after its enqueue but before noting the entry on
the conversation.) One that only stalls that long, and then enqueues too, takes its second
entry off the queue again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import app as app_module
from bot import engine as engine_module
from bot.app import create_app
from bot.engine import ORPHANED_HANDOFF, Engine
from bot.store.base import HandoffEntry, HandoffQueue, utcnow
from bot.store.factory import Backend
from dialogs.messages import Turn

pytestmark = pytest.mark.timeout(60)

NOW = datetime(2024, 5, 1, 22, 30, tzinfo=UTC)


class Died(BaseException):
    """The process stops here (no handler runs: BaseException, like a SIGKILL)."""


class DyingQueue(HandoffQueue):
    """The backend's queue, in a process that dies before or right after its enqueue."""

    def __init__(self, queue: HandoffQueue, after_enqueue: bool) -> None:
        self.queue = queue
        self.after_enqueue = after_enqueue

    async def enqueue(self, conversation_id: str, payload: dict[str, Any]) -> str:
        if self.after_enqueue:
            await self.queue.enqueue(conversation_id, payload)
        raise Died

    async def read(self, consumer: str, count: int = 10, block_ms: int | None = None) -> list[HandoffEntry]:
        return await self.queue.read(consumer, count, block_ms)

    async def claim(self, entry_id: str, agent: str) -> bool:
        return await self.queue.claim(entry_id, agent)

    async def pending_count(self) -> int:
        return await self.queue.pending_count()

    async def pending_for(self, conversation_id: str) -> str | None:
        return await self.queue.pending_for(conversation_id)

    async def announce(self, conversation_id: str, at: datetime) -> None:
        await self.queue.announce(conversation_id, at)

    async def announced(self, before: datetime, limit: int = 100) -> list[tuple[str, float]]:
        return await self.queue.announced(before, limit)

    async def renew(self, conversation_id: str, seen: float, at: datetime) -> bool:
        return await self.queue.renew(conversation_id, seen, at)

    async def withdraw(self, conversation_id: str) -> None:
        await self.queue.withdraw(conversation_id)


def said(text: str) -> Turn:
    return Turn(text=text, sent_at=NOW)


def later_engine(backend: Backend) -> Engine:
    """Another process, once the orphaned hand-off time has passed."""
    return Engine(
        backend.store,
        backend.queue,
        backend.events,
        clock=lambda: utcnow() + ORPHANED_HANDOFF + timedelta(seconds=1),
    )


async def orphan(backend: Backend, after_enqueue: bool) -> str:
    """A conversation whose process died during its hand-off turn."""
    dying = Engine(backend.store, DyingQueue(backend.queue, after_enqueue), backend.events)
    record, _, _ = await dying.start("web", "zh-CN", NOW)
    await dying.handle(record.id, said("昨晚卡被盗刷了五万两千"), "m-1")
    with pytest.raises(Died):
        await dying.handle(record.id, said("转人工"), "m-2")
    return record.id


async def assert_queued_once(backend: Backend, conversation_id: str) -> None:
    entries = await backend.queue.read("console-1", count=10, block_ms=0)
    assert [e.conversation_id for e in entries] == [conversation_id]
    assert await backend.queue.pending_count() == 1
    recovered = await backend.store.load(conversation_id)
    assert recovered is not None and recovered.handoff_entry == entries[0].id
    assert entries[0].payload["summary"]["transcript"]


@pytest.mark.parametrize("after_enqueue", [False, True], ids=["before-enqueue", "after-enqueue"])
async def test_the_sweep_queues_an_orphaned_handoff_once_though_the_victim_keeps_writing(
    backend: Backend, after_enqueue: bool
) -> None:
    """Nobody need touch the conversation; a victim who writes meanwhile changes nothing."""
    conversation_id = await orphan(backend, after_enqueue)
    left = await backend.store.load(conversation_id)
    assert left is not None and (left.handoff, left.handoff_entry) == ("queued", None)
    assert await backend.queue.pending_count() == int(after_enqueue)

    # The client re-sends at once: answered from the store. The victim writes on.
    engine = Engine(backend.store, backend.queue, backend.events)
    again = await engine.handle(conversation_id, said("转人工"), "m-2")
    assert again.duplicate and again.handoff
    await engine.handle(conversation_id, said("有人吗"), "m-3")
    assert await engine.recover_handoffs() == 0  # announced too recently: it may be under way
    assert (await backend.store.load(conversation_id)).handoff_entry is None  # type: ignore[union-attr]

    later = later_engine(backend)
    assert await later.recover_handoffs() == 1
    await assert_queued_once(backend, conversation_id)
    assert await later.recover_handoffs() == 0
    assert await backend.queue.announced(utcnow() + timedelta(days=1)) == []


async def test_a_sweep_that_dies_too_leaves_the_handoff_to_the_next(backend: Backend) -> None:
    conversation_id = await orphan(backend, after_enqueue=False)
    [(found, seen)] = await backend.queue.announced(utcnow() + timedelta(seconds=1))
    assert found == conversation_id
    assert await backend.queue.renew(conversation_id, seen, utcnow())  # ... and then it died
    assert not await backend.queue.renew(conversation_id, seen, utcnow())  # the one too late
    assert await later_engine(backend).recover_handoffs() == 1
    await assert_queued_once(backend, conversation_id)


async def test_sweeps_racing_in_two_processes_queue_an_orphan_once(backend: Backend) -> None:
    conversation_ids = [await orphan(backend, after_enqueue=False) for _ in range(5)]
    first, second = later_engine(backend), later_engine(backend)  # two workers, two engines
    done = await asyncio.gather(first.recover_handoffs(), second.recover_handoffs())
    assert sum(done) == 5
    entries = await backend.queue.read("console-1", count=20, block_ms=0)
    assert sorted(e.conversation_id for e in entries) == sorted(conversation_ids)


async def test_a_handoff_that_went_well_leaves_no_announcement(backend: Backend) -> None:
    engine = Engine(backend.store, backend.queue, backend.events)
    record, _, _ = await engine.start("web", "zh-CN", NOW)
    await engine.handle(record.id, said("转人工"), "m-1")
    assert await backend.queue.announced(utcnow() + timedelta(days=1)) == []
    assert await backend.queue.pending_count() == 1


async def test_the_service_sweeps_for_orphaned_handoffs_while_it_serves(
    backend: Backend, backend_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`lossline serve` runs the sweep in the background: the orphan reaches the queue with
    nothing else happening."""
    monkeypatch.setattr(engine_module, "ORPHANED_HANDOFF", timedelta(milliseconds=200))
    monkeypatch.setattr(app_module, "RECOVER_EVERY_S", 0.1)
    conversation_id = await orphan(backend, after_enqueue=False)
    app = create_app(backend_settings, backend)
    async with app.router.lifespan_context(app):
        for _ in range(100):
            if await backend.queue.pending_count():
                break
            await asyncio.sleep(0.05)
    await assert_queued_once(backend, conversation_id)


async def test_pending_for_names_the_unclaimed_entry_of_a_conversation(backend: Backend) -> None:
    queue = backend.queue
    assert await queue.pending_for("c1") is None
    first = await queue.enqueue("c1", {})
    other = await queue.enqueue("c2", {})
    assert await queue.pending_for("c1") == first
    assert await queue.pending_for("c2") == other
    await queue.read("console-1", block_ms=0)  # delivered, still pending
    assert await queue.pending_for("c1") == first
    assert await queue.claim(first, "agent:li")
    assert await queue.pending_for("c1") is None
    assert await queue.pending_for("c2") == other


@pytest.mark.parametrize("claimed", [False, True], ids=["queued", "claimed"])
async def test_an_announcement_left_after_the_handoff_was_queued_queues_nothing(
    backend: Backend, claimed: bool
) -> None:
    """A process that died after noting the entry, before withdrawing the announcement."""
    engine = Engine(backend.store, backend.queue, backend.events)
    record, _, _ = await engine.start("web", "zh-CN", NOW)
    await engine.handle(record.id, said("转人工"), "m-1")
    [entry] = await backend.queue.read("console-1", count=10, block_ms=0)
    if claimed:
        assert await engine.claim(entry, "li") is not None
    await backend.queue.announce(record.id, utcnow())  # left behind
    assert await later_engine(backend).recover_handoffs() == 0
    assert await backend.queue.pending_count() == int(not claimed)
    assert await backend.queue.read("console-2", count=10, block_ms=0) == []
    assert await backend.queue.announced(utcnow() + timedelta(days=1)) == []


class StalledQueue(DyingQueue):
    """The backend's queue, in a process that stalls (not dies) just before its enqueue."""

    def __init__(self, queue: HandoffQueue) -> None:
        super().__init__(queue, after_enqueue=False)
        self.reached = asyncio.Event()
        self.resume = asyncio.Event()

    async def enqueue(self, conversation_id: str, payload: dict[str, Any]) -> str:
        self.reached.set()
        await self.resume.wait()
        return await self.queue.enqueue(conversation_id, payload)


async def test_a_process_that_stalls_past_the_sweep_drops_its_second_entry(backend: Backend) -> None:
    """Stalled longer than the orphaned hand-off time (a long GC pause, a frozen VM), the
    process is taken for dead and the sweep queues the hand-off; when it wakes and enqueues
    too, it finds the entry noted and takes its own off the queue."""
    stalled = StalledQueue(backend.queue)
    slow = Engine(backend.store, stalled, backend.events)
    record, _, _ = await slow.start("web", "zh-CN", NOW)
    await slow.handle(record.id, said("昨晚卡被盗刷了五万两千"), "m-1")
    turn = asyncio.create_task(slow.handle(record.id, said("转人工"), "m-2"))
    await asyncio.wait_for(stalled.reached.wait(), 10)
    assert await later_engine(backend).recover_handoffs() == 1
    swept = await backend.store.load(record.id)
    assert swept is not None and swept.handoff_entry is not None
    stalled.resume.set()
    outcome = await turn
    assert outcome.handoff
    await assert_queued_once(backend, record.id)
    after = await backend.store.load(record.id)
    assert after is not None and after.handoff_entry == swept.handoff_entry


async def test_an_entry_made_after_an_agent_took_the_conversation_leaves_the_queue(
    backend: Backend,
) -> None:
    """An agent took the conversation from the list while its hand-off was being queued: the
    entry would offer consoles a case someone already has."""
    stalled = StalledQueue(backend.queue)
    slow = Engine(backend.store, stalled, backend.events)
    record, _, _ = await slow.start("web", "zh-CN", NOW)
    turn = asyncio.create_task(slow.handle(record.id, said("转人工"), "m-1"))
    await asyncio.wait_for(stalled.reached.wait(), 10)
    await Engine(backend.store, backend.queue, backend.events).take_over(record.id, "alice")
    stalled.resume.set()
    await turn
    assert await backend.queue.pending_count() == 0
    assert await backend.queue.read("console-1", count=10, block_ms=0) == []
    taken = await backend.store.load(record.id)
    assert taken is not None and (taken.handoff, taken.owner) == ("claimed", "agent:alice")
