"""The boundary between the core and a Telegram library: what comes in (plain dataclasses an
adapter fills from its library's objects) and what goes out (`TelegramApi`, which each
adapter implements with its library's calls)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.telegram.format import Keyboard

if TYPE_CHECKING:
    from bot.telegram.core import TelegramCore


@dataclass(frozen=True)
class FileRef:
    """A photo or document attached to a message (the largest size of a photo)."""

    file_id: str
    file_name: str
    size: int | None = None


@dataclass(frozen=True)
class IncomingMessage:
    update_id: int
    chat_id: int
    date: datetime  # when the user sent it (Telegram's clock, aware)
    text: str | None = None  # the text, or a file's caption
    file: FileRef | None = None
    language: str | None = None  # the user's Telegram language code
    private: bool = True  # a one-to-one chat with the bot (not a group or channel)


def incoming(message: Any, update_id: int) -> IncomingMessage:
    """A library's Message (aiogram's or PTB's: both mirror the Bot API's field names) as ours."""
    file: FileRef | None = None
    if message.photo:
        photo = message.photo[-1]  # the largest size
        file = FileRef(photo.file_id, f"photo-{photo.file_unique_id}.jpg", photo.file_size)
    elif message.document is not None:
        doc = message.document
        file = FileRef(doc.file_id, doc.file_name or f"document-{doc.file_unique_id}", doc.file_size)
    user = message.from_user
    return IncomingMessage(
        update_id=update_id,
        chat_id=message.chat.id,
        date=message.date,
        text=message.text if message.text is not None else message.caption,
        file=file,
        language=user.language_code if user else None,
        private=message.chat.type == "private",
    )


@dataclass(frozen=True)
class ButtonPress:
    update_id: int
    chat_id: int
    callback_id: str
    data: str
    message_id: int | None = None  # the message whose keyboard was pressed
    language: str | None = None
    private: bool = True


class TelegramApi(Protocol):
    """The Bot API calls the core makes. Errors are the library's own; `retry_after` tells a
    flood-limit error (429) and how long Telegram asked to wait."""

    async def send_message(self, chat_id: int, html_text: str, keyboard: Keyboard | None) -> None: ...

    async def answer_callback(self, callback_id: str) -> None: ...

    async def remove_keyboard(self, chat_id: int, message_id: int) -> None: ...

    async def download(self, file_id: str) -> bytes: ...

    async def set_commands(self, commands: Sequence[tuple[str, str]]) -> None: ...

    def retry_after(self, error: BaseException) -> float | None: ...


class Adapter(Protocol):
    """One library: its Bot API client (`api`), its handlers calling the core, its polling."""

    @property
    def api(self) -> TelegramApi: ...

    def attach(self, core: TelegramCore) -> None:
        """Register the library's handlers, which hand updates to `core`."""

    async def open(self) -> None: ...

    async def delete_webhook(self) -> None:
        """Before polling: Telegram refuses getUpdates while a webhook is set."""

    async def fetch(self, offset: int | None, timeout_s: int) -> list[tuple[int, Any]]:
        """One long poll of getUpdates from `offset` on (asking confirms every update before
        it): each update's id, and the update as the library parsed it, for `process`."""

    async def process(self, update: Any) -> None:
        """Handle one update `fetch` returned."""

    async def feed(self, update: dict[str, Any]) -> None:
        """Process one update that arrived at the webhook."""

    async def set_webhook(self, url: str, secret: str) -> None: ...

    async def close(self) -> None: ...
