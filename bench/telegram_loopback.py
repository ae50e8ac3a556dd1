"""A Bot API with no socket, for measuring bots' local work: aiogram and python-telegram-bot
serialise each call as they would for HTTP, a responder answers it as Telegram would, and
the library parses that answer. Everything but the network is paid, by every bot alike.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import TelegramMethod
from telegram.request import BaseRequest, RequestData

BOT_USER = {"id": 7000001, "is_bot": True, "first_name": "lossline", "username": "lossline_bot"}


class Responder:
    """What Telegram would answer to the calls a conversation bot makes; counts messages sent."""

    def __init__(self) -> None:
        self._message_ids = itertools.count(1)
        self.sent: dict[int, int] = {}  # chat id -> messages sent to it

    def answer(self, method: str, params: dict[str, Any]) -> bytes:
        result: Any = True
        if method == "getMe":
            result = BOT_USER
        elif method == "sendMessage":
            chat_id = int(params["chat_id"])
            self.sent[chat_id] = self.sent.get(chat_id, 0) + 1
            result = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
                "text": str(params.get("text", "")),
            }
        return json.dumps({"ok": True, "result": result}).encode()


class LoopbackAiogramSession(AiohttpSession):
    """aiogram's own session up to the socket: the form is built, the answer checked."""

    def __init__(self, responder: Responder) -> None:
        super().__init__()
        self.responder = responder

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        self.build_form_data(bot=bot, method=method)  # the encoding a real request does
        params = {"chat_id": getattr(method, "chat_id", 0), "text": getattr(method, "text", "")}
        content = self.responder.answer(method.__api_method__, params).decode()
        return self.check_response(bot=bot, method=method, status_code=200, content=content).result


class LoopbackPtbRequest(BaseRequest):
    """python-telegram-bot's request up to the socket: parameters encoded, payload parsed."""

    def __init__(self, responder: Responder) -> None:
        self.responder = responder

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        params: dict[str, Any] = {}
        if request_data is not None:
            request_data.json_payload  # noqa: B018 — the encoding HTTPXRequest would do
            params = request_data.parameters
        return 200, self.responder.answer(url.rsplit("/", 1)[-1], params)


def text_update(update_id: int, chat_id: int, text: str, date: int) -> dict[str, Any]:
    """An update as Telegram delivers a private text message."""
    user = {"id": chat_id, "is_bot": False, "first_name": "受害人", "language_code": "zh-hans"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": date,
            "chat": {"id": chat_id, "type": "private", "first_name": "受害人"},
            "from": user,
            "text": text,
        },
    }
