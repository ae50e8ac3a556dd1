"""A process that dies in the middle of a hand-off: the next one to touch the conversation
after the orphaned hand-off time puts it on the queue once, whichever step the first one
died at. (The kill trials found the queue holding a hand-off twice: a worker killed after
its enqueue but before noting the entry on the conversation.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

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


def said(text: str) -> Turn:
    return Turn(text=text, sent_at=NOW)


@pytest.mark.parametrize("after_enqueue", [False, True], ids=["before-enqueue", "after-enqueue"])
async def test_a_handoff_orphaned_by_a_dead_process_is_queued_once(
    backend: Backend, after_enqueue: bool
) -> None:
    dying = Engine(backend.store, DyingQueue(backend.queue, after_enqueue), backend.events)
    record, _, _ = await dying.start("web", "zh-CN", NOW)
    await dying.handle(record.id, said("昨晚卡被盗刷了五万两千"), "m-1")
    with pytest.raises(Died):
        await dying.handle(record.id, said("转人工"), "m-2")
    orphan = await backend.store.load(record.id)
    assert orphan is not None and (orphan.handoff, orphan.handoff_entry) == ("queued", None)
    assert await backend.queue.pending_count() == int(after_enqueue)

    # The client re-sends at once: answered from the store, and too early to recover.
    engine = Engine(backend.store, backend.queue, backend.events)
    again = await engine.handle(record.id, said("转人工"), "m-2")
    assert again.duplicate and again.handoff
    # The victim writes again later: now the hand-off is finished, once.
    later = Engine(
        backend.store,
        backend.queue,
        backend.events,
        clock=lambda: utcnow() + ORPHANED_HANDOFF + timedelta(seconds=1),
    )
    await later.handle(record.id, said("有人吗"), "m-3")
    await later.handle(record.id, said("还在吗"), "m-4")

    entries = await backend.queue.read("console-1", count=10, block_ms=0)
    assert [e.conversation_id for e in entries] == [record.id]
    assert await backend.queue.pending_count() == 1
    recovered = await backend.store.load(record.id)
    assert recovered is not None and recovered.handoff_entry == entries[0].id
    assert await backend.queue.pending_for(record.id) == entries[0].id


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


async def test_a_stale_record_from_the_caller_does_not_queue_a_claimed_handoff_again(
    backend: Backend,
) -> None:
    """The API hands the engine the record it read for the token check. If that read caught
    the hand-off between its commit and its entry, and an agent has claimed it since, the
    engine must look again rather than queue it a second time."""
    engine = Engine(backend.store, backend.queue, backend.events)
    record, _, _ = await engine.start("web", "zh-CN", NOW)
    await engine.handle(record.id, said("转人工"), "m-1")
    handed = await backend.store.load(record.id)
    assert handed is not None and handed.handoff == "queued" and handed.handoff_entry
    stale = handed.model_copy(update={"handoff_entry": None})  # as read mid-way
    [entry] = await backend.queue.read("console-1", count=10, block_ms=0)
    assert await engine.claim(entry, "li") is not None
    later = Engine(
        backend.store,
        backend.queue,
        backend.events,
        clock=lambda: utcnow() + ORPHANED_HANDOFF + timedelta(seconds=1),
    )
    outcome = await later.handle(record.id, said("有人吗"), "m-2", loaded=stale)
    assert outcome.to_agent
    assert await backend.queue.pending_count() == 0
    assert await backend.queue.read("console-2", count=10, block_ms=0) == []
