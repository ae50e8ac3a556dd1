"""The API's one error format, `{"error": {"code", "message"}}`, and the handlers that make it.

Messages are in Chinese: a victim's widget shows them as they are.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import redis.exceptions
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot import metrics
from bot.store.sqlite import is_busy

log = structlog.get_logger(__name__)

_DEFAULT_CODES = {
    400: ("bad_request", "请求无效。"),
    401: ("unauthorized", "缺少访问令牌，请重新打开对话。"),
    403: ("forbidden", "访问令牌不正确。"),
    404: ("not_found", "找不到这个地址或会话。"),
    405: ("method_not_allowed", "不支持这种请求方法。"),
    409: ("conflict", "操作冲突，请重试。"),
    413: ("too_large", "内容太大了，请缩短后再发。"),
    415: ("unsupported_type", "不支持这种文件类型。"),
    422: ("invalid", "内容格式不正确。"),
    429: ("too_many_requests", "发送太快了，请稍等片刻再试。"),
    503: ("unavailable", "服务暂时不可用，请稍后再试。"),
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        default_code, default_message = _DEFAULT_CODES.get(status, ("error", "请求失败。"))
        self.status = status
        self.code = code or default_code
        self.message = message or default_message
        self.headers = headers
        super().__init__(self.message)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def _respond(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    metrics.ERRORS.labels(code=code).inc()
    return JSONResponse(error_body(code, message, **extra), status_code=status, headers=headers)


def _field(error: Any) -> str:
    if error.get("type") == "json_invalid":  # its loc is ("body", offset): the body, not a field
        return "body"
    parts = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _respond(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": _field(e), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        fields = "、".join(p["field"] for p in problems)
        return _respond(422, "invalid", f"内容格式不正确：{fields}", problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI and Starlette answer 400 to a body they cannot parse (bytes that are not
            # UTF-8, JSON nested too deep, multipart without its boundary): a malformed body, 422.
            return _respond(422, "invalid", "内容格式不正确：请求内容无法解析。")
        code, message = _DEFAULT_CODES.get(exc.status_code, ("error", "请求失败。"))
        headers = getattr(exc, "headers", None)
        return _respond(exc.status_code, code, message, headers)

    # Storage out of reach for a moment (Redis restarting or failing over, another process
    # holding SQLite's write lock past the busy timeout): nothing was applied, and the same
    # request (same message id) can simply be sent again, as the widget does on a 5xx.
    @app.exception_handler(redis.exceptions.ConnectionError)  # BusyLoadingError too
    @app.exception_handler(redis.exceptions.TimeoutError)
    async def store_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("request.store_unavailable", path=request.url.path, error=repr(exc))
        return _respond(503, *_DEFAULT_CODES[503], {"Retry-After": "1"})

    @app.exception_handler(sqlite3.OperationalError)
    async def sqlite_error(request: Request, exc: sqlite3.OperationalError) -> JSONResponse:
        if is_busy(exc):
            return await store_unavailable(request, exc)
        return await crashed(request, exc)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        # Our bug, never the client's input: logged with its traceback, answered plainly.
        log.exception("request.crashed", path=request.url.path)
        return _respond(500, "internal", "服务出错了，我们会尽快处理。请稍后再试或拨打客服电话。")
