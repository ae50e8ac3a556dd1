"""Webhook mode: `lossline serve` with a bot token takes updates at
POST /telegram/webhook/{secret} and answers through the same core."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from bot.app import create_app
from bot.settings import Settings
from bot.store.factory import Backend
from bot.telegram.service import WEBHOOK_PATH, webhook_secret
from dialogs.summary import case_json
from tests.telegram.botapi import BotApiServer
from tests.telegram.victim import NOW, Victim

FIRST = "我的支付宝被盗了，有人登录了我的账号把钱转走了"
Serve = Callable[[str], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def serve(
    telegram_settings: Settings, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Serve]:
    """`lossline serve` (the app, its lifespan) with the token set and this library."""
    opened: list[tuple[httpx.AsyncClient, Any]] = []

    async def start(lib: str) -> httpx.AsyncClient:
        monkeypatch.setenv("LOSSLINE_TELEGRAM_LIB", lib)
        app: FastAPI = create_app(telegram_settings, backend)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
        opened.append((client, lifespan))
        return client

    yield start
    for client, lifespan in opened:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


def poster(client: httpx.AsyncClient, token: str) -> Callable[[dict[str, Any]], Awaitable[None]]:
    secret = webhook_secret(token)

    async def post(update: dict[str, Any]) -> None:
        response = await client.post(
            f"{WEBHOOK_PATH}/{secret}",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        )
        assert response.status_code == 200, response.text

    return post


@pytest.mark.parametrize("lib", ["aiogram", "ptb"])
async def test_a_conversation_by_webhook_reaches_hand_off(
    lib: str, serve: Serve, bot_api: BotApiServer, backend: Backend
) -> None:
    client = await serve(lib)
    victim = Victim(bot_api, backend.store, chat_id=51, deliver=poster(client, bot_api.token))
    record = await victim.play("p2-phishing-link-excluded.txt")
    assert record.state_name == "handed_off"
    assert bot_api.texts(51) == victim.expected
    assert victim.result is not None and case_json(record.state) == case_json(victim.result.state)
    assert not bot_api.calls_of("getUpdates")  # no polling behind serve


@pytest.mark.parametrize("lib", ["aiogram", "ptb"])
async def test_a_webhook_update_is_answered_at_once_and_a_resent_one_applied_once(
    lib: str, serve: Serve, bot_api: BotApiServer, backend: Backend
) -> None:
    client = await serve(lib)
    post = poster(client, bot_api.token)
    victim = Victim(bot_api, backend.store, chat_id=52, deliver=post)
    record = await victim.begin(NOW)
    bot_api.fail_next("sendMessage", times=1, retry_after=1)  # the answer will take ≥ 1 s
    update = bot_api.make_text(52, FIRST, NOW)
    started = time.monotonic()
    await post(update)
    assert time.monotonic() - started < 0.5  # Telegram is answered before the bot's reply…
    transcript = await backend.store.transcript(record.id)
    assert FIRST in [e.text for e in transcript]  # …but only once the turn is stored
    await post(update)  # Telegram resends it (it thought we timed out)
    victim.expect(FIRST, NOW)
    await victim.say("/summary", NOW)
    assert bot_api.texts(52) == victim.expected
    transcript = await backend.store.transcript(record.id)
    assert [e.text for e in transcript if e.role == "victim"] == [FIRST, "/summary"]


@pytest.mark.parametrize("lib", ["aiogram", "ptb"])
async def test_a_resent_update_whose_replies_were_lost_is_answered_again(
    lib: str, serve: Serve, bot_api: BotApiServer, backend: Backend
) -> None:
    """As when the process died between the turn's commit and its replies: Telegram sends
    the update again, and the replies stored for its turn go out then."""
    client = await serve(lib)
    post = poster(client, bot_api.token)
    victim = Victim(bot_api, backend.store, chat_id=54, deliver=post)
    record = await victim.begin(NOW)
    greeted = len(bot_api.sent(54))
    bot_api.fail_next("sendMessage", retry_after=None)  # the reply is lost
    update = bot_api.make_text(54, FIRST, NOW)
    await post(update)
    await bot_api.wait_until(lambda: len(bot_api.calls_of("sendMessage")) == greeted + 1)
    assert len(bot_api.sent(54)) == greeted
    await post(update)  # sent again
    victim.expect(FIRST, NOW)
    await victim.say("/summary", NOW)
    assert bot_api.texts(54) == victim.expected
    transcript = await backend.store.transcript(record.id)
    assert [e.text for e in transcript if e.role == "victim"] == [FIRST, "/summary"]


async def test_the_webhook_wants_its_secret_in_the_path_and_the_header(
    serve: Serve, bot_api: BotApiServer
) -> None:
    client = await serve("aiogram")
    secret = webhook_secret(bot_api.token)
    update = bot_api.make_text(53, "/start", NOW)
    good = {"X-Telegram-Bot-Api-Secret-Token": secret}
    wrong = {"X-Telegram-Bot-Api-Secret-Token": "x" * len(secret)}
    assert (
        await client.post(f"{WEBHOOK_PATH}/{'x' * len(secret)}", json=update, headers=good)
    ).status_code == 403
    assert (await client.post(f"{WEBHOOK_PATH}/{secret}", json=update, headers=wrong)).status_code == 403
    assert (await client.post(f"{WEBHOOK_PATH}/{secret}", json=update)).status_code == 403
    bad = await client.post(f"{WEBHOOK_PATH}/{secret}", content=b"{not json", headers=good)
    assert bad.status_code == 400
    assert (await client.post(f"{WEBHOOK_PATH}/{secret}", json=[1], headers=good)).status_code == 400
    assert not bot_api.sent(53)


@pytest.mark.parametrize("token", [None, ""])
async def test_no_token_no_webhook_route(
    token: str | None, backend_settings: Settings, backend: Backend
) -> None:
    settings = backend_settings.model_copy(
        update={"telegram_token": None if token is None else SecretStr(token)}
    )
    app = create_app(settings, backend)
    assert not any(WEBHOOK_PATH in getattr(route, "path", "") for route in app.routes)
