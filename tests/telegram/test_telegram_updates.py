"""What Telegram does to a bot, through each library: buttons, redelivered updates, flood
limits, files, messages in bursts, deep links."""

from __future__ import annotations

import time

import pytest

from bot.store.factory import Backend
from dialogs.conversation import start
from dialogs.script import parse_script
from tests.telegram.botapi import BotApiServer
from tests.telegram.conftest import MakeService
from tests.telegram.victim import NOW, SCRIPTS, Victim, chunks

LIBS = ["aiogram", "ptb"]
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 8
PDF = b"%PDF-1.4\n" + b"1 0 obj <<>> endobj\n" * 50 + b"%%EOF\n"
FIRST = "我的支付宝被盗了，有人登录了我的账号把钱转走了"


@pytest.mark.parametrize("lib", LIBS)
async def test_buttons_are_pressed_answered_and_removed_until_hand_off(
    lib: str, make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    await make_service(lib)
    victim = Victim(bot_api, backend.store, chat_id=7)
    record = await victim.play("p2-phishing-link-excluded.txt")
    assert record.state_name == "handed_off"
    assert bot_api.texts(7) == victim.expected
    presses = bot_api.calls_of("answerCallbackQuery")
    edits = bot_api.calls_of("editMessageReplyMarkup")
    assert len(presses) == len(edits) == 8  # the script's !id lines
    assert all(call.status == 200 for call in presses + edits)
    pressed = {call.params["message_id"] for call in edits}
    for message in bot_api.sent(7):
        if message["message_id"] in pressed:
            assert "reply_markup" not in message  # the pressed keyboard is gone


@pytest.mark.parametrize("lib", LIBS)
async def test_a_redelivered_update_is_applied_once(
    lib: str, make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    await make_service(lib)
    victim = Victim(bot_api, backend.store, chat_id=8)
    record = await victim.begin(NOW)
    bot_api.push(bot_api.make_text(8, FIRST, NOW), times=2)  # the same update id twice
    victim.expect(FIRST, NOW)
    await victim.say("/summary", NOW)  # answered after the repeat: the chat keeps its order
    transcript = await backend.store.transcript(record.id)
    assert [e.text for e in transcript if e.role == "victim"] == [FIRST, "/summary"]
    assert bot_api.texts(8) == victim.expected


@pytest.mark.parametrize("lib", LIBS)
async def test_stopping_confirms_the_updates_it_answered(
    lib: str, make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    """A worker stopped for a deploy while updates are in hand: it finishes them, and the
    next worker is not offered them again (it would answer them again)."""
    service = await make_service(lib)
    victim = Victim(bot_api, backend.store, chat_id=21)
    await victim.begin(NOW)
    bot_api.fail_next("sendMessage", times=1, retry_after=1)  # the first reply waits 1 s…
    for text in (FIRST, "/summary"):  # …and the second update waits for it: not yet taken
        bot_api.push(bot_api.make_text(21, text, NOW))
        victim.expect(text, NOW)
    await bot_api.wait_until(lambda: 429 in [c.status for c in bot_api.calls_of("sendMessage")])
    await service.stop()
    assert bot_api.texts(21) == victim.expected
    assert bot_api.pending_updates == 0
    await make_service(lib)
    await victim.say("/summary", NOW)
    assert bot_api.texts(21) == victim.expected


@pytest.mark.parametrize("lib", LIBS)
async def test_a_redelivered_start_greets_once(
    lib: str, make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    await make_service(lib)
    victim = Victim(bot_api, backend.store, chat_id=9)
    bot_api.push(bot_api.make_text(9, "/start", NOW), times=2)
    await bot_api.wait_until(lambda: bool(bot_api.sent(9)))
    record = await victim.conversation()
    victim.result = start("telegram", "zh-CN", NOW, case_code=record.state["case_code"])
    victim.expected = chunks(victim.result.replies)
    await victim.say("/summary", NOW)  # answered after the repeat: the chat keeps its order
    assert bot_api.texts(9) == victim.expected


@pytest.mark.parametrize("lib", LIBS)
async def test_a_flood_limit_is_waited_out_and_the_message_still_arrives(
    lib: str, make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    await make_service(lib)
    victim = Victim(bot_api, backend.store, chat_id=10)
    await victim.begin(NOW)
    bot_api.fail_next("sendMessage", times=1, retry_after=1)
    started = time.monotonic()
    await victim.say(FIRST, NOW)
    waited = time.monotonic() - started
    assert bot_api.texts(10) == victim.expected
    statuses = [call.status for call in bot_api.calls_of("sendMessage")]
    assert statuses.count(429) == 1
    assert waited >= 1.0  # retry_after honoured


@pytest.mark.parametrize("lib", LIBS)
async def test_whole_conversations_sent_in_one_burst_are_answered_in_order(
    lib: str, make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    """Three chats send every line of a script at once, interleaved: each library runs the
    updates concurrently, and every chat still gets its answers in order."""
    await make_service(lib)
    lines = list(parse_script((SCRIPTS / "p1-hacked-alipay-covered.txt").read_text().splitlines(), NOW))
    victims = [Victim(bot_api, backend.store, chat_id) for chat_id in (16, 17, 18)]
    for victim in victims:
        await victim.begin(lines[0].sent_at)
    for line in lines:
        for victim in victims:
            bot_api.push(bot_api.make_text(victim.chat_id, line.text or "", line.sent_at))
            victim.expect(line.text, line.sent_at)
    for victim in victims:
        await victim.wait_for_messages(len(victim.expected))
        assert bot_api.texts(victim.chat_id) == victim.expected
        record = await victim.conversation()
        transcript = await backend.store.transcript(record.id)
        assert [e.text for e in transcript if e.role == "victim"] == [line.text for line in lines]
        assert record.state_name == "handed_off"


@pytest.mark.parametrize("lib", LIBS)
async def test_photos_and_documents_become_evidence_once(
    lib: str, make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    await make_service(lib)
    victim = Victim(bot_api, backend.store, chat_id=12)
    record = await victim.begin(NOW)
    greeted = len(bot_api.sent(12))
    bot_api.push(bot_api.make_photo(12, JPEG), times=2)  # a redelivered photo
    bot_api.push(bot_api.make_document(12, PDF, "报案回执.pdf", "application/pdf"))
    bot_api.push(bot_api.make_document(12, b"just text", "notes.txt", "text/plain"))
    bot_api.photo(12, JPEG)  # the same picture sent again
    await victim.wait_for_messages(greeted + 4)
    acks = bot_api.texts(12)[greeted:]
    code = record.state["case_code"]
    assert acks[0].startswith("已收到材料「photo-") and f"案件 {code}" in acks[0] and "共 1 份" in acks[0]
    assert acks[1] == f"已收到材料「报案回执.pdf」，已附在案件 {code} 里（共 2 份）。"
    assert acks[2].startswith("只支持图片")
    assert acks[3] == f"这份材料之前已经收到了（案件 {code} 共 2 份）。"
    evidence = await backend.store.evidence(record.id)
    assert [e.content_type for e in evidence] == ["image/jpeg", "application/pdf"]
    assert evidence[0].size == len(JPEG)  # the largest photo size was downloaded
    assert len(bot_api.calls_of("getFile")) == 4  # not for the repeated update


@pytest.mark.parametrize("lib", LIBS)
async def test_a_photo_caption_is_also_a_message(
    lib: str, make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    await make_service(lib)
    victim = Victim(bot_api, backend.store, chat_id=13)
    record = await victim.begin(NOW)
    bot_api.push(bot_api.make_photo(13, JPEG, caption=FIRST, date=NOW))
    answer = victim.expect(FIRST, NOW)
    await victim.wait_for_messages(len(victim.expected) + 1)  # and the acknowledgement first
    texts = bot_api.texts(13)
    assert texts[1].startswith("已收到材料") and texts[2:] == answer
    assert len(await backend.store.evidence(record.id)) == 1


@pytest.mark.parametrize("lib", LIBS)
async def test_group_chats_are_not_served(
    lib: str, make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    await make_service(lib)
    bot_api.text(-100123, "/start")
    bot_api.text(-100123, FIRST)
    await Victim(bot_api, backend.store, chat_id=14).begin(NOW)  # handled after the group's
    assert not bot_api.sent(-100123)
    assert await backend.store.find_by_external_key("tg:-100123") is None


async def test_a_new_chat_that_sends_only_a_photo_is_greeted_after_the_receipt(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    await make_service("ptb")
    bot_api.photo(15, JPEG)
    await bot_api.wait_until(lambda: len(bot_api.sent(15)) == 2)
    receipt, greeting = bot_api.texts(15)
    assert receipt.startswith("已收到材料") and "共 1 份" in receipt
    assert "盗刷应急理赔助手" in greeting


@pytest.mark.parametrize("lib", LIBS)
async def test_polling_deletes_a_webhook_left_set(
    lib: str, make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    bot_api.webhook = {"url": "https://old.example/telegram/webhook/x", "secret_token": "x"}
    await make_service(lib)
    await Victim(bot_api, backend.store, chat_id=19).begin(NOW)  # getUpdates answers again
    assert bot_api.webhook is None
    assert all(call.status == 200 for call in bot_api.calls_of("getUpdates"))
