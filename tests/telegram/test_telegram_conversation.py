"""A victim's whole conversation through each library, against the test Bot API server."""

from __future__ import annotations

import pytest

from bot.store.factory import Backend
from bot.telegram.texts import COMMANDS
from dialogs.summary import case_json
from tests.telegram.botapi import BotApiServer
from tests.telegram.conftest import MakeService
from tests.telegram.victim import NOW, Victim


@pytest.mark.parametrize("lib", ["aiogram", "ptb"])
async def test_start_greets_and_commands_are_registered(
    lib: str, make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    service = await make_service(lib)
    await service.core.set_commands()
    assert [(c["command"], c["description"]) for c in bot_api.commands] == list(COMMANDS)
    victim = Victim(bot_api, backend.store, chat_id=42)
    record = await victim.begin(NOW)
    assert bot_api.texts(42) == victim.expected
    assert record.channel == "telegram"
    assert record.external_key == "tg:42"


@pytest.mark.parametrize("backend_kind", ["sqlite", "redis"])
async def test_full_conversation_reaches_handoff_with_the_same_case_in_both_libraries(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    cases = {}
    for lib, chat_id in (("aiogram", 1001), ("ptb", 1002)):
        service = await make_service(lib)
        victim = Victim(bot_api, backend.store, chat_id)
        record = await victim.play("p1-hacked-alipay-covered.txt")
        await service.stop()  # one poller per bot token at a time, as Telegram requires
        assert bot_api.texts(chat_id) == victim.expected  # every message, in order
        assert record.state_name == "handed_off"
        assert record.handoff == "queued"
        assert victim.result is not None
        assert case_json(record.state) == case_json(victim.result.state)
        cases[lib] = case_json(record.state)
    assert cases["aiogram"] == cases["ptb"]
    assert await backend.queue.pending_count() == 2
