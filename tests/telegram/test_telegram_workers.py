"""Processes serving one bot side by side (webhook updates reach any of them): each keeps the
conversation of the chats it served and does not read a chat's link on every update, yet
follows a case that another process moved with a deep link, and a conversation that expired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from redis.asyncio import Redis

from bot.engine import Engine
from bot.settings import Settings
from bot.store.base import utcnow
from bot.store.factory import Backend
from bot.store.redis import RedisStore
from bot.telegram.core import LINK_TRUSTED
from bot.telegram.service import TelegramService
from bot.telegram.texts import MOVED_AWAY
from tests.telegram.botapi import BotApiServer
from tests.telegram.conftest import MakeService
from tests.telegram.victim import NOW, Victim

FIRST = "我的支付宝被盗了，有人登录了我的账号把钱转走了"


@pytest.fixture
async def two_processes(
    telegram_settings: Settings, backend: Backend
) -> AsyncIterator[list[TelegramService]]:
    """Two Telegram services on one backend, each with its own engine, as two workers."""
    engines = [Engine(backend.store, backend.queue, backend.events) for _ in range(2)]
    services = [TelegramService.build("aiogram", telegram_settings, engine) for engine in engines]
    for service in services:
        await service.start(polling=False)
    yield services
    for service in services:
        await service.stop()


async def victim_texts(backend: Backend, conversation_id: str) -> list[str]:
    return [e.text for e in await backend.store.transcript(conversation_id) if e.role == "victim"]


@pytest.mark.parametrize("backend_kind", ["sqlite", "redis"])
async def test_a_case_moved_by_one_process_is_followed_by_the_other(
    two_processes: list[TelegramService], bot_api: BotApiServer, backend: Backend
) -> None:
    first, second = two_processes
    old_phone = Victim(bot_api, backend.store, chat_id=51, deliver=first.adapter.feed)
    case = await old_phone.begin(NOW)
    await old_phone.say(FIRST, NOW)
    new_phone = Victim(bot_api, backend.store, chat_id=52, deliver=first.adapter.feed)
    own = await new_phone.begin(NOW)
    await new_phone.say("银行卡被盗刷了", NOW)  # the first process keeps both chats' cases

    code = case.state["case_code"]
    await second.adapter.feed(bot_api.make_text(52, f"/start {code}", NOW))
    new_phone.result = old_phone.result
    new_phone.expected.append(f"已接回案件 {code}，我们接着登记。")
    new_phone.expect("/summary", NOW)
    await new_phone.wait_for_messages(len(new_phone.expected))
    assert bot_api.texts(52) == new_phone.expected

    # Both chats' next messages reach the first process, which saw them talk to other cases.
    await new_phone.say("没有", NOW)
    assert await victim_texts(backend, case.id) == [FIRST, "/summary", "没有"]
    assert await victim_texts(backend, own.id) == ["银行卡被盗刷了"]
    notes = [e.text for e in await backend.store.transcript(own.id) if e.role == "system"]
    assert notes == [MOVED_AWAY.format(code=code)]  # the agents see why the case went quiet

    sent = len(bot_api.sent(51))
    await first.adapter.feed(bot_api.make_text(51, "你好", NOW))
    await bot_api.wait_until(lambda: len(bot_api.sent(51)) > sent)
    assert await victim_texts(backend, case.id) == [FIRST, "/summary", "没有"]
    started = await first.core.links.conversation_of(51)
    assert started not in (None, case.id)  # the old chat started a case of its own
    assert started is not None and await victim_texts(backend, started) == ["你好"]


async def mget_calls(client: Redis) -> int:
    stats = await client.info("commandstats")
    return int(stats.get("cmdstat_mget", {}).get("calls", 0))


async def redis_chat(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend, chat_id: int
) -> tuple[TelegramService, Victim, RedisStore]:
    """One service on Redis and a victim greeted in a chat of its own, updates fed to it."""
    service = await make_service("aiogram", polling=False)
    victim = Victim(bot_api, backend.store, chat_id=chat_id, deliver=service.adapter.feed)
    await victim.begin(NOW)
    assert isinstance(backend.store, RedisStore)
    return service, victim, backend.store


@pytest.mark.parametrize("backend_kind", ["redis"])
async def test_a_chats_link_is_read_once_a_minute_not_on_every_update(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    service, victim, store = await redis_chat(make_service, bot_api, backend, 53)
    client = store.client
    before = await mget_calls(client)
    for text in (FIRST, "没有", "冻结了"):
        await victim.say(text, NOW)
    assert await mget_calls(client) == before

    later = utcnow() + LINK_TRUSTED

    def a_minute_on() -> datetime:
        return later

    service.core.clock = a_minute_on
    await victim.say("昨天晚上十点", NOW)
    await victim.say("报警了", NOW)
    assert await mget_calls(client) == before + 1
    assert bot_api.texts(53) == victim.expected


@pytest.mark.parametrize("backend_kind", ["redis"])
async def test_a_chat_whose_kept_conversation_expired_starts_anew(
    make_service: MakeService, bot_api: BotApiServer, backend: Backend
) -> None:
    service, victim, store = await redis_chat(make_service, bot_api, backend, 54)
    case = await victim.conversation()
    await victim.say(FIRST, NOW)
    expired = await store.client.keys(f"{store.prefix}:{{{case.id}}}:*")
    await store.client.delete(*expired, store.external("tg:54"))  # as Redis expires them

    sent = len(bot_api.sent(54))
    await service.adapter.feed(bot_api.make_text(54, "你好", NOW))
    await bot_api.wait_until(lambda: len(bot_api.sent(54)) > sent)
    fresh = await victim.conversation()
    assert fresh.id != case.id
    assert await victim_texts(backend, fresh.id) == ["你好"]


@pytest.mark.parametrize("backend_kind", ["redis"])
async def test_a_record_read_after_the_link_is_trusted_only_once_the_link_is_read_again(
    two_processes: list[TelegramService], bot_api: BotApiServer, backend: Backend
) -> None:
    first, second = two_processes
    victim = Victim(bot_api, backend.store, chat_id=55, deliver=first.adapter.feed)
    await victim.begin(NOW)
    await victim.say(FIRST, NOW)
    assert isinstance(backend.store, RedisStore)
    client = backend.store.client

    # The second process has not seen the chat: it reads the link, then the record. A move
    # between those two reads would go unseen, so the next update reads the link again…
    victim.deliver = second.adapter.feed
    reads = []
    for text in ("没有", "冻结了", "昨天晚上十点"):
        before = await mget_calls(client)
        await victim.say(text, NOW)
        reads.append(await mget_calls(client) - before)
    assert reads == [1, 1, 0]  # …and only then trusts it
    assert bot_api.texts(55) == victim.expected
