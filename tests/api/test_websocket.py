"""The widget's live channel: replies and agent messages pushed over the WebSocket."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import aiohttp
import pytest
import uvicorn
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from bench.servers import free_port
from bot.app import create_app
from bot.settings import Settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data_dir=tmp_path))) as c:
        yield c


def test_replies_and_agent_messages_are_pushed(client: TestClient) -> None:
    data = client.post("/api/conversations", json={}).json()
    cid, token = data["id"], data["token"]
    with client.websocket_connect(f"/api/conversations/{cid}/ws?token={token}") as ws:
        client.post(
            f"/api/conversations/{cid}/messages",
            headers={"Authorization": f"Bearer {token}"},
            json={"text": "支付宝被盗了"},
        )
        event = ws.receive_json()
        assert event["type"] == "reply" and event["replies"]
        engine = client.app.state.runtime.engine  # type: ignore[attr-defined]
        client.portal.call(engine.take_over, cid, "alice")  # type: ignore[union-attr]
        client.portal.call(engine.agent_message, cid, "alice", "您好，我是客服小李")  # type: ignore[union-attr]
        kinds: dict[str, dict[str, object]] = {}
        for _ in range(5):  # state change, owner change, then the agent's message
            event = ws.receive_json()
            kinds[event["type"]] = event
            if event["type"] == "agent_message":
                break
        assert kinds["owner"]["owner"] == "agent:alice"
        assert kinds["agent_message"]["text"] == "您好，我是客服小李"


def test_a_widget_that_may_have_missed_events_is_told_so(client: TestClient) -> None:
    """Its subscription fell too far behind (or Redis cut the pub/sub connection, see
    tests/store/test_live_events.py): the widget is told to read the case afresh."""
    data = client.post("/api/conversations", json={}).json()
    cid, token = data["id"], data["token"]
    events = client.app.state.runtime.engine.events  # type: ignore[attr-defined]
    with client.websocket_connect(f"/api/conversations/{cid}/ws?token={token}") as ws:
        for _ in range(200):  # until the socket's subscription is in place
            if events._by_conversation.get(cid):
                break
            time.sleep(0.01)
        [sub] = events._by_conversation[cid]
        client.portal.call(sub.missed)  # type: ignore[union-attr]
        assert ws.receive_json() == {"type": "missed", "conversation_id": cid}


def test_a_wrong_token_is_refused(client: TestClient) -> None:
    data = client.post("/api/conversations", json={}).json()
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(f"/api/conversations/{data['id']}/ws?token=nope") as ws,
    ):
        ws.receive_json()
    assert refused.value.code == 4403
    with (
        pytest.raises(WebSocketDisconnect) as missing,
        client.websocket_connect("/api/conversations/unknown/ws?token=x") as ws,
    ):
        ws.receive_json()
    assert missing.value.code == 4404


async def _tasks() -> int:
    return len(asyncio.all_tasks())


def _open(client: TestClient, stack: ExitStack, n: int) -> list[tuple[str, WebSocketTestSession]]:
    opened = []
    for _ in range(n):
        data = client.post("/api/conversations", json={}).json()
        url = f"/api/conversations/{data['id']}/ws?token={data['token']}"
        opened.append((data["id"], stack.enter_context(client.websocket_connect(url))))
    return opened


def test_an_open_socket_waits_with_one_task_of_ours(client: TestClient) -> None:
    """A thousand open widgets are a thousand times whatever one holds, and every full
    garbage collection walks all of it: one reader task, not a race of new tasks per event."""
    assert client.portal is not None
    with ExitStack() as stack:
        _open(client, stack, 1)  # the first also starts what the process runs once for all
        time.sleep(0.2)  # (SQLite's look at what other processes changed)
        before = client.portal.call(_tasks)
        _open(client, stack, 10)
        time.sleep(0.2)  # let each socket reach its wait
        per_socket = (client.portal.call(_tasks) - before) / 10
    # The test client's own task for the session, and our reader.
    assert per_socket <= 2, per_socket


async def test_a_closed_socket_unsubscribes_at_once(tmp_path: Path) -> None:
    """Under uvicorn, as served (the test client instead cancels the whole handler when its
    socket closes): the browser leaves, and the subscription goes well before the 15 s
    ping would have noticed."""
    app = create_app(Settings(data_dir=tmp_path))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        events = app.state.runtime.engine.events
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{base}/api/conversations", json={}) as started:
                opened = await started.json()
            url = f"{base}/api/conversations/{opened['id']}/ws?token={opened['token']}"
            async with session.ws_connect(url):
                for _ in range(100):
                    if opened["id"] in events._by_conversation:
                        break
                    await asyncio.sleep(0.02)
                assert opened["id"] in events._by_conversation
        for _ in range(100):  # 2 s
            if opened["id"] not in events._by_conversation:
                break
            await asyncio.sleep(0.02)
        assert opened["id"] not in events._by_conversation
    finally:
        server.should_exit = True
        await serving
