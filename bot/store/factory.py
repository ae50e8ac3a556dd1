"""Open the store, the hand-off queue, the live events and the rate limits the settings ask for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff

from bot.events import Events, RedisEvents
from bot.limits import Limiter, RateLimiter
from bot.settings import Settings
from bot.store.base import HandoffQueue, Store
from bot.store.redis import RedisStore
from bot.store.redis_limits import RedisRateLimiter
from bot.store.redis_queue import RedisHandoffQueue
from bot.store.sqlite import SqliteDatabase, SqliteStore
from bot.store.sqlite_events import SqliteEvents
from bot.store.sqlite_queue import SqliteHandoffQueue

SQLITE_FILE = "lossline.sqlite3"


class _Closeable(Protocol):
    async def aclose(self) -> None: ...


# A limiter by name, rate a second and burst: one every process of the backend shares.
MakeLimiter = Callable[[str, float, int], Limiter]


def _in_process(name: str, rate: float, burst: int) -> Limiter:
    return RateLimiter(rate, burst)  # SQLite serves from one process: its buckets are all


@dataclass
class Backend:
    """Everything one process shares: open once at start-up, close at shut-down."""

    store: Store
    queue: HandoffQueue
    events: Events
    kind: str
    limiter: MakeLimiter = _in_process
    _resources: list[_Closeable] = field(default_factory=list)

    async def aclose(self) -> None:
        await self.events.aclose()
        for resource in reversed(self._resources):
            await resource.aclose()


def redis_client(settings: Settings) -> Redis:
    """A client on a pool sized from the settings. The blocking pool makes a burst past
    `redis_max_connections` wait for a free connection instead of raising
    "Too many connections" (redis-py 8's plain pool, with its default of 100)."""
    assert settings.redis_url is not None
    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=settings.redis_max_connections,
        timeout=settings.redis_pool_timeout_s,
        health_check_interval=settings.redis_health_check_s,
        # Above the longest blocking read (2 s), so a blocked XREADGROUP is not cut off.
        socket_timeout=5,
        socket_connect_timeout=5,
        # A client made on a pool takes the pool's retry policy, which is none by default:
        # without this the first command on each connection a Redis restart cut would fail.
        retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=1), retries=3),
        decode_responses=True,
    )
    return Redis.from_pool(pool)


async def open_backend(settings: Settings) -> Backend:
    if settings.redis_url:
        client = redis_client(settings)
        await client.ping()
        store = RedisStore(
            client, settings.retention_seconds, settings.message_ids_kept, settings.message_ids_ttl_s
        )
        return Backend(
            store=store,
            queue=RedisHandoffQueue(
                client, settings.handoff_redeliver_ms, settings.handoff_block_ms
            ),
            events=RedisEvents(client),
            kind="redis",
            limiter=partial(RedisRateLimiter, client),
            _resources=[client, store],  # closed in reverse: the store's bookkeeping first
        )
    db = await SqliteDatabase.open(settings.data_dir / SQLITE_FILE)
    return Backend(
        store=SqliteStore(
            db, settings.retention_seconds, settings.message_ids_kept, settings.message_ids_ttl_s
        ),
        queue=SqliteHandoffQueue(db, settings.handoff_redeliver_ms, settings.handoff_block_ms),
        events=SqliteEvents(db),
        kind="sqlite",
        _resources=[db],
    )
