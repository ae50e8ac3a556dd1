"""A Telegram Bot API server for tests: aiohttp on 127.0.0.1, a free port, one bot token.

It implements what aiogram 3 and python-telegram-bot 22 call — getMe, getUpdates (long poll
with offset and timeout), setWebhook/deleteWebhook/getWebhookInfo, sendMessage,
answerCallbackQuery, editMessageReplyMarkup, setMyCommands, getFile and the file download
at /file/bot<token>/<path> — and checks what Telegram checks where our code could get it
wrong: text length (4096 UTF-16 units after parsing), HTML entities, callback data within
64 bytes, command names, a keyboard that is already gone, a callback answered twice.

Tests inject updates (`text`, `press`, `photo`, `document`; `push(update, times=2)` delivers
one twice), read what the bot sent (`sent`, `calls`), wait for it (`wait_until`), and make
the next calls of a method fail with 429 and a retry_after (`fail_next`).
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

TOKEN = "123456789:TEST-lossline-token_abcdefghijklmnopq"
BOT_ID = 123456789
JSON_FIELDS = {
    "reply_markup",
    "commands",
    "scope",
    "allowed_updates",
    "entities",
    "link_preview_options",
    "reply_parameters",
}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit"}
_TAG = re.compile(r"</?(b|strong|i|em|u|ins|s|strike|del|a|code|pre|tg-spoiler|span|blockquote)(\s[^<>]*)?>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


class ApiFailure(Exception):
    def __init__(self, code: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int = 200


@dataclass
class StoredFile:
    path: str
    data: bytes
    unique_id: str


@dataclass
class BotApiServer:
    token: str = TOKEN
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    commands: list[dict[str, str]] = field(default_factory=list)
    webhook: dict[str, Any] | None = None
    # Called with each getUpdates' offset as the call arrives (a test may kill the bot then).
    on_get_updates: Callable[[int], None] | None = None
    # How long a sendMessage call takes to arrive (Telegram is far): one whose bot dies
    # meanwhile is not sent.
    send_delay_s: float = 0.0
    sends_on_their_way: int = 0

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._sent: dict[int, list[dict[str, Any]]] = {}
        self._files: dict[str, StoredFile] = {}
        self._file_ids = itertools.count(1)
        self._callbacks = itertools.count(1)
        self._answered: set[str] = set()
        self._failures: dict[str, list[int | None]] = {}
        self._waiters: list[asyncio.Future[None]] = []
        self._closing = False
        self._runner: web.AppRunner | None = None

    # -- lifecycle ----------------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        self._closing = True
        self._poke()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests inject --------------------------------------------------------------

    def user(self, chat_id: int, language: str = "zh-hans") -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "受害人", "language_code": language}

    def chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:  # as in Telegram: groups have negative ids
            return {"id": chat_id, "type": "supergroup", "title": "某个群"}
        return {"id": chat_id, "type": "private", "first_name": "受害人"}

    def _user_message(self, chat_id: int, date: datetime | None, **content: Any) -> dict[str, Any]:
        message = {
            "message_id": self._next_message_id(chat_id),
            "date": int((date or datetime.now(UTC)).timestamp()),
            "chat": self.chat(chat_id),
            "from": self.user(abs(chat_id)),
            **content,
        }
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def make_text(self, chat_id: int, text: str, date: datetime | None = None) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message = self._user_message(chat_id, date, **content)
        return {"update_id": next(self._update_ids), "message": message}

    def make_press(self, chat_id: int, message_id: int, data: str) -> dict[str, Any]:
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        query = {
            "id": f"cb{next(self._callbacks)}",
            "from": self.user(abs(chat_id)),
            "message": message,
            "chat_instance": f"ci{chat_id}",
            "data": data,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}

    def add_file(self, data: bytes, path: str) -> tuple[str, str]:
        number = next(self._file_ids)
        file_id, unique = f"FILE{number:04d}-abcdef", f"u{number}"
        self._files[file_id] = StoredFile(path, data, unique)
        return file_id, unique

    def make_photo(
        self, chat_id: int, data: bytes, caption: str | None = None, date: datetime | None = None
    ) -> dict[str, Any]:
        file_id, unique = self.add_file(data, f"photos/file_{len(self._files)}.jpg")
        small_id, small_unique = self.add_file(data[: len(data) // 2], "photos/thumb.jpg")
        sizes = [
            {"file_id": small_id, "file_unique_id": small_unique, "width": 90, "height": 90},
            {
                "file_id": file_id,
                "file_unique_id": unique,
                "width": 1280,
                "height": 960,
                "file_size": len(data),
            },
        ]
        content: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return {"update_id": next(self._update_ids), "message": self._user_message(chat_id, date, **content)}

    def make_document(
        self, chat_id: int, data: bytes, file_name: str, mime_type: str, date: datetime | None = None
    ) -> dict[str, Any]:
        file_id, unique = self.add_file(data, f"documents/{file_name}")
        document = {
            "file_id": file_id,
            "file_unique_id": unique,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        return {
            "update_id": next(self._update_ids),
            "message": self._user_message(chat_id, date, document=document),
        }

    def push(self, update: dict[str, Any], times: int = 1) -> dict[str, Any]:
        """Queue an update for getUpdates; `times=2` delivers it twice, as a redelivery."""
        self._updates.extend([update] * times)
        self._poke()
        return update

    def text(self, chat_id: int, text: str, date: datetime | None = None) -> dict[str, Any]:
        return self.push(self.make_text(chat_id, text, date))

    def press(self, chat_id: int, message_id: int, data: str) -> dict[str, Any]:
        return self.push(self.make_press(chat_id, message_id, data))

    def photo(self, chat_id: int, data: bytes, caption: str | None = None) -> dict[str, Any]:
        return self.push(self.make_photo(chat_id, data, caption))

    def fail_next(self, method: str, times: int = 1, retry_after: int | None = 1) -> None:
        """The next `times` calls of `method` get 429 Too Many Requests, or with
        `retry_after=None` 500 Internal Server Error (not to be retried)."""
        self._failures.setdefault(method.lower(), []).extend([retry_after] * times)

    # -- what tests read ----------------------------------------------------------------

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot sent to this chat, as Telegram shows them (keyboard as it is now)."""
        return list(self._sent.get(chat_id, []))

    def texts(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.sent(chat_id)]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    async def wait_until(self, check: Callable[[], bool], timeout: float = 5.0) -> None:
        """Until `check()` holds, looked at after every call and injected update; raises
        TimeoutError after `timeout` seconds."""
        async with asyncio.timeout(timeout):
            while not check():
                waiter = asyncio.get_running_loop().create_future()
                self._waiters.append(waiter)
                await waiter

    def _poke(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    # -- the API ------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        if method.lower() == "sendmessage" and self.send_delay_s:
            self.sends_on_their_way += 1
            self._poke()
            try:
                await asyncio.sleep(self.send_delay_s)
            finally:
                self.sends_on_their_way -= 1
            if request.transport is None or request.transport.is_closing():
                return web.Response(status=499)  # the bot is gone: the call never arrived
        call = Call(method, params)
        self.calls.append(call)
        try:
            failures = self._failures.get(method.lower())
            if failures:
                wait = failures.pop(0)
                if wait is None:
                    raise ApiFailure(500, "Internal Server Error")
                raise ApiFailure(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
            handler = getattr(self, f"_m_{method.lower()}", None)
            if handler is None:
                raise ApiFailure(404, "Not Found")
            result = await handler(params)
        except ApiFailure as failure:
            call.status = failure.code
            self._poke()
            return _error(failure.code, failure.description, **failure.parameters)
        self._poke()
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.path == path:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.Response(status=404)

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "盗刷应急理赔助手",
            "username": "lossline_test_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getme(self, params: dict[str, Any]) -> Any:
        return self._bot_user()

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise ApiFailure(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        if self.on_get_updates is not None:
            self.on_get_updates(offset)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

        def ready() -> bool:
            return bool(self._updates) or self._closing

        if timeout > 0 and not ready():
            try:
                await self.wait_until(ready, timeout)
            except TimeoutError:
                pass
        return self._updates[:limit]

    async def _m_setwebhook(self, params: dict[str, Any]) -> Any:
        url = params.get("url") or ""
        if not url:
            self.webhook = None
            return True
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiFailure(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": params.get("allowed_updates")}
        return True

    async def _m_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self._updates.clear()
        return True

    async def _m_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        url = self.webhook["url"] if self.webhook else ""
        return {"url": url, "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiFailure(400, "Bad Request: chat not found")
        raw = str(params.get("text") or "")
        text = _parse_html(raw) if params.get("parse_mode") == "HTML" else raw
        if not text.strip():
            raise ApiFailure(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise ApiFailure(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        _check_markup(markup)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(datetime.now(UTC).timestamp()),
            "chat": self.chat(chat_id),
            "from": self._bot_user(),
            "text": text,
        }
        if markup:
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        self._sent.setdefault(chat_id, []).append(message)
        return message

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        query_id = str(params.get("callback_query_id") or "")
        if not query_id or query_id in self._answered:
            raise ApiFailure(400, "Bad Request: query is too old and response timeout expired")
        self._answered.add(query_id)
        return True

    async def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        message = self._messages.get((params.get("chat_id"), params.get("message_id")))  # type: ignore[arg-type]
        if message is None:
            raise ApiFailure(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup") or None
        if markup == message.get("reply_markup"):
            raise ApiFailure(400, "Bad Request: message is not modified")
        _check_markup(markup)
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        return message

    async def _m_setmycommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands") or []
        for command in commands:
            if not _COMMAND.match(command.get("command", "")):
                raise ApiFailure(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiFailure(400, "Bad Request: command description is invalid")
        self.commands = commands
        return True

    async def _m_getfile(self, params: dict[str, Any]) -> Any:
        file_id = str(params.get("file_id") or "")
        stored = self._files.get(file_id)
        if stored is None:
            raise ApiFailure(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.data),
            "file_path": stored.path,
        }

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.can_read_body:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    for name in JSON_FIELDS & params.keys():
        if isinstance(params[name], str):
            params[name] = json.loads(params[name])
    for name in INT_FIELDS & params.keys():
        try:
            params[name] = int(params[name])
        except (TypeError, ValueError):
            pass
    return params


def _parse_html(text: str) -> str:
    """The text Telegram shows for parse_mode=HTML; ApiFailure where Telegram refuses it."""
    plain = _TAG.sub("", text)
    if "<" in plain or ">" in plain:
        raise ApiFailure(400, "Bad Request: can't parse entities: unsupported start tag")
    if "&" in _ENTITY.sub("", plain):
        raise ApiFailure(400, "Bad Request: can't parse entities: unsupported entity")
    return html.unescape(plain)


def _check_markup(markup: Any) -> None:
    if not markup:
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise ApiFailure(400, "Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise ApiFailure(400, "Bad Request: text buttons are unallowed in the inline keyboard")


def _error(code: int, description: str, **parameters: Any) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)
