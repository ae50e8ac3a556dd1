"""A test Bot API server, and the Telegram service running on it over this test's backend.

The telegram tests run on SQLite unless a test parametrizes `backend_kind` itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from pydantic import SecretStr

from bot.engine import Engine
from bot.settings import Settings
from bot.store.factory import Backend
from bot.telegram.service import TelegramService
from bot.telegram.settings import Library
from tests.telegram.botapi import BotApiServer

POLL_TIMEOUT_S = 1  # short long-polls: stopping PTB's updater waits for the current one

MakeService = Callable[..., Awaitable[TelegramService]]


@pytest.fixture
def backend_kind() -> str:
    return "sqlite"


@pytest.fixture
async def bot_api() -> AsyncIterator[BotApiServer]:
    server = BotApiServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def telegram_settings(backend_settings: Settings, bot_api: BotApiServer) -> Settings:
    return backend_settings.model_copy(
        update={"telegram_token": SecretStr(bot_api.token), "telegram_api_base": bot_api.base}
    )


@pytest.fixture
def engine(backend: Backend) -> Engine:
    return Engine(backend.store, backend.queue, backend.events)


@pytest.fixture
async def make_service(telegram_settings: Settings, engine: Engine) -> AsyncIterator[MakeService]:
    """Start the Telegram service with a library, polling the test server (or not)."""
    running: list[TelegramService] = []

    async def make(lib: Library, polling: bool = True) -> TelegramService:
        service = TelegramService.build(lib, telegram_settings, engine)
        await service.start(polling=polling, poll_timeout_s=POLL_TIMEOUT_S)
        running.append(service)
        return service

    yield make
    for service in running:
        await service.stop()
