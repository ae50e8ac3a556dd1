"""A console agent takes a Telegram conversation: the bot goes quiet, the agent's words reach
the chat (once, however many processes forward them), and the bot answers again after."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.engine import Engine
from bot.events import LocalEvents
from bot.store.base import Store
from bot.store.factory import Backend
from bot.telegram import core
from bot.telegram.format import split_text
from tests.telegram.botapi import BotApiServer
from tests.telegram.conftest import MakeService
from tests.telegram.victim import NOW, Victim

FIRST = "我的支付宝被盗了，有人登录了我的账号把钱转走了"


async def victim_said(store: Store, conversation_id: str, text: str) -> None:
    async with asyncio.timeout(5):
        while not any(e.role == "victim" and e.text == text for e in await store.transcript(conversation_id)):
            await asyncio.sleep(0.01)


async def all_settled(store: Store) -> None:
    """Nothing is owed any more (a message is settled just after it is out)."""
    async with asyncio.timeout(5):
        while await store.owed_agent_messages():
            await asyncio.sleep(0.01)


@pytest.fixture
def quick_sweeps(monkeypatch: pytest.MonkeyPatch) -> None:
    """What is owed looked for every 0.1 s, not 5 s: a failed agent message is tried again
    that soon, one that no live event brought is found that soon."""
    monkeypatch.setattr(core, "SWEEP_S", 0.1)


async def taken_over(
    bot_api: BotApiServer, backend: Backend, engine: Engine, chat_id: int, agent: str = "bob"
) -> tuple[str, int]:
    """A chat that started its case, then taken over by an agent: the conversation's id, and
    how many messages the chat had been sent by then."""
    record = await Victim(bot_api, backend.store, chat_id=chat_id).begin(NOW)
    await engine.take_over(record.id, agent)
    return record.id, len(bot_api.sent(chat_id))


@pytest.mark.parametrize("backend_kind", ["sqlite", "redis"])
@pytest.mark.parametrize("lib", ["aiogram", "ptb"])
async def test_an_agent_talks_in_the_chat_and_the_bot_stays_silent(
    lib: str, make_service: MakeService, bot_api: BotApiServer, backend: Backend, engine: Engine
) -> None:
    await make_service(lib)
    victim = Victim(bot_api, backend.store, chat_id=21)
    record = await victim.begin(NOW)
    await victim.say(FIRST, NOW)
    await engine.take_over(record.id, "alice")
    before = len(bot_api.sent(21))

    bot_api.text(21, "请问有人吗？", NOW)
    await victim_said(backend.store, record.id, "请问有人吗？")
    said = "您好，我是客服小李。请把扣款短信截图发我 <截图> & 流水。"
    await engine.agent_message(record.id, "alice", said)
    await bot_api.wait_until(lambda: len(bot_api.sent(21)) == before + 1)
    assert bot_api.texts(21)[before:] == [f"【人工客服】{said}"]  # and nothing from the bot

    victim.expected.append(f"【人工客服】{said}")
    await engine.hand_back(record.id, "alice")
    await victim.say("/summary", NOW)  # the bot answers again, from where the dialog was
    assert bot_api.texts(21) == victim.expected


@pytest.mark.parametrize("backend_kind", ["sqlite", "redis"])
async def test_an_agent_message_is_forwarded_once_by_two_processes(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend, engine: Engine
) -> None:
    await make_service("aiogram")  # polling
    await make_service("ptb", polling=False)  # as behind `lossline serve`: forwarding too
    conversation_id, before = await taken_over(bot_api, backend, engine, 22)
    bot_api.fail_next("sendMessage", retry_after=1)  # the first one waits out a flood limit…
    for n in range(8):  # …and whichever process forwards the others, they come after it
        await engine.agent_message(conversation_id, "bob", f"第{n + 1}条")
    await bot_api.wait_until(lambda: len(bot_api.sent(22)) >= before + 8, timeout=10)
    await asyncio.sleep(0.2)  # a second copy would come right after
    assert bot_api.texts(22)[before:] == [f"【人工客服】第{n + 1}条" for n in range(8)]


@pytest.mark.parametrize("backend_kind", ["sqlite", "redis"])
async def test_an_agent_message_one_process_failed_to_send_is_sent_by_another(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend, engine: Engine
) -> None:
    """As when the process sending it dies: the others see the message too, and it is not
    marked sent, so one of them sends it."""
    await make_service("aiogram")
    await make_service("ptb", polling=False)
    conversation_id, before = await taken_over(bot_api, backend, engine, 24)
    bot_api.fail_next("sendMessage", retry_after=None)  # the first try, by either, fails
    await engine.agent_message(conversation_id, "bob", "第1条")
    await bot_api.wait_until(lambda: len(bot_api.sent(24)) > before)
    await engine.agent_message(conversation_id, "bob", "第2条")
    await bot_api.wait_until(lambda: len(bot_api.sent(24)) >= before + 2)
    await asyncio.sleep(0.2)  # a second copy would come right after
    assert bot_api.texts(24)[before:] == ["【人工客服】第1条", "【人工客服】第2条"]


async def test_an_agent_message_that_failed_to_send_goes_out_before_the_next_one(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend, engine: Engine
) -> None:
    """One process alone: a message it could not send is tried again with the next."""
    await make_service("aiogram")
    conversation_id, before = await taken_over(bot_api, backend, engine, 27)
    bot_api.fail_next("sendMessage", retry_after=None)
    await engine.agent_message(conversation_id, "bob", "第1条")
    await bot_api.wait_until(lambda: 500 in [c.status for c in bot_api.calls_of("sendMessage")])
    await engine.agent_message(conversation_id, "bob", "第2条")
    await bot_api.wait_until(lambda: len(bot_api.sent(27)) >= before + 2)
    assert bot_api.texts(27)[before:] == ["【人工客服】第1条", "【人工客服】第2条"]


@pytest.mark.usefixtures("quick_sweeps")
async def test_an_agent_message_that_failed_to_send_is_tried_again_after_a_while(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend, engine: Engine
) -> None:
    """Telegram could not be reached for a moment, and the agent writes nothing more."""
    await make_service("aiogram")
    conversation_id, before = await taken_over(bot_api, backend, engine, 29)
    bot_api.fail_next("sendMessage", retry_after=None)
    await engine.agent_message(conversation_id, "bob", "请把扣款短信截图发我")
    await bot_api.wait_until(lambda: len(bot_api.sent(29)) > before)
    assert bot_api.texts(29)[before:] == ["【人工客服】请把扣款短信截图发我"]


@pytest.mark.usefixtures("quick_sweeps")
async def test_an_agent_message_that_keeps_failing_is_given_up_and_the_next_goes_out(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend, engine: Engine
) -> None:
    await make_service("aiogram")
    conversation_id, before = await taken_over(bot_api, backend, engine, 30)
    bot_api.fail_next("sendMessage", times=core.FORWARD_TRIES, retry_after=None)
    await engine.agent_message(conversation_id, "bob", "第1条")
    failed = lambda: [c.status for c in bot_api.calls_of("sendMessage")].count(500)  # noqa: E731
    await bot_api.wait_until(lambda: failed() == core.FORWARD_TRIES)
    await engine.agent_message(conversation_id, "bob", "第2条")
    await bot_api.wait_until(lambda: len(bot_api.sent(30)) > before)
    await asyncio.sleep(0.3)  # no more tries of the first
    assert bot_api.texts(30)[before:] == ["【人工客服】第2条"]
    assert failed() == core.FORWARD_TRIES
    notes = [e.text for e in await backend.store.transcript(conversation_id) if e.role == "system"]
    undelivered = "这条客服消息没能发到对方的 Telegram（试了 3 次，已放弃）：「第1条」"
    assert [n for n in notes if "没能发到" in n] == [undelivered]  # the agent learns of it


@pytest.mark.parametrize("backend_kind", ["sqlite", "redis"])
async def test_agent_messages_written_while_no_process_forwarded_go_out_when_one_starts(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend, engine: Engine
) -> None:
    """A worker stopped or killed with agent messages in hand (a deploy): the next one
    sends what nobody marked sent, and nothing twice."""
    service = await make_service("aiogram")
    conversation_id, before = await taken_over(bot_api, backend, engine, 31)
    await engine.agent_message(conversation_id, "bob", "第1条")
    await bot_api.wait_until(lambda: len(bot_api.sent(31)) > before)
    await service.stop()
    await engine.agent_message(conversation_id, "bob", "第2条")  # nobody forwards now
    await engine.agent_message(conversation_id, "bob", "第3条")
    await make_service("aiogram")
    await bot_api.wait_until(lambda: len(bot_api.sent(31)) >= before + 3)
    await make_service("ptb", polling=False)  # and another one later
    await asyncio.sleep(0.3)
    assert bot_api.texts(31)[before:] == ["【人工客服】第1条", "【人工客服】第2条", "【人工客服】第3条"]


@pytest.mark.usefixtures("quick_sweeps")
async def test_an_agent_message_whose_live_event_never_came_goes_out_all_the_same(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend, engine: Engine
) -> None:
    """On SQLite the console may run in another process than the worker, and live events stay
    in their process: what is owed is looked for, and sent. (A worker of its own process:
    tests/faults/test_telegram_kills.py.)"""
    await make_service("aiogram")
    conversation_id, before = await taken_over(bot_api, backend, engine, 32)
    elsewhere = Engine(backend.store, backend.queue, LocalEvents())  # its events reach no worker
    await elsewhere.agent_message(conversation_id, "bob", "第1条")
    await elsewhere.agent_message(conversation_id, "bob", "第2条")
    await bot_api.wait_until(lambda: len(bot_api.sent(32)) >= before + 2)
    await asyncio.sleep(0.3)  # and once
    assert bot_api.texts(32)[before:] == ["【人工客服】第1条", "【人工客服】第2条"]
    await all_settled(backend.store)


@pytest.mark.parametrize("backend_kind", ["redis"])
async def test_an_agent_message_published_while_pubsub_was_cut_goes_out_all_the_same(
    make_service: MakeService,
    bot_api: BotApiServer,
    backend: Backend,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Redis drops the worker's pub/sub connection (a restart, a network blip): what is
    published before it is back reaches nobody. Told it missed events, the worker looks at
    what is owed at once, not at the next regular look."""
    monkeypatch.setattr(core, "SWEEP_S", 60.0)
    await make_service("aiogram")
    conversation_id, before = await taken_over(bot_api, backend, engine, 35)
    client = backend.store.client  # type: ignore[attr-defined]
    assert await client.client_kill_filter(_type="pubsub") >= 1
    await engine.agent_message(conversation_id, "bob", "您好，我是客服小李")
    await bot_api.wait_until(lambda: len(bot_api.sent(35)) > before)
    await asyncio.sleep(0.3)  # and once
    assert bot_api.texts(35)[before:] == ["【人工客服】您好，我是客服小李"]


@pytest.mark.parametrize("backend_kind", ["sqlite", "redis"])
async def test_an_owed_message_never_written_is_dropped_and_does_not_hold_up_the_next(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend, engine: Engine
) -> None:
    """Its process died between owing it and the commit: nothing is sent for it."""
    await make_service("aiogram")
    conversation_id, before = await taken_over(bot_api, backend, engine, 33)
    died = engine.clock() - core.UNWRITTEN_AFTER - timedelta(seconds=1)
    await backend.store.owe_agent_message(conversation_id, died)
    await engine.agent_message(conversation_id, "bob", "第2条")
    await bot_api.wait_until(lambda: len(bot_api.sent(33)) > before)
    assert bot_api.texts(33)[before:] == ["【人工客服】第2条"]
    await all_settled(backend.store)


async def test_agent_messages_owed_for_hours_go_out_when_a_worker_starts(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend, engine: Engine
) -> None:
    """No worker ran for a while (its token was missing, say): what was owed is sent,
    however old, in order."""
    earlier = datetime.now(UTC) - timedelta(hours=5)
    then = Engine(backend.store, backend.queue, backend.events, clock=lambda: earlier)
    record, _, _ = await then.start("telegram", "zh-CN", earlier, external_key="tg:34")
    await then.take_over(record.id, "bob")
    await then.agent_message(record.id, "bob", "第1条")
    await engine.agent_message(record.id, "bob", "第2条")
    await make_service("aiogram")
    await bot_api.wait_until(lambda: len(bot_api.sent(34)) >= 2)
    assert bot_api.texts(34) == ["【人工客服】第1条", "【人工客服】第2条"]
    await all_settled(backend.store)


async def test_a_chat_waiting_out_a_flood_limit_holds_up_no_other_chats_agent_messages(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend, engine: Engine
) -> None:
    await make_service("aiogram")
    waiting, _ = await taken_over(bot_api, backend, engine, 25)
    other, before = await taken_over(bot_api, backend, engine, 26)
    bot_api.fail_next("sendMessage", retry_after=3)  # chat 25's message waits 3 s…
    await engine.agent_message(waiting, "bob", "稍等")
    await bot_api.wait_until(lambda: 429 in [c.status for c in bot_api.calls_of("sendMessage")])
    started = time.monotonic()
    await engine.agent_message(other, "bob", "您好")
    await bot_api.wait_until(lambda: len(bot_api.sent(26)) > before)
    assert time.monotonic() - started < 1.5  # …and chat 26's goes out meanwhile
    await bot_api.wait_until(lambda: "【人工客服】稍等" in bot_api.texts(25), timeout=5)


async def test_a_long_agent_message_is_split_and_escaped(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend, engine: Engine
) -> None:
    await make_service("aiogram")
    conversation_id, before = await taken_over(bot_api, backend, engine, 23, "carol")
    lines = [f"第{n}行：<b>不是标签</b> & 金额 &lt; 5000 🙂" for n in range(200)]
    text = "\n".join(lines)
    await engine.agent_message(conversation_id, "carol", text)
    expected = split_text(f"【人工客服】{text}")
    assert len(expected) == 2  # 200 lines of 34–36 UTF-16 units (the emoji counts twice)
    await bot_api.wait_until(lambda: len(bot_api.sent(23)) >= before + len(expected))
    parts = bot_api.texts(23)[before:]
    assert parts == expected  # escaped on the way, shown as written
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert "\n".join(parts) == f"【人工客服】{text}"  # cut at a line end


@pytest.mark.parametrize("backend_kind", ["redis"])
async def test_a_chats_next_message_does_not_read_its_record_again(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend, engine: Engine
) -> None:
    """The record its last turn committed is at hand: an update reads which conversation the
    chat talks to, not the record. When another process changed the record meanwhile (an
    agent took the case), the turn still goes where the current record says."""
    await make_service("aiogram")
    victim = Victim(bot_api, backend.store, chat_id=23)
    record = await victim.begin(NOW)
    await victim.say(FIRST, NOW)
    client = backend.store.client  # type: ignore[attr-defined]
    async with client.monitor() as monitor:
        await victim.say("昨晚十点多", NOW)
        await client.echo("done")
        reads = []
        while (command := await monitor.next_command())["command"] != "ECHO done":
            if command["command"].startswith("HGETALL"):
                reads.append(command["command"])
    assert reads == []

    other = Engine(backend.store, backend.queue, backend.events)  # as in another process
    await other.take_over(record.id, "alice")
    before = len(bot_api.sent(23))
    bot_api.text(23, "请问有人吗？", NOW)
    await victim_said(backend.store, record.id, "请问有人吗？")
    await asyncio.sleep(0.2)
    assert len(bot_api.sent(23)) == before  # the bot is silent: the agent has the case
