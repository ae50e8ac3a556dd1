"""Shared fixtures: our own redis-server, and the backends every store test runs against.

The tests never touch a Redis that may already run on this machine: they start redis-server
on a free port in a temporary directory (AOF on, fsync always, so restart tests mean
something) and stop it at the end.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from bot.events import Events
from bot.settings import Settings
from bot.store.base import HandoffQueue, Store
from bot.store.factory import Backend, open_backend

BACKENDS = ["sqlite", "redis"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A redis-server child process with its own port and directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("no redis-server on PATH (scripts/test installs it with apt)")
        self.directory.mkdir(parents=True, exist_ok=True)
        config = {
            "port": str(self.port),
            "bind": "127.0.0.1",
            "dir": str(self.directory),
            "save": "",
            "appendonly": "yes",
            "appendfsync": "always",
            "logfile": "redis.log",
        }
        args = [part for name, value in config.items() for part in (f"--{name}", value)]
        self.process = subprocess.Popen(
            [binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"redis-server exited; see {self.directory / 'redis.log'}")
            try:
                with redis.Redis(port=self.port, socket_timeout=0.5) as client:
                    if client.ping():
                        return
            except redis.ConnectionError:
                time.sleep(0.05)
        pytest.fail("redis-server did not answer PING within 10 s")

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


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
