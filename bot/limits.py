"""Limits a client cannot get past: request body size (413) and request rate (429)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.errors import error_body


class BodyLimit:
    """Refuse a body over `max_bytes` with 413, whether or not Content-Length tells the truth."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, upload_max_bytes: int, upload_suffix: str = "/evidence"
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes
        self.upload_suffix = upload_suffix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = (
            self.upload_max_bytes if scope["path"].endswith(self.upload_suffix) else self.max_bytes
        )
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _too_large(send)


class _TooLarge(HTTPException):
    """Raised from inside `receive`: an HTTPException, so that FastAPI, which turns whatever
    else reading the body raises into a 400, lets it through to the 413 handler."""

    def __init__(self) -> None:
        super().__init__(413)


async def _too_large(send: Send) -> None:
    body = json.dumps(error_body("too_large", "内容太大了，请缩短后再发。")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Limiter(Protocol):
    """A request rate per key (a client address, a conversation): `rate` a second on average,
    bursts up to `burst`."""

    async def wait(self, key: str) -> float:
        """0 when allowed (and counted); else the seconds to wait."""
        ...


def retry_after(wait: float) -> str:
    """The Retry-After header for a wait in seconds: whole seconds, at least one."""
    return str(max(1, math.ceil(wait)))


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class RateLimiter:
    """A token bucket per key, kept in this process: every limit of SQLite's one process,
    and the per-address flood guard everywhere. Limits that must hold across workers are
    kept in Redis (bot.store.redis_limits)."""

    rate: float
    burst: int
    max_keys: int = 100_000
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def check(self, key: str, now: float | None = None) -> float:
        """0 when allowed (and counted); else the seconds to wait."""
        now = self.clock() if now is None else now
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._buckets.clear()  # crude but bounded: forgetting limits is safe enough
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    async def wait(self, key: str) -> float:
        return self.check(key)
