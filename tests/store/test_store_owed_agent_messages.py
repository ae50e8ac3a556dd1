"""Agent messages owed to a chat (Store.owe_agent_message): kept until settled, oldest
first, per conversation or all, and dropped once older than the retention time. Both stores."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from store_helpers import T0

from bot.store.base import Store
from bot.store.factory import Backend

pytestmark = pytest.mark.timeout(30)


async def test_owed_messages_are_listed_oldest_first_until_settled(store: Store) -> None:
    first, second, third = (T0 + timedelta(seconds=s, microseconds=s) for s in (1, 2, 3))
    await store.owe_agent_message("c2", second)
    await store.owe_agent_message("c1", third)
    await store.owe_agent_message("c1", first)
    await store.owe_agent_message("c1", first)  # owed once however often it is said

    assert await store.owed_agent_messages() == [("c1", first), ("c2", second), ("c1", third)]
    assert await store.owed_agent_messages("c1") == [("c1", first), ("c1", third)]
    assert await store.owed_agent_messages(limit=1) == [("c1", first)]

    await store.settle_agent_message("c1", first)
    await store.settle_agent_message("c1", first)  # settling twice is harmless
    await store.settle_agent_message("c9", second)  # so is settling what is not owed
    assert await store.owed_agent_messages() == [("c2", second), ("c1", third)]
    assert await store.owed_agent_messages("c3") == []


async def test_the_time_comes_back_to_the_microsecond(store: Store) -> None:
    """It is what finds the message in the transcript (an entry's own `at`)."""
    at = T0 + timedelta(days=900, microseconds=123_457)
    await store.owe_agent_message("c1", at)
    [(_, owed)] = await store.owed_agent_messages()
    assert owed == at and owed.utcoffset() == timedelta(0)


async def test_messages_older_than_the_retention_time_are_dropped(
    make_backend: Callable[..., Awaitable[Backend]],
) -> None:
    """Their conversations are gone: nothing could send them, and nobody would settle them
    when no Telegram worker runs."""
    store = (await make_backend(retention_days=1 / 24)).store
    await store.owe_agent_message("old", T0)
    await store.owe_agent_message("kept", T0 + timedelta(minutes=30))
    await store.owe_agent_message("new", T0 + timedelta(hours=1, seconds=1))
    assert [cid for cid, _ in await store.owed_agent_messages()] == ["kept", "new"]
