"""python-telegram-bot 22: an Application with one MessageHandler and one
CallbackQueryHandler that translate PTB objects for the core, its Bot pointed at the
configured Bot API server.

Updates are processed concurrently (`concurrent_updates`); no ConversationHandler — it keeps
its own per-chat state and breaks with concurrent updates. The conversation state is the
engine's, and the order within a chat the core's.
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.telegram.core import TelegramCore
from bot.telegram.format import MARKUPS_KEPT, FrozenKeyboard, Keyboard, frozen
from bot.telegram.port import ButtonPress, incoming

ALLOWED_UPDATES = ["message", "callback_query"]
# PTB 22's documented opt-in: time periods (RetryAfter.retry_after) as timedelta, without the
# deprecation warning PTB itself raises when it builds a RetryAfter.
os.environ.setdefault("PTB_TIMEDELTA", "1")
# PTB suggests Bot.sendMessage whenever do_api_request names a method it wraps; we call it
# on purpose (PtbApi.send_message says why), so that one suggestion is not shown.
warnings.filterwarnings(
    "ignore", message=r"Please use 'Bot\.sendMessage' instead of", category=PTBUserWarning
)


class PtbApi:
    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.bot = application.bot

    async def send_message(self, chat_id: int, html_text: str, keyboard: Keyboard | None) -> None:
        # do_api_request without a return_type (PTB's documented raw call) hands back the
        # sent message as Telegram's JSON: Bot.send_message would build a telegram.Message of
        # it, a tenth of a Telegram turn's time, for an answer nobody reads. Errors (flood
        # limits, a blocked bot) are raised the same way.
        api_kwargs: dict[str, Any] = {"chat_id": chat_id, "text": html_text, "parse_mode": ParseMode.HTML}
        markup = _markup(keyboard)
        if markup is not None:
            api_kwargs["reply_markup"] = markup
        await self.bot.do_api_request("sendMessage", api_kwargs=api_kwargs)

    async def answer_callback(self, callback_id: str) -> None:
        await self.bot.answer_callback_query(callback_query_id=callback_id)

    async def remove_keyboard(self, chat_id: int, message_id: int) -> None:
        await self.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)

    async def download(self, file_id: str) -> bytes:
        file = await self.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())

    async def set_commands(self, commands: Sequence[tuple[str, str]]) -> None:
        await self.bot.set_my_commands([BotCommand(name, text) for name, text in commands])

    def retry_after(self, error: BaseException) -> float | None:
        if not isinstance(error, RetryAfter):
            return None
        with warnings.catch_warnings():  # PTB 22 warns that int periods become timedelta
            warnings.simplefilter("ignore")
            wait = error.retry_after
        return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def _markup(keyboard: Keyboard | None) -> str | None:
    return None if keyboard is None else _built(frozen(keyboard))


@functools.lru_cache(maxsize=MARKUPS_KEPT)
def _built(keyboard: FrozenKeyboard) -> str:
    """Built and serialised once per keyboard. PTB sends a string parameter as it is, and the
    Bot API takes reply_markup as JSON text; a markup object would be walked button by button
    into a dict and dumped again on every send."""
    rows = [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in keyboard]
    return InlineKeyboardMarkup(rows).to_json()


class PtbAdapter:
    def __init__(self, token: str, api_base: str, request: BaseRequest | None = None) -> None:
        """`request`: PTB's transport for Bot API calls; HTTPX unless given (benchmarks give one
        without a socket)."""
        base = api_base.rstrip("/")
        builder = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .concurrent_updates(True)
        )
        if request is not None:
            builder = builder.request(request)
        self.application = builder.build()
        self.api = PtbApi(self.application)
        self._opened = False

    def attach(self, core: TelegramCore) -> None:
        async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if update.message is not None:
                await core.on_message(incoming(update.message, update.update_id))

        async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            query = update.callback_query
            if query is None or query.message is None or query.data is None:
                return  # an inline-mode button: not ours
            await core.on_press(
                ButtonPress(
                    update_id=update.update_id,
                    chat_id=query.message.chat.id,
                    callback_id=query.id,
                    data=query.data,
                    message_id=query.message.message_id,
                    language=query.from_user.language_code,
                    private=query.message.chat.type == "private",
                )
            )

        self.application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, on_message))
        self.application.add_handler(CallbackQueryHandler(on_callback))

    async def open(self) -> None:
        if not self._opened:
            await self.application.initialize()  # getMe
            await self.application.start()
            self._opened = True

    async def delete_webhook(self) -> None:
        await self.open()
        await self.application.bot.delete_webhook(drop_pending_updates=False)

    async def fetch(self, offset: int | None, timeout_s: int) -> list[tuple[int, Any]]:
        await self.open()
        updates = await self.application.bot.get_updates(
            offset=offset, timeout=timedelta(seconds=timeout_s), allowed_updates=ALLOWED_UPDATES
        )
        return [(update.update_id, update) for update in updates]

    async def process(self, update: Any) -> None:
        await self.application.process_update(update)

    async def feed(self, update: dict[str, Any]) -> None:
        await self.open()
        await self.process(Update.de_json(update, self.application.bot))

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.open()
        await self.application.bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def close(self) -> None:
        if self._opened:
            await self.application.stop()
            await self.application.shutdown()
            self._opened = False

