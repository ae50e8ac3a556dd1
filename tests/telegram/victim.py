"""A victim in a Telegram chat, playing a dialog script (tests/dialogs/scripts/*.txt) into the
test Bot API server: text lines as messages dated with the script's timestamps, `!id` lines
as presses on the newest keyboard that has that button.

Alongside, the same script goes through the dialog directly (same case code, same times), so
every message the bot sends can be compared with what the dialog said.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.store.base import ConversationRecord, Store
from bot.telegram.format import callback_data, split_text
from dialogs.conversation import start, step
from dialogs.messages import Reply, StepResult, Turn
from dialogs.script import parse_script
from rules.types import SHANGHAI
from tests.telegram.botapi import BotApiServer

SCRIPTS = Path(__file__).resolve().parents[1] / "dialogs" / "scripts"
NOW = datetime(2023, 10, 9, 10, 0, tzinfo=SHANGHAI)  # for scripts without a first timestamp


def chunks(replies: list[Reply]) -> list[str]:
    return [chunk for reply in replies for chunk in split_text(reply.text)]


@dataclass
class Victim:
    server: BotApiServer
    store: Store
    chat_id: int
    expected: list[str] = field(default_factory=list)  # what the dialog said, chunked
    result: StepResult | None = None
    timeout: float = 5.0
    # How an update reaches the bot: queued for getUpdates by default, or posted to a webhook.
    deliver: Callable[[dict[str, Any]], Awaitable[None]] | None = None

    async def send(self, update: dict[str, Any]) -> None:
        if self.deliver is None:
            self.server.push(update)
        else:
            await self.deliver(update)

    async def wait_for_messages(self, count: int) -> None:
        await self.server.wait_until(lambda: len(self.server.sent(self.chat_id)) >= count, self.timeout)

    async def conversation(self) -> ConversationRecord:
        record = await self.store.find_by_external_key(f"tg:{self.chat_id}")
        assert record is not None, f"no conversation for chat {self.chat_id}"
        return record

    async def begin(self, at: datetime) -> ConversationRecord:
        """/start, and the dialog's own start with the case code the bot's conversation got."""
        await self.send(self.server.make_text(self.chat_id, "/start", at))
        await self.server.wait_until(lambda: bool(self.server.sent(self.chat_id)), self.timeout)
        record = await self.conversation()
        self.result = start("telegram", "zh-CN", at, case_code=record.state["case_code"])
        self.expected += chunks(self.result.replies)
        await self.wait_for_messages(len(self.expected))
        return record

    async def play(self, script: str) -> ConversationRecord:
        lines = (SCRIPTS / script).read_text(encoding="utf-8").splitlines()
        steps = list(parse_script(lines, NOW))
        await self.begin(steps[0].sent_at)
        for line in steps:
            if line.choice is not None:
                await self.press(line.choice, line.sent_at)
            else:
                await self.say(line.text or "", line.sent_at)
        return await self.conversation()

    async def say(self, text: str, at: datetime) -> None:
        """Send a message and wait for the bot's answer (as many messages as the dialog's)."""
        await self.send(self.server.make_text(self.chat_id, text, at))
        self.expect(text, at)
        await self.wait_for_messages(len(self.expected))

    async def press(self, button_id: str, at: datetime) -> None:
        message = self.keyboard_with(button_id)
        await self.send(self.server.make_press(self.chat_id, message["message_id"], callback_data(button_id)))
        self.expect(None, at, choice=button_id)
        await self.wait_for_messages(len(self.expected))

    def expect(self, text: str | None, at: datetime, choice: str | None = None) -> list[str]:
        """Step the dialog as the bot should have, and note what it says; returns that."""
        assert self.result is not None
        self.result = step(self.result.state, Turn(text=text, choice=choice, sent_at=at))
        said = chunks(self.result.replies)
        self.expected += said
        return said

    def keyboard_with(self, button_id: str) -> dict[str, Any]:
        data = callback_data(button_id)
        for message in reversed(self.server.sent(self.chat_id)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            if any(button.get("callback_data") == data for row in rows for button in row):
                return message
        raise AssertionError(f"no keyboard with {button_id!r} in chat {self.chat_id}")
