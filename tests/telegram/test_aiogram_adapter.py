"""What the aiogram adapter spares each update: aiogram's FSM (the engine keeps the state),
and rebuilding the pydantic `Response[T]` model an answer is parsed with, which pydantic caches
only weakly (a garbage collection between two calls used to cost the next one 5–15 ms)."""

from __future__ import annotations

import gc
from typing import Any

import pydantic.main
import pytest
from aiogram.fsm.middleware import FSMContextMiddleware

from bot.telegram.aiogram_adapter import AiogramAdapter
from tests.telegram.botapi import BotApiServer


async def test_answers_are_parsed_without_rebuilding_their_models_after_a_collection(
    bot_api: BotApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = AiogramAdapter(bot_api.token, bot_api.base)
    built: list[str] = []
    build = pydantic.main._generics.create_generic_submodel

    def spy(name: str, *args: Any) -> Any:
        built.append(name)
        return build(name, *args)

    monkeypatch.setattr(pydantic.main._generics, "create_generic_submodel", spy)
    try:
        for n in range(2):
            gc.collect()
            await adapter.api.send_message(42, "您好", [[("是", "yes")]])
            gc.collect()
            await adapter.api.set_commands([("start", "开始")])
            gc.collect()
            await adapter.api.answer_callback(f"cb-{n}")
        message_id = bot_api.sent(42)[-1]["message_id"]
        gc.collect()
        await adapter.api.remove_keyboard(42, message_id)
    finally:
        await adapter.close()
    assert len(bot_api.texts(42)) == 2  # the calls did reach the Bot API
    assert built == []


def test_updates_skip_aiogram_s_fsm() -> None:
    adapter = AiogramAdapter("123456:test", "http://127.0.0.1:9")
    middlewares = adapter.dispatcher.update.outer_middleware
    assert not any(isinstance(m, FSMContextMiddleware) for m in middlewares)
