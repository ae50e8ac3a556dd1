"""`/start LL-XXXXXX` (a deep link) carries a case on in another chat."""

from __future__ import annotations

from typing import Any

import pytest

from bot.store.base import ConversationRecord
from bot.store.factory import Backend
from tests.telegram.botapi import BotApiServer
from tests.telegram.conftest import MakeService
from tests.telegram.victim import NOW, Victim

FIRST = "我的支付宝被盗了，有人登录了我的账号把钱转走了"


async def test_a_deep_link_moves_the_case_to_another_chat(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    await make_service("aiogram")
    old_phone = Victim(bot_api, backend.store, chat_id=31)
    record = await old_phone.begin(NOW)
    await old_phone.say(FIRST, NOW)
    await old_phone.say("没有", NOW)
    code = record.state["case_code"]

    # A new phone (a new Telegram account) opens t.me/<bot>?start=<code>.
    new_phone = Victim(bot_api, backend.store, chat_id=32, result=old_phone.result)
    bot_api.text(32, f"/start {code.lower()}", NOW)
    new_phone.expected = [f"已接回案件 {code}，我们接着登记。", *new_phone.expect("/summary", NOW)]
    await new_phone.wait_for_messages(len(new_phone.expected))
    assert bot_api.texts(32) == new_phone.expected
    assert FIRST in bot_api.texts(32)[1]  # the summary of what the old chat said

    await new_phone.say("冻结了", NOW)  # the next answer goes on in the same case
    moved = await backend.store.load(record.id)
    assert moved is not None and moved.state_name == new_phone.result.state_name  # type: ignore[union-attr]
    transcript = await backend.store.transcript(record.id)
    assert [e.text for e in transcript if e.role == "victim"] == [FIRST, "没有", "/summary", "冻结了"]

    # The old chat no longer writes into the case: it starts a new one.
    bot_api.text(31, "/start", NOW)
    await bot_api.wait_until(lambda: len(bot_api.sent(31)) == len(old_phone.expected) + 1)
    assert "盗刷应急理赔助手" in bot_api.texts(31)[-1]
    transcript = await backend.store.transcript(record.id)
    assert [e.text for e in transcript if e.role == "victim"][-1] == "冻结了"


async def test_an_unknown_code_is_refused_and_guessing_is_limited(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    await make_service("ptb")
    for n in range(6):
        bot_api.text(33, f"/start LL-0000-0000-000{n}", NOW)
    await bot_api.wait_until(lambda: len(bot_api.sent(33)) == 6)
    texts = bot_api.texts(33)
    assert texts[:5] == [f"没有找到案件 LL-0000-0000-000{n}：编号可能有误，或案件已过期。" for n in range(5)]
    assert texts[5].startswith("尝试次数太多了")
    assert await backend.store.find_by_external_key("tg:33") is None  # nothing was started


async def test_start_in_a_chat_with_a_case_resumes_it_instead_of_wiping_it(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    await make_service("aiogram")
    victim = Victim(bot_api, backend.store, chat_id=34)
    record = await victim.begin(NOW)
    await victim.say(FIRST, NOW)
    bot_api.text(34, "/start", NOW)
    victim.expect("/summary", NOW)
    await victim.wait_for_messages(len(victim.expected))
    assert bot_api.texts(34) == victim.expected
    bot_api.text(34, f"/start {record.state['case_code']}", NOW)  # its own code: no move
    victim.expect("/summary", NOW)
    await victim.wait_for_messages(len(victim.expected))
    assert bot_api.texts(34) == victim.expected


async def test_a_new_chats_case_code_is_findable_before_its_case_is_stored(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Else a process dying between the two would leave a case that no deep link finds (its
    repeat finds the case and starts nothing)."""
    service = await make_service("aiogram")
    create = backend.store.create
    indexed: list[str | None] = []

    async def create_after_looking(record: ConversationRecord, *args: Any, **kwargs: Any) -> None:
        indexed.append(await service.core.links.case(record.state["case_code"]))
        await create(record, *args, **kwargs)

    monkeypatch.setattr(backend.store, "create", create_after_looking)
    record = await Victim(bot_api, backend.store, chat_id=38).begin(NOW)
    assert indexed == [record.id]
