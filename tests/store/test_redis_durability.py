"""Redis under real conditions: several OS processes at once, and a server restart."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis.exceptions
from store_helpers import entry, record

from bot.settings import Settings
from bot.store.base import Changes, Store
from bot.store.factory import open_backend

pytestmark = pytest.mark.timeout(120)

WORKER = Path(__file__).with_name("hammer_worker.py")


async def test_two_processes_on_one_redis_lose_and_double_nothing(
    redis_url: str, tmp_path: Path
) -> None:
    backend = await open_backend(Settings(redis_url=redis_url, data_dir=tmp_path))
    store = backend.store
    try:
        conversations = [record() for _ in range(3)]
        for conversation in conversations:
            await store.create(conversation)
        ids = ",".join(c.id for c in conversations)
        turns, workers = 25, ["p1", "p2"]
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                str(WORKER),
                redis_url,
                name,
                ids,
                str(turns),
                stdout=subprocess.PIPE,
                # One process may run far ahead of the other: remember every id, so a
                # shared message sent late is still recognised.
                env={**os.environ, "LOSSLINE_MESSAGE_IDS_KEPT": "1000"},
            )
            for name in workers
        ]
        outputs = [await asyncio.wait_for(p.communicate(), 90) for p in processes]
        assert [p.returncode for p in processes] == [0, 0]

        own = {f"{w}-{n}" for w in workers for n in range(turns)}
        shared = {f"shared-{n}" for n in range(turns)}
        per_conversation = len(own) + len(shared)
        # Every shared message was applied by exactly one of the two processes.
        assert sum(int(out) for out, _ in outputs) == per_conversation * len(conversations)
        for conversation in conversations:
            texts = [e.text for e in await store.transcript(conversation.id)]
            assert sorted(texts) == sorted(own | shared)  # none lost, none twice
            for w in workers:  # each process's turns in the order it sent them
                assert [t for t in texts if t.startswith(f"{w}-")] == [
                    f"{w}-{n}" for n in range(turns)
                ]
            final = await store.load(conversation.id)
            assert final is not None
            assert final.version == 1 + per_conversation
            assert final.state == {"count": per_conversation}
    finally:
        await backend.aclose()


async def _commit_until_acknowledged(store: Store, conversation_id: str, message_id: str) -> None:
    """Retry through a server outage; the message id makes a retried commit apply once."""
    while True:
        try:
            current = await store.load(conversation_id)
            assert current is not None
            outcome = await store.commit_turn(
                conversation_id, current.version, Changes(), [entry(message_id)], message_id, {}
            )
            if outcome.status != "conflict":
                return
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            await asyncio.sleep(0.05)


async def test_acknowledged_turns_survive_a_redis_restart_under_load(
    make_redis_server: Callable[[], Any], tmp_path: Path
) -> None:
    server = make_redis_server()
    backend = await open_backend(Settings(redis_url=server.url, data_dir=tmp_path))
    store = backend.store
    acknowledged: dict[str, list[str]] = {}
    try:
        conversations = [record() for _ in range(4)]
        for conversation in conversations:
            await store.create(conversation)
            acknowledged[conversation.id] = []

        async def writer(conversation_id: str) -> None:
            for n in range(150):
                message_id = f"m{n}"
                await _commit_until_acknowledged(store, conversation_id, message_id)
                acknowledged[conversation_id].append(message_id)
                await asyncio.sleep(0.002)

        writers = [asyncio.create_task(writer(c.id)) for c in conversations]
        await asyncio.sleep(0.3)
        before = sum(map(len, acknowledged.values()))
        await asyncio.to_thread(server.stop, True)  # SIGKILL: no shutdown save
        await asyncio.sleep(0.3)
        await asyncio.to_thread(server.start)
        await asyncio.wait_for(asyncio.gather(*writers), 60)
        assert 0 < before < 600  # the restart really happened mid-load

        await asyncio.to_thread(server.restart)
        for conversation in conversations:
            texts = [e.text for e in await store.transcript(conversation.id)]
            assert texts == acknowledged[conversation.id] == [f"m{n}" for n in range(150)]
            final = await store.load(conversation.id)
            assert final is not None and final.version == 151
    finally:
        await backend.aclose()


async def test_live_events_resume_after_a_redis_restart(
    make_redis_server: Callable[[], Any], tmp_path: Path
) -> None:
    server = make_redis_server()
    backend = await open_backend(Settings(redis_url=server.url, data_dir=tmp_path))
    try:
        async with backend.events.subscribe("c1") as sub, backend.events.subscribe() as console:
            await asyncio.to_thread(server.restart)
            # The shared PubSub connection reconnects and subscribes again by itself: the
            # conversation's channel and the console's pattern, one after the other, so keep
            # publishing until both have resumed.
            got: dict[str, list[dict[str, Any]]] = {"one": [], "all": []}
            for _ in range(100):
                await backend.events.publish("c1", {"n": 1})
                for name, subscription in (("one", sub), ("all", console)):
                    while (event := await subscription.get(0.05)) is not None:
                        got[name].append(event)
                if all(any(e.get("n") == 1 for e in events) for events in got.values()):
                    break
            else:
                pytest.fail(f"after the restart events did not resume: {got}")
            # What was published while Redis was down reached nobody: each is told so first.
            assert got["one"][0] == {"type": "missed", "conversation_id": "c1"}
            assert got["all"][0] == {"type": "missed"}
    finally:
        await backend.aclose()
