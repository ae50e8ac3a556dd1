"""Rate limits as the backend gives them: in the one process of SQLite, in Redis for all the
workers of a Redis deployment."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
import redis.asyncio

from bot.runtime import Runtime
from bot.settings import Settings
from bot.store.factory import Backend

MakeBackend = Callable[..., Awaitable[Backend]]


async def test_a_burst_is_allowed_then_the_wait_is_told(backend: Backend) -> None:
    limit = backend.limiter("t", 0.5, 3)  # one every 2 s
    assert [await limit.wait("a") for _ in range(3)] == [0, 0, 0]
    wait = await limit.wait("a")
    assert 1.5 < wait <= 2.0
    assert await limit.wait("b") == 0  # each key has its own bucket


async def test_the_bucket_fills_again_at_the_rate(backend: Backend) -> None:
    limit = backend.limiter("t", 4, 1)  # one every 250 ms
    assert await limit.wait("a") == 0
    assert await limit.wait("a") > 0
    await asyncio.sleep(0.3)
    assert await limit.wait("a") == 0


@pytest.mark.parametrize("backend_kind", ["redis"])
async def test_every_worker_draws_on_the_same_bucket(make_backend: MakeBackend) -> None:
    """Two processes' backends on one Redis: the burst is shared, not granted to each."""
    first, second = await make_backend(), await make_backend()
    limits = [first.limiter("t", 0.01, 4), second.limiter("t", 0.01, 4)]
    granted = [await limits[n % 2].wait("203.0.113.9") for n in range(8)]
    assert granted[:4] == [0] * 4 and all(w > 0 for w in granted[4:])


@pytest.mark.parametrize("backend_kind", ["redis"])
async def test_a_bucket_leaves_redis_once_it_would_be_full(backend: Backend, redis_url: str) -> None:
    limit = backend.limiter("t", 2, 4)  # full again 2 s after the last request
    for _ in range(5):
        await limit.wait("a")
    async with redis.asyncio.Redis.from_url(redis_url) as client:
        ttl = await client.pttl("ll:rate:t:a")
    assert 2000 < ttl <= 3000


@pytest.mark.parametrize("backend_kind", ["redis"])
async def test_console_logins_are_counted_across_workers(
    make_backend: MakeBackend, backend_settings: Settings
) -> None:
    """A password guesser spreading tries over the workers gets the 10 of one address."""
    workers = [Runtime.build(backend_settings, await make_backend()) for _ in range(2)]
    tries = [await workers[n % 2].login_limit.wait("198.51.100.7") for n in range(12)]
    assert tries[:10] == [0] * 10 and all(w > 0 for w in tries[10:])
