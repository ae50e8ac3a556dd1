"""`lossline telegram` as an operator runs it: a separate process on the test Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.telegram.service import WEBHOOK_PATH, webhook_secret
from bot.telegram.texts import COMMANDS
from tests.telegram.botapi import BotApiServer

ROOT = Path(__file__).resolve().parents[2]


def environment(bot_api: BotApiServer | None, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOSSLINE_")}
    env["LOSSLINE_DATA_DIR"] = str(data_dir)
    env["LOSSLINE_TELEGRAM_POLL_TIMEOUT_S"] = "1"
    if bot_api is not None:
        env["LOSSLINE_TELEGRAM_TOKEN"] = bot_api.token
        env["LOSSLINE_TELEGRAM_API_BASE"] = bot_api.base
    return env


async def lossline(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize("lib", ["aiogram", "ptb"])
async def test_polling_answers_and_stops_on_sigterm(lib: str, bot_api: BotApiServer, tmp_path: Path) -> None:
    process = await lossline("telegram", "--lib", lib, env=environment(bot_api, tmp_path))
    try:
        await bot_api.wait_until(lambda: bool(bot_api.commands), timeout=20)
        assert [c["command"] for c in bot_api.commands] == [name for name, _ in COMMANDS]
        bot_api.text(61, "/start")
        await bot_api.wait_until(lambda: bool(bot_api.sent(61)), timeout=10)
        assert "盗刷应急理赔助手" in bot_api.texts(61)[0]
        assert (tmp_path / "lossline.sqlite3").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode == 0, stderr.decode()[-2000:]


async def test_webhook_is_set_with_its_secret(bot_api: BotApiServer, tmp_path: Path) -> None:
    process = await lossline(
        "telegram",
        "--lib",
        "ptb",
        "--webhook",
        "https://lossline.example/",
        env=environment(bot_api, tmp_path),
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()[-2000:]
    secret = webhook_secret(bot_api.token)
    assert bot_api.webhook == {
        "url": f"https://lossline.example{WEBHOOK_PATH}/{secret}",
        "secret_token": secret,
        "allowed_updates": ["message", "callback_query"],
    }
    assert secret not in stdout.decode()  # the secret is not printed
    assert [c["command"] for c in bot_api.commands] == [name for name, _ in COMMANDS]


@pytest.mark.parametrize("token", [None, ""])  # docker-compose passes an unset one as ""
async def test_no_token_is_an_error(token: str | None, tmp_path: Path) -> None:
    env = environment(None, tmp_path)
    if token is not None:
        env["LOSSLINE_TELEGRAM_TOKEN"] = token
    process = await lossline("telegram", env=env)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert "LOSSLINE_TELEGRAM_TOKEN" in stderr.decode()
