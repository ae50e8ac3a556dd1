"""The hand-off queue, the same semantics on the Redis Stream and the SQLite table."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.store.base import HandoffQueue
from bot.store.factory import Backend

pytestmark = pytest.mark.timeout(30)

MakeBackend = Callable[..., Awaitable[Backend]]


async def test_each_entry_goes_to_one_console_in_order(queue: HandoffQueue) -> None:
    ids = [await queue.enqueue(f"c{n}", {"summary": f"case {n}", "金额": 5200}) for n in range(3)]

    got = await queue.read("console-a", count=10, block_ms=0)
    nothing = await queue.read("console-b", count=10, block_ms=0)

    assert [e.id for e in got] == ids
    assert [e.conversation_id for e in got] == ["c0", "c1", "c2"]
    assert got[0].payload == {"summary": "case 0", "金额": 5200}
    assert nothing == []


async def test_count_limits_a_read(queue: HandoffQueue) -> None:
    for n in range(5):
        await queue.enqueue(f"c{n}", {})
    first = await queue.read("a", count=2, block_ms=0)
    rest = await queue.read("b", count=10, block_ms=0)
    assert [e.conversation_id for e in first] == ["c0", "c1"]
    assert [e.conversation_id for e in rest] == ["c2", "c3", "c4"]


async def test_a_claim_takes_the_entry_off_the_queue_once(queue: HandoffQueue) -> None:
    entry_id = await queue.enqueue("c1", {})
    await queue.enqueue("c2", {})
    assert await queue.pending_count() == 2
    await queue.read("console-a", block_ms=0)

    first, second = await asyncio.gather(
        queue.claim(entry_id, "agent:li"), queue.claim(entry_id, "agent:wang")
    )

    assert sorted([first, second]) == [False, True]
    assert not await queue.claim(entry_id, "agent:li")
    assert await queue.pending_count() == 1


async def test_an_undelivered_entry_can_be_claimed_and_is_then_never_delivered(
    queue: HandoffQueue,
) -> None:
    entry_id = await queue.enqueue("c1", {})
    assert await queue.claim(entry_id, "agent:li")
    assert await queue.read("console-a", block_ms=0) == []
    assert await queue.pending_count() == 0


async def test_claiming_an_unknown_entry_is_false(queue: HandoffQueue) -> None:
    assert not await queue.claim("12345-0", "agent:li")
    assert not await queue.claim("not an id", "agent:li")
    assert not await queue.claim("999", "agent:li")


async def test_an_entry_a_dead_console_left_is_redelivered(make_backend: MakeBackend) -> None:
    queue = (await make_backend(handoff_redeliver_ms=300)).queue
    entry_id = await queue.enqueue("c1", {"summary": "s"})
    assert [e.id for e in await queue.read("console-dies", block_ms=0)] == [entry_id]
    # console-dies never claims. Before the redelivery time nobody else gets it.
    assert await queue.read("console-b", block_ms=0) == []

    await asyncio.sleep(0.4)
    redelivered = await queue.read("console-b", block_ms=0)

    assert [(e.id, e.payload) for e in redelivered] == [(entry_id, {"summary": "s"})]
    assert await queue.read("console-c", block_ms=0) == []  # now console-b's, freshly
    assert await queue.claim(entry_id, "agent:b")
    await asyncio.sleep(0.4)
    assert await queue.read("console-c", block_ms=0) == []


async def test_pending_entries_survive_a_restart_of_the_process(make_backend: MakeBackend) -> None:
    first = await make_backend(handoff_redeliver_ms=200)
    delivered = await first.queue.enqueue("c1", {})
    waiting = await first.queue.enqueue("c2", {})
    await first.queue.read("console-a", count=1, block_ms=0)
    await first.aclose()

    second = await make_backend(handoff_redeliver_ms=200)
    await asyncio.sleep(0.3)
    got = await second.queue.read("console-b", block_ms=0)
    got += await second.queue.read("console-b", block_ms=0)
    assert [e.id for e in got] == [delivered, waiting]


async def test_an_empty_read_blocks_for_at_most_block_ms(queue: HandoffQueue) -> None:
    started = time.monotonic()
    assert await queue.read("console-a", block_ms=300) == []
    assert 0.25 <= time.monotonic() - started < 1.5
    started = time.monotonic()
    await queue.read("console-a", block_ms=60_000)  # capped at 2 s
    assert time.monotonic() - started < 3


async def test_a_blocked_read_wakes_for_a_new_entry(queue: HandoffQueue) -> None:
    reader = asyncio.create_task(queue.read("console-a", block_ms=2000))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    entry_id = await queue.enqueue("c1", {})
    got = await reader
    assert [e.id for e in got] == [entry_id]
    assert time.monotonic() - started < 0.5


async def test_announcements_are_listed_oldest_first_until_withdrawn(queue: HandoffQueue) -> None:
    t0 = datetime(2024, 5, 1, 22, 30, 0, 123456, tzinfo=UTC)
    await queue.announce("c2", t0 + timedelta(seconds=2))
    await queue.announce("c1", t0)
    await queue.announce("c3", t0 + timedelta(seconds=30))
    listed = await queue.announced(t0 + timedelta(seconds=10))
    assert [c for c, _ in listed] == ["c1", "c2"]
    assert await queue.announced(t0) == []  # strictly before
    assert [c for c, _ in await queue.announced(t0 + timedelta(seconds=10), limit=1)] == ["c1"]
    await queue.withdraw("c1")
    await queue.withdraw("c1")  # twice is fine
    assert [c for c, _ in await queue.announced(t0 + timedelta(days=1))] == ["c2", "c3"]


async def test_only_one_renewal_moves_an_announcement_on(queue: HandoffQueue) -> None:
    t0 = datetime(2024, 5, 1, 22, 30, 0, 987654, tzinfo=UTC)
    await queue.announce("c1", t0)
    [(_, seen)] = await queue.announced(t0 + timedelta(seconds=1))
    later = t0 + timedelta(seconds=20)
    assert await queue.renew("c1", seen, later)
    assert not await queue.renew("c1", seen, later)  # moved on already
    assert await queue.announced(t0 + timedelta(seconds=10)) == []
    [(_, renewed)] = await queue.announced(later + timedelta(seconds=1))
    assert await queue.renew("c1", renewed, later + timedelta(seconds=5))
    await queue.withdraw("c1")
    assert not await queue.renew("c1", renewed, later)  # gone
