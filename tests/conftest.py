"""Shared fixtures: our own redis-server, and the backends every store test runs against.

The tests never touch a Redis that may already run on this machine: they start redis-server
on a free port in a temporary directory (AOF on, fsync always, so restart tests mean
something) and stop it at the end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from bench.servers import RedisServer as _RedisServer
from bench.servers import RedisServerError
from bot.events import Events
from bot.settings import Settings
from bot.store.base import HandoffQueue, Store
from bot.store.factory import Backend, open_backend

BACKENDS = ["sqlite", "redis"]


class RedisServer(_RedisServer):
    """bench's redis-server launcher, failing the test (not erroring) when it cannot start."""

    def start(self) -> None:
        try:
            super().start()
        except RedisServerError as error:
            pytest.fail(str(error))


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a redis-server started for this test session."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def make_redis_server(tmp_path: Path) -> Iterator[Callable[[], RedisServer]]:
    """Start a dedicated redis-server (for tests that stop or restart it)."""
    servers: list[RedisServer] = []

    def make() -> RedisServer:
        server = RedisServer(tmp_path / f"redis-{len(servers)}")
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's Redis, emptied for this test."""
    with redis.Redis.from_url(redis_server) as client:
        client.flushdb()
    return redis_server


@pytest.fixture(params=BACKENDS)
def backend_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def backend_settings(
    backend_kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Settings:
    """Settings of this test's backend: a fresh SQLite file, or the emptied test Redis."""
    url = request.getfixturevalue("redis_url") if backend_kind == "redis" else None
    return Settings(data_dir=tmp_path / "data", redis_url=url)


@pytest.fixture
async def make_backend(
    backend_settings: Settings,
) -> AsyncIterator[Callable[..., Awaitable[Backend]]]:
    """Open a backend of this test's kind, with settings overridden as given."""
    opened: list[Backend] = []

    async def make(**overrides: Any) -> Backend:
        backend = await open_backend(backend_settings.model_copy(update=overrides))
        opened.append(backend)
        return backend

    yield make
    for backend in opened:
        await backend.aclose()


@pytest.fixture
async def backend(make_backend: Callable[..., Awaitable[Backend]]) -> Backend:
    return await make_backend()


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.store


@pytest.fixture
def queue(backend: Backend) -> HandoffQueue:
    return backend.queue


@pytest.fixture
def events(backend: Backend) -> Events:
    return backend.events
