"""The access log: one JSON line a request, and never a conversation's token (the widget's
WebSocket URL carries it), the webhook's secret (in its path) or the bot's token (in every
Bot API URL) in what `lossline serve` writes."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from pathlib import Path

import aiohttp
import httpx
import pytest
import structlog
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from bench.load import _healthy, serve
from bot.access_log import HidePathSecrets, loggable_path
from bot.app import create_app
from bot.logs import configure
from bot.settings import Settings
from bot.telegram.settings import WEBHOOK_PATH

pytestmark = pytest.mark.timeout(60)


async def test_lossline_serve_writes_no_token_and_a_json_line_a_request(tmp_path: Path) -> None:
    async with serve(tmp_path, None) as server, aiohttp.ClientSession() as session:
        await _healthy(server)
        async with session.post(f"{server.base}/api/conversations", json={}) as started:
            opened = await started.json()
        cid, token = opened["id"], opened["token"]
        async with session.ws_connect(f"{server.base}/api/conversations/{cid}/ws?token={token}") as ws:
            await ws.close()
        with pytest.raises(aiohttp.WSServerHandshakeError):  # refused: its URL is logged too
            await session.ws_connect(f"{server.base}/api/conversations/{cid}/ws?token={token[:-1]}")
        async with session.get(f"{server.base}/api/conversations/{cid}/case?token={token}") as got:
            assert got.status == 401  # a token in the query is not how the API takes it
        async with session.post(f"{server.base}{WEBHOOK_PATH}/the-bots-secret", json={}) as hook:
            assert hook.status == 404  # no bot token set: no webhook route, but a logged path
        await asyncio.sleep(0.5)  # the last lines reach the file
    output = server.log.read_text()
    assert token not in output and token[:-1] not in output
    assert "the-bots-secret" not in output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    requests = {(e.get("method"), e["path"], e["status"]) for e in lines if e["event"] == "http.request"}
    assert ("POST", "/api/conversations", 201) in requests
    assert ("GET", f"/api/conversations/{cid}/case", 401) in requests
    assert ("POST", f"{WEBHOOK_PATH}/***", 404) in requests
    sockets = {(e["path"], e["status"]) for e in lines if e["event"] == "ws.closed"}
    assert sockets == {(f"/api/conversations/{cid}/ws", 101), (f"/api/conversations/{cid}/ws", 4403)}


def test_paths_lose_their_query_and_their_secret() -> None:
    assert loggable_path("/api/conversations/abc/ws?token=xyz") == "/api/conversations/abc/ws"
    assert loggable_path(f"{WEBHOOK_PATH}/s3cret") == f"{WEBHOOK_PATH}/***"
    assert loggable_path(f"{WEBHOOK_PATH}/s3cret?x=1") == f"{WEBHOOK_PATH}/***"
    assert loggable_path("/console/conversations/abc") == "/console/conversations/abc"


def test_uvicorn_s_socket_lines_lose_the_query() -> None:
    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]',
        ("127.0.0.1:5000", "/api/conversations/abc/ws?token=xyz"), None,
    )  # fmt: skip
    assert HidePathSecrets().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "WebSocket /api/conversations/abc/ws" [accepted]'


def test_a_failed_request_is_logged_as_the_500_it_becomes(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path))

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client, capture_logs() as logs:
        assert client.get("/boom").status_code == 500
    [line] = [e for e in logs if e["event"] == "http.request"]
    assert line["status"] == 500 and line["path"] == "/boom" and line["ms"] >= 0


async def test_a_bot_api_url_never_reaches_the_logs() -> None:
    """PTB talks to the Bot API through httpx, which logs each URL at INFO: /bot<token>/…"""
    out = io.StringIO()
    configure(stream=out)
    # As `lossline serve` has the root logger, whatever pytest's own handlers made of it.
    root, handler = logging.getLogger(), logging.StreamHandler(out)
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
        async with httpx.AsyncClient(transport=transport) as client:
            await client.post("https://api.telegram.org/bot123456:SECRET-TOKEN/sendMessage")
            logging.getLogger("httpx").warning("a warning still gets through")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        structlog.reset_defaults()  # configure() pointed structlog at `out`
    assert "SECRET-TOKEN" not in out.getvalue()
    assert "a warning still gets through" in out.getvalue()
