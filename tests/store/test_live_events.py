"""Live events fan out to the watchers of one conversation and to the watchers of all."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.events import QUEUE_SIZE, Events, LocalEvents, RedisEvents
from bot.settings import Settings
from bot.store.base import Changes
from bot.store.factory import Backend, open_backend
from dialogs.messages import Turn

pytestmark = pytest.mark.timeout(30)


async def test_events_reach_the_conversations_watchers_and_the_console(events: Events) -> None:
    async with (
        events.subscribe("c1") as widget_a,
        events.subscribe("c1") as widget_b,
        events.subscribe("c2") as other,
        events.subscribe() as console,
    ):
        await events.publish("c1", {"type": "reply", "text": "你好"})
        await events.publish("c2", {"type": "owner", "owner": "agent:li"})

        expected = {"type": "reply", "text": "你好", "conversation_id": "c1"}
        assert await widget_a.get(2) == expected
        assert await widget_b.get(2) == expected
        assert await other.get(2) == {"type": "owner", "owner": "agent:li", "conversation_id": "c2"}
        assert [await console.get(2), await console.get(2)] == [
            expected,
            {"type": "owner", "owner": "agent:li", "conversation_id": "c2"},
        ]
        # Nothing more, nothing twice.
        for sub in (widget_a, widget_b, other, console):
            assert await sub.get(0.2) is None


async def test_events_keep_their_order(events: Events) -> None:
    async with events.subscribe("c1") as sub, events.subscribe() as console:
        for n in range(50):
            await events.publish("c1", {"n": n})
        assert [(await sub.get(2) or {}).get("n") for _ in range(50)] == list(range(50))
        assert [(await console.get(2) or {}).get("n") for _ in range(50)] == list(range(50))


async def test_a_turns_events_published_together_keep_their_order(events: Events) -> None:
    async with events.subscribe("c1") as sub, events.subscribe() as console:
        await events.publish("c1", {"n": 0})
        await events.publish_all("c1", [{"n": n} for n in range(1, 4)])
        await events.publish("c1", {"n": 4})
        for watcher in (sub, console):
            said = [await watcher.get(2) for _ in range(5)]
            assert said == [{"n": n, "conversation_id": "c1"} for n in range(5)]
            assert await watcher.get(0.2) is None


async def test_a_left_subscriber_gets_nothing_and_others_still_do(events: Events) -> None:
    async with events.subscribe("c1") as staying:
        async with events.subscribe("c1") as leaving:
            pass
        await events.publish("c1", {"n": 1})
        assert await staying.get(2) == {"n": 1, "conversation_id": "c1"}
        assert leaving.queue.empty()
    # Nobody listens: publishing is fine and lost.
    await events.publish("c1", {"n": 2})
    async with events.subscribe("c1") as again:
        await events.publish("c1", {"n": 3})
        assert await again.get(2) == {"n": 3, "conversation_id": "c1"}


async def test_async_iteration(events: Events) -> None:
    got: list[int] = []

    async def watch() -> None:
        async with events.subscribe("c9") as sub:
            ready.set()
            async for event in sub:
                got.append(event["n"])
                if len(got) == 3:
                    return

    ready = asyncio.Event()
    watcher = asyncio.create_task(watch())
    await ready.wait()
    for n in range(3):
        await events.publish("c9", {"n": n})
    await asyncio.wait_for(watcher, 5)
    assert got == [0, 1, 2]


async def test_redis_events_cross_processes_on_one_shared_connection(
    redis_url: str, tmp_path: Path
) -> None:
    settings = Settings(redis_url=redis_url, data_dir=tmp_path)
    here, elsewhere = await open_backend(settings), await open_backend(settings)
    try:
        events = here.events
        assert isinstance(events, RedisEvents)
        async with (
            events.subscribe("c1") as one,
            events.subscribe("c2") as two,
            events.subscribe(),
        ):
            await elsewhere.events.publish("c1", {"n": 1})
            await elsewhere.events.publish("c2", {"n": 2})
            assert await one.get(2) == {"n": 1, "conversation_id": "c1"}
            assert await two.get(2) == {"n": 2, "conversation_id": "c2"}
            # One PubSub connection carries every subscription of the process.
            clients = await events.client.client_list()
            subscribers = [c for c in clients if int(c["sub"]) + int(c["psub"]) > 0]
            assert [(int(c["sub"]), int(c["psub"])) for c in subscribers] == [(2, 1)]
    finally:
        await here.aclose()
        await elsewhere.aclose()


@pytest.mark.parametrize("backend_kind", ["redis"])
async def test_after_redis_cut_the_pubsub_connection_every_subscriber_is_told_it_missed_events(
    backend: Backend,
) -> None:
    """What was published while the connection was down reached nobody: the widget, the
    console and the Telegram forwarder must read afresh. Then events flow again."""
    events = backend.events
    async with (
        events.subscribe("c1") as one,
        events.subscribe("c2") as two,
        events.subscribe() as everything,
    ):
        assert await backend.store.client.client_kill_filter(_type="pubsub") == 1  # type: ignore[attr-defined]
        assert await one.get(5) == {"type": "missed", "conversation_id": "c1"}
        assert await two.get(5) == {"type": "missed", "conversation_id": "c2"}
        assert await everything.get(5) == {"type": "missed"}
        await events.publish("c1", {"n": 1})
        assert await one.get(2) == {"n": 1, "conversation_id": "c1"}
        assert await everything.get(2) == {"n": 1, "conversation_id": "c1"}
        for sub in (one, two, everything):
            assert await sub.get(0.2) is None  # told once


async def test_a_subscriber_too_far_behind_is_told_it_missed_events_and_gets_the_newest() -> None:
    events = LocalEvents()
    async with events.subscribe("c1") as sub, events.subscribe() as everything:
        for n in range(QUEUE_SIZE + 3):
            await events.publish("c1", {"n": n})
        for watcher, missed in ((sub, {"conversation_id": "c1"}), (everything, {})):
            assert await watcher.get(1) == {"type": "missed", **missed}
            newest = [await watcher.get(1) for _ in range(3)]
            assert newest == [{"n": QUEUE_SIZE + n, "conversation_id": "c1"} for n in range(3)]
            assert await watcher.get(0.05) is None


@pytest.mark.parametrize("backend_kind", ["redis"])
async def test_a_turns_events_cross_redis_as_one_message(backend: Backend) -> None:
    """Every process that listens parses one message a turn, not one per event."""
    events = backend.events
    assert isinstance(events, RedisEvents)
    raw = events.client.pubsub()
    await raw.subscribe("ll:ev:c1")
    await raw.get_message(timeout=2)  # the subscription's confirmation
    await events.publish_all("c1", [{"n": n} for n in range(3)])
    message = await raw.get_message(timeout=2)
    assert message is not None and json.loads(message["data"]) == [
        {"n": n, "conversation_id": "c1"} for n in range(3)
    ]
    assert await raw.get_message(timeout=0.2) is None
    await raw.aclose()


@pytest.mark.parametrize("backend_kind", ["redis"])
async def test_a_turns_events_leave_with_its_commit_and_only_if_it_applies(backend: Backend) -> None:
    """No PUBLISH of its own: the commit script sends the turn's message. A repeated message
    or a lost compare-and-set sends nothing, so watchers never see a turn that was not stored."""
    events = backend.events
    assert isinstance(events, RedisEvents)
    engine = Engine(backend.store, backend.queue, events)
    record, _, _ = await engine.start("web", "zh-CN", datetime.now(UTC))
    raw = events.client.pubsub()
    await raw.subscribe(f"ll:ev:{record.id}")
    await raw.get_message(timeout=2)
    turn = Turn(text="昨晚卡被盗刷了五万两千", sent_at=datetime.now(UTC))
    async with events.client.monitor() as monitor:
        outcome = await engine.handle(record.id, turn, "m-1")
        message = await raw.get_message(timeout=2)
        await events.client.echo("done")
        publishers = []
        while (command := await monitor.next_command())["command"] != "ECHO done":
            if command["command"].startswith("PUBLISH"):
                publishers.append(command["client_type"])
    assert publishers == ["lua"]
    assert message is not None
    sent = json.loads(message["data"])
    assert [e["type"] for e in sent] == ["message", "reply", "state"]
    assert {e["version"] for e in sent} == {outcome.record.version}

    assert (await engine.handle(record.id, turn, "m-1")).duplicate
    stale = await backend.store.commit_turn(
        record.id, 1, Changes(), [], None, {}, publish=events.wire(record.id, [{"type": "x"}])
    )
    assert stale.status == "conflict"
    assert await raw.get_message(timeout=0.3) is None
    await raw.aclose()
