"""Hand-off to a human and back: queue, claim, the agent's messages, on both stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.engine import Engine, NotOwner
from bot.store.base import ConversationRecord
from bot.store.factory import Backend
from dialogs.messages import Turn

pytestmark = pytest.mark.timeout(60)

NOW = datetime(2024, 5, 1, 22, 30, tzinfo=UTC)


def said(text: str) -> Turn:
    return Turn(text=text, sent_at=NOW)


async def _handed_off(engine: Engine) -> ConversationRecord:
    record, _, _ = await engine.start("web", "zh-CN", NOW)
    await engine.handle(record.id, said("昨晚卡被盗刷了五万两千"))
    outcome = await engine.handle(record.id, said("转人工"))
    assert outcome.handoff
    return outcome.record


async def test_a_handoff_puts_the_summary_on_the_queue_once(
    engine: Engine, backend: Backend
) -> None:
    record = await _handed_off(engine)
    assert (record.handoff, record.owner) == ("queued", "bot")
    assert record.handoff_entry is not None
    at_handoff = [e.model_dump(mode="json") for e in await backend.store.transcript(record.id)]
    later = await engine.handle(record.id, said("还有一笔也被转走了"))
    assert later.handoff and later.record.handoff == "queued"

    entries = await backend.queue.read("console-1", block_ms=0)

    assert [e.conversation_id for e in entries] == [record.id]
    assert entries[0].id == record.handoff_entry
    summary = entries[0].payload["summary"]
    assert summary["markdown"]
    # The whole transcript, the hand-off turn's own lines included (read with its commit).
    assert summary["transcript"] == at_handoff
    assert [e["text"] for e in at_handoff if e["role"] == "victim"][-1] == "转人工"
    assert entries[0].payload["channel"] == "web"
    assert await backend.queue.pending_count() == 1


async def test_claiming_gives_the_conversation_to_the_agent(
    engine: Engine, backend: Backend
) -> None:
    record = await _handed_off(engine)
    [entry] = await backend.queue.read("console-1", block_ms=0)

    async with backend.events.subscribe() as console:
        taken = await engine.claim(entry, "li")
        event = await console.get(2)

    assert taken is not None
    assert (taken.owner, taken.handoff) == ("agent:li", "claimed")
    assert await engine.claim(entry, "wang") is None  # too late
    assert await backend.queue.pending_count() == 0
    assert event is not None and (event["type"], event["owner"]) == ("owner", "agent:li")
    with pytest.raises(NotOwner):
        await engine.take_over(record.id, "wang")


async def test_while_an_agent_owns_it_the_bot_keeps_quiet(engine: Engine, backend: Backend) -> None:
    record = await _handed_off(engine)
    await engine.take_over(record.id, "li")
    before = await backend.store.load(record.id)
    assert before is not None

    async with backend.events.subscribe() as console:
        outcome = await engine.handle(record.id, said("卡号4111111111111111还能用吗"), "m-9")
        event = await console.get(2)

    assert outcome.to_agent and outcome.replies == [] and outcome.handoff
    after = await backend.store.load(record.id)
    assert after is not None
    assert after.state == before.state and after.version == before.version + 1
    last = (await backend.store.transcript(record.id))[-1]
    assert last.role == "victim" and "4111111111111111" not in last.text and "1111" in last.text
    assert event is not None and event["type"] == "message" and event["to"] == "agent:li"
    assert "4111111111111111" not in event["text"]
    # Sent again, answered again the same way, applied once.
    again = await engine.handle(record.id, said("卡号4111111111111111还能用吗"), "m-9")
    assert again.duplicate and again.response() == outcome.response()


async def test_the_agent_writes_to_the_victim_and_hands_back(
    engine: Engine, backend: Backend
) -> None:
    record = await _handed_off(engine)
    await engine.take_over(record.id, "li")

    async with backend.events.subscribe(record.id) as widget:
        await engine.agent_message(record.id, "li", "您好，我是客服小李。", message_id="a-1")
        await engine.agent_message(record.id, "li", "您好，我是客服小李。", message_id="a-1")
        event = await widget.get(2)
        assert await widget.get(0.2) is None  # the repeat was not sent twice
    with pytest.raises(NotOwner):
        await engine.agent_message(record.id, "wang", "插话")

    back = await engine.hand_back(record.id, "li")

    assert event is not None and event["type"] == "agent_message"
    assert event["text"] == "您好，我是客服小李。"
    assert (back.owner, back.handoff) == ("bot", "closed")
    agent_lines = [e for e in await backend.store.transcript(record.id) if e.role == "agent"]
    assert [e.text for e in agent_lines] == ["您好，我是客服小李。"]
    with pytest.raises(NotOwner):
        await engine.hand_back(record.id, "li")
    # The bot answers again.
    outcome = await engine.handle(record.id, said("谢谢"))
    assert not outcome.to_agent and outcome.replies


async def test_an_agent_message_to_a_telegram_chat_is_owed_until_a_worker_settles_it(
    engine: Engine, backend: Backend
) -> None:
    """Owed once per message written: not for a repeat, not for one refused, not for the
    widget's (it reads them itself)."""
    store = backend.store
    chat, _, _ = await engine.start("telegram", "zh-CN", NOW, external_key="tg:5")
    web, _, _ = await engine.start("web", "zh-CN", NOW)
    for conversation in (chat, web):
        await engine.take_over(conversation.id, "li")
    first = await engine.agent_message(chat.id, "li", "您好", message_id="a-1")
    await engine.agent_message(chat.id, "li", "您好", message_id="a-1")
    with pytest.raises(NotOwner):
        await engine.agent_message(chat.id, "wang", "插话")
    await engine.agent_message(web.id, "li", "您好")

    assert await store.owed_agent_messages() == [(chat.id, first.at)]
    await store.settle_agent_message(chat.id, first.at)
    assert await store.owed_agent_messages() == []


async def test_taking_over_a_queued_handoff_takes_it_off_the_queue(
    engine: Engine, backend: Backend
) -> None:
    record = await _handed_off(engine)
    await engine.take_over(record.id, "li")
    assert await backend.queue.pending_count() == 0
    assert await backend.queue.read("console-1", block_ms=0) == []
