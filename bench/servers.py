"""Local servers for benchmarks and tests: a free port, a redis-server child process on one in
its own directory (never a Redis that may already run on the machine), and the wait for a
`lossline serve` to answer."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import redis

# As docker-compose.yml runs production Redis: AOF with fsync every second, compact hashes.
PRODUCTION = {"appendonly": "yes", "appendfsync": "everysec", "hash-max-listpack-value": "1024"}


async def until_serving(base: str, timeout_s: float = 30.0) -> None:
    """Wait until the `lossline serve` at `base` answers /healthz (a loaded 2-core machine
    takes seconds to start one)."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"{base} did not start within {timeout_s:.0f} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServerError(RuntimeError):
    pass


class RedisServer:
    def __init__(self, directory: Path, config: dict[str, str] | None = None) -> None:
        self.directory = directory
        self.port = free_port()
        self.config = {"appendonly": "yes", "appendfsync": "always", **(config or {})}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisServerError("no redis-server on PATH (scripts/test installs it with apt)")
        self.directory.mkdir(parents=True, exist_ok=True)
        config = {
            "port": str(self.port),
            "bind": "127.0.0.1",
            "dir": str(self.directory),
            "save": "",
            "logfile": "redis.log",
            **self.config,
        }
        args = [part for name, value in config.items() for part in (f"--{name}", value)]
        self.process = subprocess.Popen([binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RedisServerError(f"redis-server exited; see {self.directory / 'redis.log'}")
            try:
                with redis.Redis(port=self.port, socket_timeout=0.5) as client:
                    if client.ping():
                        return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RedisServerError("redis-server did not answer PING within 10 s")

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
