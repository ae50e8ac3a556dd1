"""bench/load.py at a tiny size: `lossline serve` really starts, every conversation opens its
WebSocket, every turn is answered with the state the script expects and pushed on the socket,
and the result has all its fields. Not how fast: that is `lossline bench`'s business."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bench.load import (
    LoadResult,
    _healthy,
    histogram_quantile,
    run_load,
    run_load_apart,
    scripted_turns,
    serve,
    turn_histogram,
)

pytestmark = pytest.mark.timeout(60)

CONVERSATIONS, TURNS = 20, 3


def check(result: LoadResult, backend: str) -> None:
    assert result.backend == backend
    assert result.conversations == CONVERSATIONS
    assert result.errors == 0, result.error_kinds
    assert result.turns == CONVERSATIONS * TURNS
    assert result.turns_per_conversation == TURNS
    assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms <= result.max_ms
    assert 0 < result.ws_p50_ms <= result.ws_p99_ms  # every reply also came over the socket
    assert result.seconds > 0 and result.turns_per_s > 0
    assert result.rss_baseline_bytes > 0 and result.rss_end_bytes > 0
    assert result.server_cpu > 0 and result.server_turn_p50_ms > 0
    assert result.server_turns == CONVERSATIONS * TURNS  # every worker's histogram counted
    assert result.machine_lag_p99_ms > 0  # the sleeper ran beside the phase and reported
    assert 0 <= result.steal_cpu <= result.cores
    data = result.as_dict()
    for key in (
        "backend",
        "conversations",
        "turns",
        "errors",
        "seconds",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "max_ms",
        "turns_per_s",
        "rss_bytes_per_conversation",
    ):
        assert key in data
    assert isinstance(data["rss_bytes_per_conversation"], float)


async def test_sqlite() -> None:
    result = await run_load(CONVERSATIONS, TURNS, backend="sqlite", think_s=(0.05, 0.2))
    check(result, "sqlite")
    assert result.redis_cpu == 0


async def test_redis(redis_url: str) -> None:
    result = await run_load(CONVERSATIONS, TURNS, "redis", redis_url, think_s=(0.05, 0.2))
    check(result, "redis")


async def test_a_widget_s_socket_is_not_compressed(tmp_path: Path) -> None:
    """Browsers offer permessage-deflate, as this client does here; accepting it kept a zlib
    context of ~40 KB per open socket (bench/load: 81 KB per conversation, 38 without)."""
    async with serve(tmp_path, None) as server, aiohttp.ClientSession() as session:
        await _healthy(server)
        async with session.post(f"{server.base}/api/conversations", json={}) as started:
            opened = await started.json()
        url = f"{server.base}/api/conversations/{opened['id']}/ws?token={opened['token']}"
        async with session.ws_connect(url, compress=15) as ws:
            assert ws.compress == 0  # the extension was offered and not taken
            async with session.post(
                f"{server.base}/api/conversations/{opened['id']}/messages",
                headers={"Authorization": f"Bearer {opened['token']}"},
                json={"text": "我的支付宝被盗了"},
            ) as sent:
                assert sent.status == 200
            assert (await ws.receive_json(timeout=10))["type"] == "reply"


def test_the_script_goes_round_again_past_its_end() -> None:
    turns = scripted_turns(40)
    assert len(turns) == 40
    assert turns[0].body["text"] and "sent_at" in turns[0].body
    assert turns[30].state == "handed_off"
    assert turns[31].body == {"text": "重新开始"}


def test_histogram_quantile_reads_what_happened_between_scrapes() -> None:
    text = "\n".join(
        f'lossline_turn_seconds_bucket{{le="{le}"}} {n}'
        for le, n in [("0.001", 0.0), ("0.01", 90.0), ("0.1", 100.0), ("+Inf", 100.0)]
    )
    after = turn_histogram(text)
    assert after[-1] == (float("inf"), 100.0)
    assert histogram_quantile([], after, 0.5) == pytest.approx(6.0)  # 50 of 90 in 1..10 ms
    assert histogram_quantile(after, after, 0.5) == 0.0


async def test_redis_with_two_serving_processes(redis_url: str) -> None:
    """Workers share nothing but Redis: a reply made in one reaches a WebSocket in the other."""
    result = await run_load(CONVERSATIONS, TURNS, "redis", redis_url, think_s=(0.05, 0.2), workers=2)
    check(result, "redis")
    assert result.workers == 2


async def test_more_than_one_worker_needs_redis() -> None:
    with pytest.raises(ValueError):
        await run_load(CONVERSATIONS, TURNS, "sqlite", workers=2)


async def test_a_load_run_in_a_process_of_its_own_answers_the_same_fields() -> None:
    data = await run_load_apart(CONVERSATIONS, TURNS, "sqlite", None, think_s=(0.05, 0.2))
    assert data["errors"] == 0 and data["turns"] == CONVERSATIONS * TURNS
    assert 0 < data["p50_ms"] <= data["p99_ms"] and data["workers"] == 1
