"""What one serving process holds: settings, the backend, the engine, the rate limiters."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from bot.engine import Engine
from bot.limits import RateLimiter
from bot.settings import Settings
from bot.store.factory import Backend


@dataclass
class Runtime:
    settings: Settings
    backend: Backend
    engine: Engine
    conversation_limit: RateLimiter
    address_limit: RateLimiter

    @classmethod
    def build(cls, settings: Settings, backend: Backend) -> Runtime:
        return cls(
            settings=settings,
            backend=backend,
            engine=Engine(backend.store, backend.queue, backend.events),
            conversation_limit=RateLimiter(settings.rate_per_conversation / 60, burst=20),
            address_limit=RateLimiter(settings.rate_per_address / 60, burst=100),
        )


async def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt
