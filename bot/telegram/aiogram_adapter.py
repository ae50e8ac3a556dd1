"""aiogram 3: a Router whose handlers translate aiogram objects for the core, and a Bot on an
AiohttpSession pointed at the configured Bot API server.

aiogram runs every polled update as its own task with no per-user lock; order within a chat
is the core's business (see core.py), so nothing here waits on anything but the core.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from aiogram import Bot, Dispatcher, Router, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods.base import Response
from aiogram.types import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)

from bot.telegram.core import TelegramCore
from bot.telegram.format import MARKUPS_KEPT, FrozenKeyboard, Keyboard, frozen
from bot.telegram.port import ButtonPress, incoming

ALLOWED_UPDATES = ["message", "callback_query"]
POLL_GRACE_S = 10  # a long poll's request may take this much longer than its timeout

# aiogram parses every answer as `Response[T]`. pydantic caches such a class weakly, and it lives
# in reference cycles: each cyclic garbage collection drops it, and the next call rebuilds its
# schema, 5–15 ms of one turn. Holding one for every method we call keeps them built.
RESPONSE_TYPES = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]  # a type known at run time
    for method in (
        methods.AnswerCallbackQuery,
        methods.DeleteWebhook,
        methods.EditMessageReplyMarkup,
        methods.GetFile,
        methods.GetUpdates,
        methods.SendMessage,
        methods.SetMyCommands,
        methods.SetWebhook,
    )
)


class AiogramApi:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_message(self, chat_id: int, html_text: str, keyboard: Keyboard | None) -> None:
        await self.bot.send_message(
            chat_id=chat_id, text=html_text, parse_mode="HTML", reply_markup=_markup(keyboard)
        )

    async def answer_callback(self, callback_id: str) -> None:
        await self.bot.answer_callback_query(callback_query_id=callback_id)

    async def remove_keyboard(self, chat_id: int, message_id: int) -> None:
        await self.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)

    async def download(self, file_id: str) -> bytes:
        file = await self.bot.get_file(file_id)
        assert file.file_path is not None
        buffer = await self.bot.download_file(file.file_path)
        assert buffer is not None
        return buffer.read()

    async def set_commands(self, commands: Sequence[tuple[str, str]]) -> None:
        await self.bot.set_my_commands(
            [BotCommand(command=name, description=text) for name, text in commands]
        )

    def retry_after(self, error: BaseException) -> float | None:
        return float(error.retry_after) if isinstance(error, TelegramRetryAfter) else None


def _markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    return None if keyboard is None else _built(frozen(keyboard))


@functools.lru_cache(maxsize=MARKUPS_KEPT)
def _built(keyboard: FrozenKeyboard) -> InlineKeyboardMarkup:
    """Built once per keyboard (aiogram only reads it): ~4 validated models a turn otherwise."""
    rows = [[InlineKeyboardButton(text=label, callback_data=data) for label, data in row] for row in keyboard]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def press(query: CallbackQuery, update_id: int) -> ButtonPress | None:
    if query.message is None or query.data is None:
        return None  # an inline-mode button: not ours
    return ButtonPress(
        update_id=update_id,
        chat_id=query.message.chat.id,
        callback_id=query.id,
        data=query.data,
        message_id=query.message.message_id,
        language=query.from_user.language_code,
        private=query.message.chat.type == "private",
    )


class AiogramAdapter:
    def __init__(self, token: str, api_base: str, session: BaseSession | None = None) -> None:
        """`session`: aiogram's transport for Bot API calls; aiohttp to `api_base` unless given
        (benchmarks give one without a socket)."""
        session = session or AiohttpSession(api=TelegramAPIServer.from_base(api_base))
        self.bot = Bot(token=token, session=session)
        self.api = AiogramApi(self.bot)
        # The conversation's state is the engine's: aiogram's FSM would only cost each update
        # a context lookup in a storage nobody reads.
        self.dispatcher = Dispatcher(disable_fsm=True)

    def attach(self, core: TelegramCore) -> None:
        router = Router(name="lossline")

        @router.message()
        async def on_message(message: Message, event_update: Update) -> None:
            await core.on_message(incoming(message, event_update.update_id))

        @router.callback_query()
        async def on_callback(query: CallbackQuery, event_update: Update) -> None:
            pressed = press(query, event_update.update_id)
            if pressed is not None:
                await core.on_press(pressed)

        self.dispatcher.include_router(router)

    async def open(self) -> None:
        return None  # the session opens on the first call

    async def delete_webhook(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)

    async def fetch(self, offset: int | None, timeout_s: int) -> list[tuple[int, Any]]:
        updates = await self.bot.get_updates(
            offset=offset,
            timeout=timeout_s,
            allowed_updates=ALLOWED_UPDATES,
            request_timeout=timeout_s + POLL_GRACE_S,
        )
        return [(update.update_id, update) for update in updates]

    async def process(self, update: Any) -> None:
        await self.dispatcher.feed_update(self.bot, update)

    async def feed(self, update: dict[str, Any]) -> None:
        await self.process(Update.model_validate(update, context={"bot": self.bot}))

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(
            url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
        )

    async def close(self) -> None:
        await self.bot.session.close()
