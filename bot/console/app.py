"""Mount the console on the web application: pages, JSON API, live feed, static files."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from bot.console import api, pages
from bot.console.auth import LoginRequired, login_url

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    app.state.console_lock = asyncio.Lock()
    app.include_router(pages.router)
    app.include_router(api.router)
    app.mount("/static/console", StaticFiles(directory=STATIC), name="console-static")

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(login_url(exc.next_path), status_code=303)
