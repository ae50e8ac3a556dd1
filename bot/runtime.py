"""What one serving process holds: settings, the backend, the engine, the rate limiters."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from bot.engine import Engine
from bot.limits import Limiter, RateLimiter
from bot.settings import Settings
from bot.store.factory import Backend


@dataclass
class Runtime:
    settings: Settings
    backend: Backend
    engine: Engine
    conversation_limit: Limiter
    address_limit: Limiter
    login_limit: Limiter  # console logins per client address

    @classmethod
    def build(cls, settings: Settings, backend: Backend) -> Runtime:
        return cls(
            settings=settings,
            backend=backend,
            engine=Engine(backend.store, backend.queue, backend.events),
            conversation_limit=backend.limiter("conversation", settings.rate_per_conversation / 60, 20),
            # Every request of every client passes this one: kept in the process, a round
            # trip to Redis on each would cost more than the flood it caps (N workers: N times).
            address_limit=RateLimiter(settings.rate_per_address / 60, burst=100),
            # 10 at once, then one every 6 seconds: a password guesser gets nowhere.
            login_limit=backend.limiter("login", 10 / 60, 10),
        )


def runtime_of(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def runtime(request: Request) -> Runtime:
    """The runtime as a FastAPI dependency. FastAPI solves a dependency's own parameters on
    every use before it looks in its cache, so the path every turn takes (the address
    limit, the conversation, the message) calls runtime_of instead: 3 of its 7 dependency
    solves, about 12 % of their cost (the conversation's load and token check are the rest)."""
    return runtime_of(request)
