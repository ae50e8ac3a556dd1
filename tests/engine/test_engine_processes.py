"""Workers as separate OS processes on one store: interleaved, and killed mid-conversation."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.settings import Settings
from bot.store.factory import Backend
from dialogs.messages import Turn

pytestmark = pytest.mark.timeout(120)

WORKER = Path(__file__).with_name("engine_worker.py")
NOW = datetime(2024, 5, 1, 14, 0, tzinfo=UTC)  # every turn's sent_at, here and in workers
SCRIPT = [
    "我的信用卡昨晚被盗刷了",
    "没有",
    "是",
    "昨天晚上十点",
    "否",
    "不知道",
    "五万两千",
    "查看摘要",
]


def _env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOSSLINE_")}
    env["LOSSLINE_DATA_DIR"] = str(settings.data_dir)
    # A late-starting process may repeat ids dozens of turns old: remember enough of them.
    env["LOSSLINE_MESSAGE_IDS_KEPT"] = "100"
    if settings.redis_url:
        env["LOSSLINE_REDIS_URL"] = settings.redis_url
    return env


async def _spawn(
    settings: Settings, conversation_ids: list[str], prefix: str, lines: list[str]
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(WORKER),
        ",".join(conversation_ids),
        prefix,
        json.dumps(lines, ensure_ascii=False),
        NOW.isoformat(),
        stdout=subprocess.PIPE,
        env=_env(settings),
    )


async def _victim_lines(engine: Engine, conversation_id: str) -> list[str]:
    return [e.text for e in await engine.store.transcript(conversation_id) if e.role == "victim"]


async def test_two_worker_processes_interleave_without_loss_or_repeat(
    engine: Engine, backend_settings: Settings
) -> None:
    now = NOW
    ids = [(await engine.start("web", "zh-CN", now))[0].id for _ in range(3)]
    lines = {w: [f"{w}{n}" for n in range(15)] for w in ("a", "b")}
    workers = [await _spawn(backend_settings, ids, w, lines[w]) for w in lines]
    # A third sender repeats worker a's message ids: a redelivery, to be ignored.
    repeat = await _spawn(backend_settings, ids, "a", lines["a"])

    for worker in [*workers, repeat]:
        await asyncio.wait_for(worker.communicate(), 90)
        assert worker.returncode == 0

    for conversation_id in ids:
        said = await _victim_lines(engine, conversation_id)
        assert sorted(said) == sorted(lines["a"] + lines["b"])  # none lost, none twice
        for w in lines:
            assert [t for t in said if t[0] == w] == lines[w]  # each sender's order
        record = await engine.store.load(conversation_id)
        assert record is not None and record.version == 1 + 30


async def test_a_killed_worker_leaves_every_acknowledged_turn_and_a_new_one_resumes(
    engine: Engine, backend: Backend, backend_settings: Settings
) -> None:
    now = NOW
    ids = [(await engine.start("web", "zh-CN", now))[0].id for _ in range(4)]
    reference = (await engine.start("web", "zh-CN", now))[0].id

    worker = await _spawn(backend_settings, ids, "m", SCRIPT)
    assert worker.stdout is not None
    acknowledged: dict[str, int] = {}
    try:
        while len(acknowledged) < len(ids) or min(acknowledged.values()) < 2:
            output = await asyncio.wait_for(worker.stdout.readline(), 30)
            assert output, "the worker ended before it was killed"
            if output.startswith(b"ACK "):
                _, conversation_id, count = output.decode().split()
                acknowledged[conversation_id] = int(count)
    finally:
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
    assert max(acknowledged.values()) < len(SCRIPT) - 1  # killed mid-conversation

    # A new worker (this process) resumes every conversation where it stood.
    for conversation_id in ids:
        done = acknowledged[conversation_id] + 1
        assert (await _victim_lines(engine, conversation_id))[:done] == SCRIPT[:done]
        for n in range(done - 1, len(SCRIPT)):  # re-sending the last acknowledged one too
            turn = Turn(text=SCRIPT[n], sent_at=now)
            await engine.handle(conversation_id, turn, message_id=f"m-{n}")
    for n, line in enumerate(SCRIPT):
        await engine.handle(reference, Turn(text=line, sent_at=now), message_id=f"m-{n}")

    expected = await engine.store.load(reference)
    assert expected is not None and expected.state["facts"]
    for conversation_id in ids:
        record = await engine.store.load(conversation_id)
        assert record is not None
        assert await _victim_lines(engine, conversation_id) == SCRIPT  # every turn once
        assert record.state_name == expected.state_name
        assert record.state["facts"] == expected.state["facts"]  # every fact
        assert record.version == expected.version
