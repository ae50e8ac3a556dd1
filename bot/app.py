"""The web application: the conversation API, health, metrics, and the pages channels add."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot import api, console, errors, web
from bot.access_log import AccessLog
from bot.engine import ORPHANED_HANDOFF
from bot.limits import BodyLimit
from bot.metrics import PROCESS
from bot.runtime import Runtime
from bot.settings import Settings
from bot.store.factory import Backend, open_backend

log = structlog.get_logger(__name__)


PURGE_EVERY_S = 3600.0
RECOVER_EVERY_S = ORPHANED_HANDOFF.total_seconds() / 2


async def repeat_forever(name: str, job: Callable[[], Awaitable[int]], every_s: float) -> None:
    """Run a background job every `every_s`; it logs how many things it did, and a failure
    is retried next time, never fatal to serving."""
    while True:
        try:
            done = await job()
            if done:
                log.info(f"{name}.done", count=done)
        except Exception:
            log.exception(f"{name}.failed")
        await asyncio.sleep(every_s)


def create_app(settings: Settings | None = None, backend: Backend | None = None) -> FastAPI:
    """The app. With no backend it opens the one the settings name and closes it on exit."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = backend is None
        opened = backend or await open_backend(settings)
        app.state.runtime = Runtime.build(settings, opened)
        PROCESS.info({"pid": str(os.getpid())})
        engine = app.state.runtime.engine
        jobs = [
            # Conversations idle past retention (SQLite; Redis expires keys by itself).
            asyncio.create_task(repeat_forever("retention.purge", opened.store.purge_expired, PURGE_EVERY_S)),
            # Hand-offs a dead process committed but never put on the queue.
            asyncio.create_task(repeat_forever("handoff.recover", engine.recover_handoffs, RECOVER_EVERY_S)),
        ]
        try:
            yield
        finally:
            for job in jobs:
                job.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*jobs)
            if own:
                await opened.aclose()

    app = FastAPI(
        title="lossline conversation API",
        version="0.1.0",
        description="盗刷应急理赔助手: the API behind every channel (shared/spec/conversation-api.md).",
        lifespan=lifespan,
    )
    errors.install(app)
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.evidence_max_bytes + 64 * 1024,
    )
    app.add_middleware(AccessLog)  # the outermost of ours: it sees every answer, 413s included
    app.include_router(api.router)
    web.install(app)  # the widget and its demo page at /
    console.install(app)  # the hotline agents' console at /console
    token = settings.telegram_token
    if token is not None and token.get_secret_value():  # Telegram webhook (bot/telegram/)
        from bot.telegram.webhook import mount

        mount(app, settings)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        rt: Runtime = app.state.runtime
        ok = await rt.engine.store.ping()
        body = {"status": "ok" if ok else "unavailable", "store": rt.backend.kind}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
