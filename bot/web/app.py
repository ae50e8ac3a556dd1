"""Serve the widget and a demo page, and let other sites' pages call the conversation API.

GET /            a fake bank page that embeds the widget with one script tag (?locale=en)
GET /widget.js   the widget

The API authenticates with the conversation's bearer token, never a cookie, so any origin
may call it (CORS "*", no credentials): that is what embedding on a bank's site needs.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"
router = APIRouter(include_in_schema=False)


@router.get("/widget.js")
async def widget() -> FileResponse:
    return FileResponse(
        STATIC / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/")
async def demo(request: Request, locale: str = "zh-CN") -> HTMLResponse:
    server = str(request.base_url).rstrip("/")
    html = (STATIC / "demo.html").read_text(encoding="utf-8")
    html = html.replace("{{server}}", escape(server, quote=True))
    html = html.replace("{{locale}}", "en" if locale == "en" else "zh-CN")
    return HTMLResponse(html)


class ApiCors:
    """CORS for the conversation API only (/api/…); the console stays same-site."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.add_middleware(ApiCors)
