"""One JSON line per request and per WebSocket, in place of uvicorn's plain-text access log.

uvicorn printed every path with its query string, between our JSON lines: the widget's
WebSocket URL carries its conversation's bearer token (`?token=…`, a browser cannot set a
header on a WebSocket), and Telegram's webhook path carries the bot's secret. Anyone who
could read the logs could have opened any victim's case. Here no query string is written,
and what follows a secret path prefix is masked.
"""

from __future__ import annotations

import logging
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.telegram.settings import WEBHOOK_PATH

log = structlog.get_logger("lossline.access")

SECRET_PREFIXES = (WEBHOOK_PATH + "/",)  # what follows each is a secret
MASK = "***"


def loggable_path(path: str) -> str:
    """A path (or path?query) as the log may show it: no query string, no secret."""
    path = path.partition("?")[0]
    for prefix in SECRET_PREFIXES:
        if path.startswith(prefix):
            return prefix + MASK
    return path


class HidePathSecrets(logging.Filter):
    """For uvicorn's own logger, which still names each WebSocket it accepts or refuses by
    its path and query string ('%s - "WebSocket %s" [accepted]'): the paths among a record's
    arguments are logged as loggable_path gives them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):  # uvicorn's few lines: starting, a socket, an error
            record.args = tuple(_loggable(arg) for arg in record.args)
        return True


def _loggable(arg: object) -> object:
    return loggable_path(arg) if isinstance(arg, str) and arg.startswith("/") else arg


class AccessLog:
    """`http.request` (method, path, status, ms) when a request ends; `ws.closed` (path,
    status: 101 once accepted, else the close code it was refused with; seconds open) when
    a WebSocket ends. A request that failed without answering is logged with status 500,
    the answer Starlette's outermost handler then gives."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def watched(message: Message) -> None:
            nonlocal status
            what = message["type"]
            if what == "http.response.start":
                status = message["status"]
            elif what == "websocket.accept":
                status = 101
            elif what == "websocket.close" and not status:
                status = message.get("code", 1000)
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            client = scope.get("client")
            host = client[0] if client else None
            path = loggable_path(scope["path"])
            if kind == "http":
                ms = round((time.perf_counter() - started) * 1000, 2)
                method = scope["method"]
                log.info("http.request", method=method, path=path, status=status or 500, ms=ms, client=host)
            else:
                seconds = round(time.perf_counter() - started, 1)
                log.info("ws.closed", path=path, status=status or 1011, seconds=seconds, client=host)
