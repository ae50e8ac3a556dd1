"""The widget's live channel: replies and agent messages pushed over the WebSocket."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from bot.app import create_app
from bot.settings import Settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    with TestClient(create_app(Settings(data_dir=tmp_path))) as c:
        yield c  # type: ignore[misc]


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
