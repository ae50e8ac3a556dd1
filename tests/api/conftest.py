from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bot.app import create_app
from bot.settings import Settings
from bot.store.factory import Backend

ApiFactory = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def make_api(
    backend_settings: Settings, make_backend: Callable[..., Awaitable[Backend]]
) -> AsyncIterator[ApiFactory]:
    """An API client on this test's backend (SQLite or Redis), settings overridden as given."""
    clients: list[tuple[httpx.AsyncClient, Any]] = []

    async def make(**overrides: Any) -> httpx.AsyncClient:
        settings = backend_settings.model_copy(update=overrides)
        app: FastAPI = create_app(settings, await make_backend(**overrides))
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
        clients.append((client, lifespan))
        return client

    yield make
    for client, lifespan in clients:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def api(make_api: ApiFactory) -> httpx.AsyncClient:
    return await make_api()
