"""SIGKILL on the process taking a bot's updates, by webhook (`lossline serve`) or by polling
(`lossline telegram`): no update is lost or applied twice.

The test plays Telegram with the p1 script as two chats' text updates, a line from each at
once, the process killed at random points and started again. By webhook, an update is posted
until it is answered 200, which promises that it is handled; one whose call died is sent
again. By polling, an update stays on offer until a getUpdates asks for what follows it,
which the bot does once the update is handled. At the end each chat's case must hold every
message once and in order, and decide as the script does without kills, with one hand-off
each on the queue (the restarted service's sweep queues a hand-off whose process died
between its commit and the queue); and each chat must have been sent every reply its case's
transcript holds, in order (some twice: a repeat of an update is answered again, see
bot/telegram/core.py). The webhook runs aiogram, polling PTB. FAULTS_SEED=<seed> replays a
run's kill points.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.servers import free_port, until_serving
from bot.engine import ORPHANED_HANDOFF, Engine
from bot.settings import Settings
from bot.store.base import ConversationRecord, utcnow
from bot.store.factory import open_backend
from bot.telegram.format import split_text
from bot.telegram.service import WEBHOOK_PATH, webhook_secret
from dialogs.script import ScriptLine, parse_script, replay
from dialogs.summary import decision_json
from rules.types import SHANGHAI
from tests.faults.kill_worker import HANDOFF_SCRIPT
from tests.telegram.botapi import BotApiServer

pytestmark = pytest.mark.timeout(240)

KILLS = 6  # each a restart of `lossline serve`, ~5 s
CHATS = (4242, 4343)
SEND_DELAY_S = 0.02  # a reply takes a while to reach Telegram: a kill can come before it does
NOW = datetime(2023, 10, 9, 10, 0, tzinfo=SHANGHAI)


class Server:
    """`lossline serve` on SQLite with the bot's token (the webhook mounted, no polling), or
    with `polling`, `lossline telegram`; through aiogram, or PTB."""

    def __init__(
        self,
        data_dir: Path,
        bot_api: BotApiServer,
        lib: str,
        polling: bool = False,
        redis_url: str | None = None,
        output: Path | None = None,
    ) -> None:
        """`output`: where the process's stdout and stderr go (else nowhere)."""
        self.lib = lib
        self.output = output
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.polling = polling
        self.env = {
            **os.environ,
            "LOSSLINE_DATA_DIR": str(data_dir),
            "LOSSLINE_TELEGRAM_TOKEN": bot_api.token,
            "LOSSLINE_TELEGRAM_API_BASE": bot_api.base,
            "LOSSLINE_TELEGRAM_LIB": lib,
            "LOSSLINE_RATE_PER_CONVERSATION": "100000",
            "LOSSLINE_RATE_PER_ADDRESS": "100000",
        }
        self.env.pop("LOSSLINE_REDIS_URL", None)
        if redis_url is not None:
            self.env["LOSSLINE_REDIS_URL"] = redis_url
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        command = ["telegram", "--lib", self.lib] if self.polling else ["serve", "--port", str(self.port)]
        out = self.output.open("ab") if self.output is not None else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", *command],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT if self.output is not None else subprocess.DEVNULL,
            )
        finally:
            if not isinstance(out, int):
                out.close()
        if not self.polling:
            await until_serving(self.base)

    @property
    def dead(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


async def _kill_later(server: Server, delay_s: float) -> None:
    await asyncio.sleep(delay_s)
    server.kill()


def _schedule(mode: str) -> tuple[int, random.Random, list[ScriptLine], dict[int, str]]:
    """The run's seed (FAULTS_SEED replays one), its random source, p1's lines, and which
    line gets which kill: half somewhere during it, half right after it is taken."""
    seed = int(os.environ.get("FAULTS_SEED") or random.randrange(1 << 32))
    print(f"telegram {mode} kills: FAULTS_SEED={seed}")
    rng = random.Random(seed)
    lines = list(parse_script(HANDOFF_SCRIPT.read_text(encoding="utf-8").splitlines(), NOW))
    kill_at = dict(zip(rng.sample(range(len(lines)), KILLS), ["during", "after"] * KILLS, strict=False))
    return seed, rng, lines, kill_at


async def test_a_killed_webhook_server_loses_and_doubles_no_update(tmp_path: Path) -> None:
    seed, rng, lines, kill_at = _schedule("webhook")
    bot_api = BotApiServer(send_delay_s=SEND_DELAY_S)
    await bot_api.start()
    server = Server(tmp_path / "data", bot_api, "aiogram")
    secret = webhook_secret(bot_api.token)
    try:
        await server.start()
        async with httpx.AsyncClient(timeout=30) as client:
            for index, line in enumerate(lines):
                assert line.text is not None
                updates = [bot_api.make_text(chat, line.text, line.sent_at) for chat in CHATS]
                kill = kill_at.get(index)
                while updates:
                    killer = None
                    if kill == "during":
                        killer = asyncio.create_task(_kill_later(server, rng.uniform(0, 0.008)))
                    answered = await asyncio.gather(*(_post(client, server.base, secret, u) for u in updates))
                    if killer is not None:
                        await killer
                    elif kill == "after":
                        server.kill()
                    kill = None
                    if server.dead:
                        await server.start()
                    # Those not answered Telegram sends again.
                    updates = [u for u, ok in zip(updates, answered, strict=True) if not ok]
    finally:
        server.stop()
        await bot_api.stop()
    await _check_cases(tmp_path / "data", lines, seed, bot_api)


async def test_a_killed_polling_worker_loses_and_doubles_no_update(tmp_path: Path, redis_url: str) -> None:
    """On Redis, as docker-compose.yml runs the worker (and through PTB, the webhook test
    taking aiogram): its commits wait on the network, so a batch confirmed as soon as its
    tasks start (as the libraries' own polling did) is lost."""
    seed, rng, lines, kill_at = _schedule("polling")
    bot_api = BotApiServer(send_delay_s=SEND_DELAY_S)
    await bot_api.start()
    server = Server(tmp_path / "data", bot_api, "ptb", polling=True, redis_url=redis_url)
    try:
        await server.start()
        for index, line in enumerate(lines):
            assert line.text is not None
            for chat in CHATS:
                update = bot_api.push(bot_api.make_text(chat, line.text, line.sent_at))
            kill = kill_at.get(index)
            if kill == "during":
                await asyncio.sleep(rng.uniform(0, 0.01))
                server.kill()
                await server.start()
            elif kill == "after":  # the moment the bot asks past the update, confirming it
                bot_api.on_get_updates = _killer(server, update["update_id"])
            await _confirmed(bot_api)
            if server.dead:
                bot_api.on_get_updates = None
                await server.start()
    finally:
        server.stop()
        await bot_api.stop()
    await _check_cases(tmp_path / "data", lines, seed, bot_api, redis_url)


async def test_an_agent_message_on_its_way_when_the_worker_is_killed_goes_out_after_restart(
    tmp_path: Path, redis_url: str
) -> None:
    """The only worker dies while its sendMessage is on the wire: the live event is gone, and
    the restarted worker finds the message still owed."""
    bot_api = BotApiServer()
    await bot_api.start()
    server = Server(tmp_path / "data", bot_api, "aiogram", polling=True, redis_url=redis_url)
    backend = await open_backend(Settings(data_dir=tmp_path / "data", redis_url=redis_url))
    engine = Engine(backend.store, backend.queue, backend.events)
    chat, said = CHATS[0], "请把扣款短信截图发我"
    try:
        record = await _taken_over(server, bot_api, engine, chat)
        bot_api.send_delay_s = 1.0
        await engine.agent_message(record.id, "bob", said)
        await bot_api.wait_until(lambda: bot_api.sends_on_their_way > 0)
        server.kill()  # the call on its way never arrives
        bot_api.send_delay_s = 0.0
        await server.start()
        await bot_api.wait_until(lambda: f"【人工客服】{said}" in bot_api.texts(chat), timeout=60)
        await asyncio.sleep(0.5)
        assert bot_api.texts(chat).count(f"【人工客服】{said}") == 1
    finally:
        server.stop()
        await bot_api.stop()
        await backend.aclose()


async def test_an_agent_message_from_a_console_in_another_process_reaches_the_chat_on_sqlite(
    tmp_path: Path,
) -> None:
    """`lossline telegram` polls on the SQLite file, and the console writes in another process
    (here, this one): SQLite's live events stay in their process, so the worker hears that
    another process changed the conversation (bot.store.sqlite_events) and sends what is owed."""
    bot_api = BotApiServer()
    await bot_api.start()
    output = tmp_path / "worker.log"
    server = Server(tmp_path / "data", bot_api, "ptb", polling=True, output=output)
    backend = await open_backend(Settings(data_dir=tmp_path / "data"))
    engine = Engine(backend.store, backend.queue, backend.events)
    chat = CHATS[1]
    try:
        record = await _taken_over(server, bot_api, engine, chat)
        for said in ("您好，我是客服小李", "请把扣款短信截图发我"):
            await engine.agent_message(record.id, "bob", said)
        wanted = ["【人工客服】您好，我是客服小李", "【人工客服】请把扣款短信截图发我"]
        await bot_api.wait_until(lambda: bot_api.texts(chat)[-2:] == wanted, timeout=30)
        await asyncio.sleep(0.5)
        assert len(bot_api.texts(chat)) == 3  # the greeting, and each message once
    finally:
        server.stop()
        await bot_api.stop()
        await backend.aclose()
    # PTB's transport (httpx) would log each Bot API URL, /bot<token>/…, at INFO.
    written = output.read_text()
    assert "telegram.conversation_started" in written  # the worker's JSON log is here
    assert bot_api.token not in written and bot_api.token.split(":")[1] not in written


async def _taken_over(
    server: Server, bot_api: BotApiServer, engine: Engine, chat: int
) -> ConversationRecord:
    """The worker started, the chat greeted, its conversation taken over by an agent."""
    await server.start()
    bot_api.push(bot_api.make_text(chat, "/start", NOW))
    await bot_api.wait_until(lambda: bool(bot_api.sent(chat)), timeout=60)
    record = await engine.store.find_by_external_key(f"tg:{chat}")
    assert record is not None
    return await engine.take_over(record.id, "bob")


def _killer(server: Server, update_id: int) -> Callable[[int], None]:
    def kill_if_past(offset: int) -> None:
        if offset > update_id and not server.dead:
            server.kill()

    return kill_if_past


async def _confirmed(bot_api: BotApiServer, timeout_s: float = 60.0) -> None:
    """Until the bot has asked for what follows every update on offer (a restart takes
    seconds). Looked at every 20 ms: the server notes the call only once its long poll ends."""
    async with asyncio.timeout(timeout_s):
        while bot_api.pending_updates:
            await asyncio.sleep(0.02)


async def _check_cases(
    data_dir: Path, lines: list[ScriptLine], seed: int, bot_api: BotApiServer, redis_url: str | None = None
) -> None:
    backend = await open_backend(Settings(data_dir=data_dir, redis_url=redis_url))
    try:
        engine = Engine(backend.store, backend.queue, backend.events)
        later = utcnow() + ORPHANED_HANDOFF + timedelta(seconds=1)
        await Engine(backend.store, backend.queue, backend.events, clock=lambda: later).recover_handoffs()
        expected, _ = replay(HANDOFF_SCRIPT.read_text(encoding="utf-8").splitlines(), NOW)
        for chat in CHATS:
            record = await engine.store.find_by_external_key(f"tg:{chat}")
            assert record is not None, f"FAULTS_SEED={seed}"
            transcript = await backend.store.transcript(record.id)
            said = [e.text for e in transcript if e.role == "victim"]
            assert said == [line.text for line in lines], f"FAULTS_SEED={seed} chat {chat}"
            first = next(i for i, e in enumerate(transcript) if e.role == "victim")
            replies = [c for e in transcript[first:] if e.role == "bot" for c in split_text(e.text)]
            assert _in_order(replies, bot_api.texts(chat)), f"FAULTS_SEED={seed} chat {chat}"
            assert record.state_name == "handed_off"
            assert decision_json(record.state) == decision_json(expected.state)
        assert await backend.queue.pending_count() == len(CHATS), f"FAULTS_SEED={seed}"
    finally:
        await backend.aclose()


def _in_order(wanted: list[str], sent: list[str]) -> bool:
    """Whether `sent` holds every one of `wanted`, in that order (others may come between).
    The chat's first message is what happened, so the greeting before it is not sent."""
    rest = iter(sent)
    return all(any(text == message for message in rest) for text in wanted)


async def _post(client: httpx.AsyncClient, base: str, secret: str, update: dict[str, Any]) -> bool:
    try:
        response = await client.post(
            f"{base}{WEBHOOK_PATH}/{secret}",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        )
    except httpx.TransportError:
        return False
    return response.status_code == 200
