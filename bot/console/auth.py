"""Who is logged in: the session cookie, the CSRF token, and the guards on every route.

The cookie holds 256 random bits; the store keeps only their SHA-256, with the agent's name
and the session's CSRF token. Pages without a session redirect to the login page, the JSON
API answers 401, the WebSocket is refused. A state-changing request must also carry the
session's CSRF token (header X-CSRF-Token, or a `csrf` form field): else 403.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie
from starlette.requests import HTTPConnection

from bot.console.store import AuditEntry, ConsoleStore, Session, open_console_store
from bot.errors import ApiError
from bot.runtime import Runtime
from bot.store.base import utcnow

COOKIE = "lossline_console"
SESSION_LIFETIME = timedelta(hours=12)
CSRF_HEADER = "x-csrf-token"

# The session cookie as /openapi.json describes it (current() below is what reads it).
session_cookie = APIKeyCookie(
    name=COOKIE,
    scheme_name="consoleSession",
    description=(
        "The console's login session: the cookie `POST /console/login` (an HTML form: name, "
        "password and the form's csrf field) sets, HttpOnly, for 12 hours. Every POST also "
        "needs the session's CSRF token in the X-CSRF-Token header."
    ),
    auto_error=False,
)


class LoginRequired(Exception):
    """A console page was asked for without a session: the handler redirects to login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True)
class SignedIn:
    agent: str
    csrf: str
    key: str  # the session's key in the store


async def console_store(conn: HTTPConnection) -> ConsoleStore:
    """The console's store, opened on first use on the runtime's backend."""
    state = conn.app.state
    store: ConsoleStore | None = getattr(state, "console_store", None)
    if store is None:
        async with state.console_lock:
            store = getattr(state, "console_store", None)
            if store is None:
                runtime: Runtime = state.runtime
                store = state.console_store = await open_console_store(runtime.backend)
    return store


def session_key(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


async def current(conn: HTTPConnection) -> SignedIn | None:
    cookie = conn.cookies.get(COOKIE)
    if not cookie or len(cookie) > 128:
        return None
    key = session_key(cookie)
    session = await (await console_store(conn)).session(key)
    return SignedIn(session.agent, session.csrf, key) if session else None


async def start_session(conn: HTTPConnection, agent: str) -> str:
    """A new session for the agent; returns the cookie value."""
    cookie = secrets.token_urlsafe(32)
    session = Session(agent=agent, csrf=secrets.token_urlsafe(32), expires_at=utcnow() + SESSION_LIFETIME)
    await (await console_store(conn)).save_session(session_key(cookie), session)
    return cookie


def same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


async def api_agent(request: Request, _cookie: Annotated[str | None, Security(session_cookie)]) -> SignedIn:
    signed = await current(request)
    if signed is None:
        raise ApiError(401, code="login_required", message="请先登录坐席控制台。")
    return signed


async def page_agent(request: Request) -> SignedIn:
    signed = await current(request)
    if signed is None:
        raise LoginRequired(request.url.path)
    return signed


async def csrf_agent(request: Request, signed: Annotated[SignedIn, Depends(api_agent)]) -> SignedIn:
    """A logged-in agent whose request carries the session's CSRF token (and, if the browser
    says where it comes from, comes from this site)."""
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        form = await request.form()
        value = form.get("csrf")
        token = value if isinstance(value, str) else None
    if not same(token, signed.csrf):
        raise ApiError(403, code="csrf", message="请求缺少有效的 CSRF 令牌，请刷新页面后重试。")
    if not same_origin(request):
        raise ApiError(403, code="csrf", message="请求来自其他网站，已拒绝：请在坐席控制台的页面里操作。")
    return signed


def same_origin(conn: HTTPConnection) -> bool:
    """True unless the browser names another site as the request's origin, or one that is
    not a site at all ("http://[" cannot be read)."""
    origin = conn.headers.get("origin")
    if origin is None:
        return True
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:
        return False
    return netloc == conn.headers.get("host", "")


def login_url(next_path: str) -> str:
    return "/console/login?next=" + quote(next_path, safe="/")


def safe_next(next_path: str | None) -> str:
    """Only a console path of this site: never another host (open redirect)."""
    if next_path and next_path.startswith("/console") and "//" not in next_path:
        if "\\" not in next_path and next_path != "/console/login":
            return next_path
    return "/console"


async def audit(
    conn: HTTPConnection,
    agent: str,
    action: str,
    conversation_id: str | None = None,
    detail: str = "",
) -> None:
    entry = AuditEntry(agent=agent, action=action, conversation_id=conversation_id, detail=detail)
    await (await console_store(conn)).audit(entry)


Agent = Annotated[SignedIn, Depends(api_agent)]
PageAgent = Annotated[SignedIn, Depends(page_agent)]
Acting = Annotated[SignedIn, Depends(csrf_agent)]
