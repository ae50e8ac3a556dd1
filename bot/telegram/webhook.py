"""The webhook route `lossline serve` mounts when a bot token is set:
POST /telegram/webhook/{secret}, with Telegram's X-Telegram-Bot-Api-Secret-Token header.

An update is processed in the background by the same core as polling, and Telegram is
answered once it is taken: stored and answered, or its replies waiting out a flood limit
(which can take long). A process killed before that has not answered, so Telegram sends the
update again; one killed after it has handled the update. Telegram also resends an update
whose webhook call takes more than about a minute, hence the limit on the wait; a resent
update is applied once anyway (its update id is the turn's message id), and answered again
only by a process that did not answer it (see bot/telegram/core.py).
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.responses import JSONResponse

from bot.errors import ApiError
from bot.runtime import Runtime
from bot.settings import Settings
from bot.telegram.service import TAKEN_WAIT_S, WEBHOOK_PATH, TelegramService
from bot.telegram.settings import TelegramSettings

log = structlog.get_logger(__name__)
router = APIRouter()


@router.post(WEBHOOK_PATH + "/{secret}", include_in_schema=False)
async def telegram_webhook(
    secret: str,
    request: Request,
    x_telegram_bot_api_secret_token: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    service: TelegramService | None = getattr(request.app.state, "telegram", None)
    if service is None:
        raise ApiError(503)
    expected = service.secret.encode()
    header = (x_telegram_bot_api_secret_token or "").encode()
    if not (hmac.compare_digest(secret.encode(), expected) and hmac.compare_digest(header, expected)):
        raise ApiError(403)
    try:
        update = await request.json()
    except ValueError:
        raise ApiError(400) from None
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise ApiError(400)
    taken = service.feed_later(update)
    try:
        await asyncio.wait_for(asyncio.shield(taken), TAKEN_WAIT_S)
    except TimeoutError:
        log.warning("telegram.webhook_slow", update_id=update["update_id"])
    return JSONResponse({})


Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[Any]]


def mount(app: FastAPI, settings: Settings, telegram: TelegramSettings | None = None) -> None:
    """Add the route, and start the Telegram service (webhook mode: no polling) after the
    app's own start-up, which builds the runtime it needs; stop it before the app's end."""
    telegram = telegram or TelegramSettings()
    app.include_router(router)
    inner: Lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            rt: Runtime = app_.state.runtime
            service = TelegramService.build(telegram.lib, settings, rt.engine)
            await service.start(polling=False)
            app_.state.telegram = service
            log.info("telegram.webhook_ready", lib=telegram.lib)
            try:
                yield state
            finally:
                await service.stop()

    app.router.lifespan_context = lifespan
