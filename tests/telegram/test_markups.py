"""A keyboard the dialog shows again is built once per adapter and sent as it was the first
time (each build was ~4 validated models a turn)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from bot.telegram import aiogram_adapter, ptb_adapter
from bot.telegram.aiogram_adapter import AiogramAdapter
from bot.telegram.port import Adapter
from bot.telegram.ptb_adapter import PtbAdapter
from tests.telegram.botapi import BotApiServer


def _calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[object]:
    """From now on, each call of `owner.name` is noted (its arguments), then made."""
    calls: list[object] = []
    original = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args or kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


@pytest.mark.parametrize("library", ["aiogram", "ptb"])
async def test_a_keyboard_shown_again_is_built_once_and_sent_the_same(
    bot_api: BotApiServer, monkeypatch: pytest.MonkeyPatch, library: str
) -> None:
    module: Any = aiogram_adapter if library == "aiogram" else ptb_adapter
    built = _calls(monkeypatch, module, "InlineKeyboardButton")
    adapter: Adapter = (
        AiogramAdapter(bot_api.token, bot_api.base)
        if library == "aiogram"
        else PtbAdapter(bot_api.token, bot_api.base)
    )
    fresh = uuid.uuid4().hex[:8]  # a keyboard no earlier test built
    keyboard = [[("是", f"yes-{fresh}"), ("否", f"no-{fresh}")], [("不清楚", f"unsure-{fresh}")]]
    other = [[("重新开始", f"restart-{fresh}")]]
    await adapter.open()
    try:
        for shown in (keyboard, other, keyboard, [list(row) for row in keyboard]):
            await adapter.api.send_message(42, "您好", shown)
    finally:
        await adapter.close()
    assert len(built) == 4  # three buttons, then one: the same keyboard again built nothing
    markups = [m["reply_markup"]["inline_keyboard"] for m in bot_api.sent(42)]
    assert markups[0] == markups[2] == markups[3] != markups[1]
    assert [b["callback_data"] for b in markups[0][0]] == [f"yes-{fresh}", f"no-{fresh}"]


async def test_ptb_sends_a_reply_without_building_a_message_of_the_answer(
    bot_api: BotApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bot.send_message would turn Telegram's answer into a telegram.Message, a tenth of a
    turn, for nothing: the core never reads it. The reply still goes out whole, keyboard
    and HTML included, and a message without a keyboard has no reply_markup at all."""
    import telegram

    parsed = _calls(monkeypatch, telegram.Message, "de_json")
    adapter = PtbAdapter(bot_api.token, bot_api.base)
    await adapter.open()
    try:
        await adapter.api.send_message(43, "<b>请先挂失</b>", [[("是", "yes"), ("否", "no")]])
        await adapter.api.send_message(43, "好的", None)
    finally:
        await adapter.close()
    assert parsed == []
    first, second = bot_api.sent(43)
    assert first["text"] == "请先挂失"  # the test server, like Telegram, reads the HTML
    assert [b["callback_data"] for b in first["reply_markup"]["inline_keyboard"][0]] == ["yes", "no"]
    assert second["text"] == "好的" and "reply_markup" not in second


async def test_ptb_serialises_a_keyboard_shown_again_once(
    bot_api: BotApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PTB turns a markup object into a dict and JSON on every send; the adapter sends the
    JSON text it made the first time, which reaches Telegram as the same keyboard."""
    import telegram

    dumped = _calls(monkeypatch, telegram.InlineKeyboardMarkup, "to_dict")
    fresh = uuid.uuid4().hex[:8]
    keyboard = [[("是", f"yes-{fresh}"), ("否", f"no-{fresh}")]]
    adapter = PtbAdapter(bot_api.token, bot_api.base)
    await adapter.open()
    try:
        for _ in range(3):
            await adapter.api.send_message(44, "您好", keyboard)
    finally:
        await adapter.close()
    assert len(dumped) == 1
    sent = [m["reply_markup"]["inline_keyboard"] for m in bot_api.sent(44)]
    buttons = [{"text": label, "callback_data": data} for label, data in keyboard[0]]
    assert sent == [[buttons]] * 3
