"""Two `lossline serve` processes on one Redis share conversations: interleaved messages of the
same conversations, sent alternately to either, are all applied once and in order."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.servers import free_port, until_serving

pytestmark = pytest.mark.timeout(120)


def _serve(redis_url: str, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "LOSSLINE_REDIS_URL": redis_url,
        "LOSSLINE_DATA_DIR": str(data_dir),
        "LOSSLINE_RATE_PER_CONVERSATION": "100000",
        "LOSSLINE_RATE_PER_ADDRESS": "100000",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture
def servers(redis_url: str, tmp_path: Path) -> Iterator[list[str]]:
    started = [_serve(redis_url, tmp_path / "data") for _ in range(2)]
    try:
        yield [base for _, base in started]
    finally:
        for proc, _ in started:
            proc.send_signal(signal.SIGTERM)
        for proc, _ in started:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


async def test_interleaved_messages_across_two_servers(servers: list[str]) -> None:
    await asyncio.gather(*(until_serving(base) for base in servers))
    async with httpx.AsyncClient(timeout=30) as client:
        convs = []
        for i in range(6):
            r = await client.post(f"{servers[i % 2]}/api/conversations", json={})
            data = r.json()
            convs.append((data["id"], {"Authorization": f"Bearer {data['token']}"}))

        async def talk(n: int, cid: str, auth: dict[str, str]) -> None:
            for k in range(12):
                base = servers[(n + k) % 2]  # every message goes to the other server
                text = f"第{k}条消息"
                for _ in range(2):  # and each is sent twice: a retry must not double it
                    r = await client.post(
                        f"{base}/api/conversations/{cid}/messages",
                        headers=auth,
                        json={"text": text, "message_id": f"{cid}-{k}"},
                    )
                    assert r.status_code == 200, r.text

        await asyncio.gather(*(talk(n, cid, auth) for n, (cid, auth) in enumerate(convs)))
        for n, (cid, auth) in enumerate(convs):
            case = (await client.get(f"{servers[n % 2]}/api/conversations/{cid}/case", headers=auth)).json()
            said = [e["text"] for e in case["transcript"] if e["role"] == "victim"]
            assert said == [f"第{k}条消息" for k in range(12)]
